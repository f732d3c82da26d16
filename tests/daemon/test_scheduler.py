"""APScheduler wiring, with real APScheduler and no browser."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from agent.regions import JourneySchedule
from agent.scheduler import CRON_MISFIRE_GRACE_S, JourneyScheduler, misfire_grace_s, start_offsets, trigger_for


def schedule(**kw: Any) -> JourneySchedule:
    values: dict[str, Any] = {"id": "j", "interval_s": 60.0, "cron": None, "timeout_s": None, "retries": 0}
    return JourneySchedule(**{**values, "jitter_s": 0.0, **kw})


def test_interval_journeys_start_at_a_random_offset_within_the_first_interval() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(7)
    starts = [trigger_for(schedule(jitter_s=5.0), now, rng) for _ in range(50)]
    assert all(isinstance(t, IntervalTrigger) for t in starts)
    offsets = [(t.start_date - now).total_seconds() for t in starts]
    assert all(0 <= o < 60 for o in offsets)
    assert len({round(o) for o in offsets}) > 10, "offsets are not spread"
    assert {t.jitter for t in starts} == {5.0}
    assert starts[0].interval == timedelta(seconds=60)


def test_cron_journeys_use_utc_and_their_jitter() -> None:
    trigger = trigger_for(
        schedule(interval_s=None, cron="*/15 * * * *", jitter_s=30.0), datetime.now(UTC), random.Random()
    )
    assert isinstance(trigger, CronTrigger)
    assert str(trigger.timezone) == "UTC" and trigger.jitter == 30.0
    fire = trigger.get_next_fire_time(None, datetime(2026, 1, 1, 10, 1, tzinfo=UTC))
    assert datetime(2026, 1, 1, 10, 15, tzinfo=UTC) <= fire <= datetime(2026, 1, 1, 10, 15, 30, tzinfo=UTC)


def test_misfire_grace_is_a_whole_interval_not_one_second() -> None:
    assert misfire_grace_s(schedule(interval_s=300.0)) == 300
    assert misfire_grace_s(schedule(interval_s=1.5)) == 1
    assert misfire_grace_s(schedule(interval_s=None, cron="* * * * *")) == CRON_MISFIRE_GRACE_S


def test_a_run_longer_than_the_interval_is_never_doubled_and_is_counted_missed() -> None:
    spans: list[tuple[float, float]] = []
    planned: list[datetime | None] = []
    missed: list[str] = []
    active = peak = 0
    two_done = asyncio.Event()

    async def run(journey_id: str, planned_start: datetime | None) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        planned.append(planned_start)
        start = asyncio.get_running_loop().time()
        await asyncio.sleep(1.6)
        spans.append((start, asyncio.get_running_loop().time()))
        active -= 1
        if len(spans) >= 2:
            two_done.set()

    async def main() -> None:
        scheduler = JourneyScheduler([schedule(id="slow", interval_s=1.0)], run, on_missed=missed.append)
        scheduler.start()
        assert scheduler.running and scheduler.next_run("slow") is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(two_done.wait(), 20)
        scheduler.pause()
        scheduler.shutdown()
        await asyncio.sleep(0)

    asyncio.run(main())
    assert len(spans) >= 2
    assert peak == 1, "two runs of one journey at once"
    assert spans[1][0] >= spans[0][1]
    assert missed and set(missed) == {"slow"}
    assert all(p is not None and abs((datetime.now(UTC) - p).total_seconds()) < 60 for p in planned)


def test_disabled_journeys_get_no_job() -> None:
    async def run(journey_id: str, planned_start: datetime | None) -> None:
        pass

    scheduler = JourneyScheduler([schedule(id="on"), schedule(id="off", enabled=False)], run, on_missed=print)
    assert set(scheduler.schedules) == {"on"}


def test_journeys_sharing_an_interval_are_spread_evenly_from_a_random_phase() -> None:
    schedules = [schedule(id=f"j{i}", interval_s=30.0) for i in range(10)] + [schedule(id="slow", interval_s=300.0)]
    first = start_offsets(schedules, random.Random(1))
    second = start_offsets(schedules, random.Random(2))
    gaps = sorted(first[f"j{i}"] for i in range(10))
    assert all(abs((b - a) - 3.0) < 1e-9 for a, b in itertools.pairwise(gaps))  # one start every 3 s
    assert 0 <= first["slow"] < 300
    assert first["j0"] != second["j0"]  # each agent has its own phase: regions are not in lock-step
