"""The spool on disk: atomic entries, the size-bound policy, a full disk."""

from __future__ import annotations

import errno
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from storage_helpers import FAST, ResultFactory, build_result, make_settings, sample

from agent.errors import FatalStoreError
from agent.metrics import Metrics
from agent.publish import Publisher
from agent.storage import ResultsPipeline
from agent.storage.spool import Spool

KB = 1024


def spooled(spool: Spool) -> dict[str, list[str]]:
    """run id -> file names still in the spool."""
    return {e.run_id: sorted(p.name for p in e.files()) for e in spool.entries()}


def test_an_entry_is_complete_and_nothing_is_left_in_tmp(tmp_path: Path, make_result: ResultFactory) -> None:
    spool = Spool(tmp_path, 10 * 1024 * KB)
    result = make_result("failed", screenshots=2)
    report = spool.put(result)
    assert report.dropped_screenshots == 0 and not report.dropped_results
    (entry,) = spool.entries()
    assert entry.run_id == result.run_id and entry.outcome == "failed"
    assert [p.name for p in entry.files()][-1] == "result.json"
    for name, data in result.blobs.items():
        assert (entry.path / name).read_bytes() == data
    assert list(spool.tmp_dir.iterdir()) == []


def test_entries_are_oldest_first(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 10 * 1024 * KB)
    ids = [spool.put(r) and r.run_id for r in (build_result() for _ in range(5))]
    assert [e.run_id for e in spool.entries()] == ids


def test_stale_half_written_entries_are_cleaned(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 10 * 1024 * KB)
    spool.ensure()
    stale = spool.tmp_dir / "00000000000000000001_passed_x.abc"
    stale.mkdir()
    (stale / "step-01-a.jpg").write_bytes(b"half")
    os.utime(stale, (1, 1))
    fresh = spool.tmp_dir / "00000000000000000002_passed_y.abc"
    fresh.mkdir()
    assert spool.clean_tmp(older_than_s=600) == 1
    assert not stale.exists() and fresh.exists()
    assert spool.entries() == []


def test_over_the_bound_passing_screenshots_go_first_oldest_first(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 10 * 1024 * KB)
    old_pass = build_result("passed", blob_bytes=4 * KB)
    failing = build_result("failed", screenshots=1, blob_bytes=4 * KB)
    new_pass = build_result("passed", blob_bytes=4 * KB)
    for r in (old_pass, failing, new_pass):
        spool.put(r)
    incoming = build_result("passed", blob_bytes=4 * KB)
    incoming_size = len(incoming.model_dump_json(indent=2)) + sum(map(len, incoming.blobs.values()))
    spool.max_bytes = spool.usage()[1] + incoming_size - 1 * KB  # one screenshot too many

    report = spool.put(incoming)

    files = spooled(spool)
    assert report.dropped_screenshots == 1 and report.dropped_results == []
    assert files[old_pass.run_id] == ["result.json", "step-02-step-2.jpg"]  # the oldest passing run paid
    assert files[failing.run_id] == sorted([*failing.blobs, "result.json"])
    assert files[new_pass.run_id] == sorted([*new_pass.blobs, "result.json"])
    assert files[incoming.run_id] == sorted([*incoming.blobs, "result.json"])
    assert spool.usage()[1] <= spool.max_bytes


def test_the_new_runs_own_passing_screenshots_go_after_older_ones(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 10 * 1024 * KB)
    old_pass = build_result("passed", screenshots=1, blob_bytes=4 * KB)
    spool.put(old_pass)
    incoming = build_result("passed", screenshots=2, blob_bytes=4 * KB)
    incoming_size = len(incoming.model_dump_json(indent=2)) + sum(map(len, incoming.blobs.values()))
    spool.max_bytes = spool.usage()[1] + incoming_size - 6 * KB  # two screenshots too many

    report = spool.put(incoming)

    assert report.dropped_screenshots == 2
    assert spooled(spool) == {old_pass.run_id: ["result.json"], incoming.run_id: ["result.json", "step-02-step-2.jpg"]}


def test_failing_screenshots_go_only_after_every_passing_one(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 40 * KB)
    failing = build_result("failed", screenshots=2, blob_bytes=6 * KB)
    passing = build_result("passed", screenshots=2, blob_bytes=6 * KB)
    spool.put(failing)
    spool.put(passing)
    report = spool.put(build_result("failed", screenshots=2, blob_bytes=6 * KB))
    files = spooled(spool)
    assert files[passing.run_id] == ["result.json"]
    assert report.dropped_screenshots >= 3
    assert len(files[failing.run_id]) < len(failing.blobs) + 1
    assert "result.json" in files[failing.run_id]
    assert spool.usage()[1] <= 40 * KB


