"""One Chromium per process: find it, launch it, relaunch it after a crash.

Each run gets a fresh `BrowserContext` from `Browser.new_context`; the
browser itself is shared by every run of the process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser as PWBrowser
from playwright.async_api import BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from agent.errors import BrowserLaunchError, BrowserNotFoundError, InfraError

log = logging.getLogger(__name__)

BROWSER_ENV = "SYNTH_BROWSER_EXECUTABLE"
SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LAUNCH_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-quic",
)
LAUNCH_TIMEOUT_MS = 30_000
#: A context or page that takes longer than this means Chromium is wedged or dying.
OPEN_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class BrowserLocation:
    executable: str | None
    """None means Playwright's own build."""
    source: str


def locate_chromium(playwright_executable: str | None, configured: str | None) -> BrowserLocation:
    """Playwright's own build, else `SYNTH_BROWSER_EXECUTABLE`, else Chromium on the PATH."""
    looked: list[str] = []
    if playwright_executable:
        if os.path.exists(playwright_executable):
            return BrowserLocation(None, f"Playwright's build at {playwright_executable}")
        looked.append(f"Playwright's build ({playwright_executable}: not installed)")
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return BrowserLocation(configured, f"{BROWSER_ENV}={configured}")
        looked.append(f"{BROWSER_ENV}={configured} (not an executable file)")
    else:
        looked.append(f"{BROWSER_ENV} (not set)")
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return BrowserLocation(found, f"{name} on the PATH ({found})")
    looked.append(f"PATH ({', '.join(SYSTEM_CANDIDATES)}: none found)")
    raise BrowserNotFoundError(
        "no Chromium found. Looked in: "
        + "; ".join(looked)
        + ". Fix: run `make setup` (or `playwright install chromium`), or install Debian's "
        + f"`chromium` package, or set {BROWSER_ENV} to a Chromium executable."
    )


class Browser:
    """The process's one Chromium, relaunched on demand after a crash."""

    def __init__(
        self,
        *,
        executable: str | None = None,
        headless: bool = True,
        on_restart: Callable[[], None] | None = None,
        prewarm: bool = False,
    ) -> None:
        self._configured = executable if executable is not None else os.environ.get(BROWSER_ENV)
        self._headless = headless
        self._on_restart = on_restart
        self._pw: Playwright | None = None
        self._browser: PWBrowser | None = None
        self._lock = asyncio.Lock()
        self._launches = 0
        self._prewarm = prewarm
        self._wedged = False
        self._spare: tuple[str, asyncio.Task[tuple[BrowserContext, Page]]] | None = None
        self.location: BrowserLocation | None = None
        self.version: str | None = None

    @property
    def restarts(self) -> int:
        return max(0, self._launches - 1)

    @property
    def is_connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    async def start(self) -> None:
        """Launch Chromium, or raise `BrowserNotFoundError` / `BrowserLaunchError`."""
        async with self._lock:
            await self._ensure()

    async def _ensure(self) -> PWBrowser:
        if self._wedged and self._browser is not None:
            log.warning("browser wedged; closing it to relaunch")
            try:
                await asyncio.wait_for(self._browser.close(), 5)
            except (PlaywrightError, TimeoutError):
                pass
            self._browser = None
        self._wedged = False
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        if self._pw is None:
            self._pw = await async_playwright().start()
        if self._browser is not None:
            log.warning("browser disconnected; relaunching")
            self._browser = None
        try:
            own = self._pw.chromium.executable_path
        except PlaywrightError:
            own = None
        self.location = locate_chromium(own, self._configured)
        args = list(LAUNCH_ARGS)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")
        try:
            browser = await self._pw.chromium.launch(
                executable_path=self.location.executable,
                headless=self._headless,
                args=args,
                timeout=LAUNCH_TIMEOUT_MS,
            )
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BrowserLaunchError(f"Chromium from {self.location.source} failed to start: {first}") from None
        self._browser = browser
        self.version = browser.version
        self._launches += 1
        if self._launches > 1 and self._on_restart is not None:
            self._on_restart()
        log.info("browser launched", extra={"browser": self.location.source, "version": self.version})
        return browser

    async def new_context(self, **options: Any) -> BrowserContext:
        """A fresh context; relaunches Chromium first if it has gone away."""
        async with self._lock:
            browser = await self._ensure()
        try:
            return await asyncio.wait_for(browser.new_context(**options), OPEN_TIMEOUT_S)
        except TimeoutError:
            self._wedged = True
            raise BrowserLaunchError(
                f"Chromium did not open a browser context within {OPEN_TIMEOUT_S:g}s; it will be relaunched"
            ) from None

    async def new_page(self, **options: Any) -> tuple[BrowserContext, Page]:
        """A fresh context with one page.

        With `prewarm`, the next context and page (about 180 ms of Chromium
        work, mostly the renderer process) are created in the background
        while this run is in flight, and handed to the next caller that asks
        for the same options. A spare from before a browser crash is discarded.
        """
        key = repr(sorted(options.items()))
        pair: tuple[BrowserContext, Page] | None = None
        spare, self._spare = self._spare, None
        if spare is not None:
            spare_key, task = spare
            pair = await self._take(task) if spare_key == key else None
            if pair is None and spare_key != key:
                await self._discard(task)
        if pair is None:
            pair = await self._create_pair(options)
        if self._prewarm:
            self._spare = (key, asyncio.create_task(self._create_pair(options)))
        return pair

    async def _create_pair(self, options: dict[str, Any]) -> tuple[BrowserContext, Page]:
        context = await self.new_context(**options)
        try:
            return context, await asyncio.wait_for(context.new_page(), OPEN_TIMEOUT_S)
        except TimeoutError:
            self._wedged = True
            await self._abandon(context)
            raise BrowserLaunchError(
                f"Chromium did not open a page within {OPEN_TIMEOUT_S:g}s; it will be relaunched"
            ) from None
        except BaseException:
            await self._abandon(context)
            raise

    async def _abandon(self, context: BrowserContext) -> None:
        try:
            await asyncio.wait_for(context.close(), 5)
        except (PlaywrightError, TimeoutError):
            pass

    async def _take(self, task: asyncio.Task[tuple[BrowserContext, Page]]) -> tuple[BrowserContext, Page] | None:
        try:
            context, page = await task
        except (PlaywrightError, InfraError):
            return None
        if not self.is_connected or page.is_closed():
            await self._discard(task)
            return None
        return context, page

    async def _discard(self, task: asyncio.Task[tuple[BrowserContext, Page]]) -> None:
        try:
            context, _ = await asyncio.wait_for(task, 10)
            await asyncio.wait_for(context.close(), 5)
        except (PlaywrightError, InfraError, TimeoutError):
            pass

    async def close(self, timeout: float = 10.0) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            await self._discard(spare[1])
        async with self._lock:
            browser, self._browser = self._browser, None
            pw, self._pw = self._pw, None
        if browser is not None:
            try:
                await asyncio.wait_for(browser.close(), timeout)
            except (TimeoutError, PlaywrightError) as exc:
                log.warning("browser close failed: %s", exc)
        if pw is not None:
            try:
                await asyncio.wait_for(pw.stop(), timeout)
            except (TimeoutError, PlaywrightError) as exc:
                log.warning("playwright stop failed: %s", exc)
