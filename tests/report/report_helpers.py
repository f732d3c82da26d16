"""Plain helpers of the report tests: finished runs with real (tiny) PNG screenshots,
written through the real results pipeline (spool → store, result.json + summaries)."""

from __future__ import annotations

import json
import math
import random
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from agent.model import Artifact, ErrorInfo, JourneyResult, StepResult
from agent.settings import Settings
from agent.storage import ResultsPipeline, UploadPolicy

FAST = UploadPolicy(retry_base_s=0.05, retry_max_s=0.2, recheck_s=0.2, summary_interval_s=0.0, poll_s=0.05)
STEPS = ("open shop", "add to cart", "pay")


def png(width: int = 64, height: int = 40, rgb: tuple[int, int, int] = (220, 38, 38)) -> bytes:
    """A valid PNG of one colour, without any imaging library."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def make_run(
    *,
    region: str,
    journey: str,
    started_at: datetime,
    duration_s: float,
    status: str = "passed",
    failed_index: int = 3,
    run_id: str | None = None,
    screenshot: bytes | None = None,
) -> JourneyResult:
    """A finished run of the three STEPS; a failing run fails at step `failed_index` (1-based)."""
    steps: list[StepResult] = []
    blobs: dict[str, bytes] = {}
    failed_any = status != "passed"
    error = ErrorInfo(type="AssertionError", message=f"{journey} broke in {region}\nsecond line", category="assertion")
    for i, name in enumerate(STEPS, start=1):
        if failed_any and i > failed_index:
            steps.append(StepResult(index=i, name=name, status="skipped"))
            continue
        this_failed = failed_any and i == failed_index
        shot_name = f"step-{i:02d}-{name.replace(' ', '-')}.png"
        data = screenshot if screenshot is not None else png(rgb=(220, 38, 38) if this_failed else (22, 163, 74))
        shot = Artifact(kind="screenshot", path=shot_name, content_type="image/png", bytes=len(data))
        blobs[shot_name] = data
        steps.append(
            StepResult(
                index=i,
                name=name,
                status=("timeout" if status == "timeout" else "failed") if this_failed else "passed",
                duration_s=duration_s / len(STEPS),
                screenshot=shot,
                error=error if this_failed else None,
            )
        )
    stamp = started_at.astimezone(UTC)
    result = JourneyResult(
        run_id=run_id or f"{stamp:%Y%m%dT%H%M%S}{stamp.microsecond // 1000:03d}Z-{random.getrandbits(32):08x}",
        journey=journey,
        name=journey.title(),
        region=region,
        target="http://127.0.0.1:1",
        status=status,  # type: ignore[arg-type]
        started_at=stamp,
        finished_at=stamp + timedelta(seconds=duration_s),
        duration_s=duration_s,
        timeout_s=60,
        agent_version="test",
        failed_step=STEPS[failed_index - 1] if failed_any else None,
        error=error if failed_any else None,
        steps=steps,
        artifacts=[s.screenshot for s in steps if s.screenshot is not None],
    )
    result.blobs.update(blobs)
    return result


def store_runs(results: str, spool: Path, runs: Iterable[JourneyResult], writer: str) -> int:
    """Publish runs through the real ResultsPipeline (spool, then store) and flush it."""
    settings = Settings.model_validate({"spool_dir": spool, "spool_max_mb": 64})
    pipelines: dict[str, ResultsPipeline] = {}
    count = 0
    try:
        for run in runs:
            pipe = pipelines.get(run.region)
            if pipe is None:
                pipe = ResultsPipeline(
                    results, settings=settings, region=run.region, writer_id=f"{writer}-{run.region}", policy=FAST
                )
                pipelines[run.region] = pipe
            pipe.publish(run)
            count += 1
        for pipe in pipelines.values():
            report = pipe.flush(120)
            assert report.complete, report
    finally:
        for pipe in pipelines.values():
            pipe.close(timeout=0)
    return count


@dataclass
class Dataset:
    runs: list[JourneyResult]
    start: datetime
    end: datetime


def varied_runs(seed: int, start: datetime, hours: int = 4, per_hour: int = 10) -> Dataset:
    """Runs of 2 regions x 2 journeys with incidents, timeouts and skewed durations."""
    rng = random.Random(seed)
    runs: list[JourneyResult] = []
    regions = {"eu-west-1": 0.0, "ap-southeast-1": 0.25}
    for region, failure_rate in regions.items():
        for journey, median in (("checkout", 6.0), ("login", 1.5)):
            for i in range(hours * per_hour):
                if rng.random() < 0.1:  # a missed run: uneven counts, so percentile ranks are not round numbers
                    continue
                when = start + timedelta(seconds=i * 3600 / per_hour + rng.uniform(0, 30))
                status = "passed"
                if rng.random() < failure_rate + 0.03:
                    status = "timeout" if rng.random() < 0.2 else "failed"
                duration = round(rng.lognormvariate(math.log(median), 0.4), 3)
                runs.append(
                    make_run(
                        region=region,
                        journey=journey,
                        started_at=when,
                        duration_s=duration,
                        status=status,
                        failed_index=rng.randint(1, 3),
                        run_id=f"{when:%Y%m%dT%H%M%S}000Z-{rng.getrandbits(32):08x}",
                    )
                )
    return Dataset(runs, start, start + timedelta(hours=hours))


# -- an independent implementation, from the raw result.json files ------------------------------


def raw_results(root: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(root.glob("region=*/journey=*/date=*/*/result.json"))]


def expected_cells(results: list[dict[str, Any]], start: datetime, end: datetime, slo: float) -> dict[Any, Any]:
    """Availability, nearest-rank percentiles and budget per (region, journey), from result.json."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in results:
        started = datetime.fromisoformat(r["started_at"])
        if start <= started < end:
            groups.setdefault((r["region"], r["journey"]), []).append(r)
    cells = {}
    for key, runs in groups.items():
        durations = sorted(r["duration_s"] for r in runs)
        n = len(durations)
        passed = sum(1 for r in runs if r["status"] == "passed")
        failing: dict[str, int] = {}
        for r in runs:
            if r["status"] != "passed":
                failing[r["failed_step"]] = failing.get(r["failed_step"], 0) + 1
        latest = max((r for r in runs if r["status"] != "passed"), key=lambda r: r["started_at"], default=None)
        cells[key] = {
            "runs": n,
            "passed": passed,
            "availability": 100.0 * passed / n,
            # nearest rank: the smallest value with at least p% of the values at or below it
            **{f"p{p}_s": durations[math.ceil(Fraction(p, 100) * n) - 1] for p in (50, 95, 99)},
            "error_budget_used": 100.0 * (n - passed) / (n * (1.0 - slo / 100.0)),
            "failing_steps": sorted(failing.items(), key=lambda kv: (-kv[1], kv[0])),
            "latest_run_id": latest["run_id"] if latest else None,
        }
    return cells
