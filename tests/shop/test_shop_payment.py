"""Payment through the provider callback, confirmation, stock and the order API."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from agent.shop import DEMO_EMAIL, DEMO_PASSWORD, ShopServer

if TYPE_CHECKING:
    from conftest import Buyer


def test_checkout_confirms_only_after_the_callback(buyer: Buyer, client: httpx.Client, shop: ShopServer) -> None:
    buyer.login()
    buyer.add("office-chair", 2)
    buyer.add("storage-box", 3)
    buyer.address()
    paid = buyer.pay("4242 4242 4242 4242")
    assert paid.status_code == 303
    provider_path = paid.headers["location"]
    assert provider_path.startswith("/payment/provider/")
    fields = buyer.provider_fields(provider_path)
    assert fields["result"] == "authorized"

    # Before the provider calls back: pending, nothing sold, no order.
    pending = client.get("/shop/confirmation", params={"tx": fields["tx"]})
    assert pending.status_code == 202
    assert "Payment pending" in pending.text
    assert shop.state.catalog.stock("office-chair") == 60
    assert shop.state.orders.orders() == []

    answer = buyer.callback(fields)
    assert answer.status_code == 200
    body = answer.json()
    assert body["state"] == "confirmed"
    assert body["order_ref"] == "S00001"
    assert body["redirect"] == f"/shop/confirmation?tx={fields['tx']}"

    page = client.get(body["redirect"])
    assert page.status_code == 200
    assert "Thank you for your order!" in page.text
    assert 'Order reference: <strong data-testid="order-ref">S00001</strong>' in page.text
    assert "Total: $288.40" in page.text
    assert shop.state.catalog.stock("office-chair") == 58
    assert shop.state.catalog.stock("storage-box") == 4997
    assert "Cart (0)" in page.text

    api = client.get("/api/orders/S00001")  # the owning session's cookie
    assert api.status_code == 200
    assert api.json() | {"created_at": 0} == {
        "reference": "S00001",
        "state": "confirmed",
        "customer_email": DEMO_EMAIL,
        "lines": [
            {"product": "Office Chair", "slug": "office-chair", "quantity": 2, "price": 120.5},
            {"product": "Storage Box", "slug": "storage-box", "quantity": 3, "price": 15.8},
        ],
        "total": 288.4,
        "currency": "USD",
        "created_at": 0,
    }


def test_order_refs_increase_and_stock_keeps_decreasing(buyer: Buyer, shop: ShopServer) -> None:
    assert buyer.checkout("large-cabinet", 2)["order_ref"] == "S00001"
    assert buyer.checkout("large-cabinet", 3)["order_ref"] == "S00002"
    assert shop.state.catalog.stock("large-cabinet") == 12 - 5


def test_order_api_access_rules(buyer: Buyer, shop: ShopServer) -> None:
    ref = buyer.checkout()["order_ref"]
    with httpx.Client(base_url=shop.url, timeout=5) as stranger:
        no_auth = stranger.get(f"/api/orders/{ref}")
        assert no_auth.status_code == 401
        assert no_auth.headers["www-authenticate"].startswith("Basic")
        owner = stranger.get(f"/api/orders/{ref}", auth=(DEMO_EMAIL, DEMO_PASSWORD))
        assert owner.status_code == 200
        assert owner.json()["reference"] == ref
        wrong_password = stranger.get(f"/api/orders/{ref}", auth=(DEMO_EMAIL, "nope"))
        assert wrong_password.status_code == 401
        other_customer = stranger.get(f"/api/orders/{ref}", auth=("jane@example.com", "jane-password-456"))
        assert other_customer.status_code == 404
        unknown = stranger.get("/api/orders/S99999", auth=(DEMO_EMAIL, DEMO_PASSWORD))
        assert unknown.status_code == 404
        assert unknown.json() == {"error": "order S99999 not found"}


def test_declined_card(buyer: Buyer, client: httpx.Client, shop: ShopServer) -> None:
    answer = buyer.checkout(card="4000 0000 0000 0002")
    assert answer["state"] == "declined"
    assert answer["order_ref"] is None
    page = client.get(answer["redirect"])
    assert page.status_code == 402
    assert '<div role="alert">' in page.text
    assert "Payment declined" in page.text
    assert shop.state.orders.orders() == []
    assert shop.state.catalog.stock("office-chair") == 60
    assert "Cart (1)" in page.text  # the cart is kept for another attempt

    retry = buyer.pay("4242424242424242")
    fields = buyer.provider_fields(retry.headers["location"])
    assert buyer.callback(fields).json()["state"] == "confirmed"


def test_forged_or_replayed_callbacks(buyer: Buyer, client: httpx.Client, shop: ShopServer) -> None:
    buyer.login()
    buyer.add("office-chair")
    buyer.address()
    fields = buyer.provider_fields(buyer.pay("4000000000000002").headers["location"])
    forged = buyer.callback({**fields, "result": "authorized"})  # signature covers the result
    assert forged.status_code == 403
    assert forged.json() == {"error": "invalid signature"}
    assert client.post("/payment/callback", json={**fields, "tx": "nope"}).status_code == 404
    not_json = client.post("/payment/callback", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 400

    good = buyer.provider_fields(buyer.pay().headers["location"])
    first = buyer.callback(good).json()
    again = buyer.callback(good).json()
    assert first == again
    assert shop.state.catalog.stock("office-chair") == 59  # taken once


def test_callback_as_a_form_post_redirects(buyer: Buyer, client: httpx.Client) -> None:
    buyer.login()
    buyer.add("office-chair")
    buyer.address()
    fields = buyer.provider_fields(buyer.pay().headers["location"])
    response = client.post("/payment/callback", data=fields)
    assert response.status_code == 303
    assert response.headers["location"] == f"/shop/confirmation?tx={fields['tx']}"


def test_invalid_card_fields(buyer: Buyer, client: httpx.Client) -> None:
    buyer.login()
    buyer.add("office-chair")
    buyer.address()
    response = buyer.pay(card="4242424242424241", expiry="13/30", cvc="12")
    assert response.status_code == 400
    assert "Card number is not valid." in response.text
    assert "Expiry must look like MM/YY." in response.text
    assert "CVC must be 3 or 4 digits." in response.text
    expired = buyer.pay(expiry="01/20")
    assert "The card has expired." in expired.text


def test_stock_sold_out_between_checkout_and_callback(buyer: Buyer, client: httpx.Client, shop: ShopServer) -> None:
    buyer.login()
    buyer.add("acoustic-bloc-screens", 3)
    buyer.address()
    fields = buyer.provider_fields(buyer.pay().headers["location"])
    shop.state.catalog.take({"acoustic-bloc-screens": 1})  # someone else was faster
    answer = buyer.callback(fields).json()
    assert answer["state"] == "failed"
    page = client.get(answer["redirect"])
    assert "Payment failed: Not enough stock for Acoustic Bloc Screens" in page.text
    assert shop.state.catalog.stock("acoustic-bloc-screens") == 2


def test_confirmation_is_private(buyer: Buyer, shop: ShopServer) -> None:
    tx = buyer.checkout()["tx"]
    with httpx.Client(base_url=shop.url, timeout=5) as other:
        other.post("/web/login", data={"login": "jane@example.com", "password": "jane-password-456"})
        assert other.get("/shop/confirmation", params={"tx": tx}).status_code == 404
