"""The report's numbers equal an independent computation from the raw result.json files.

Runs go through the real pipeline (spool → store), which writes each run's
result.json and the compact summaries the report reads; two writers overlap
on some runs, so the report must de-duplicate by run_id. Percentiles: nearest
rank in both implementations (report_helpers.expected_cells).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from report_helpers import Dataset, expected_cells, raw_results, store_runs

from agent.cli import main


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["report", "--format", "json", *args]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def window_args(dataset: Dataset) -> list[str]:
    return ["--from", dataset.start.isoformat(), "--to", (dataset.end + timedelta(hours=1)).isoformat()]


def assert_matches(report: dict[str, Any], expected: dict[Any, Any]) -> None:
    got = {(c["region"], c["journey"]): c for c in report["cells"]}
    assert set(got) == set(expected)
    for key, want in expected.items():
        cell = got[key]
        for field in ("runs", "passed", "availability", "p50_s", "p95_s", "p99_s", "error_budget_used"):
            assert cell[field] == want[field], (key, field)
        assert [(s["step"], s["count"]) for s in cell["failing_steps"]] == want["failing_steps"], key
        latest = cell["latest_failure"]
        assert (latest["run_id"] if latest else None) == want["latest_run_id"], key


def test_local_report_equals_raw_results(
    local_results: Path, dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = raw_results(local_results)
    assert len(raw) == len(dataset.runs)  # the replayed runs are the same directories
    report = report_json(capsys, "--results", str(local_results), "--slo", "99", *window_args(dataset))
    expected = expected_cells(raw, dataset.start, dataset.end + timedelta(hours=1), slo=99.0)
    assert_matches(report, expected)
    assert report["runs"] == len(dataset.runs)
    assert report["percentile_method"] == "nearest-rank"
    assert report["skipped_lines"] == 0
    # the data has what the comparison is meant to exercise
    assert any(c["by_status"].get("timeout") for c in report["cells"])
    assert min(c["availability"] for c in report["cells"]) < 90 < max(c["availability"] for c in report["cells"])


def test_window_cuts_runs_at_its_edges(
    local_results: Path, dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = dataset.start + timedelta(hours=1, minutes=17), dataset.start + timedelta(hours=4, minutes=2)
    report = report_json(capsys, "--results", str(local_results), "--from", start.isoformat(), "--to", end.isoformat())
    assert_matches(report, expected_cells(raw_results(local_results), start, end, slo=99.5))


def test_region_and_journey_filters(local_results: Path, dataset: Dataset, capsys: pytest.CaptureFixture[str]) -> None:
    report = report_json(
        capsys,
        "--results",
        str(local_results),
        "--region",
        "ap-southeast-1",
        "--journey",
        "login",
        *window_args(dataset),
    )
    assert [(c["region"], c["journey"]) for c in report["cells"]] == [("ap-southeast-1", "login")]


def test_s3_report_equals_local_report(
    local_results: Path,
    dataset: Dataset,
    s3_env: str,
    bucket: str,
    s3_client: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uri = f"s3://{bucket}/synth/results"
    store_runs(uri, tmp_path / "spool-a", dataset.runs, writer="agent-a")
    store_runs(uri, tmp_path / "spool-b", dataset.runs[::7], writer="agent-b")
    # an unreadable summary on a date outside the window: pruned by its Hive key, never read
    s3_client.put_object(
        Bucket=bucket,
        Key="synth/results/_summaries/region=eu-west-1/journey=login/date=2025-10-01/x.jsonl",
        Body=b"{not json\n",
    )
    from_s3 = report_json(capsys, "--results", uri, *window_args(dataset))
    local = report_json(capsys, "--results", str(local_results), *window_args(dataset))
    assert_matches(
        from_s3, expected_cells(raw_results(local_results), dataset.start, dataset.end + timedelta(hours=1), slo=99.5)
    )
    assert from_s3["skipped_lines"] == 0
    assert [c["runs"] for c in from_s3["cells"]] == [c["runs"] for c in local["cells"]]
    shot = next(c["latest_failure"]["screenshot"] for c in from_s3["cells"] if c["latest_failure"])
    assert shot.startswith(f"s3://{bucket}/synth/results/region=")
    key = shot.removeprefix(f"s3://{bucket}/")
    assert s3_client.get_object(Bucket=bucket, Key=key)["Body"].read().startswith(b"\x89PNG")
    presigned = report_json(capsys, "--results", uri, "--presign", *window_args(dataset))
    url = next(c["latest_failure"]["screenshot"] for c in presigned["cells"] if c["latest_failure"])
    assert unquote(url).startswith(f"{s3_env}/{bucket}/synth/results/region=") and "Signature=" in url
    assert httpx.get(url).content.startswith(b"\x89PNG")


def test_s3_missing_bucket_is_exit_2(s3_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--results", "s3://no-such-bucket-here/results"]) == 2
    assert "--results s3://no-such-bucket-here/results: bucket 'no-such-bucket-here' does not exist" in (
        capsys.readouterr().err
    )
