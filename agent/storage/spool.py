"""The durable spool (outbox) of finished runs, on local disk.

    <spool_dir>/tmp/<ns>_<outcome>_<run_id>.<rand>/   being written
    <spool_dir>/ready/<ns>_<outcome>_<run_id>/         complete: blobs + result.json

A run is written into `tmp/` (blobs, then `result.json`, each fsynced) and
renamed into `ready/` in one step, so `ready/` only ever holds complete runs
and a crash or a full disk never corrupts an entry that was already there.
`<ns>` is the spool time in nanoseconds, so names sort oldest first.

Size bound (`spool_max_mb`): when a new run would not fit, files are dropped
in this order until it does, oldest first within each class:
  1. screenshots of passing runs,
  2. screenshots of failing runs,
  3. whole runs, `result.json` included — each one logged at ERROR and
     counted as `synth_spool_dropped_total{kind="result"}`.
The run being uploaded at that moment is never dropped.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from agent.model import JourneyResult
from agent.storage.base import RESULT_FILE
from agent.storage.local import result_json

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


@dataclass(frozen=True)
class SpoolEntry:
    """A complete run waiting in `ready/`."""

    path: Path
    spooled_ns: int
    outcome: str
    run_id: str

    @classmethod
    def parse(cls, path: Path) -> SpoolEntry | None:
        parts = path.name.split("_", 2)
        if len(parts) != 3 or not parts[0].isdigit():
            return None
        return cls(path, int(parts[0]), parts[1], parts[2])

    def files(self) -> list[Path]:
        """Blob files first (by name), `result.json` last."""
        try:
            names = sorted(p.name for p in self.path.iterdir() if not p.name.startswith("."))
        except FileNotFoundError:
            return []
        return [self.path / n for n in names if n != RESULT_FILE] + (
            [self.path / RESULT_FILE] if RESULT_FILE in names else []
        )

    def age_s(self, now_ns: int | None = None) -> float:
        return max(0.0, ((now_ns or time.time_ns()) - self.spooled_ns) / 1e9)


@dataclass
class PutReport:
    """What `Spool.put` had to give up to keep the bound or survive a full disk."""

    dropped_screenshots: int = 0
    dropped_results: list[str] = field(default_factory=list)
    disk_full: bool = False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_name(name: str, what: str) -> None:
    if not _SAFE_NAME.match(name) or name in (".", ".."):
        raise ValueError(f"{what} {name!r} cannot be a file name (letters, digits, . _ - only)")


class Spool:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.ready_dir = root / "ready"
        self.tmp_dir = root / "tmp"

    def ensure(self) -> None:
        for d in (self.ready_dir, self.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)

    # -- reading -----------------------------------------------------------
    def entries(self) -> list[SpoolEntry]:
        """Complete runs, oldest first."""
        try:
            paths = sorted(self.ready_dir.iterdir(), key=lambda p: p.name)
        except FileNotFoundError:
            return []
        return [e for e in (SpoolEntry.parse(p) for p in paths if p.is_dir()) if e is not None]

    def usage(self) -> tuple[int, int, int | None]:
        """(pending runs, bytes, spool time of the oldest in ns)."""
        entries = self.entries()
        total = sum(_size(f) for e in entries for f in e.files())
        return len(entries), total, entries[0].spooled_ns if entries else None

    # -- writing -----------------------------------------------------------
    def put(self, result: JourneyResult, protect: str | None = None) -> PutReport:
        """Spool a run atomically, keeping the size bound; raise OSError if even
        `result.json` alone cannot be written (disk full)."""
        check_name(result.run_id, "run id")
        for name in result.blobs:
            check_name(name, "artifact file")
            if name == RESULT_FILE:
                raise ValueError(f"artifact file may not be called {RESULT_FILE}")
        self.ensure()
        body = result_json(result)
        blobs = dict(result.blobs)
        report = PutReport()
        self._make_room(result, len(body), blobs, report, protect)
        try:
            self._write(result, body, blobs)
        except OSError as exc:
            if exc.errno not in DISK_FULL_ERRNOS:
                raise
            report.disk_full = True
            if not blobs:
                raise
            log.error(
                "spool disk full in %s: keeping run %s without its %d screenshot(s)",
                self.root,
                result.run_id,
                len(blobs),
                extra={"run_id": result.run_id, "journey": result.journey},
            )
            report.dropped_screenshots += len(blobs)
            self._write(result, body, {})
        return report

    def _write(self, result: JourneyResult, body: bytes, blobs: dict[str, bytes]) -> None:
        name = f"{time.time_ns():020d}_{result.outcome}_{result.run_id}"
        tmp = self.tmp_dir / f"{name}.{secrets.token_hex(3)}"
        try:
            tmp.mkdir()
            for file, data in [*blobs.items(), (RESULT_FILE, body)]:
                with open(tmp / file, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            _fsync_dir(tmp)
            os.rename(tmp, self.ready_dir / name)
            _fsync_dir(self.ready_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def remove(self, entry: SpoolEntry) -> None:
        shutil.rmtree(entry.path, ignore_errors=True)

    def quarantine(self, entry: SpoolEntry) -> Path:
        """Move an unreadable entry aside to `failed/` for a human to look at."""
        target = self.root / "failed" / entry.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(entry.path, target)
        return target

    def clean_tmp(self, older_than_s: float = 600.0) -> int:
        """Remove half-written entries left by a crash; returns how many."""
        removed = 0
        cutoff = time.time() - older_than_s
        try:
            stale = [p for p in self.tmp_dir.iterdir() if p.stat().st_mtime < cutoff]
        except FileNotFoundError:
            return 0
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
        return removed

    # -- size bound --------------------------------------------------------
    def _make_room(
        self, result: JourneyResult, body_size: int, blobs: dict[str, bytes], report: PutReport, protect: str | None
    ) -> None:
        entries = self.entries()
        sizes = {f: _size(f) for e in entries for f in e.files()}
        excess = sum(sizes.values()) + body_size + sum(map(len, blobs.values())) - self.max_bytes
        if excess <= 0:
            return
        freed_files: list[Path] = []

        def drop_screenshots(outcome: str) -> None:
            nonlocal excess
            for entry in entries:
                if entry.outcome != outcome or entry.path.name == protect:
                    continue
                for f in entry.files():
                    if excess <= 0:
                        return
                    if f.name != RESULT_FILE:
                        f.unlink(missing_ok=True)
                        freed_files.append(f)
                        excess -= sizes.get(f, 0)
            if result.outcome == outcome:
                for name in sorted(blobs):
                    if excess <= 0:
                        return
                    excess -= len(blobs.pop(name))
                    report.dropped_screenshots += 1

        drop_screenshots("passed")
        drop_screenshots("failed")
        report.dropped_screenshots += len(freed_files)
        for entry in entries:
            if excess <= 0:
                break
            if entry.path.name == protect:
                continue
            excess -= sum(sizes.get(f, 0) for f in entry.files())
            self.remove(entry)
            report.dropped_results.append(entry.run_id)
        if report.dropped_screenshots:
            log.warning(
                "spool %s over its bound of %d MB: dropped %d screenshot(s), passing runs first",
                self.root,
                self.max_bytes // (1024 * 1024),
                report.dropped_screenshots,
            )
        for run_id in report.dropped_results:
            log.error(
                "SPOOL FULL: dropped result.json of run %s to stay within %d MB in %s; this run is LOST. "
                "Fix the upload destination or raise SYNTH_SPOOL_MAX_MB",
                run_id,
                self.max_bytes // (1024 * 1024),
                self.root,
                extra={"run_id": run_id},
            )
