"""APScheduler wiring: one job per journey, never two runs of it at once.

Interval journeys start at a random offset within their first interval, so
a fleet of agents does not hit the target in lock-step; `jitter` spreads
every later run too. A journey still running at its next fire time is not
started again (`max_instances=1`); APScheduler reports that as
`EVENT_JOB_MAX_INSTANCES`, which is handed to `on_missed`. Late fires are
coalesced into one run. Times are UTC, cron expressions included.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from agent.regions import JourneySchedule

log = logging.getLogger(__name__)

#: A cron journey may start up to this late (event loop busy, clock jump) and still run.
CRON_MISFIRE_GRACE_S = 60

#: `run(journey_id, planned_start)`; planned_start is None if unknown.
RunJob = Callable[[str, datetime | None], Awaitable[None]]


class _Reported(logging.Filter):
    """Drop APScheduler's own lines for what `JourneyScheduler` logs with the journey id."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Execution of job", "Run time of job"))


logging.getLogger("apscheduler.scheduler").addFilter(_Reported())
logging.getLogger("apscheduler.executors.default").addFilter(_Reported())


def start_offsets(schedules: Iterable[JourneySchedule], rng: random.Random) -> dict[str, float]:
    """First-run offsets: journeys sharing an interval are spread evenly across it,
    from a random phase per agent.

    Evenly spaced starts keep the region's runs from bunching up behind the
    concurrency cap (a random offset each would make bursts, and queueing, far
    more likely); the random phase keeps agents and regions out of lock-step.
    """
    by_interval: dict[float, list[str]] = {}
    for schedule in schedules:
        if schedule.interval_s is not None:
            by_interval.setdefault(schedule.interval_s, []).append(schedule.id)
    offsets: dict[str, float] = {}
    for interval, ids in by_interval.items():
        phase = rng.uniform(0, interval)
        slots = rng.sample(range(len(ids)), len(ids))  # which journey goes first is random too
        for journey_id, slot in zip(ids, slots, strict=True):
            offsets[journey_id] = (phase + slot * interval / len(ids)) % interval
    return offsets


def trigger_for(schedule: JourneySchedule, now: datetime, rng: random.Random, offset: float | None = None) -> Any:
    """The APScheduler trigger of one journey; `offset` is the interval journey's first-run delay."""
    jitter = schedule.jitter_s or None
    if schedule.cron is not None:
        trigger = CronTrigger.from_crontab(schedule.cron, timezone=UTC)
        trigger.jitter = jitter
        return trigger
    if schedule.interval_s is None:
        raise ValueError(f"journey {schedule.id!r} has neither an interval nor a cron expression")
    if offset is None:
        offset = rng.uniform(0, schedule.interval_s)
    return IntervalTrigger(
        seconds=schedule.interval_s, start_date=now + timedelta(seconds=offset), timezone=UTC, jitter=jitter
    )


def misfire_grace_s(schedule: JourneySchedule) -> int:
    """How late a fire may still run: a whole interval (the next fire would coalesce anyway)."""
    if schedule.interval_s is None:
        return CRON_MISFIRE_GRACE_S
    return max(1, int(schedule.interval_s))


class JourneyScheduler:
    """Fires `run(journey_id, planned_start)` for every enabled journey."""

    def __init__(
        self,
        schedules: Iterable[JourneySchedule],
        run: RunJob,
        *,
        on_missed: Callable[[str], None],
        rng: random.Random | None = None,
    ) -> None:
        self.schedules = {s.id: s for s in schedules if s.enabled}
        self._run = run
        self._on_missed = on_missed
        self._rng = rng or random.Random()
        self._planned: dict[str, datetime] = {}
        self._started = self._stopped = False
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_listener(
            self._on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR
        )

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    @property
    def healthy(self) -> bool:
        """False only if the scheduler stopped without being asked to."""
        return not self._started or self.running or self._stopped

    def start(self) -> None:
        """Add one job per journey and start; call from inside the running event loop."""
        now = datetime.now(UTC)
        offsets = start_offsets(self.schedules.values(), self._rng)
        for schedule in self.schedules.values():
            self._scheduler.add_job(
                self._fire,
                trigger_for(schedule, now, self._rng, offsets.get(schedule.id)),
                args=[schedule.id],
                id=schedule.id,
                name=schedule.id,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=misfire_grace_s(schedule),
                replace_existing=True,
            )
        self._scheduler.start()
        self._started = True
        for schedule in self.schedules.values():
            log.info(
                "journey scheduled",
                extra={"journey": schedule.id, "next_run": _iso(self.next_run(schedule.id))},
            )

    def pause(self) -> None:
        """Stop firing new runs; runs in flight carry on."""
        self._stopped = True
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        """Stop the scheduler. Runs still in flight are cancelled: call after they finished."""
        self._stopped = True
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def next_run(self, journey_id: str) -> datetime | None:
        job = self._scheduler.get_job(journey_id)
        when = getattr(job, "next_run_time", None)
        return when if isinstance(when, datetime) else None

    async def _fire(self, journey_id: str) -> None:
        await self._run(journey_id, self._planned.pop(journey_id, None))

    def _on_event(self, event: JobEvent) -> None:
        journey = event.job_id
        if event.code == EVENT_JOB_SUBMITTED:
            # Dispatched before the job's task gets its first turn on the loop.
            self._planned[journey] = event.scheduled_run_times[-1]
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            log.warning("missed run: the previous run is still going", extra={"journey": journey})
            self._on_missed(journey)
        elif event.code == EVENT_JOB_MISSED:
            log.warning(
                "run started too late and was skipped",
                extra={"journey": journey, "planned": _iso(event.scheduled_run_time)},
            )
        elif event.code == EVENT_JOB_ERROR:
            log.error(
                "scheduled run raised %s: %s",
                type(event.exception).__name__,
                event.exception,
                extra={"journey": journey},
            )


def _iso(when: datetime | None) -> str | None:
    return when.isoformat(timespec="seconds") if when is not None else None
