"""The raw-Playwright baseline: the same journey code, with nothing of synth's around it.

Each run opens a plain browser context and page, runs the journey function, and
takes the same viewport JPEG screenshot at the end of every step (through a
minimal step hook). No masks, no console/network listeners, no navigation
timings, no egress guard, no result model. The difference between this and
`agent.runner.run_journey` is exactly synth's own overhead.
"""

from __future__ import annotations

from typing import Any

import httpx

from agent.browser import Browser
from agent.context import JourneyContext
from agent.dsl import Journey, current_recorder
from agent.scrub import Scrubber


class _ScreenshotOnly:
    def __init__(self, page: Any) -> None:
        self.page = page

    async def begin_step(self, name: str, soft: bool) -> object:
        return name

    async def end_step(self, handle: object, exc: BaseException | None) -> bool:
        await self.page.screenshot(type="jpeg", quality=80)
        return False


async def run_raw(journey: Journey, browser: Browser, target: str, params: dict[str, str]) -> bool:
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    http: httpx.AsyncClient | None = None

    def make_http() -> httpx.AsyncClient:
        nonlocal http
        http = httpx.AsyncClient(base_url=target)
        return http

    try:
        page = await context.new_page()
        ctx = JourneyContext(
            target=target, region="bench", run_id="raw", params=params, scrubber=Scrubber(), http=make_http
        )
        token = current_recorder.set(_ScreenshotOnly(page))
        try:
            await journey.fn(page, ctx)
        finally:
            current_recorder.reset(token)
        return True
    except Exception:
        return False
    finally:
        if http is not None:
            await http.aclose()
        await context.close()
