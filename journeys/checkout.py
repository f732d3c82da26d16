"""The money path: sign in, buy one product, pay, and get an order reference.

Params: `email`, `product` (a name or a slug), optional `card` (default the success
test card), `expiry` and address fields. Secret: `SHOP_PASSWORD`.
"""

from __future__ import annotations

from _retail import add_to_cart, fill_address, open_product, pay, read_confirmation, sign_in
from playwright.async_api import Page

from agent import JourneyContext, journey, step


@journey(
    id="checkout",
    name="Checkout as a signed-in customer",
    tags=["critical", "post-deploy"],
    timeout=90,
    mask=["[data-testid=order-ref]"],
)
async def checkout(page: Page, ctx: JourneyContext) -> None:
    async with step("sign in"):
        await sign_in(page, ctx)
    async with step("open product"):
        await page.goto(ctx.url("/shop"))
        name, price = await open_product(page, ctx)
    async with step("add to cart"):
        await add_to_cart(page, name, price)
    async with step("checkout address"):
        payment_page = await fill_address(page, ctx)
    async with step("payment"):
        await pay(page, ctx, payment_page)
    async with step("confirmation"):
        await read_confirmation(page, name, price)
