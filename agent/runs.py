"""The per-run path of the agent: one scheduled run, from attempts to a published result.

    Agent._scheduled ─► JourneyRuns.run ─► run_with_retries(attempt: run_journey within a backstop)
                     ─► JourneyRuns.record ─► JourneyState (for /status), log line, Publisher

Each attempt is limited twice: `run_journey` stops the journey at its
timeout, and a backstop of timeout + context close time + 15 s abandons a
runner that hangs anyway. An abandoned attempt, like a run the agent cancels
when it shuts down, is still a result: status `error`, category `agent`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from agent import __version__
from agent.attempts import run_with_retries
from agent.browser import Browser
from agent.dsl import Journey
from agent.ids import new_run_id
from agent.logs import log_run_id
from agent.model import ErrorInfo, JourneyResult
from agent.publish import Publisher
from agent.regions import JourneySchedule, RegionConfig
from agent.runner import RunOptions, run_journey

#: The agent's logger, not this module's: run lines are logged as `agent.daemon`.
log = logging.getLogger("agent.daemon")

BACKSTOP_S = 15.0
RETRY_BACKOFF_S = 2.0
SHUTDOWN_MESSAGE = "the agent shut down before the run finished"


@dataclass
class JourneyState:
    """What /status shows for one journey."""

    last_status: str | None = None
    last_duration_s: float | None = None
    last_run_at: datetime | None = None
    attempts: int | None = None
    running: bool = False
    runs: int = 0


class JourneyRuns:
    """Runs the region's journeys one run at a time and records each result; `run` never raises for a journey."""

    def __init__(
        self,
        region: RegionConfig,
        journeys: Mapping[str, Journey],
        schedules: Mapping[str, JourneySchedule],
        *,
        target: str,
        browser: Browser,
        options: RunOptions,
        publisher: Publisher,
        keep_going: Callable[[], bool],
    ) -> None:
        """`keep_going()` turning false stops retrying (the agent is shutting down)."""
        self.region = region
        self.journeys = journeys
        self.schedules = schedules
        self.target = target
        self.browser = browser
        self.options = options
        self.publisher = publisher
        self.keep_going = keep_going
        self.states = {jid: JourneyState() for jid in schedules}

    async def run(self, journey_id: str) -> JourneyResult:
        """The run's result, every attempt recorded in it."""
        journey, schedule = self.journeys[journey_id], self.schedules[journey_id]

        async def attempt(number: int) -> JourneyResult:
            if number > 1:
                log.info("retrying", extra={"attempt": number})
            return await self._attempt(journey, schedule)

        return await run_with_retries(
            attempt, retries=schedule.retries, backoff_s=RETRY_BACKOFF_S, keep_going=self.keep_going
        )

    async def _attempt(self, journey: Journey, schedule: JourneySchedule) -> JourneyResult:
        run_id = new_run_id()
        log_run_id.set(run_id)
        timeout = journey.timeout if schedule.timeout_s is None else min(journey.timeout, schedule.timeout_s)
        backstop = timeout + self.options.close_timeout_s + BACKSTOP_S
        started_at = datetime.now(UTC)
        t0 = time.monotonic()
        try:
            async with asyncio.timeout(backstop):
                return await run_journey(
                    journey,
                    browser=self.browser,
                    target=self.target,
                    region=self.region.region,
                    params=schedule.params,
                    run_id=run_id,
                    labels=self.region.labels,
                    options=self.options,
                    timeout_s=timeout,
                )
        except TimeoutError:
            message = f"the runner did not return within {backstop:g}s (journey timeout + {BACKSTOP_S:g}s); abandoned"
            log.error(message)
            return self._abandoned(journey, run_id, started_at, time.monotonic() - t0, message, timeout)

    async def record(self, result: JourneyResult) -> None:
        """Update the journey's state, log the run and publish its result to every sink."""
        state = self.states[result.journey]
        state.last_status, state.last_duration_s = result.status, result.duration_s
        state.last_run_at, state.attempts = result.started_at, max(1, len(result.attempts))
        state.runs += 1
        log_run_id.set(result.run_id)
        level = logging.INFO if result.status == "passed" else logging.WARNING
        log.log(
            level,
            "run %s",
            result.status,
            extra={"status": result.status, "duration_s": result.duration_s, "attempts": state.attempts},
        )
        await self.publisher.publish_async(result)

    def publish_cancelled(self, journey_id: str, started_at: datetime) -> None:
        """Publish, at once, the `error` result of a run cancelled at shutdown (grace ran out, or a second signal)."""
        elapsed = (datetime.now(UTC) - started_at).total_seconds()
        result = self._abandoned(self.journeys[journey_id], new_run_id(), started_at, elapsed, SHUTDOWN_MESSAGE)
        self.publisher.publish(result)

    def _abandoned(
        self,
        journey: Journey,
        run_id: str,
        started_at: datetime,
        duration_s: float,
        message: str,
        timeout_s: float = 0.0,
    ) -> JourneyResult:
        return JourneyResult(
            run_id=run_id,
            journey=journey.id,
            name=journey.name,
            region=self.region.region,
            target=self.target,
            status="error",
            started_at=started_at,
            finished_at=datetime.now(UTC),
            duration_s=round(duration_s, 4),
            timeout_s=timeout_s,
            tags=list(journey.tags),
            labels=dict(self.region.labels),
            agent_version=__version__,
            error=ErrorInfo(type="AgentError", message=message, category="agent"),
        )
