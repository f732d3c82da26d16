"""Run a set of journeys once: parallel, with retries, a batch deadline and
fail-fast. Used by `synth run`; the agent schedules runs one by one instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agent import __version__
from agent.attempts import run_with_retries
from agent.browser import Browser
from agent.dsl import Journey
from agent.ids import new_run_id
from agent.model import ErrorInfo, JourneyResult
from agent.runner import RunOptions, run_journey

#: progress hook: (journey id, event, detail); events: start, step, retry, done
ProgressHook = Callable[[str, str, str], None]


@dataclass
class BatchPlan:
    journeys: Sequence[Journey]
    target: str
    region: str = "local"
    params: Mapping[str, str] = field(default_factory=dict)
    per_journey_params: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    release: str | None = None
    retries: int = 0
    retry_backoff_s: float = 1.0
    parallel: int = 1
    timeout_s: float | None = None
    fail_fast: bool = False
    options: RunOptions = field(default_factory=RunOptions)


@dataclass
class BatchEntry:
    """One journey of the batch: its result, or why it did not run."""

    journey: Journey
    result: JourneyResult | None = None
    skipped_reason: str | None = None


def _not_started(journey: Journey, plan: BatchPlan, reason: str) -> JourneyResult:
    now = datetime.now(UTC)
    return JourneyResult(
        run_id=new_run_id(now),
        journey=journey.id,
        name=journey.name,
        region=plan.region,
        target=plan.target,
        status="timeout",
        started_at=now,
        finished_at=now,
        duration_s=0.0,
        timeout_s=0.0,
        tags=list(journey.tags),
        labels=dict(plan.labels),
        release=plan.release,
        agent_version=__version__,
        error=ErrorInfo(type="TimeoutError", message=reason, category="timeout"),
    )


async def run_batch(
    plan: BatchPlan,
    browser: Browser,
    *,
    on_result: Callable[[JourneyResult], object] | None = None,
    progress: ProgressHook | None = None,
) -> list[BatchEntry]:
    """Run every journey of the plan; entries keep the plan's order."""
    entries = [BatchEntry(j) for j in plan.journeys]
    deadline = None if plan.timeout_s is None else time.monotonic() + plan.timeout_s
    semaphore = asyncio.Semaphore(max(1, plan.parallel))
    stop = asyncio.Event()

    def note(journey_id: str, event: str, detail: str = "") -> None:
        if progress is not None:
            progress(journey_id, event, detail)

    async def one(entry: BatchEntry) -> None:
        journey = entry.journey
        async with semaphore:
            if stop.is_set():
                entry.skipped_reason = "not run: --fail-fast stopped the batch after a failure"
                note(journey.id, "done", "skipped")
                return
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                entry.result = _not_started(journey, plan, f"batch timeout of {plan.timeout_s:g}s reached before start")
            else:
                params = {**plan.per_journey_params.get(journey.id, {}), **plan.params}  # --param wins
                note(journey.id, "start")

                async def attempt(number: int) -> JourneyResult:
                    if number > 1:
                        note(journey.id, "retry", str(number))
                    left = None if deadline is None else max(0.001, deadline - time.monotonic())
                    return await run_journey(
                        journey,
                        browser=browser,
                        target=plan.target,
                        region=plan.region,
                        params=params,
                        release=plan.release,
                        labels=plan.labels,
                        options=plan.options,
                        on_step=lambda name: note(journey.id, "step", name),
                        timeout_s=left,
                    )

                entry.result = await run_with_retries(
                    attempt,
                    retries=plan.retries,
                    backoff_s=plan.retry_backoff_s,
                    sleep=_sleep_until(deadline),
                    keep_going=lambda: deadline is None or time.monotonic() < deadline,
                )
            if on_result is not None:
                on_result(entry.result)
            note(journey.id, "done", entry.result.status)
            if entry.result.status != "passed" and plan.fail_fast:
                stop.set()

    await asyncio.gather(*(one(e) for e in entries))
    return entries


def _sleep_until(deadline: float | None) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        if deadline is not None:
            seconds = min(seconds, max(0.0, deadline - time.monotonic()))
        await asyncio.sleep(seconds)

    return sleep
