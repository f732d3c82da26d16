"""Everything the shop remembers, in one object (reset by ``POST /__reset``)."""

from __future__ import annotations

from dataclasses import dataclass

from agent.shop.accounts import Accounts, User
from agent.shop.catalog import Catalog
from agent.shop.faults import FaultRegistry
from agent.shop.orders import OrderBook, OrderLine
from agent.shop.sessions import Session, SessionStore

MAX_LINE_QTY = 99


@dataclass
class ShopState:
    catalog: Catalog
    accounts: Accounts
    sessions: SessionStore
    orders: OrderBook
    faults: FaultRegistry

    @classmethod
    def create(cls, *, seed: int | None = None, restock_every_s: float | None = None) -> ShopState:
        catalog = Catalog(restock_every_s=restock_every_s)
        return cls(
            catalog=catalog,
            accounts=Accounts(),
            sessions=SessionStore(),
            orders=OrderBook(catalog),
            faults=FaultRegistry(seed),
        )

    def reset(self) -> None:
        """Back to a fresh shop: initial stock, no orders, no sessions, no faults."""
        self.faults.clear()
        self.catalog.reset()
        self.orders.reset()
        self.sessions.clear()

    def user_of(self, session: Session | None) -> User | None:
        if session is None or session.user_email is None:
            return None
        return self.accounts.get(session.user_email)

    def cart_lines(self, session: Session | None) -> tuple[OrderLine, ...]:
        if session is None:
            return ()
        lines = []
        for slug, qty in session.cart.items():
            product = self.catalog.get(slug)
            if product is not None and qty > 0:
                lines.append(OrderLine(slug=slug, product=product.name, quantity=qty, price=product.price))
        return tuple(lines)
