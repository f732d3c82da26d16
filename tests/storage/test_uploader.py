"""The background uploader through outages, refusals and a killed process,
against a real moto S3 server over HTTP."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from storage_helpers import (
    FAST,
    Moto,
    RecordingStore,
    ResultFactory,
    free_port,
    keys,
    make_settings,
    sample,
    wait_until,
)

from agent.errors import FatalStoreError
from agent.metrics import Metrics
from agent.settings import Settings
from agent.storage import ResultsPipeline, S3Store

REGION = "eu-west-1"
REPO = Path(__file__).resolve().parents[2]


def result_ids(s3: Any, bucket: str, prefix: str = "p/") -> list[str]:
    return sorted(k.split("/")[-2] for k in keys(s3, bucket, prefix) if k.endswith("/result.json"))


def deny_put(s3: Any, bucket: str) -> None:
    statement = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def test_an_outage_spools_runs_and_each_is_uploaded_exactly_once(
    moto: Moto,
    s3: Any,
    bucket: str,
    settings: Settings,
    make_result: ResultFactory,
    pipelines: list[ResultsPipeline],
) -> None:
    registry = CollectorRegistry()
    store = RecordingStore(S3Store(bucket, "p"))
    pipeline = ResultsPipeline(
        f"s3://{bucket}/p",
        settings=settings,
        region=REGION,
        metrics=Metrics(registry, REGION),
        store=store,
        policy=FAST,
    )
    pipelines.append(pipeline)
    pipeline.start()
    moto.stop()
    runs = [make_result("failed" if i % 3 == 0 else "passed") for i in range(7)]
    for r in runs:
        pipeline.publish(r)
    wait_until(
        lambda: sample(registry, "synth_upload_failures_total", region=REGION, reason="transient") >= 2,
        what="transient failures while the store is down",
    )
    assert pipeline.status().pending_runs == 7
    assert pipeline.ready() == (True, "")  # an outage is not a refusal

    moto.start()  # same port; moto keeps its state in this process, the bucket is still there
    if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=bucket)
    wait_until(lambda: pipeline.status().pending_runs == 0, what="the spool to drain")

    assert result_ids(s3, bucket) == sorted(r.run_id for r in runs)
    uploads = Counter(k.split("/")[-2] for k in store.puts if k.endswith("/result.json"))
    assert set(uploads.values()) == {1}, uploads
    assert sample(registry, "synth_uploaded_runs_total", region=REGION) == 7
    for r in runs:
        for name in r.blobs:
            assert f"p/{r.partition()}/{name}" in keys(s3, bucket, f"p/{r.partition()}/")
    wait_until(lambda: sample(registry, "synth_spool_pending_runs", region=REGION) == 0, what="gauge update")


def test_access_denied_is_one_clear_error_keeps_runs_and_recovers(
    s3: Any,
    bucket: str,
    settings: Settings,
    make_result: ResultFactory,
    pipelines: list[ResultsPipeline],
    caplog: pytest.LogCaptureFixture,
) -> None:
    deny_put(s3, bucket)
    registry = CollectorRegistry()
    pipeline = ResultsPipeline(
        f"s3://{bucket}/p", settings=settings, region=REGION, metrics=Metrics(registry, REGION), policy=FAST
    )
    pipelines.append(pipeline)
    with caplog.at_level(logging.INFO, logger="agent.storage"):
        with pytest.raises(FatalStoreError) as info:
            pipeline.check_writable()
        assert info.value.reason == "auth"
        pipeline.start()
        runs = [make_result("passed"), make_result("failed")]
        for r in runs:
            pipeline.publish(r)
        wait_until(
            lambda: sample(registry, "synth_upload_failures_total", region=REGION, reason="auth") >= 4,
            what="several slow rechecks",
        )
        ready, reason = pipeline.ready()
        assert not ready
        assert reason.startswith("auth:") and "403" in reason and f"s3://{bucket}/p/" in reason
        assert [e.run_id for e in pipeline.spool.entries()] == [r.run_id for r in runs]
        assert sample(registry, "synth_upload_failures_total", region=REGION, reason="transient") == 0
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1, [r.getMessage() for r in errors]
        assert "refused writes (auth)" in errors[0].getMessage()

        s3.delete_bucket_policy(Bucket=bucket)  # an operator fixes the policy
        wait_until(lambda: pipeline.status().pending_runs == 0, what="recovery after the fix")
    assert pipeline.ready() == (True, "")
    assert result_ids(s3, bucket) == sorted(r.run_id for r in runs)
    assert any("accepts writes again" in r.getMessage() for r in caplog.records)
    assert pipeline.status().last_error is None or "auth" in (pipeline.status().last_error or "")


def test_a_missing_bucket_makes_the_pipeline_unready(
    moto: Moto, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    pipeline = ResultsPipeline("s3://synth-no-such-bucket/p", settings=settings, region=REGION, policy=FAST)
    pipelines.append(pipeline)
    with pytest.raises(FatalStoreError, match="NoSuchBucket") as info:
        pipeline.check_writable()
    assert info.value.reason == "not_found"
    ready, reason = pipeline.ready()
    assert not ready and reason.startswith("not_found:")
    pipeline.publish(make_result())
    report = pipeline.flush(timeout=30)
    assert report.refused and report.pending == 1 and report.uploaded == 0
    assert report.last_error is not None and report.last_error.startswith("not_found:")


CHILD = """
import json, sys, time
from pathlib import Path
from storage_helpers import UploadPolicy, build_result, make_settings
from agent.storage import ResultsPipeline

spool, uri, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
pipeline = ResultsPipeline(uri, settings=make_settings(spool), region="eu-west-1",
                           policy=UploadPolicy(retry_base_s=30, retry_max_s=60))
pipeline.start()
ids = []
for i in range(count):
    result = build_result("failed" if i == 0 else "passed")
    pipeline.publish(result)
    ids.append(result.run_id)
print(json.dumps(ids), flush=True)
time.sleep(600)
"""


def test_runs_spooled_by_a_killed_process_are_uploaded_by_the_next_one(
    moto: Moto, s3: Any, bucket: str, tmp_path: Path, pipelines: list[ResultsPipeline]
) -> None:
    spool = tmp_path / "spool"
    env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}  # nothing listens: uploads fail
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), str(REPO)])
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(spool), f"s3://{bucket}/p", "4"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else "child died"
        ids = json.loads(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    assert result_ids(s3, bucket) == []

    pipeline = ResultsPipeline(f"s3://{bucket}/p", settings=make_settings(spool), region=REGION, policy=FAST)
    pipelines.append(pipeline)
    assert [e.run_id for e in pipeline.spool.entries()] == ids
    pipeline.start()
    wait_until(lambda: pipeline.status().pending_runs == 0, what="the spool left by the killed process to drain")
    assert result_ids(s3, bucket) == sorted(ids)
