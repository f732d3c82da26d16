"""`synth spool status|flush`: output and exit codes, against moto's S3 server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from storage_helpers import FAST, Moto, build_result, keys, make_settings

from agent.cli import main
from agent.storage import ResultsPipeline


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "spool"
    monkeypatch.setenv("SYNTH_SPOOL_DIR", str(path))
    return path


def spool_runs(spool: Path, uri: str, count: int) -> list[str]:
    pipeline = ResultsPipeline(uri, settings=make_settings(spool), region="eu-west-1", policy=FAST)
    runs = [build_result("failed" if i == 0 else "passed") for i in range(count)]
    for r in runs:
        pipeline.publish(r)
    return [r.run_id for r in runs]


def test_status_shows_what_waits(spool: Path, moto: Moto, capsys: pytest.CaptureFixture[str]) -> None:
    spool_runs(spool, "s3://synth-bucket/p", 2)
    assert main(["spool", "status", "--results", "s3://synth-bucket/p"]) == 0
    out = capsys.readouterr().out
    assert "destination   s3://synth-bucket/p" in out
    assert f"spool         {spool}" in out
    assert "pending runs  2 (" in out
    assert "last error    -" in out


def test_status_defaults_to_the_settings_destination(
    spool: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNTH_RESULTS", str(tmp_path / "results"))
    assert main(["spool", "status"]) == 0
    out = capsys.readouterr().out
    assert f"destination   {tmp_path / 'results'}" in out
    assert "pending runs  0 (0 B)" in out
    assert "oldest        -" in out


def test_flush_uploads_everything_and_exits_0(
    spool: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = spool_runs(spool, f"s3://{bucket}/p", 3)
    assert main(["spool", "flush", "--results", f"s3://{bucket}/p", "--timeout", "60s"]) == 0
    assert "uploaded 3 run(s)" in capsys.readouterr().out
    uploaded = sorted(k.split("/")[-2] for k in keys(s3, bucket, "p/region=") if k.endswith("/result.json"))
    assert uploaded == sorted(ids)
    assert main(["spool", "status", "--results", f"s3://{bucket}/p"]) == 0
    assert "pending runs  0" in capsys.readouterr().out


def test_flush_exits_3_when_the_store_refuses_and_keeps_the_runs(
    spool: Path, moto: Moto, capsys: pytest.CaptureFixture[str]
) -> None:
    spool_runs(spool, "s3://synth-missing-bucket/p", 2)
    assert main(["spool", "flush", "--results", "s3://synth-missing-bucket/p"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("synth spool flush: error: the store refused writes: not_found:")
    assert "NoSuchBucket" in err and "2 run(s)" in err and "still pending" in err
    assert err.count("\n") == 1
    assert main(["spool", "status", "--results", "s3://synth-missing-bucket/p"]) == 0
    out = capsys.readouterr().out
    assert "pending runs  2" in out
    assert "last error    not_found:" in out  # saved by the flush, shown by a later process


def test_flush_exits_3_at_the_time_limit_when_the_store_is_down(
    spool: Path, moto: Moto, capsys: pytest.CaptureFixture[str]
) -> None:
    spool_runs(spool, "s3://synth-bucket/p", 1)
    moto.stop()
    assert main(["spool", "flush", "--results", "s3://synth-bucket/p", "--timeout", "1s"]) == 3
    err = capsys.readouterr().err
    assert "time limit of 1.0s reached; last error: transient:" in err
    assert "1 run(s)" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["spool", "flush", "--results", "gs://bucket/x"], "results destination 'gs://bucket/x'"),
        (["spool", "status", "--results", "s3://"], "expected s3://BUCKET/PREFIX"),
    ],
)
def test_bad_destinations_exit_2_with_one_line(
    spool: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_timeout_exits_2(spool: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["spool", "flush", "--timeout", "soon"])
    assert info.value.code == 2
    assert "argument --timeout: 'soon' is not a duration" in capsys.readouterr().err
