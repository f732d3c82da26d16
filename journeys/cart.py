"""Browse the catalogue, put one product in the cart and check the cart line and total.

Params: ``product`` (required: the product's name as shown in the catalogue, or its
URL slug).
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from agent import JourneyContext, journey, step


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


async def _price(page: Page) -> str:
    """The product page's price as displayed, e.g. "$120.50"."""
    price = page.get_by_text("Price:")
    await expect(price).to_be_visible()
    return (await price.inner_text()).split(":", 1)[1].strip()


@journey(id="cart", name="Add a product to the cart", tags=["critical", "post-deploy", "shopping"], timeout=60)
async def cart(page: Page, ctx: JourneyContext) -> None:
    async with step("open catalogue"):
        response = await page.goto(ctx.url("/shop"))
        assert response is not None and response.ok, f"catalogue answered HTTP {response and response.status}"
        await expect(page.get_by_role("main").get_by_role("link").first).to_be_visible()

    async with step("open product"):
        name = await _open_product(page, ctx)
        price = await _price(page)
        await expect(page.get_by_text("In stock:")).to_be_visible()

    async with step("add to cart"):
        await page.get_by_label("Quantity").fill("1")
        await _click_through(page, page.get_by_role("button", name="Add to cart"), "add to cart refused")
        await page.wait_for_url("**/shop/cart")

    async with step("verify cart"):
        line = page.get_by_role("row").filter(has_text=name)
        await expect(line).to_have_count(1)
        await expect(line).to_contain_text(price)
        await expect(page.get_by_text("Total:")).to_have_text(f"Total: {price}")
        await expect(page.get_by_role("link", name="Cart (1)")).to_be_visible()
