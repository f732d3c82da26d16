"""`run_journey`: one journey, one fresh browser context, one `JourneyResult`.

The runner knows nothing of scheduling, storage or metrics. A journey's
outcome is data: this function never raises for a journey that failed,
timed out or broke.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

from agent import __version__
from agent.browser import Browser
from agent.classify import BlockedRequestError, describe, status_for
from agent.context import JourneyContext
from agent.dsl import Journey, current_recorder
from agent.errors import InfraError
from agent.ids import new_run_id
from agent.model import Artifact, ErrorInfo, JourneyResult, JourneyStatus, StepResult
from agent.recorder import ArtifactPolicy, Failure, RunRecorder
from agent.scrub import GLOBAL_SCRUBBER, Scrubber
from agent.settings import Settings
from agent.trace import TRACE_FILE, TracePolicy, should_keep, start_trace, stop_trace

log = logging.getLogger(__name__)

REGION_HEADER = "X-Synth-Region"
USER_AGENT_SUFFIX = f"synth/{__version__}"


@dataclass(frozen=True)
class RunOptions:
    """How runs are executed; the same for the agent and `synth run`."""

    action_timeout_s: float = 10.0
    navigation_timeout_s: float = 30.0
    close_timeout_s: float = 5.0
    viewport: tuple[int, int] = (1280, 720)
    artifacts: ArtifactPolicy = field(default_factory=ArtifactPolicy)
    allowed_hosts: tuple[str, ...] | None = None
    """Hosts a journey may reach; None means the target's host only."""
    trace: TracePolicy = "off"

    @classmethod
    def from_settings(cls, settings: Settings, allowed_hosts: tuple[str, ...] | None = None) -> RunOptions:
        """The options the agent and `synth run` both use, so both run journeys alike."""
        return cls(
            action_timeout_s=settings.action_timeout,
            navigation_timeout_s=settings.navigation_timeout,
            artifacts=ArtifactPolicy(screenshot=settings.screenshot),
            allowed_hosts=allowed_hosts,
            trace=settings.trace,
        )


def allowed_hosts_for(target: str, configured: tuple[str, ...] | None) -> tuple[str, ...]:
    host = urlsplit(target).hostname or ""
    return tuple(configured) if configured else (host,)


#: Nothing listens here: requests routed to it fail at once (ERR_PROXY_CONNECTION_FAILED).
BLOCKING_PROXY = "http://127.0.0.1:9"


def egress_proxy(hosts: tuple[str, ...]) -> dict[str, str]:
    """Context proxy settings that let only `hosts` through.

    Allowed hosts bypass a proxy that does not exist; every other request,
    IP literals and loopback included (`<-loopback>` removes Chromium's implicit
    bypass), is sent to it and fails. Unlike request interception this costs
    nothing per request.
    """
    # Order matters: `<-loopback>` first, then the allowed hosts (which may be loopback).
    return {"server": BLOCKING_PROXY, "bypass": ",".join(["<-loopback>", *hosts])}


def blocked_url_pattern(hosts: tuple[str, ...]) -> re.Pattern[str]:
    """A regex that matches every http(s) URL whose host is not allowed.

    Guards `ctx.http`; the browser is guarded by `egress_proxy`.
    `*.example.com` allows every subdomain of example.com.
    """
    parts = []
    for host in hosts:
        if host.startswith("*."):
            parts.append(r"(?:[a-z0-9-]+\.)*" + re.escape(host[2:]))
        else:
            parts.append(re.escape(host))
    allowed = "|".join(parts) or "(?!)"
    return re.compile(rf"^(?:https?|wss?)://(?!(?:{allowed})(?::\d+)?(?:[/?#]|$))", re.IGNORECASE)


