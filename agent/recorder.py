"""Records each step of one run: status, timing, URL, error, screenshot,
console errors, failed requests and navigation timings.

The runner installs a `RunRecorder` for the task; `agent.dsl.step` reports
to it. This is the one place where a step is wrapped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from playwright.async_api import ConsoleMessage, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from agent.classify import BLOCKED_MARKERS, BLOCKED_NOTE, describe, status_for
from agent.ids import slugify
from agent.model import (
    Artifact,
    ErrorInfo,
    FailedRequest,
    JourneyStatus,
    NavigationTiming,
    StepResult,
    StepStatus,
)
from agent.scrub import Scrubber

log = logging.getLogger(__name__)

PASSWORD_SELECTOR = "input[type=password]"
AFTER_TIMEOUT_CAPTURE_S = 2.0
MASK_COLOUR = "#FF00FF"
_NAV_TIMING_JS = """() => {
  const e = performance.getEntriesByType('navigation')[0];
  if (!e) return null;
  return {url: e.name, ttfb: e.responseStart - e.startTime,
          dcl: e.domContentLoadedEventEnd - e.startTime,
          load: e.loadEventEnd > 0 ? e.loadEventEnd - e.startTime : null};
}"""


def mask_style(selectors: tuple[str, ...]) -> str:
    """CSS, applied only while a screenshot is taken, that paints each selector's
    box solid magenta and hides what is inside it.

    The same effect as Playwright's `mask=` locators, without a round trip per
    locator per screenshot (about 40 ms a step on the demo shop).
    """
    rules = []
    for selector in selectors:
        rules.append(
            f"{selector}{{background:{MASK_COLOUR}!important;color:transparent!important;"
            f"border-color:{MASK_COLOUR}!important;text-shadow:none!important;caret-color:transparent!important}}"
            f"{selector} *{{visibility:hidden!important}}"
        )
    return "\n".join(rules)


def _failure_text(failure: str) -> str:
    return BLOCKED_NOTE if any(marker in failure for marker in BLOCKED_MARKERS) else failure


@dataclass(frozen=True)
class ArtifactPolicy:
    screenshot: Literal["jpeg", "png", "off"] = "jpeg"
    jpeg_quality: int = 80
    fullpage_on_failure: bool = True
    timeout_s: float = 5.0


@dataclass
class _Step:
    index: int
    name: str
    soft: bool
    started_at: datetime
    t0: float
    console_mark: int
    failed_mark: int
    nav_mark: int


@dataclass
class Failure:
    step: str | None
    error: ErrorInfo
    status: JourneyStatus


@dataclass
class RunRecorder:
    page: Page
    scrubber: Scrubber
    journey_timeout_s: float
    mask: tuple[str, ...] = ()
    policy: ArtifactPolicy = field(default_factory=ArtifactPolicy)
    on_step: Any = None  # Callable[[str], None] | None: progress hook

    steps: list[StepResult] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)
    console: list[str] = field(default_factory=list)
    failed_requests: list[FailedRequest] = field(default_factory=list)
    navigations: int = 0
    failure: Failure | None = None
    current: _Step | None = None
    deadline_at: float | None = None
    """Monotonic time the journey times out. Playwright sometimes turns the
    cancellation into its own error; past this time any error is the timeout."""

    def attach(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_pageerror)
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self.page.on("framenavigated", self._on_navigated)

    # -- page events -------------------------------------------------------
    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(self.scrubber.scrub(message.text)[:500])

    def _on_pageerror(self, error: PlaywrightError) -> None:
        self.console.append(self.scrubber.scrub(f"uncaught: {error.message}")[:500])

    def _on_request_failed(self, request: Request) -> None:
        self.failed_requests.append(
            FailedRequest(
                method=request.method,
                url=self.scrubber.scrub(request.url)[:500],
                failure=_failure_text(self.scrubber.scrub(request.failure or "failed")),
                resource_type=request.resource_type,
            )
        )

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            request = response.request
            self.failed_requests.append(
                FailedRequest(
                    method=request.method,
                    url=self.scrubber.scrub(response.url)[:500],
                    failure=f"HTTP {response.status}",
                    resource_type=request.resource_type,
                )
            )

    def _on_navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.navigations += 1

    # -- the step protocol (agent.dsl.StepRecorder) ------------------------
    async def begin_step(self, name: str, soft: bool) -> object:
        handle = _Step(
            index=len(self.steps) + 1,
            name=name,
            soft=soft,
            started_at=datetime.now(UTC),
            t0=time.monotonic(),
            console_mark=len(self.console),
            failed_mark=len(self.failed_requests),
            nav_mark=self.navigations,
        )
        self.current = handle
        if self.on_step is not None:
            self.on_step(name)
        return handle

    async def end_step(self, handle: object, exc: BaseException | None) -> bool:
        assert isinstance(handle, _Step)
        duration = time.monotonic() - handle.t0
        self.current = None
        error: ErrorInfo | None = None
        status: StepStatus = "passed"
        timed_out = self.deadline_at is not None and time.monotonic() >= self.deadline_at
        if isinstance(exc, asyncio.CancelledError) or (exc is not None and timed_out):
            status = "timeout"
            error = ErrorInfo(
                type="TimeoutError",
                message=f"journey timeout of {self.journey_timeout_s:g}s reached during step {handle.name!r}",
                category="timeout",
            )
        elif exc is not None:
            error = describe(exc, self.scrubber)
            status = "failed" if status_for(error.category) == "failed" else "error"
        result = StepResult(
            index=handle.index,
            name=handle.name,
            soft=handle.soft,
            status=status,
            started_at=handle.started_at,
            duration_s=round(duration, 4),
            url=self._url(),
            error=error,
            console_errors=self.console[handle.console_mark :],
            failed_requests=self.failed_requests[handle.failed_mark :],
        )
        self.steps.append(result)
        if error is not None and self.failure is None:  # before the screenshots, which a deadline may cut short
            self.failure = Failure(step=handle.name, error=error, status=status_for(error.category))
        if status != "timeout":  # on timeout the runner takes the picture afterwards
            await self._capture(result, failed=error is not None)
            if self.navigations != handle.nav_mark:
                result.navigation = await self._navigation_timing()
        return handle.soft and status == "failed"

    # -- helpers -------------------------------------------------------------
    def _url(self) -> str | None:
        try:
            return self.scrubber.scrub(self.page.url)
        except PlaywrightError:
            return None

    def _name(self, step: StepResult, suffix: str, ext: str) -> str:
        return f"step-{step.index:02d}-{slugify(step.name)}{suffix}.{ext}"

    async def _capture(self, step: StepResult, *, failed: bool) -> None:
        if self.policy.screenshot == "off" or self.page.is_closed():
            return
        masks = mask_style((PASSWORD_SELECTOR, *self.mask))
        fmt = self.policy.screenshot
        name = self._name(step, "", "jpg" if fmt == "jpeg" else "png")
        try:
            data = await self.page.screenshot(
                type=fmt,
                quality=self.policy.jpeg_quality if fmt == "jpeg" else None,
                style=masks,
                timeout=self.policy.timeout_s * 1000,
            )
        except PlaywrightError as exc:
            log.info("screenshot of step %r failed: %s", step.name, str(exc).splitlines()[0])
            return
        step.screenshot = self._keep("screenshot", name, data, f"image/{fmt}")
        if failed and self.policy.fullpage_on_failure:
            await self._capture_fullpage(step, masks)

    async def _capture_fullpage(self, step: StepResult, masks: str) -> None:
        name = self._name(step, "-full", "png")
        try:
            data = await asyncio.wait_for(
                self.page.screenshot(type="png", full_page=True, style=masks, timeout=self.policy.timeout_s * 1000),
                self.policy.timeout_s + 1,
            )
        except (PlaywrightError, TimeoutError) as exc:
            log.info("full-page screenshot of step %r failed: %s", step.name, str(exc).splitlines()[:1])
            return
        step.fullpage = self._keep("fullpage", name, data, "image/png")

    async def capture_after_timeout(self) -> None:
        """Screenshot the page as it was when the journey timed out."""
        timed_out = next((s for s in reversed(self.steps) if s.status == "timeout"), None)
        if timed_out is None or self.page.is_closed():
            return
        try:  # the page may still be loading: keep this short so a timeout ends promptly
            await asyncio.wait_for(self._capture(timed_out, failed=False), AFTER_TIMEOUT_CAPTURE_S)
        except TimeoutError:
            log.info("screenshot after timeout did not finish in time")

    def _keep(self, kind: Literal["screenshot", "fullpage"], name: str, data: bytes, ctype: str) -> Artifact:
        artifact = Artifact(kind=kind, path=name, content_type=ctype, bytes=len(data))
        self.blobs[name] = data
        self.artifacts.append(artifact)
        return artifact

    async def _navigation_timing(self) -> NavigationTiming | None:
        try:
            data = await asyncio.wait_for(self.page.evaluate(_NAV_TIMING_JS), 2)
        except (PlaywrightError, TimeoutError):
            return None
        if not data:
            return None
        return NavigationTiming(
            url=self.scrubber.scrub(str(data["url"]))[:500],
            ttfb_ms=round(float(data["ttfb"]), 1),
            dom_content_loaded_ms=round(float(data["dcl"]), 1),
            load_ms=None if data["load"] is None else round(float(data["load"]), 1),
        )
