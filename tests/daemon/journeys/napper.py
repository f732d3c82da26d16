"""A tiny journey for agent tests: open a page, sleep `nap` seconds, open it again.

With the `marker` param, the run writes its run id to that file as it starts to nap.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Page

from agent import JourneyContext, journey, step


@journey(id="napper", timeout=60)
async def napper(page: Page, ctx: JourneyContext) -> None:
    async with step("open"):
        await page.goto(ctx.url("/"))
    async with step("nap"):
        if "marker" in ctx.params:
            await asyncio.to_thread(Path(ctx.params["marker"]).write_text, ctx.run_id)
        await asyncio.sleep(float(ctx.params.get("nap", "0")))
    async with step("again"):
        await page.goto(ctx.url("/"))
