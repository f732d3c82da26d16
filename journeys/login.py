"""Sign in as the monitoring customer and check the shop greets them by name.

Params: ``email`` (required), ``name`` (optional: the account's display name, e.g.
"Demo Customer"; without it the journey checks that *a* name is shown next to "Log out").
Secret: ``SHOP_PASSWORD``.
"""

from __future__ import annotations

from _retail import click_through
from playwright.async_api import Page, expect

from agent import JourneyContext, journey, step


@journey(id="login", name="Sign in as a customer", tags=["critical", "post-deploy", "auth"], timeout=45)
async def login(page: Page, ctx: JourneyContext) -> None:
    async with step("open login page"):
        await page.goto(ctx.url("/web/login"))
        await expect(page.get_by_label("Email")).to_be_visible()
        await expect(page.get_by_role("button", name="Log in")).to_be_visible()

    async with step("sign in"):
        await page.get_by_label("Email").fill(ctx.params["email"])
        await page.get_by_label("Password").fill(ctx.secret("SHOP_PASSWORD"))
        await click_through(page, page.get_by_role("button", name="Log in"), "sign-in refused")
        await expect(page.get_by_role("link", name="Log out")).to_be_visible()

    async with step("verify signed in"):
        account = page.get_by_role("navigation", name="Account")
        await expect(account.get_by_role("link", name="Log out")).to_be_visible()
        await expect(account.get_by_role("link", name="Sign in")).to_have_count(0)
        expected = ctx.params.get("name")
        if expected:
            await expect(account.get_by_text(expected, exact=True)).to_be_visible()
        else:
            shown = (await account.inner_text()).replace("Log out", "").strip()
            assert shown, "signed in, but no customer name is shown next to 'Log out'"
