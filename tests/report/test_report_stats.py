"""The report's definitions on hand-made summary lines: nearest-rank percentiles,
de-duplication, the window's edges, broken lines, error budget, and the window options."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from agent.errors import ConfigError
from agent.report.series import failures, latency, make_axis
from agent.report.stats import aggregate, nearest_rank, parse_lines
from agent.report.window import Window, resolve_window

T0 = datetime(2025, 11, 3, 12, 0, tzinfo=UTC).timestamp()


def line(n: int, status: str = "passed", duration: float = 1.0, step: str | None = None, **extra: Any) -> bytes:
    record = {
        "run_id": f"run-{n}",
        "started_at": datetime.fromtimestamp(T0 + n * 60, UTC).isoformat().replace("+00:00", "Z"),
        "region": "eu",
        "journey": "checkout",
        "status": status,
        "duration_s": duration,
        "attempts": 1,
        "failed_step": step,
        "error": "boom" if status != "passed" else None,
        "screenshot": f"shot-{n}.png" if status != "passed" else None,
        "release": None,
        **extra,
    }
    return json.dumps(record).encode()


WIDE = Window(T0 - 3600, T0 + 86400)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1.0], 50, 1.0),
        ([1.0, 2.0], 50, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 95, 4.0),
        ([float(i) for i in range(1, 101)], 95, 95.0),  # rank ⌈0.95 × 100⌉ = 95
        ([float(i) for i in range(1, 101)], 99, 99.0),
        ([float(i) for i in range(1, 201)], 99, 198.0),
        ([float(i) for i in range(1, 21)], 95, 19.0),
        ([], 50, None),
    ],
)
def test_nearest_rank(values: list[float], p: int, expected: float | None) -> None:
    assert nearest_rank(values, p) == expected


def test_aggregate_counts_each_run_once_and_ranks_failing_steps() -> None:
    a = b"\n".join(
        [line(1), line(2, "failed", 3.0, "pay"), line(3, "timeout", 30.0, "pay"), line(4, "failed", 2.0, "cart")]
    )
    b = b"\n".join([line(2, "failed", 3.0, "pay"), line(5)]) + b"\n"  # run-2 again, from another writer
    bad = [0]
    cell = aggregate("eu", "checkout", [a, b], WIDE, bad)
    assert cell is not None
    assert cell.runs == 5 and cell.passed == 2
    assert cell.by_status == {"passed": 2, "failed": 2, "timeout": 1}
    assert cell.availability == 40.0
    assert cell.failing_steps == [("pay", 2), ("cart", 1)]
    assert cell.latest_failure is not None and cell.latest_failure.run_id == "run-4"
    assert cell.latest_by_step["pay"].run_id == "run-3"
    assert cell.percentiles == {50: 2.0, 95: 30.0, 99: 30.0}
    assert cell.budget_used(99.0) == pytest.approx(100 * 3 / (5 * 0.01))
    assert bad == [0]


def test_broken_lines_are_skipped_and_counted() -> None:
    torn = line(1) + b"\n" + line(2)[:40] + b"\n\n" + line(3) + b"\n" + b'["not", "an object"]\n' + b'{"run_id": "x"}'
    bad = [0]
    assert len(parse_lines(torn, bad)) == 4 and bad == [1]
    cell = aggregate("eu", "checkout", [torn], WIDE, bad)
    assert cell is not None and cell.runs == 2
    assert bad == [1 + 1 + 2]  # parse again (+1), then the list and the object without started_at


def test_window_is_half_open() -> None:
    blob = b"\n".join(line(n) for n in range(10))
    cell = aggregate("eu", "checkout", [blob], Window(T0 + 120, T0 + 300), [0])
    assert cell is not None and cell.runs == 3  # minutes 2, 3, 4; not 5
    assert aggregate("eu", "checkout", [blob], Window(T0 + 1000, T0 + 2000), [0]) is None


def test_series_buckets() -> None:
    blob = b"\n".join([line(n, duration=float(n)) for n in range(30)] + [line(31, "failed", 1.0, "pay")])
    cell = aggregate("eu", "checkout", [blob], WIDE, [0])
    assert cell is not None
    axis = make_axis(cell.first_ts, cell.last_ts)
    assert axis.bucket_s == 30 and axis.count == 63  # 31 minutes: 30 s buckets, at most 150
    points = latency([cell], axis)
    assert [p.runs for p in points] == [1] * 31
    assert [(b.index, b.runs, b.failures) for b in failures(cell, axis)] == [(62, 1, 1)]


NOW = datetime(2025, 11, 30, 12, 0, tzinfo=UTC)


def test_window_options() -> None:
    assert resolve_window(None, None, None, NOW) == Window(NOW.timestamp() - 86400, NOW.timestamp())
    assert resolve_window("7d", None, None, NOW).start == NOW.timestamp() - 7 * 86400
    whole = resolve_window(None, "2025-11-01", "2025-11-30", NOW)
    assert whole.start_dt == datetime(2025, 11, 1, tzinfo=UTC)
    assert whole.end_dt == datetime(2025, 12, 1, tzinfo=UTC)
    assert (whole.first_date, whole.last_date) == ("2025-11-01", "2025-11-30")
    offset = resolve_window(None, "2025-11-01T02:00+02:00", "2025-11-01T12:00", NOW)
    assert offset.start_dt == datetime(2025, 11, 1, 0, 0, tzinfo=UTC)
    assert resolve_window(None, "2025-11-29", None, NOW).end == NOW.timestamp()


def test_window_errors_name_the_option() -> None:
    with pytest.raises(ConfigError, match=r"^--from 2025-12-01 is not before --to now"):
        resolve_window(None, "2025-12-01", None, NOW)
