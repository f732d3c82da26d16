"""Storefront pages over real HTTP: login, catalogue, product pages, cart, checkout form."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
import pytest

from agent.shop import DEMO_EMAIL, ShopServer

if TYPE_CHECKING:
    from conftest import Buyer


def test_healthz_and_root_redirect(client: httpx.Client) -> None:
    health = client.get("/healthz")
    assert (health.status_code, health.text) == (200, "ok")
    root = client.get("/")
    assert root.status_code == 303
    assert root.headers["location"] == "/shop"


def test_login_success_shows_name_and_logout_link(buyer: Buyer, client: httpx.Client) -> None:
    anonymous = client.get("/shop").text
    assert "Demo Customer" not in anonymous
    assert '<a href="/web/login">Sign in</a>' in anonymous

    response = buyer.login()
    assert response.status_code == 303
    assert response.headers["location"] == "/shop"
    assert "HttpOnly" in response.headers["set-cookie"]

    page = client.get("/shop").text
    assert "<span>Demo Customer</span>" in page
    assert '<a href="/web/session/logout">Log out</a>' in page


def test_login_form_is_labelled(client: httpx.Client) -> None:
    page = client.get("/web/login").text
    assert '<label for="login">Email</label>' in page
    assert 'id="login"' in page
    assert '<label for="password">Password</label>' in page
    assert '<button type="submit">Log in</button>' in page


def test_login_rotates_session_id(buyer: Buyer, client: httpx.Client) -> None:
    buyer.add("storage-box")
    before = client.cookies["session_id"]
    buyer.login()
    after = client.cookies["session_id"]
    assert before != after
    assert "Cart (1)" in client.get("/shop").text  # the cart survives the rotation


@pytest.mark.parametrize(
    ("email", "password"),
    [(DEMO_EMAIL, "wrong-password"), ("nobody@example.com", "demo-password-123"), ("", "")],
)
def test_login_wrong_credentials(buyer: Buyer, client: httpx.Client, email: str, password: str) -> None:
    response = buyer.login(email, password)
    assert response.status_code == 200
    assert '<div role="alert">Wrong login/password</div>' in response.text
    assert "Log out" not in client.get("/shop").text


def test_login_redirect_target_and_no_open_redirect(client: httpx.Client) -> None:
    form = client.get("/web/login", params={"redirect": "/shop/checkout"}).text
    assert 'name="redirect" value="/shop/checkout"' in form
    data = {"login": DEMO_EMAIL, "password": "demo-password-123"}
    ok = client.post("/web/login", data={**data, "redirect": "/shop/cart"})
    assert ok.headers["location"] == "/shop/cart"
    evil = client.post("/web/login", data={**data, "redirect": "//evil.example/phish"})
    assert evil.headers["location"] == "/shop"


def test_logout(buyer: Buyer, client: httpx.Client) -> None:
    buyer.login()
    response = client.get("/web/session/logout")
    assert response.status_code == 303
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert "Log out" not in client.get("/shop").text


def test_catalogue_lists_products_with_links(client: httpx.Client) -> None:
    page = client.get("/shop").text
    links = re.findall(r'<a href="/shop/product/([a-z-]+)">([^<]+)</a>', page)
    assert len(links) >= 4
    assert ("office-chair", "Office Chair") in links
    assert "$120.50" in page
    assert "In stock: 60" in page


def test_product_page(client: httpx.Client) -> None:
    page = client.get("/shop/product/office-chair")
    assert page.status_code == 200
    assert "<h1>Office Chair</h1>" in page.text
    assert "Price: $120.50" in page.text
    assert "In stock: 60" in page.text
    assert '<label for="add_qty">Quantity</label>' in page.text
    assert '<button type="submit">Add to cart</button>' in page.text


def test_unknown_product_is_404(client: httpx.Client) -> None:
    response = client.get("/shop/product/no-such-thing")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert client.get("/no/such/page").status_code == 404
    assert client.post("/shop/cart/update", data={"product_id": "nope"}).status_code == 404


def test_cart_empty_then_lines_total_and_count(buyer: Buyer, client: httpx.Client) -> None:
    empty = client.get("/shop/cart").text
    assert "Your cart is empty" in empty
    assert "Cart (0)" in empty

    response = buyer.add("office-chair", 2)
    assert response.status_code == 303
    assert response.headers["location"] == "/shop/cart"
    buyer.add("storage-box", 1)
    cart = client.get("/shop/cart").text
    assert "Cart (3)" in cart
    assert '<a href="/shop/product/office-chair">Office Chair</a>' in cart
    assert "<td>$241.00</td>" in cart
    assert "Total: $256.80" in cart
    assert '<a class="button" href="/shop/checkout">Checkout</a>' in cart

    client.post("/shop/cart/update", data={"product_id": "office-chair", "set_qty": "0"})
    after = client.get("/shop/cart").text
    assert "Office Chair" not in after
    assert "Total: $15.80" in after


@pytest.mark.parametrize("qty", ["0", "-3", "abc", "100"])
def test_invalid_quantity_is_rejected(client: httpx.Client, qty: str) -> None:
    response = client.post("/shop/cart/update", data={"product_id": "office-chair", "add_qty": qty})
    assert response.status_code == 400
    assert '<div role="alert">Quantity must be a whole number between 1 and 99.</div>' in response.text
    assert "Your cart is empty" in client.get("/shop/cart").text


def test_checkout_requires_login_and_cart(buyer: Buyer, client: httpx.Client) -> None:
    buyer.add("office-chair")
    anonymous = client.get("/shop/checkout")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/web/login?redirect=/shop/checkout"
    assert client.get("/shop/payment").headers["location"] == "/web/login?redirect=/shop/checkout"

    client.post("/shop/cart/update", data={"product_id": "office-chair", "set_qty": "0"})
    buyer.login()
    assert client.get("/shop/checkout").headers["location"] == "/shop/cart"


def test_checkout_form_and_validation(buyer: Buyer, client: httpx.Client) -> None:
    buyer.login()
    buyer.add("office-chair")
    page = client.get("/shop/checkout").text
    for field, label in [("full_name", "Full name"), ("street", "Street"), ("city", "City"), ("zip", "Zip")]:
        assert f'<label for="{field}">{label}</label>' in page
    assert '<label for="country">Country</label>' in page
    assert 'value="Demo Customer"' in page  # prefilled from the account
    assert '<button type="submit">Continue to payment</button>' in page
    assert client.get("/shop/payment").headers["location"] == "/shop/checkout"  # no address yet

    bad = buyer.address(street="", country="Atlantis")
    assert bad.status_code == 400
    assert '<div role="alert">' in bad.text
    assert "Street is required." in bad.text
    assert "We do not ship to Atlantis." in bad.text

    good = buyer.address()
    assert (good.status_code, good.headers["location"]) == (303, "/shop/payment")
    payment = client.get("/shop/payment").text
    for field, label in [("card_number", "Card number"), ("expiry", "Expiry"), ("cvc", "CVC")]:
        assert f'<label for="{field}">{label}</label>' in payment
    assert '<button type="submit">Pay now</button>' in payment


def test_order_above_stock_is_refused_at_checkout(buyer: Buyer, client: httpx.Client, shop: ShopServer) -> None:
    assert shop.state.catalog.stock("acoustic-bloc-screens") == 3
    buyer.login()
    buyer.add("acoustic-bloc-screens", 5)  # the cart accepts it...
    page = client.get("/shop/checkout")
    message = "Not enough stock for Acoustic Bloc Screens: 5 requested, only 3 available."
    assert page.status_code == 409
    assert message in page.text
    refused = buyer.address()  # ...the checkout does not
    assert refused.status_code == 409
    assert message in refused.text
    assert '<div role="alert">' in refused.text
    assert client.get("/shop/payment").headers["location"] == "/shop/checkout"
