"""The shop's flows in real Chromium with raw Playwright (no runner), using the same
accessible selectors the journeys rely on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from agent.browser import Browser

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "demo@example.com", "demo-password-123"
Flow = Callable[[Page, str], Awaitable[Any]]


def in_page(aio: Any, browser: Browser, flow: Flow, base: str, headers: dict[str, str] | None = None) -> Any:
    async def go() -> Any:
        context: BrowserContext = await browser.new_context(extra_http_headers=headers or {})
        try:
            page = await context.new_page()
            page.set_default_timeout(5_000)
            return await flow(page, base)
        finally:
            await context.close()

    return aio.run(go())


async def sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/web/login")
    await page.get_by_label("Email").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("link", name="Log out")).to_be_visible()


async def add_to_cart(page: Page, base: str, product: str = "Office Chair", qty: str = "1") -> None:
    await page.goto(f"{base}/shop")
    await page.get_by_role("link", name=product, exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(product)
    await page.get_by_label("Quantity").fill(qty)
    await page.get_by_role("button", name="Add to cart").click()
    await page.wait_for_url("**/shop/cart")


async def address_and_card(page: Page, card: str) -> None:
    await page.get_by_role("link", name="Checkout", exact=True).click()
    await page.get_by_label("Full name").fill("Synthetic Monitor")
    await page.get_by_label("Street").fill("1 Synthetic Way")
    await page.get_by_label("City").fill("Brussels")
    await page.get_by_label("Zip").fill("1000")
    await page.get_by_label("Country").select_option(label="Belgium")
    await page.get_by_role("button", name="Continue to payment").click()
    await page.get_by_label("Card number").fill(card)
    await page.get_by_label("Expiry").fill("12/39")
    await page.get_by_label("CVC").fill("123")
    await page.get_by_role("button", name="Pay now").click()


def test_login_shows_the_customer_name(aio: Any, browser: Browser, clean_shop: Any) -> None:
    async def flow(page: Page, base: str) -> None:
        await sign_in(page, base)
        await expect(page.get_by_role("banner").get_by_text("Demo Customer", exact=True)).to_be_visible()
        await page.get_by_role("link", name="Log out").click()
        await expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    in_page(aio, browser, flow, clean_shop.url)


def test_wrong_password_shows_an_alert(aio: Any, browser: Browser, clean_shop: Any) -> None:
    async def flow(page: Page, base: str) -> None:
        await page.goto(f"{base}/web/login")
        await page.get_by_label("Email").fill(EMAIL)
        await page.get_by_label("Password").fill("not-the-password")
        await page.get_by_role("button", name="Log in").click()
        await expect(page.get_by_role("alert")).to_have_text("Wrong login/password")

    in_page(aio, browser, flow, clean_shop.url)


def test_cart_line_and_total(aio: Any, browser: Browser, clean_shop: Any) -> None:
    async def flow(page: Page, base: str) -> None:
        await page.goto(f"{base}/shop/cart")
        await expect(page.get_by_text("Your cart is empty")).to_be_visible()
        await add_to_cart(page, base, "Office Chair", "2")
        await expect(page.get_by_role("row").filter(has_text="Office Chair")).to_contain_text("$241.00")
        await expect(page.get_by_text("Total:")).to_have_text("Total: $241.00")
        await expect(page.get_by_role("link", name="Cart (2)")).to_be_visible()

    in_page(aio, browser, flow, clean_shop.url)


def test_checkout_pays_through_the_provider_and_confirms(aio: Any, browser: Browser, clean_shop: Any) -> None:
    console_errors: list[str] = []

    async def flow(page: Page, base: str) -> dict[str, Any]:
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        await sign_in(page, base)
        await add_to_cart(page, base)
        await address_and_card(page, "4242 4242 4242 4242")
        await expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
        await expect(page.get_by_test_id("order-ref")).to_have_text("S00001")
        await expect(page.get_by_text("Order reference:")).to_have_text("Order reference: S00001")
        api = await page.request.get(f"{base}/api/orders/S00001")  # the browser session's cookie
        assert api.status == 200
        data: dict[str, Any] = await api.json()
        return data

    order = in_page(aio, browser, flow, clean_shop.url)
    assert order["state"] == "confirmed"
    assert order["lines"] == [{"product": "Office Chair", "slug": "office-chair", "quantity": 1, "price": 120.5}]
    assert clean_shop.state.catalog.stock("office-chair") == 59
    assert console_errors == []


def test_declined_card(aio: Any, browser: Browser, clean_shop: Any) -> None:
    async def flow(page: Page, base: str) -> None:
        await sign_in(page, base)
        await add_to_cart(page, base)
        await address_and_card(page, "4000000000000002")
        await expect(page.get_by_role("alert")).to_contain_text("Payment declined")
        assert "/shop/payment" in page.url

    in_page(aio, browser, flow, clean_shop.url)
    assert clean_shop.state.orders.orders() == []


def test_failing_callback_is_reported_on_the_provider_page(aio: Any, browser: Browser, clean_shop: Any) -> None:
    httpx.post(f"{clean_shop.url}/__faults", json={"path": "/payment/callback", "status": 503}).raise_for_status()

    async def flow(page: Page, base: str) -> None:
        await sign_in(page, base)
        await add_to_cart(page, base)
        await address_and_card(page, "4242424242424242")
        await expect(page.get_by_role("alert")).to_have_text(
            "Payment confirmation failed (HTTP 503). Please try again."
        )

    in_page(aio, browser, flow, clean_shop.url)
    assert clean_shop.state.orders.orders() == []


def test_break_add_to_cart_removes_the_button(aio: Any, browser: Browser, clean_shop: Any) -> None:
    httpx.post(f"{clean_shop.url}/__faults", json={"path": "/shop", "break": "add-to-cart"}).raise_for_status()

    async def flow(page: Page, base: str) -> None:
        await page.goto(f"{base}/shop/product/office-chair")
        await expect(page.get_by_role("heading", name="Office Chair")).to_be_visible()
        await expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)

    in_page(aio, browser, flow, clean_shop.url)


def test_region_header_scopes_faults(aio: Any, browser: Browser, clean_shop: Any) -> None:
    fault = {"path": "/shop/cart", "status": 503, "region": "eu-west-1"}
    httpx.post(f"{clean_shop.url}/__faults", json=fault).raise_for_status()

    async def status(page: Page, base: str) -> int:
        response = await page.goto(f"{base}/shop/cart")
        assert response is not None
        return response.status

    assert in_page(aio, browser, status, clean_shop.url, {"X-Synth-Region": "eu-west-1"}) == 503
    assert in_page(aio, browser, status, clean_shop.url, {"X-Synth-Region": "us-east-1"}) == 200


def test_hanging_page_times_out_and_the_shop_recovers(aio: Any, browser: Browser, clean_shop: Any) -> None:
    httpx.post(f"{clean_shop.url}/__faults", json={"path": "/shop", "hang": True}).raise_for_status()

    async def hangs(page: Page, base: str) -> None:
        with pytest.raises(PlaywrightTimeoutError):
            await page.goto(f"{base}/shop", timeout=1_000)

    async def works(page: Page, base: str) -> None:
        await page.goto(f"{base}/shop")
        await expect(page.get_by_role("link", name="Office Chair")).to_be_visible()

    in_page(aio, browser, hangs, clean_shop.url)
    httpx.delete(f"{clean_shop.url}/__faults").raise_for_status()
    in_page(aio, browser, works, clean_shop.url)
