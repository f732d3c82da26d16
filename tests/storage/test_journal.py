"""Summaries: one object per writer and partition, rewritten whole, readable
by merging every writer's lines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from storage_helpers import FAST, RecordingStore, ResultFactory, build_result, keys, make_settings

from agent.storage import ResultsPipeline, S3Store
from agent.storage.journal import SummaryJournal
from agent.summary import merge_summaries, parse_summary, summary_key

REGION = "eu-west-1"
DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)  # recent: not pruned


def summary_of(s3: Any, bucket: str, writer: str, prefix: str = "p") -> list[Any]:
    key = f"{prefix}/{summary_key(REGION, 'checkout', DAY.date().isoformat(), writer)}"
    return parse_summary(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode())


def pipeline_for(
    bucket: str, spool: Path, writer: str, created: list[ResultsPipeline], store: Any = None
) -> ResultsPipeline:
    p = ResultsPipeline(
        f"s3://{bucket}/p", settings=make_settings(spool), region=REGION, writer_id=writer, policy=FAST, store=store
    )
    created.append(p)
    return p


def at(minutes: int, status: str = "passed") -> Any:
    return build_result(status, started_at=DAY + timedelta(minutes=minutes), region=REGION, screenshots=1)


def test_each_writer_owns_one_object_per_partition_and_readers_merge_them(
    s3: Any, bucket: str, tmp_path: Path, pipelines: list[ResultsPipeline]
) -> None:
    store = RecordingStore(S3Store(bucket, "p"))
    a = pipeline_for(bucket, tmp_path / "a", "host-a", pipelines, store)
    b = pipeline_for(bucket, tmp_path / "b", "host-b", pipelines)
    runs_a = [at(0), at(5, "failed"), at(10)]
    runs_b = [at(2), at(7)]
    for r in runs_a:
        a.publish(r)
    for r in runs_b:
        b.publish(r)
    assert a.flush(timeout=30).complete and b.flush(timeout=30).complete

    partition = f"p/_summaries/region={REGION}/journey=checkout/date={DAY.date().isoformat()}/"
    assert keys(s3, bucket, partition) == [partition + "host-a.jsonl", partition + "host-b.jsonl"]
    summary_puts = [k for k in store.puts if k.endswith(".jsonl")]
    assert len(summary_puts) == 1, "three runs of one partition, one summary PUT"
    lines_a, lines_b = summary_of(s3, bucket, "host-a"), summary_of(s3, bucket, "host-b")
    assert [line.run_id for line in lines_a] == [r.run_id for r in runs_a]
    assert lines_a[1].status == "failed" and lines_a[1].failed_step == "step 1"
    merged = merge_summaries(lines_a, lines_b)
    assert [line.run_id for line in merged] == [r.run_id for r in sorted(runs_a + runs_b, key=lambda r: r.started_at)]


def test_a_restart_keeps_the_lines_written_earlier(
    s3: Any, bucket: str, tmp_path: Path, pipelines: list[ResultsPipeline]
) -> None:
    first, second = at(0), at(1)
    p1 = pipeline_for(bucket, tmp_path / "spool", "host-a", pipelines)
    p1.publish(first)
    assert p1.flush(timeout=30).complete
    p1.close(timeout=1)

    p2 = pipeline_for(bucket, tmp_path / "spool", "host-a", pipelines)  # same spool directory
    p2.publish(second)
    assert p2.flush(timeout=30).complete
    assert [line.run_id for line in summary_of(s3, bucket, "host-a")] == [first.run_id, second.run_id]


def test_an_empty_spool_directory_seeds_from_the_store_once(
    s3: Any, bucket: str, tmp_path: Path, pipelines: list[ResultsPipeline]
) -> None:
    first, second, third = at(0), at(1), at(2)
    p1 = pipeline_for(bucket, tmp_path / "old-container", "host-a", pipelines)
    p1.publish(first)
    assert p1.flush(timeout=30).complete

    store = RecordingStore(S3Store(bucket, "p"))
    gets: list[str] = []
    original_get = store.get

    def counting_get(key: str) -> bytes | None:
        gets.append(key)
        return original_get(key)

    store.get = counting_get  # type: ignore[method-assign]
    p2 = pipeline_for(bucket, tmp_path / "new-container", "host-a", pipelines, store)
    p2.publish(second)
    assert p2.flush(timeout=30).complete
    p2.publish(third)
    assert p2.flush(timeout=30).complete
    assert [line.run_id for line in summary_of(s3, bucket, "host-a")] == [first.run_id, second.run_id, third.run_id]
    assert len(gets) == 1


def test_a_run_uploaded_twice_has_one_summary_line(
    s3: Any, bucket: str, tmp_path: Path, pipelines: list[ResultsPipeline]
) -> None:
    p = pipeline_for(bucket, tmp_path / "spool", "host-a", pipelines)
    run = at(0)
    p.publish(run)
    p.publish(run)  # e.g. a crash between the result.json PUT and the local delete
    report = p.flush(timeout=30)
    assert report.complete and report.uploaded == 2
    assert [line.run_id for line in summary_of(s3, bucket, "host-a")] == [run.run_id]


def test_a_torn_journal_line_does_not_swallow_the_next_one(tmp_path: Path, make_result: ResultFactory) -> None:
    journal = SummaryJournal(tmp_path)
    first, second = at(0), at(1)
    jp = journal.add("w", first)
    with open(jp.path / "lines.jsonl", "ab") as handle:
        handle.write(b'{"run_id": "torn-by-a-cra')
    journal.add("w", second)
    assert [line.run_id for line in parse_summary(journal.content(jp).decode())] == [first.run_id, second.run_id]


def test_old_clean_partitions_are_pruned_dirty_ones_kept(tmp_path: Path) -> None:
    journal = SummaryJournal(tmp_path)
    old_clean = journal.add("w", build_result(started_at=datetime(2026, 3, 14, tzinfo=UTC)))
    journal.clean(old_clean)
    recent = journal.add("w", build_result(started_at=datetime(2026, 3, 20, tzinfo=UTC)))
    journal.clean(recent)
    old_dirty = journal.add("w", build_result(journey="login", started_at=datetime(2026, 3, 14, tzinfo=UTC)))
    assert journal.prune(keep_days=3, today=date(2026, 3, 21)) == 1
    assert not old_clean.path.exists() and recent.path.exists() and old_dirty.path.exists()


def test_local_summaries_are_one_file_per_writer(tmp_path: Path, pipelines: list[ResultsPipeline]) -> None:
    root = tmp_path / "results"
    for writer in ("host-a", "host-b"):
        p = ResultsPipeline(
            str(root), settings=make_settings(tmp_path / writer), region=REGION, writer_id=writer, policy=FAST
        )
        pipelines.append(p)
        p.publish(at(len(writer)))
        p.publish(at(len(writer) + 1))
        assert p.flush(timeout=30).complete
    partition = root / f"_summaries/region={REGION}/journey=checkout/date={DAY.date().isoformat()}"
    assert sorted(f.name for f in partition.iterdir()) == ["host-a.jsonl", "host-b.jsonl"]
    groups = [parse_summary(f.read_text()) for f in sorted(partition.iterdir())]
    assert [len(g) for g in groups] == [2, 2]
    assert len(merge_summaries(*groups)) == 4
