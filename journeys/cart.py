"""Browse the catalogue, put one product in the cart and check the cart line and total.

Params: ``product`` (required: the product's name as shown in the catalogue, or its
URL slug).
"""

from __future__ import annotations

from _retail import click_through, open_product
from playwright.async_api import Page, expect

from agent import JourneyContext, journey, step


@journey(id="cart", name="Add a product to the cart", tags=["critical", "post-deploy", "shopping"], timeout=60)
async def cart(page: Page, ctx: JourneyContext) -> None:
    async with step("open catalogue"):
        response = await page.goto(ctx.url("/shop"))
        assert response is not None and response.ok, f"catalogue answered HTTP {response and response.status}"
        await expect(page.get_by_role("main").get_by_role("link").first).to_be_visible()

    async with step("open product"):
        name, price = await open_product(page, ctx)
        await expect(page.get_by_text("In stock:")).to_be_visible()

    async with step("add to cart"):
        await page.get_by_label("Quantity").fill("1")
        await click_through(page, page.get_by_role("button", name="Add to cart"), "add to cart refused")
        await page.wait_for_url("**/shop/cart")

    async with step("verify cart"):
        line = page.get_by_role("row").filter(has_text=name)
        await expect(line).to_have_count(1)
        await expect(line).to_contain_text(price)
        await expect(page.get_by_text("Total:")).to_have_text(f"Total: {price}")
        await expect(page.get_by_role("link", name="Cart (1)")).to_be_visible()
