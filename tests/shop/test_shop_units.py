"""Unit tests of the shop's building blocks (no server)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from agent.shop import orders as orders_module
from agent.shop.catalog import Catalog, InsufficientStock
from agent.shop.faults import FaultRegistry
from agent.shop.forms import validate_address, validate_card
from agent.shop.orders import Address, OrderBook, OrderLine
from agent.shop.sessions import SessionStore

TODAY = dt.date(2026, 6, 15)


def test_take_is_all_or_nothing() -> None:
    catalog = Catalog()
    with pytest.raises(InsufficientStock, match="only 3 available"):
        catalog.take({"office-chair": 1, "acoustic-bloc-screens": 4})
    assert catalog.stock("office-chair") == 60  # nothing taken
    catalog.take({"office-chair": 1, "acoustic-bloc-screens": 3})
    assert (catalog.stock("office-chair"), catalog.stock("acoustic-bloc-screens")) == (59, 0)


def test_periodic_restock() -> None:
    catalog = Catalog(restock_every_s=0.05)
    catalog.take({"large-cabinet": 10})
    assert catalog.stock("large-cabinet") == 2
    time.sleep(0.06)
    assert catalog.stock("large-cabinet") == 12
    assert Catalog().stock_levels() == Catalog(restock_every_s=None).stock_levels()


@pytest.mark.parametrize(
    ("number", "expiry", "cvc", "result", "errors"),
    [
        ("4242 4242 4242 4242", "06/26", "123", "authorized", []),
        ("4242-4242-4242-4242", "1/2030", "1234", "authorized", []),
        ("4000 0000 0000 0002", "12/39", "123", "declined", []),
        ("4242424242424241", "12/39", "123", None, ["Card number is not valid."]),
        ("4242", "12/39", "123", None, ["Card number is not valid."]),
        ("4242424242424242", "05/26", "123", None, ["The card has expired."]),
        ("4242424242424242", "00/30", "123", None, ["Expiry must look like MM/YY."]),
        ("4242424242424242", "soon", "12a", None, ["Expiry must look like MM/YY.", "CVC must be 3 or 4 digits."]),
    ],
)
def test_validate_card(number: str, expiry: str, cvc: str, result: str | None, errors: list[str]) -> None:
    card, problems = validate_card(number, expiry, cvc, today=TODAY)
    assert problems == errors
    assert (card.result if card else None) == result
    if card:
        assert card.last4 == number[-4:]


def test_validate_address() -> None:
    fields = {"full_name": "A", "street": "B", "city": "C", "zip": "1000", "country": "Belgium"}
    address, errors = validate_address(fields)
    assert errors == []
    assert address == Address("A", "B", "C", "1000", "Belgium")
    _, errors = validate_address({**fields, "zip": "!", "city": ""})
    assert errors == ["City is required.", "Zip must be 2 to 10 letters or digits."]


def test_order_book_forgets_the_oldest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(orders_module, "MAX_KEPT", 2)
    book = OrderBook(Catalog())
    line = OrderLine("storage-box", "Storage Box", 1, Catalog().products()[2].price)
    address = Address("A", "B", "C", "1000", "Belgium")
    refs = []
    for _ in range(3):
        tx = book.open_transaction(
            session_id="s", customer_email="e", lines=(line,), address=address, card_last4="4242", result="authorized"
        )
        refs.append(book.complete(tx.id, "authorized").order_ref)
    assert refs == ["S00001", "S00002", "S00003"]
    assert [o.reference for o in book.orders()] == ["S00002", "S00003"]
    assert book.order("S00001") is None


def test_session_store_carries_the_cart_on_rotation() -> None:
    store = SessionStore()
    first = store.create()
    store.add_to_cart(first.id, "office-chair", 5, max_qty=99)
    store.add_to_cart(first.id, "office-chair", 98, max_qty=99)
    rotated = store.create(carry_from=first.id)
    assert store.get(first.id) is None
    session = store.get(rotated.id)
    assert session is not None and session.cart == {"office-chair": 99}


def test_fault_rate_is_reproducible_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        registry = FaultRegistry(seed)
        registry.add({"path": "/x", "status": 500, "rate": 0.5})
        return [bool(registry.select("GET", "/x", None)) for _ in range(30)]

    assert pattern(7) == pattern(7)
    assert 0 < sum(pattern(7)) < 30


def test_fault_matching_rules() -> None:
    registry = FaultRegistry()
    registry.add({"path": "/shop", "break": "add-to-cart"})
    registry.add({"path": "/shop/cart", "status": 500})
    assert [f.id for f in registry.select("GET", "/shop/product/x", None)] == ["f1"]  # section match
    assert [f.id for f in registry.select("GET", "/shop/cart", None)] == ["f1", "f2"]
    assert registry.select("GET", "/shopping", None) == []
    assert registry.select("GET", "/shop/cart/update", None)[0].id == "f1"  # status faults are exact
