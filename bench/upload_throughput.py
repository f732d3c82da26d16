"""Upload throughput: spooled runs drained to a local S3 server (moto, its own process)."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3

from agent.ids import new_run_id
from agent.model import Artifact, JourneyResult, StepResult
from agent.settings import Settings
from agent.storage import ResultsPipeline
from bench.upload_overhead import s3_endpoint

SHOT = os.urandom(60_000)  # a typical viewport JPEG of the demo shop is 40-80 KB


def fake_run(i: int) -> JourneyResult:
    now = datetime.now(UTC)
    steps = []
    result = JourneyResult(
        run_id=new_run_id(now),
        journey=f"j{i % 4}",
        name="bench",
        region="bench",
        target="http://x",
        status="passed" if i % 10 else "failed",
        started_at=now,
        finished_at=now,
        duration_s=1.0,
        timeout_s=60,
        agent_version="bench",
    )
    for n in range(1, 5):
        art = Artifact(kind="screenshot", path=f"step-{n:02d}-s.jpg", content_type="image/jpeg", bytes=len(SHOT))
        steps.append(StepResult(index=n, name=f"s{n}", status="passed", duration_s=0.2, screenshot=art))
        result.blobs[art.path] = SHOT
    result.steps = steps
    result.artifacts = [s.screenshot for s in steps if s.screenshot]
    return result


def measure(runs: int = 200) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="synth-upload-") as tmp, s3_endpoint():
        boto3.client("s3").create_bucket(Bucket="synth-bench")
        settings = Settings.model_validate({"spool_dir": Path(tmp) / "spool", "s3_sse": "AES256"})
        pipeline = ResultsPipeline("s3://synth-bench/t", settings=settings, region="bench", writer_id="bench")
        t0 = time.perf_counter()
        for i in range(runs):
            pipeline.publish(fake_run(i))
        spool_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = pipeline.flush(timeout=600)
        drain_s = time.perf_counter() - t0
        pipeline.close(timeout=5)
        if not report.complete:
            raise RuntimeError(f"upload incomplete: {report.pending} pending, {report.last_error}")
    megabytes = runs * 4 * len(SHOT) / 1e6
    return {
        "runs": runs,
        "spool_runs_per_s": runs / spool_s,
        "upload_runs_per_s": runs / drain_s,
        "upload_mb_per_s": megabytes / drain_s,
        "objects_per_s": runs * 5 / drain_s,
    }


if __name__ == "__main__":
    print(measure())