async def run_journey(
    journey: Journey,
    *,
    browser: Browser,
    target: str,
    region: str = "local",
    params: Mapping[str, str] | None = None,
    run_id: str | None = None,
    release: str | None = None,
    labels: Mapping[str, str] | None = None,
    options: RunOptions | None = None,
    scrubber: Scrubber = GLOBAL_SCRUBBER,
    on_step: Callable[[str], None] | None = None,
    timeout_s: float | None = None,
) -> JourneyResult:
    """Run `journey` once in a fresh context and return what happened.

    `timeout_s` overrides the journey's own timeout (a batch deadline).
    """
    options = options or RunOptions()
    timeout = journey.timeout if timeout_s is None else max(0.001, min(journey.timeout, timeout_s))
    run_id = run_id or new_run_id()
    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    hosts = allowed_hosts_for(target, options.allowed_hosts)
    blocked = blocked_url_pattern(hosts)
    recorder: RunRecorder | None = None
    failure: Failure | None = None
    status: JourneyStatus = "passed"
    context: BrowserContext | None = None
    http: httpx.AsyncClient | None = None
    ctx: JourneyContext | None = None
    tracing = False
    trace: bytes | None = None

    async def guard_http(request: httpx.Request) -> None:
        if blocked.match(str(request.url)):
            raise BlockedRequestError(f"request to {request.url.host} blocked: not in allowed_hosts {list(hosts)}")

    def make_http() -> httpx.AsyncClient:
        nonlocal http
        http = httpx.AsyncClient(
            base_url=target,
            headers={REGION_HEADER: region, "User-Agent": USER_AGENT_SUFFIX},
            timeout=options.navigation_timeout_s,
            event_hooks={"request": [guard_http]},
        )
        return http

    try:
        context, page = await browser.new_page(
            viewport={"width": options.viewport[0], "height": options.viewport[1]},
            extra_http_headers={REGION_HEADER: region},
            service_workers="block",
            proxy=egress_proxy(hosts),
        )
        context.set_default_timeout(options.action_timeout_s * 1000)
        context.set_default_navigation_timeout(options.navigation_timeout_s * 1000)
        tracing = await start_trace(context, options.trace)
        recorder = RunRecorder(
            page=page,
            scrubber=scrubber,
            journey_timeout_s=timeout,
            mask=journey.mask,
            policy=options.artifacts,
            on_step=on_step,
        )
        recorder.attach()
        ctx = JourneyContext(
            target=target,
            region=region,
            run_id=run_id,
            params=dict(params or {}),
            scrubber=scrubber,
            http=make_http,
        )
        status, failure = await _execute(journey, page, ctx, recorder, timeout)
    except (InfraError, PlaywrightError) as exc:  # no browser, or no context from it
        info = describe(exc, scrubber).model_copy(update={"category": "browser"})
        status, failure = "error", Failure(None, info, "error")
    finally:
        if http is not None:
            await http.aclose()
        if context is not None:
            if tracing:
                used_secrets = bool(ctx and ctx.secrets_used)
                keep = should_keep(options.trace, status == "passed", used_secrets, journey.trace_secrets)
                trace = await stop_trace(context, keep)
            await _close(context, options.close_timeout_s)

    duration = time.monotonic() - t0
    steps = recorder.steps if recorder else []
    _mark_skipped(steps, journey.declared_steps)
    result = JourneyResult(
        run_id=run_id,
        journey=journey.id,
        name=journey.name,
        region=region,
        target=target,
        status=status,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        duration_s=round(duration, 4),
        timeout_s=timeout,
        tags=list(journey.tags),
        labels=dict(labels or {}),
        release=release,
        agent_version=__version__,
        failed_step=failure.step if failure else None,
        error=failure.error if failure else None,
        steps=steps,
        artifacts=recorder.artifacts if recorder else [],
    )
    if recorder:
        result.blobs.update(recorder.blobs)
    if trace is not None:
        result.artifacts.append(
            Artifact(kind="trace", path=TRACE_FILE, content_type="application/zip", bytes=len(trace))
        )
        result.blobs[TRACE_FILE] = trace
    return result


async def _execute(
    journey: Journey, page: object, ctx: JourneyContext, recorder: RunRecorder, timeout: float
) -> tuple[JourneyStatus, Failure | None]:
    token = current_recorder.set(recorder)
    recorder.deadline_at = time.monotonic() + timeout
    deadline = asyncio.timeout(timeout)
    try:
        async with deadline:
            await journey.fn(page, ctx)  # type: ignore[arg-type]
    except TimeoutError as exc:
        if not deadline.expired():
            return _failed_outside_step(recorder, exc)
        if recorder.failure is not None and recorder.failure.status != "timeout":
            # A step had already failed on its own; the deadline only ran out while
            # its screenshots were taken. The failure is the truth.
            return recorder.failure.status, recorder.failure
        await recorder.capture_after_timeout()
        step = next((s.name for s in reversed(recorder.steps) if s.status == "timeout"), None)
        where = f" during step {step!r}" if step else " between steps"
        info = ErrorInfo(
            type="TimeoutError",
            message=f"journey timeout of {timeout:g}s reached{where}",
            category="timeout",
        )
        return "timeout", Failure(step, info, "timeout")
    except Exception as exc:
        if recorder.failure is not None:
            return recorder.failure.status, recorder.failure
        return _failed_outside_step(recorder, exc)
    finally:
        current_recorder.reset(token)
    if recorder.failure is not None:  # a soft step failed
        return "failed", recorder.failure
    return "passed", None


def _failed_outside_step(recorder: RunRecorder, exc: BaseException) -> tuple[JourneyStatus, Failure]:
    info = describe(exc, recorder.scrubber)
    return status_for(info.category), Failure(None, info, status_for(info.category))


def _mark_skipped(steps: list[StepResult], declared: tuple[str, ...]) -> None:
    """Steps declared in the source but never reached are recorded as skipped."""
    seen = {s.name for s in steps}
    for name in declared:
        if name not in seen:
            steps.append(StepResult(index=len(steps) + 1, name=name, status="skipped"))


async def _close(context: BrowserContext, timeout: float) -> None:
    try:
        await asyncio.wait_for(context.close(), timeout)
    except (TimeoutError, PlaywrightError) as exc:
        log.warning("browser context close failed: %s", str(exc).splitlines()[:1])