def test_a_result_is_dropped_only_as_a_last_resort_and_loudly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    registry = CollectorRegistry()
    settings = make_settings(tmp_path / "spool", spool_max_mb=1)
    pipeline = ResultsPipeline(
        str(tmp_path / "out"), settings=settings, region="eu", metrics=Metrics(registry, "eu"), policy=FAST
    )
    # results without screenshots, ~3 KB each: only whole runs can make room
    runs = [build_result("failed", screenshots=0, region="eu") for _ in range(3)]
    for r in runs:
        pipeline.publish(r)
    pipeline.spool.max_bytes = pipeline.spool.usage()[1] + 100  # room for the three, not a fourth
    newest = build_result("passed", screenshots=0, region="eu")
    with caplog.at_level(logging.ERROR, logger="agent.storage"):
        pipeline.publish(newest)

    assert [e.run_id for e in pipeline.spool.entries()] == [runs[1].run_id, runs[2].run_id, newest.run_id]
    assert sample(registry, "synth_spool_dropped_total", region="eu", kind="result") == 1
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "SPOOL FULL" in record.getMessage() and runs[0].run_id in record.getMessage()


def test_screenshots_dropped_for_the_bound_are_counted(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    settings = make_settings(tmp_path / "spool", spool_max_mb=1)
    pipeline = ResultsPipeline(
        str(tmp_path / "out"), settings=settings, region="eu", metrics=Metrics(registry, "eu"), policy=FAST
    )
    for _ in range(3):
        pipeline.publish(build_result("passed", screenshots=2, blob_bytes=200 * KB, region="eu"))
    dropped = sample(registry, "synth_spool_dropped_total", region="eu", kind="screenshot")
    assert dropped >= 1
    assert sample(registry, "synth_spool_dropped_total", region="eu", kind="result") == 0
    assert pipeline.spool.usage()[1] <= 1024 * KB
    assert len(pipeline.spool.entries()) == 3


# -- a full disk: a real 1 MB tmpfs ----------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a 1 MB tmpfs needs root (tests of ENOSPC use a real full filesystem)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs not permitted here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill `disk` until only about `leave` bytes are free."""
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                st = os.statvfs(disk)
                free = st.f_bavail * st.f_frsize
                if free <= leave:
                    break
                handle.write(b"\0" * min(64 * KB, free - leave))
                handle.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


def test_a_full_disk_never_corrupts_spooled_runs_and_is_reported(
    tiny_disk: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = CollectorRegistry()
    settings = make_settings(tiny_disk / "spool", spool_max_mb=64)
    out = tmp_path / "results"
    pipeline = ResultsPipeline(str(out), settings=settings, region="eu", metrics=Metrics(registry, "eu"), policy=FAST)
    first = build_result("failed", screenshots=2, blob_bytes=8 * KB, region="eu")
    pipeline.publish(first)
    before = {p.name: p.read_bytes() for p in pipeline.spool.entries()[0].files()}

    filler = fill(tiny_disk)
    lost = build_result("failed", screenshots=2, blob_bytes=100 * KB, region="eu")
    failures: list[str] = []
    with caplog.at_level(logging.ERROR, logger="agent.storage"):
        Publisher([pipeline], on_failure=lambda name, exc: failures.append(name)).publish(lost)

    assert failures == ["results"]  # the Publisher logged and counted it; nothing crashed
    with pytest.raises(FatalStoreError) as info:
        pipeline.publish(lost)
    assert info.value.reason == "disk_full"
    ready, reason = pipeline.ready()
    assert not ready and reason.startswith("disk_full:")
    assert sample(registry, "synth_upload_failures_total", region="eu", reason="disk_full") == 2
    assert sample(registry, "synth_spool_dropped_total", region="eu", kind="result") == 2
    assert any(lost.run_id in r.getMessage() for r in caplog.records)
    (entry,) = pipeline.spool.entries()
    assert {p.name: p.read_bytes() for p in entry.files()} == before
    assert list(pipeline.spool.tmp_dir.iterdir()) == []

    # a little room: the run is kept without its screenshots, still reported
    filler.unlink()
    fill(tiny_disk, leave=48 * KB)
    degraded = build_result("failed", screenshots=2, blob_bytes=100 * KB, region="eu")
    pipeline.publish(degraded)
    assert spooled(pipeline.spool)[degraded.run_id] == ["result.json"]
    assert pipeline.ready()[1].startswith("disk_full:")
    assert sample(registry, "synth_spool_dropped_total", region="eu", kind="screenshot") == len(degraded.blobs)

    # space again: ready again, and everything spooled is delivered intact
    (tiny_disk / "filler").unlink()
    fine = build_result("passed", screenshots=1, region="eu")
    pipeline.publish(fine)
    assert pipeline.ready() == (True, "")
    assert pipeline.flush(timeout=30).complete
    for r in (first, degraded, fine):
        assert (out / r.partition() / "result.json").is_file()
    assert (out / first.partition() / "step-02-step-2-full.png").read_bytes() == first.blobs["step-02-step-2-full.png"]
