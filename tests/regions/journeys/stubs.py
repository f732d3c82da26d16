"""Stand-ins with the ids of the real journeys, so region tests do not import them."""

from __future__ import annotations

from playwright.async_api import Page

from agent import JourneyContext, journey


@journey(id="login")
async def login(page: Page, ctx: JourneyContext) -> None:
    pass


@journey(id="cart")
async def cart(page: Page, ctx: JourneyContext) -> None:
    pass


@journey(id="checkout")
async def checkout(page: Page, ctx: JourneyContext) -> None:
    pass


@journey(id="order-confirmation")
async def order_confirmation(page: Page, ctx: JourneyContext) -> None:
    pass
