"""The summary lines a spool has published, so each writer can rewrite its own
`_summaries/.../<writer>.jsonl` object whole.

    <spool_dir>/_summaries/<writer>/region=<r>/journey=<j>/date=<d>/
        lines.jsonl   one line per uploaded run (appended, fsynced)
        .dirty        the store's object is behind lines.jsonl
        .seeded       lines already present in the store were merged in

A writer's object is only ever written from its journal, under the spool's
drain lock, so two processes sharing a spool directory never lose lines. On
the first write of a partition the store's existing object is read once and
merged, so an empty spool directory (a new container) loses nothing either.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from agent.model import JourneyResult
from agent.storage.local import atomic_write
from agent.storage.spool import check_name
from agent.summary import SUMMARY_DIR, SummaryLine, merge_summaries, parse_summary, summarise, summary_json

LINES = "lines.jsonl"
DIRTY = ".dirty"
SEEDED = ".seeded"


@dataclass(frozen=True)
class JournalPartition:
    writer: str
    partition: str
    """`region=<r>/journey=<j>/date=<d>`"""
    path: Path

    @property
    def key(self) -> str:
        return f"{SUMMARY_DIR}/{self.partition}/{self.writer}.jsonl"

    @property
    def date(self) -> str:
        return self.partition.rsplit("date=", 1)[-1]


class SummaryJournal:
    def __init__(self, root: Path) -> None:
        self.root = root

    def partition_of(self, writer: str, result: JourneyResult) -> JournalPartition:
        check_name(writer, "writer id")
        partition = f"region={result.region}/journey={result.journey}/date={result.date}"
        return JournalPartition(writer, partition, self.root / writer / partition)

    def add(self, writer: str, result: JourneyResult) -> JournalPartition:
        """Record an uploaded run and mark its partition dirty."""
        jp = self.partition_of(writer, result)
        jp.path.mkdir(parents=True, exist_ok=True)
        line = (summary_json(summarise(result)) + "\n").encode()
        path = jp.path / LINES
        with open(path, "ab+") as handle:
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    line = b"\n" + line  # a crash tore the last line; keep the new one whole
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        (jp.path / DIRTY).touch()
        return jp

    def dirty(self) -> list[JournalPartition]:
        found = []
        for marker in sorted(self.root.glob(f"*/region=*/journey=*/date=*/{DIRTY}")):
            d = marker.parent
            writer = d.relative_to(self.root).parts[0]
            found.append(JournalPartition(writer, d.relative_to(self.root / writer).as_posix(), d))
        return found

    def is_seeded(self, jp: JournalPartition) -> bool:
        return (jp.path / SEEDED).exists()

    def seed(self, jp: JournalPartition, existing: bytes | None) -> None:
        """Merge the lines the store already had into the journal, once."""
        if existing:
            mine = parse_summary(_read(jp.path / LINES))
            merged = merge_summaries(parse_summary(existing.decode("utf-8", "replace")), mine)
            atomic_write(jp.path / LINES, _render(merged))
        (jp.path / SEEDED).touch()

    def content(self, jp: JournalPartition) -> bytes:
        return _render(merge_summaries(parse_summary(_read(jp.path / LINES))))

    def clean(self, jp: JournalPartition) -> None:
        (jp.path / DIRTY).unlink(missing_ok=True)

    def prune(self, keep_days: int = 3, today: date | None = None) -> int:
        """Forget clean partitions older than `keep_days`; returns how many."""
        cutoff = ((today or datetime.now(UTC).date()) - timedelta(days=keep_days)).isoformat()
        removed = 0
        for lines in self.root.glob(f"*/region=*/journey=*/date=*/{LINES}"):
            d = lines.parent
            if d.name.removeprefix("date=") < cutoff and not (d / DIRTY).exists():
                shutil.rmtree(d, ignore_errors=True)
                removed += 1
        return removed


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace")
    except FileNotFoundError:
        return ""


def _render(lines: list[SummaryLine]) -> bytes:
    return "".join(summary_json(line) + "\n" for line in lines).encode()
