"""Orders and payment transactions.

Payment follows a real provider's shape: ``POST /shop/payment`` opens a *pending*
transaction, the provider page reports the outcome through a separate signed callback,
and only that callback confirms the order (taking the stock and issuing a reference
``S00001``, ``S00002``...). Signatures are ``HMAC-SHA256(secret, "<tx>:<result>")`` with a
secret generated per application instance.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from agent.shop.catalog import CURRENCY, Catalog, InsufficientStock

TxState = Literal["pending", "confirmed", "declined", "failed"]
Result = Literal["authorized", "declined"]
RESULTS: tuple[str, ...] = ("authorized", "declined")
MAX_KEPT = 10_000
"""Orders and transactions kept in memory; the oldest are forgotten beyond this."""


@dataclass(frozen=True)
class Address:
    full_name: str
    street: str
    city: str
    zip: str
    country: str


@dataclass(frozen=True)
class OrderLine:
    slug: str
    product: str
    quantity: int
    price: Decimal

    @property
    def subtotal(self) -> Decimal:
        return self.price * self.quantity


@dataclass
class Order:
    reference: str
    customer_email: str
    lines: tuple[OrderLine, ...]
    address: Address
    created_at: float = field(default_factory=time.time)
    state: str = "confirmed"

    @property
    def total(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal("0"))

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "state": self.state,
            "customer_email": self.customer_email,
            "lines": [
                {"product": ln.product, "slug": ln.slug, "quantity": ln.quantity, "price": float(ln.price)}
                for ln in self.lines
            ],
            "total": float(self.total),
            "currency": CURRENCY,
            "created_at": self.created_at,
        }


@dataclass
class Transaction:
    id: str
    session_id: str
    customer_email: str
    lines: tuple[OrderLine, ...]
    address: Address
    card_last4: str
    result: Result
    state: TxState = "pending"
    order_ref: str | None = None
    error: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal("0"))


class OrderBook:
    """Transactions and confirmed orders (thread-safe)."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._orders: dict[str, Order] = {}
        self._txs: dict[str, Transaction] = {}
        self._next_ref = 1

    def reset(self) -> None:
        with self._lock:
            self._orders.clear()
            self._txs.clear()
            self._next_ref = 1

    def sign(self, tx_id: str, result: str) -> str:
        return hmac.new(self._secret, f"{tx_id}:{result}".encode(), hashlib.sha256).hexdigest()

    def verify(self, tx_id: str, result: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(tx_id, result), signature)

    def open_transaction(
        self,
        *,
        session_id: str,
        customer_email: str,
        lines: tuple[OrderLine, ...],
        address: Address,
        card_last4: str,
        result: Result,
    ) -> Transaction:
        tx = Transaction(
            id=secrets.token_urlsafe(16),
            session_id=session_id,
            customer_email=customer_email,
            lines=lines,
            address=address,
            card_last4=card_last4,
            result=result,
        )
        with self._lock:
            self._txs[tx.id] = tx
            _trim(self._txs)
        return tx

    def transaction(self, tx_id: str) -> Transaction | None:
        with self._lock:
            return self._txs.get(tx_id)

    def complete(self, tx_id: str, result: Result) -> Transaction:
        """Apply the provider's verdict. Idempotent: a replayed callback changes nothing."""
        with self._lock:
            tx = self._txs[tx_id]
            if tx.state != "pending":
                return tx
            if result == "declined":
                tx.state = "declined"
                tx.error = "Payment declined by the card issuer."
                return tx
            quantities: dict[str, int] = {}
            for line in tx.lines:
                quantities[line.slug] = quantities.get(line.slug, 0) + line.quantity
            try:
                self._catalog.take(quantities)
            except InsufficientStock as exc:
                tx.state = "failed"
                tx.error = str(exc)
                return tx
            ref = f"S{self._next_ref:05d}"
            self._next_ref += 1
            self._orders[ref] = Order(
                reference=ref, customer_email=tx.customer_email, lines=tx.lines, address=tx.address
            )
            _trim(self._orders)
            tx.state = "confirmed"
            tx.order_ref = ref
            return tx

    def order(self, reference: str) -> Order | None:
        with self._lock:
            return self._orders.get(reference)

    def orders(self) -> list[Order]:
        with self._lock:
            return list(self._orders.values())


def _trim(table: dict[str, Any]) -> None:
    """Forget the oldest entries (dicts keep insertion order) beyond ``MAX_KEPT``."""
    while len(table) > MAX_KEPT:
        del table[next(iter(table))]
