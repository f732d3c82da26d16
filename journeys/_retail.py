"""Shared actions of the retail journeys (an Odoo-style eCommerce flow).

Files starting with `_` are helpers, not journeys. Each function is one
customer action with accessible selectors; the journeys wrap them in steps.
Params used: `email`, `product` (a name or a URL slug), and optional `card`,
`expiry`, `full_name`, `street`, `city`, `zip`, `country`. Secret: `SHOP_PASSWORD`.
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, Response, expect

from agent import JourneyContext

CONFIRMED = "Thank you for your order!"
TEST_CARD = "4242424242424242"
ADDRESS = {
    "Full name": ("full_name", "Synthetic Monitor"),
    "Street": ("street", "1 Synthetic Way"),
    "City": ("city", "Brussels"),
    "Zip": ("zip", "1000"),
}


async def refuse_alert(page: Page, what: str) -> None:
    """Fail with the page's own words when it shows an alert instead of moving on."""
    alert = page.get_by_role("alert")
    if await alert.count():
        text = " ".join((await alert.first.inner_text()).split())
        raise AssertionError(f"{what}: the page says {text!r}")


async def click_through(page: Page, target: Locator, what: str) -> None:
    """Click a link or submit button and wait for the next page; fail fast, in the
    shop's own words, on an alert or an HTTP error status."""
    async with page.expect_navigation() as navigation:
        await target.click()
    response = await navigation.value
    await refuse_alert(page, what)
    if response is not None and response.status >= 400:
        raise AssertionError(f"{what}: {response.url} answered HTTP {response.status}")


async def sign_in(page: Page, ctx: JourneyContext) -> None:
    await page.goto(ctx.url("/web/login"))
    await page.get_by_label("Email").fill(ctx.params["email"])
    await page.get_by_label("Password").fill(ctx.secret("SHOP_PASSWORD"))
    await click_through(page, page.get_by_role("button", name="Log in"), "sign-in refused")
    await expect(page.get_by_role("link", name="Log out")).to_be_visible()


async def open_product(page: Page, ctx: JourneyContext) -> tuple[str, str]:
    """From the catalogue, open the `product` param; return its name and displayed price."""
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
    price = page.get_by_text("Price:")
    await expect(price).to_be_visible()
    name = " ".join((await heading.inner_text()).split())
    return name, (await price.inner_text()).split(":", 1)[1].strip()


async def add_to_cart(page: Page, name: str, price: str) -> None:
    await page.get_by_label("Quantity").fill("1")
    await click_through(page, page.get_by_role("button", name="Add to cart"), "add to cart refused")
    await page.wait_for_url("**/shop/cart")
    await expect(page.get_by_role("row").filter(has_text=name)).to_contain_text(price)


async def fill_address(page: Page, ctx: JourneyContext) -> Response | None:
    """Fill the address and continue; returns the response of the page it leads to."""
    checkout = page.get_by_role("link", name="Checkout", exact=True)
    await click_through(
        page, checkout.or_(page.get_by_role("button", name="Checkout", exact=True)).first, "checkout refused"
    )
    await page.wait_for_url("**/shop/checkout")
    for label, (param, default) in ADDRESS.items():
        await page.get_by_label(label).fill(ctx.params.get(param, default))
    country = page.get_by_label("Country")
    if await country.evaluate("el => el.tagName") == "SELECT":
        await country.select_option(label=ctx.params.get("country", "Belgium"))
    else:
        await country.fill(ctx.params.get("country", "Belgium"))
    form_url = page.url
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="Continue to payment").click()
    response = await navigation.value
    await refuse_alert(page, "address refused")
    if response is not None and response.status >= 400 and response.url == form_url:
        raise AssertionError(f"address refused: {response.url} answered HTTP {response.status}")
    return response  # the payment page's own answer is judged by the payment step


async def pay(page: Page, ctx: JourneyContext, payment_page: Response | None) -> None:
    """Pay on the payment page that the address step led to (its load is judged here)."""
    if payment_page is not None and payment_page.status >= 400:
        raise AssertionError(f"payment page: {payment_page.url} answered HTTP {payment_page.status}")
    await expect(page.get_by_label("Card number")).to_be_visible()
    await page.get_by_label("Card number").fill(ctx.params.get("card", TEST_CARD))
    await page.get_by_label("Expiry").fill(ctx.params.get("expiry", "12/39"))
    await page.get_by_label("CVC").fill("123")
    await click_through(page, page.get_by_role("button", name="Pay now"), "payment refused")
    thanks = page.get_by_role("heading", name=CONFIRMED)
    await expect(thanks.or_(page.get_by_role("alert")).first).to_be_visible(timeout=20_000)
    await refuse_alert(page, "payment failed")


async def read_confirmation(page: Page, name: str, price: str) -> str:
    """Check the confirmation page shows the order; return its reference."""
    await expect(page.get_by_role("heading", name=CONFIRMED)).to_be_visible()
    reference = page.get_by_text("Order reference:")
    await expect(reference).to_be_visible()
    ref = (await reference.inner_text()).split(":", 1)[1].strip()
    assert ref and ref.isalnum(), f"no order reference on the confirmation page (got {ref!r})"
    await expect(page.get_by_role("row").filter(has_text=name)).to_contain_text(price)
    await expect(page.get_by_text("Total:")).to_have_text(f"Total: {price}")
    return ref


def amount(displayed: str) -> float:
    """Parse a displayed price: "$1,234.50" -> 1234.5."""
    return float("".join(ch for ch in displayed if ch.isdigit() or ch == "."))
