"""Per region × journey statistics from summary lines: the report's hot path.

A month of a fleet is close to a million lines, so this module avoids
pydantic: a summary file is parsed with one `json.loads` (its lines joined
into a JSON array), falling back to line by line only when a line is broken
(a writer killed mid-line); broken lines are counted and skipped.

Definitions (docs/report.md):

* a run is counted once per `run_id`, if `window.start <= started_at < window.end`;
* availability = passed runs / runs × 100; `failed`, `timeout` and `error` all count as unavailable;
* percentiles use the nearest-rank method on the durations of all runs:
  the value at 1-based rank ⌈p/100 × n⌉ of the sorted durations;
* error budget used = unavailable runs / (runs × (1 − SLO/100)) × 100.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.report.window import Window

PERCENTILES = (50, 95, 99)
NO_STEP = "(no step)"


def nearest_rank(ordered: list[float], p: int) -> float | None:
    """The nearest-rank p-th percentile of an ascending list: rank ⌈p·n/100⌉ (integer arithmetic)."""
    n = len(ordered)
    if n == 0:
        return None
    rank = max(1, -(-p * n // 100))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Failure:
    """One unavailable run, as the report shows it."""

    started_at: float
    run_id: str
    status: str
    step: str | None
    error: str | None
    screenshot: str | None
    """Key of the failing step's screenshot, relative to the results root."""


@dataclass
class Cell:
    """Everything the report knows about one region × journey."""

    region: str
    journey: str
    runs: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    percentiles: dict[int, float | None] = field(default_factory=dict)
    failing_steps: list[tuple[str, int]] = field(default_factory=list)
    latest_failure: Failure | None = None
    latest_by_step: dict[str, Failure] = field(default_factory=dict)
    """The most recent failure of each failing step (the HTML gallery)."""
    first_ts: float = 0.0
    last_ts: float = 0.0
    times: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    passed_flags: bytearray = field(default_factory=bytearray)
    """Per run, in reading order: start (epoch s), duration (s), 1 if passed (the HTML charts)."""

    @property
    def passed(self) -> int:
        return self.by_status.get("passed", 0)

    @property
    def unavailable(self) -> int:
        return self.runs - self.passed

    @property
    def availability(self) -> float:
        return 100.0 * self.passed / self.runs if self.runs else 0.0

    def budget_used(self, slo: float) -> float:
        """Percent of the error budget spent: 100 means exactly the SLO's allowance."""
        allowed = self.runs * (1.0 - slo / 100.0)
        return 100.0 * self.unavailable / allowed if allowed > 0 else 0.0


def parse_lines(blob: bytes, bad: list[int]) -> list[Any]:
    """The JSON objects of a `.jsonl` file; broken lines are counted in `bad[0]`."""
    body = blob.strip()
    if not body:
        return []
    try:
        records: list[Any] = json.loads(b"[" + body.replace(b"\n", b",") + b"]")
    except ValueError:
        records = []
        for line in body.splitlines():
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError:
                bad[0] += 1
    return records


def aggregate(region: str, journey: str, blobs: Iterable[bytes], window: Window, bad: list[int]) -> Cell | None:
    """The statistics of one region × journey from its summary files; None without runs in the window."""
    cell = Cell(region, journey)
    seen: set[str] = set()
    passed = 0
    statuses: Counter[str] = Counter()  # the other statuses
    steps: Counter[str] = Counter()
    start, end = window.start, window.end
    parse_time = datetime.fromisoformat
    times, durations, flags = cell.times, cell.durations, cell.passed_flags
    latest: Failure | None = None
    latest_by_step: dict[str, Failure] = {}
    for blob in blobs:
        for rec in parse_lines(blob, bad):
            try:
                run_id = rec["run_id"]
                if run_id in seen:
                    continue
                ts = parse_time(rec["started_at"]).timestamp()
                if not start <= ts < end:
                    continue
                status = rec["status"]
                duration = float(rec["duration_s"])
            except (KeyError, TypeError, ValueError):
                bad[0] += 1
                continue
            seen.add(run_id)
            times.append(ts)
            durations.append(duration)
            if status == "passed":
                passed += 1
                flags.append(1)
                continue
            statuses[status] += 1
            flags.append(0)
            step = rec.get("failed_step") or NO_STEP
            steps[step] += 1
            failure = Failure(ts, run_id, status, rec.get("failed_step"), rec.get("error"), rec.get("screenshot"))
            if latest is None or ts > latest.started_at:
                latest = failure
            previous = latest_by_step.get(step)
            if previous is None or ts > previous.started_at:
                latest_by_step[step] = failure
    if not seen:
        return None
    ordered = sorted(durations)
    cell.runs = len(seen)
    cell.by_status = {"passed": passed, **statuses} if passed else dict(statuses)
    cell.percentiles = {p: nearest_rank(ordered, p) for p in PERCENTILES}
    cell.failing_steps = sorted(steps.items(), key=lambda item: (-item[1], item[0]))
    cell.latest_failure = latest
    cell.latest_by_step = latest_by_step
    cell.first_ts, cell.last_ts = min(times), max(times)
    return cell


def merged(cells: Iterable[Cell]) -> Iterator[tuple[float, float, int]]:
    """(time, duration, passed) of every run of `cells`, unordered."""
    for cell in cells:
        yield from zip(cell.times, cell.durations, cell.passed_flags, strict=True)
