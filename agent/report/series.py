"""Time series for the HTML charts: adaptive buckets, latency and failures per bucket."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from agent.report.stats import Cell, merged, nearest_rank

#: Bucket sizes to choose from, in seconds; the smallest that keeps a chart under MAX_BUCKETS wins.
BUCKETS_S = (10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)
MAX_BUCKETS = 150
MIN_RUNS_PER_BUCKET = 4


@dataclass(frozen=True)
class Axis:
    """The time axis shared by every chart: `[start, end)` cut into `bucket_s` buckets."""

    start: float
    end: float
    bucket_s: int

    @property
    def count(self) -> int:
        return max(1, round((self.end - self.start) / self.bucket_s))

    def index(self, ts: float) -> int:
        return min(self.count - 1, max(0, int((ts - self.start) // self.bucket_s)))


def make_axis(first_ts: float, last_ts: float, max_buckets: int = MAX_BUCKETS) -> Axis:
    """The smallest bucket size from BUCKETS_S that cuts the span into at most `max_buckets`."""
    span = max(last_ts - first_ts, 1.0)
    bucket = next((b for b in BUCKETS_S if span / b <= max_buckets), BUCKETS_S[-1])
    start = math.floor(first_ts / bucket) * bucket
    end = max(start + bucket, math.ceil((last_ts + 1e-6) / bucket) * bucket)
    return Axis(float(start), float(end), bucket)


def latency_buckets(runs: int) -> int:
    """How many latency buckets `runs` runs can fill with a few runs each (a percentile of one run is noise)."""
    return max(6, min(MAX_BUCKETS, runs // MIN_RUNS_PER_BUCKET))


@dataclass(frozen=True)
class LatencyPoint:
    t: float
    """Middle of the bucket."""
    p50: float
    p95: float
    runs: int


def latency(cells: Sequence[Cell], axis: Axis) -> list[LatencyPoint]:
    """p50 and p95 of all runs of `cells` per bucket (nearest rank); empty buckets are left out."""
    buckets: dict[int, list[float]] = {}
    for ts, duration, _ in merged(cells):
        buckets.setdefault(axis.index(ts), []).append(duration)
    points = []
    for i in sorted(buckets):
        ordered = sorted(buckets[i])
        p50, p95 = nearest_rank(ordered, 50), nearest_rank(ordered, 95)
        assert p50 is not None and p95 is not None
        points.append(LatencyPoint(axis.start + (i + 0.5) * axis.bucket_s, p50, p95, len(ordered)))
    return points


@dataclass(frozen=True)
class FailureBucket:
    index: int
    runs: int
    failures: int


def failures(cell: Cell, axis: Axis) -> list[FailureBucket]:
    """Runs and failures per bucket, only buckets with at least one failure."""
    runs = [0] * axis.count
    failed = [0] * axis.count
    for ts, flag in zip(cell.times, cell.passed_flags, strict=True):
        i = axis.index(ts)
        runs[i] += 1
        if not flag:
            failed[i] += 1
    return [FailureBucket(i, runs[i], failed[i]) for i in range(axis.count) if failed[i]]
