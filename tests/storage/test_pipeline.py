"""ResultsPipeline: spool, upload order, layout, headers and status, against moto's S3 server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from storage_helpers import FAST, RecordingStore, ResultFactory, keys, sample, wait_until

from agent.errors import TransientStoreError
from agent.metrics import Metrics
from agent.publish import Publisher
from agent.settings import Settings
from agent.storage import ResultsPipeline, S3Store, default_writer_id
from agent.summary import parse_summary

REGION = "eu-west-1"


def new_pipeline(uri: str, settings: Settings, created: list[ResultsPipeline], **kwargs: Any) -> ResultsPipeline:
    kwargs.setdefault("writer_id", "host-a")
    kwargs.setdefault("policy", FAST)
    pipeline = ResultsPipeline(uri, settings=settings, region=REGION, **kwargs)
    created.append(pipeline)
    return pipeline


def test_a_failing_run_lands_in_the_hive_layout_with_headers_and_tags(
    s3: Any, bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    registry = CollectorRegistry()
    pipeline = new_pipeline(f"s3://{bucket}/synth", settings, pipelines, metrics=Metrics(registry, REGION))
    result = make_result("failed", screenshots=2)
    Publisher([pipeline]).publish(result)  # the agent's way: through the Publisher

    report = pipeline.flush(timeout=30)

    assert report.complete and report.uploaded == 1 and report.failed == 0
    base = f"synth/region={REGION}/journey=checkout/date={result.date}/{result.run_id}"
    summary = f"synth/_summaries/region={REGION}/journey=checkout/date={result.date}/host-a.jsonl"
    assert keys(s3, bucket, "synth/") == sorted(
        [
            f"{base}/result.json",
            f"{base}/step-01-step-1.jpg",
            f"{base}/step-02-step-2-full.png",
            f"{base}/step-02-step-2.jpg",
            summary,
        ]
    )
    expected = {
        "result.json": ("application/json", "result"),
        "step-01-step-1.jpg": ("image/jpeg", "screenshot"),
        "step-02-step-2-full.png": ("image/png", "screenshot"),
    }
    for name, (content_type, kind) in expected.items():
        head = s3.head_object(Bucket=bucket, Key=f"{base}/{name}")
        assert head["ContentType"] == content_type
        assert head["ServerSideEncryption"] == "AES256"
        assert head["Metadata"] == {
            "run-id": result.run_id,
            "region": REGION,
            "journey": "checkout",
            "status": "failed",
        }
        tags = s3.get_object_tagging(Bucket=bucket, Key=f"{base}/{name}")["TagSet"]
        assert {t["Key"]: t["Value"] for t in tags} == {"synth-kind": kind, "synth-outcome": "failed"}
    body = s3.get_object(Bucket=bucket, Key=f"{base}/result.json")["Body"].read()
    assert json.loads(body)["run_id"] == result.run_id
    assert (
        s3.get_object(Bucket=bucket, Key=f"{base}/step-01-step-1.jpg")["Body"].read()
        == result.blobs["step-01-step-1.jpg"]
    )
    head = s3.head_object(Bucket=bucket, Key=summary)
    assert head["ContentType"] == "application/x-ndjson"
    tags = s3.get_object_tagging(Bucket=bucket, Key=summary)["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"synth-kind": "summary"}
    assert not pipeline.spool.entries()
    assert sample(registry, "synth_uploaded_runs_total", region=REGION) == 1
    assert sample(registry, "synth_spool_pending_runs", region=REGION) == 0


def test_passing_runs_are_tagged_passed(
    s3: Any, bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    pipeline = new_pipeline(f"s3://{bucket}", settings, pipelines)
    result = make_result("passed", screenshots=1)
    pipeline.publish(result)
    assert pipeline.flush(timeout=30).complete
    key = f"{result.partition()}/step-01-step-1.jpg"
    tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"synth-kind": "screenshot", "synth-outcome": "passed"}
    assert s3.head_object(Bucket=bucket, Key=key)["Metadata"]["status"] == "passed"


def test_timeout_runs_count_as_failed_for_retention(
    s3: Any, bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    pipeline = new_pipeline(f"s3://{bucket}", settings, pipelines)
    result = make_result("timeout", screenshots=1)
    pipeline.publish(result)
    assert pipeline.flush(timeout=30).complete
    key = f"{result.partition()}/result.json"
    tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"synth-kind": "result", "synth-outcome": "failed"}
    assert s3.head_object(Bucket=bucket, Key=key)["Metadata"]["status"] == "timeout"


def test_result_json_is_put_after_every_artifact(
    bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    store = RecordingStore(S3Store(bucket, "p"))
    pipeline = new_pipeline(f"s3://{bucket}/p", settings, pipelines, store=store)
    runs = [make_result("failed", screenshots=3), make_result("passed", screenshots=2)]
    for r in runs:
        pipeline.publish(r)
    assert pipeline.flush(timeout=30).complete
    for r in runs:
        mine = [k for k in store.puts if r.run_id in k]
        assert mine[-1].endswith(f"{r.run_id}/result.json")
        assert len(mine) == len(r.blobs) + 1


def test_a_transient_failure_on_the_second_artifact_leaves_no_result_json(
    s3: Any, bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    broken = {"on": True}

    def fail(key: str, attempt: int) -> Exception | None:
        if broken["on"] and key.endswith("step-02-step-2.jpg"):
            return TransientStoreError("PutObject: HTTP 503 SlowDown")
        return None

    store = RecordingStore(S3Store(bucket, "p"), fail)
    registry = CollectorRegistry()
    pipeline = new_pipeline(f"s3://{bucket}/p", settings, pipelines, store=store, metrics=Metrics(registry, REGION))
    result = make_result("passed", screenshots=3)
    pipeline.publish(result)

    report = pipeline.flush(timeout=0.5)

    assert report.pending == 1 and report.uploaded == 0 and report.failed >= 1
    assert not report.refused
    assert report.last_error is not None and "transient" in report.last_error
    uploaded = keys(s3, bucket, "p/")
    assert f"p/{result.partition()}/step-01-step-1.jpg" in uploaded
    assert not any(k.endswith("result.json") for k in uploaded)
    assert pipeline.ready() == (True, "")  # transient errors do not make the agent unready
    assert sample(registry, "synth_upload_failures_total", region=REGION, reason="transient") >= 1

    broken["on"] = False
    assert pipeline.flush(timeout=30).complete
    assert f"p/{result.partition()}/result.json" in keys(s3, bucket, "p/")
    assert sample(registry, "synth_uploaded_runs_total", region=REGION) == 1


def test_publish_spools_without_the_network_and_status_reports_it(
    moto: Any, bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    pipeline = new_pipeline(f"s3://{bucket}/p", settings, pipelines)
    moto.stop()
    results = [make_result("passed"), make_result("failed")]
    for r in results:
        pipeline.publish(r)

    status = pipeline.status()
    assert status.pending_runs == 2
    assert status.pending_bytes > sum(len(b) for r in results for b in r.blobs.values())
    assert status.oldest_age_s >= 0
    assert status.destination == f"s3://{bucket}/p"
    assert status.spool_dir == str(settings.spool_dir)
    assert status.ready and status.last_error is None
    entries = pipeline.spool.entries()
    assert [e.run_id for e in entries] == [r.run_id for r in results]
    assert [e.outcome for e in entries] == ["passed", "failed"]


def test_close_keeps_what_it_could_not_upload(
    moto: Any, bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    pipeline = new_pipeline(f"s3://{bucket}/p", settings, pipelines)
    pipeline.start()
    moto.stop()
    result = make_result("failed")
    pipeline.publish(result)
    pipeline.close(timeout=0.5)
    (entry,) = pipeline.spool.entries()
    assert entry.run_id == result.run_id
    assert sorted(p.name for p in entry.files()) == sorted([*result.blobs, "result.json"])
    assert "transient" in (pipeline.status().last_error or "")


def test_the_background_uploader_drains_what_is_published(
    s3: Any, bucket: str, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    registry = CollectorRegistry()
    pipeline = new_pipeline(f"s3://{bucket}/p", settings, pipelines, metrics=Metrics(registry, REGION))
    pipeline.start()
    results = [make_result("passed") for _ in range(3)]
    for r in results:
        pipeline.publish(r)
    wait_until(lambda: sample(registry, "synth_uploaded_runs_total", region=REGION) == 3, what="3 uploads")
    wait_until(lambda: not pipeline.journal.dirty(), what="summaries written")
    got = {k.split("/")[-2] for k in keys(s3, bucket, "p/region=") if k.endswith("/result.json")}
    assert got == {r.run_id for r in results}
    wait_until(lambda: sample(registry, "synth_spool_pending_runs", region=REGION) == 0, what="gauge update")


def test_a_local_destination_has_the_same_layout(
    tmp_path: Path, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    root = tmp_path / "results"
    pipeline = new_pipeline(str(root), settings, pipelines)
    result = make_result("failed", screenshots=2)
    pipeline.publish(result)
    assert pipeline.flush(timeout=30).complete
    run_dir = root / result.partition()
    assert sorted(p.name for p in run_dir.iterdir()) == sorted([*result.blobs, "result.json"])
    assert (run_dir / "step-01-step-1.jpg").read_bytes() == result.blobs["step-01-step-1.jpg"]
    summary = root / f"_summaries/region={REGION}/journey=checkout/date={result.date}/host-a.jsonl"
    (line,) = parse_summary(summary.read_text())
    assert line.run_id == result.run_id and line.status == "failed"
    assert line.screenshot == f"{result.partition()}/step-02-step-2.jpg"


def test_check_writable_probes_inside_the_region_prefix(
    s3: Any, bucket: str, settings: Settings, pipelines: list[ResultsPipeline]
) -> None:
    pipeline = new_pipeline(f"s3://{bucket}/synth", settings, pipelines)
    pipeline.check_writable()
    assert keys(s3, bucket) == [f"synth/region={REGION}/_probes/host-a.json"]
    assert pipeline.ready() == (True, "")


def test_default_writer_id_is_stable_and_file_name_safe() -> None:
    first = default_writer_id("eu west/1")
    assert first == default_writer_id("eu west/1")
    assert first.endswith("-eu-west-1")
    assert all(c.isalnum() or c in "._-" for c in first)


def test_unsafe_run_ids_are_refused(
    tmp_path: Path, settings: Settings, make_result: ResultFactory, pipelines: list[ResultsPipeline]
) -> None:
    pipeline = new_pipeline(str(tmp_path / "r"), settings, pipelines)
    with pytest.raises(ValueError, match=r"run id '\.\./x' cannot be a file name"):
        pipeline.publish(make_result(run_id="../x"))
    assert not pipeline.spool.entries()
