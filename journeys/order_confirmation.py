"""Buy one product, then check the order on the confirmation page and through the order API.

The API check reads `GET /api/orders/<ref>` with HTTP Basic auth (the customer's email
and password) and verifies state, customer, lines and total. Params and secret: as the
`checkout` journey.
"""

from __future__ import annotations

from _retail import add_to_cart, amount, fill_address, open_product, pay, read_confirmation, sign_in
from playwright.async_api import Page

from agent import JourneyContext, journey, step


@journey(
    id="order-confirmation",
    name="Order is confirmed on the page and in the order API",
    tags=["critical", "post-deploy", "api"],
    timeout=120,
    mask=["[data-testid=order-ref]"],
)
async def order_confirmation(page: Page, ctx: JourneyContext) -> None:
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
    async with step("confirmation page"):
        ref = await read_confirmation(page, name, price)
    async with step("order api"):
        email, password = ctx.params["email"], ctx.secret("SHOP_PASSWORD")
        response = await ctx.http.get(f"/api/orders/{ref}", auth=(email, password))
        assert response.status_code == 200, f"GET /api/orders/{ref} answered HTTP {response.status_code}"
        order = response.json()
        assert order["reference"] == ref, f"the API returned order {order['reference']!r}, not {ref!r}"
        assert order["state"] == "confirmed", f"order {ref} is {order['state']!r}, not 'confirmed'"
        assert order["customer_email"] == email, f"order {ref} belongs to {order['customer_email']!r}"
        lines = [(line["product"], line["quantity"], line["price"]) for line in order["lines"]]
        assert lines == [(name, 1, amount(price))], f"order {ref} lines are {lines}, expected 1 x {name} at {price}"
        assert order["total"] == amount(price), f"order {ref} total is {order['total']}, the page said {price}"
