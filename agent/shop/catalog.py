"""Product catalogue and stock levels of the demo shop.

Prices are :class:`~decimal.Decimal` so totals never suffer float rounding. Stock is
kept behind a lock: request handlers run on the event loop, but tests and the
``ShopServer`` helper may touch the state from other threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

CURRENCY = "USD"


@dataclass(frozen=True)
class Product:
    slug: str
    name: str
    price: Decimal
    initial_stock: int
    description: str


SEED_PRODUCTS: tuple[Product, ...] = (
    Product(
        "customizable-desk",
        "Customizable Desk",
        Decimal("750.00"),
        40,
        "A solid oak desk with an adjustable height steel frame.",
    ),
    Product(
        "office-chair",
        "Office Chair",
        Decimal("120.50"),
        60,
        "Ergonomic mesh chair with lumbar support and 4D armrests.",
    ),
    Product(
        "storage-box",
        "Storage Box",
        Decimal("15.80"),
        5000,
        "Stackable recycled-plastic box for the office or the attic.",
    ),
    Product(
        "large-cabinet",
        "Large Cabinet",
        Decimal("320.00"),
        12,
        "Lockable cabinet with three adjustable shelves.",
    ),
    Product(
        "acoustic-bloc-screens",
        "Acoustic Bloc Screens",
        Decimal("295.00"),
        3,
        "Sound-absorbing desk dividers. Limited stock.",
    ),
)


def format_money(amount: Decimal) -> str:
    """``Decimal("1234.5")`` -> ``"$1,234.50"``."""
    return f"${amount:,.2f}"


class InsufficientStock(Exception):
    def __init__(self, product: Product, requested: int, available: int) -> None:
        self.product = product
        self.requested = requested
        self.available = available
        super().__init__(f"Not enough stock for {product.name}: {requested} requested, only {available} available.")


class Catalog:
    """The products on sale and their current stock (thread-safe)."""

    def __init__(self, products: Iterable[Product] = SEED_PRODUCTS, *, restock_every_s: float | None = None) -> None:
        """``restock_every_s``: put every product back to its initial stock this often, so a
        long-running demo monitored around the clock never sells out (``None``: never)."""
        self._products: dict[str, Product] = {p.slug: p for p in products}
        self._lock = threading.Lock()
        self._stock: dict[str, int] = {}
        self._restock_every_s = restock_every_s
        self._restocked_at = 0.0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._reset_locked()

    def _reset_locked(self) -> None:
        self._stock = {slug: p.initial_stock for slug, p in self._products.items()}
        self._restocked_at = time.monotonic()

    def _maybe_restock_locked(self) -> None:
        every = self._restock_every_s
        if every is not None and time.monotonic() - self._restocked_at >= every:
            self._reset_locked()

    def products(self) -> list[Product]:
        return list(self._products.values())

    def get(self, slug: str) -> Product | None:
        return self._products.get(slug)

    def stock(self, slug: str) -> int:
        with self._lock:
            self._maybe_restock_locked()
            return self._stock.get(slug, 0)

    def stock_levels(self) -> dict[str, int]:
        with self._lock:
            self._maybe_restock_locked()
            return dict(self._stock)

    def check_available(self, quantities: Mapping[str, int]) -> None:
        """Raise :class:`InsufficientStock` for the first line asking more than the stock."""
        with self._lock:
            self._check_locked(quantities)

    def take(self, quantities: Mapping[str, int]) -> None:
        """Atomically decrement the stock of every line, or of none of them."""
        with self._lock:
            self._maybe_restock_locked()
            self._check_locked(quantities)
            for slug, qty in quantities.items():
                self._stock[slug] -= qty

    def _check_locked(self, quantities: Mapping[str, int]) -> None:
        for slug, qty in quantities.items():
            product = self._products[slug]
            available = self._stock.get(slug, 0)
            if qty > available:
                raise InsufficientStock(product, qty, available)
