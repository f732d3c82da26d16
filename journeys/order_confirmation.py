"""Buy one product, then check the order on the confirmation page and through the order API.

The API check reads ``GET /api/orders/<ref>`` with HTTP Basic auth (the customer's email
and password) and verifies state, customer, lines and total. Params and secret: as the
``checkout`` journey (``email``, ``product``, optional ``card``, ``expiry`` and address
fields; ``SHOP_PASSWORD``).
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from agent import JourneyContext, journey, step

CONFIRMED = "Thank you for your order!"
ADDRESS = {
    "Full name": ("full_name", "Synthetic Monitor"),
    "Street": ("street", "1 Synthetic Way"),
    "City": ("city", "Brussels"),
    "Zip": ("zip", "1000"),
}


async def _refuse_alert(page: Page, what: str) -> None:
    """Fail with the page's own words when it shows an alert instead of moving on."""
    alert = page.get_by_role("alert")
    if await alert.count():
        text = " ".join((await alert.first.inner_text()).split())
        raise AssertionError(f"{what}: the page says {text!r}")


async def _click_through(page: Page, target: Locator, what: str) -> None:
    """Click a link or submit button and wait for the next page; fail fast, in the
    shop's own words, on an alert or an HTTP error status."""
    async with page.expect_navigation() as navigation:
        await target.click()
    response = await navigation.value
    await _refuse_alert(page, what)
    if response is not None and response.status >= 400:
        raise AssertionError(f"{what}: {response.url} answered HTTP {response.status}")


def _amount(displayed: str) -> float:
    """Parse a displayed price: "$1,234.50" -> 1234.5."""
    return float("".join(ch for ch in displayed if ch.isdigit() or ch == "."))


async def _open_product(page: Page, ctx: JourneyContext) -> str:
    """From the catalogue, open the ``product`` param (a name or a slug); return its name."""
    wanted = ctx.params["product"]
    link = page.get_by_role("main").get_by_role("link", name=wanted, exact=True)
    if await link.count():
        await link.first.click()
    else:
        response = await page.goto(ctx.url(f"/shop/product/{wanted}"))
        if response is None or not response.ok:
            status = response.status if response else "no response"
            raise AssertionError(f"product {wanted!r} not found in the catalogue (product page: HTTP {status})")
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_be_visible()
    return " ".join((await heading.inner_text()).split())


@journey(
    id="order-confirmation",
    name="Order is confirmed on the page and in the order API",
    tags=["critical", "post-deploy", "api"],
    timeout=120,
    mask=["[data-testid=order-ref]"],
)
async def order_confirmation(page: Page, ctx: JourneyContext) -> None:
    async with step("sign in"):
        await page.goto(ctx.url("/web/login"))
        await page.get_by_label("Email").fill(ctx.params["email"])
        await page.get_by_label("Password").fill(ctx.secret("SHOP_PASSWORD"))
        await _click_through(page, page.get_by_role("button", name="Log in"), "sign-in refused")
        await expect(page.get_by_role("link", name="Log out")).to_be_visible()

    async with step("open product"):
        await page.goto(ctx.url("/shop"))
        name = await _open_product(page, ctx)
        price = (await page.get_by_text("Price:").inner_text()).split(":", 1)[1].strip()

    async with step("add to cart"):
        await page.get_by_label("Quantity").fill("1")
        await _click_through(page, page.get_by_role("button", name="Add to cart"), "add to cart refused")
        await page.wait_for_url("**/shop/cart")
        await expect(page.get_by_role("row").filter(has_text=name)).to_contain_text(price)

    async with step("checkout address"):
        checkout_link = page.get_by_role("link", name="Checkout", exact=True)
        checkout_button = checkout_link.or_(page.get_by_role("button", name="Checkout", exact=True)).first
        await _click_through(page, checkout_button, "checkout refused")
        await page.wait_for_url("**/shop/checkout")
        for label, (param, default) in ADDRESS.items():
            await page.get_by_label(label).fill(ctx.params.get(param, default))
        country = page.get_by_label("Country")
        if await country.evaluate("el => el.tagName") == "SELECT":
            await country.select_option(label=ctx.params.get("country", "Belgium"))
        else:
            await country.fill(ctx.params.get("country", "Belgium"))
        await _click_through(page, page.get_by_role("button", name="Continue to payment"), "address refused")
        await expect(page.get_by_label("Card number")).to_be_visible()

    async with step("payment"):
        await page.get_by_label("Card number").fill(ctx.params.get("card", "4242424242424242"))
        await page.get_by_label("Expiry").fill(ctx.params.get("expiry", "12/39"))
        await page.get_by_label("CVC").fill("123")
        await _click_through(page, page.get_by_role("button", name="Pay now"), "payment refused")
        thanks = page.get_by_role("heading", name=CONFIRMED)
        await expect(thanks.or_(page.get_by_role("alert")).first).to_be_visible(timeout=20_000)
        await _refuse_alert(page, "payment failed")

    async with step("confirmation page"):
        await expect(page.get_by_role("heading", name=CONFIRMED)).to_be_visible()
        reference = page.get_by_text("Order reference:")
        await expect(reference).to_be_visible()
        ref = (await reference.inner_text()).split(":", 1)[1].strip()
        assert ref and ref.isalnum(), f"no order reference on the confirmation page (got {ref!r})"
        await expect(page.get_by_role("row").filter(has_text=name)).to_contain_text(price)
        await expect(page.get_by_text("Total:")).to_have_text(f"Total: {price}")

    async with step("order api"):
        email, password = ctx.params["email"], ctx.secret("SHOP_PASSWORD")
        response = await ctx.http.get(f"/api/orders/{ref}", auth=(email, password))
        assert response.status_code == 200, f"GET /api/orders/{ref} answered HTTP {response.status_code}"
        order = response.json()
        assert order["reference"] == ref, f"the API returned order {order['reference']!r}, not {ref!r}"
        assert order["state"] == "confirmed", f"order {ref} is {order['state']!r}, not 'confirmed'"
        assert order["customer_email"] == email, f"order {ref} belongs to {order['customer_email']!r}"
        lines = [(line["product"], line["quantity"], line["price"]) for line in order["lines"]]
        assert lines == [(name, 1, _amount(price))], f"order {ref} lines are {lines}, expected 1 x {name} at {price}"
        assert order["total"] == _amount(price), f"order {ref} total is {order['total']}, the page said {price}"
