"""Sign in as the monitoring customer and check the shop greets them by name.

Params: ``email`` (required), ``name`` (the account's display name, default
"Demo Customer"). Secret: ``SHOP_PASSWORD``.
"""

from __future__ import annotations

from playwright.async_api import Page, expect

from agent import JourneyContext, journey, step


async def _refuse_alert(page: Page, what: str) -> None:
    """Fail with the page's own words when it shows an alert instead of moving on."""
    alert = page.get_by_role("alert")
    if await alert.count():
        text = " ".join((await alert.first.inner_text()).split())
        raise AssertionError(f"{what}: the page says {text!r}")


@journey(id="login", name="Sign in as a customer", tags=["critical", "post-deploy", "auth"], timeout=45)
async def login(page: Page, ctx: JourneyContext) -> None:
    async with step("open login page"):
        await page.goto(ctx.url("/web/login"))
        await expect(page.get_by_label("Email")).to_be_visible()
        await expect(page.get_by_role("button", name="Log in")).to_be_visible()

    async with step("sign in"):
        await page.get_by_label("Email").fill(ctx.params["email"])
        await page.get_by_label("Password").fill(ctx.secret("SHOP_PASSWORD"))
        await page.get_by_role("button", name="Log in").click()
        log_out = page.get_by_role("link", name="Log out")
        await expect(log_out.or_(page.get_by_role("alert")).first).to_be_visible()
        await _refuse_alert(page, "sign-in refused")

    async with step("verify signed in"):
        await expect(page.get_by_role("link", name="Log out")).to_be_visible()
        banner = page.get_by_role("banner")
        await expect(banner.get_by_text(ctx.params.get("name", "Demo Customer"), exact=True)).to_be_visible()
        await expect(banner.get_by_role("link", name="Sign in")).to_have_count(0)
