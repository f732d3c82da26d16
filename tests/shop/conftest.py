"""Fixtures for the demo-shop tests: one real uvicorn server, reset before every test."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from agent.shop import DEMO_EMAIL, DEMO_PASSWORD, ShopServer

ADDRESS = {
    "full_name": "Demo Customer",
    "street": "1 Synthetic Way",
    "city": "Brussels",
    "zip": "1000",
    "country": "Belgium",
}


@pytest.fixture(scope="session")
def shop() -> Iterator[ShopServer]:
    with ShopServer(seed=1234) as server:
        yield server


@pytest.fixture
def client(shop: ShopServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shop.url, timeout=5) as c:
        assert c.post("/__reset").status_code == 200
        yield c


class Buyer:
    """Drives the shop's HTTP flow like a browser would (cookies kept by the client)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def login(self, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> httpx.Response:
        return self.client.post("/web/login", data={"login": email, "password": password})

    def add(self, slug: str, qty: int = 1) -> httpx.Response:
        return self.client.post("/shop/cart/update", data={"product_id": slug, "add_qty": str(qty)})

    def address(self, **overrides: str) -> httpx.Response:
        return self.client.post("/shop/checkout", data={**ADDRESS, **overrides})

    def pay(self, card: str = "4242424242424242", expiry: str = "12/40", cvc: str = "123") -> httpx.Response:
        return self.client.post("/shop/payment", data={"card_number": card, "expiry": expiry, "cvc": cvc})

    def provider_fields(self, provider_path: str) -> dict[str, str]:
        page = self.client.get(provider_path)
        assert page.status_code == 200, page.text
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
        assert set(fields) == {"tx", "result", "signature"}, fields
        return fields

    def callback(self, fields: dict[str, str]) -> httpx.Response:
        return self.client.post("/payment/callback", json=fields)

    def checkout(self, slug: str = "office-chair", qty: int = 1, card: str = "4242424242424242") -> dict[str, str]:
        """Log in, buy, let the provider call back; returns the callback's JSON."""
        assert self.login().status_code == 303
        assert self.add(slug, qty).status_code == 303
        assert self.address().headers["location"] == "/shop/payment"
        paid = self.pay(card)
        assert paid.status_code == 303, paid.text
        fields = self.provider_fields(paid.headers["location"])
        answer = self.callback(fields)
        assert answer.status_code == 200, answer.text
        data: dict[str, str] = answer.json()
        return data


@pytest.fixture
def buyer(client: httpx.Client) -> Buyer:
    return Buyer(client)
