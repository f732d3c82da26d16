"""Moves spooled runs to the store: blobs first, `result.json` last, then the
local files are deleted. Keys derive from the run id, so uploading a run twice
(after a crash between the PUT and the delete) writes the same objects again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from agent.errors import FatalStoreError, StoreError
from agent.model import JourneyResult
from agent.storage.base import RESULT_FILE, ObjectInfo, ObjectStore, content_type_for, tags_for
from agent.storage.health import StoreHealth
from agent.storage.journal import SummaryJournal
from agent.storage.local import os_error_reason
from agent.storage.spool import Spool, SpoolEntry

log = logging.getLogger("agent.storage")


def object_metadata(result: JourneyResult) -> dict[str, str]:
    return {"run-id": result.run_id, "region": result.region, "journey": result.journey, "status": result.status}


def upload_run(store: ObjectStore, entry: SpoolEntry) -> JourneyResult:
    """PUT every file of a spooled run, `result.json` last. Raises store errors,
    `FileNotFoundError` (no result.json) or `ValidationError` (unreadable)."""
    body = (entry.path / RESULT_FILE).read_bytes()
    result = JourneyResult.model_validate_json(body)
    meta = object_metadata(result)
    types = {a.path: a.content_type for a in result.artifacts}
    base = result.partition()
    for path in entry.files():
        if path.name == RESULT_FILE:
            continue
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # dropped by the size bound meanwhile
        info = ObjectInfo(
            types.get(path.name) or content_type_for(path.name), meta, tags_for("screenshot", result.outcome)
        )
        store.put(f"{base}/{path.name}", data, info)
    store.put(f"{base}/{RESULT_FILE}", body, ObjectInfo("application/json", meta, tags_for("result", result.outcome)))
    return result


@dataclass
class Backoff:
    """Exponential backoff with jitter: the n-th delay is uniform in [cap/2, cap],
    cap = min(max_s, base_s * 2**(n-1))."""

    base_s: float = 1.0
    max_s: float = 60.0
    failures: int = 0

    def next(self) -> float:
        self.failures += 1
        cap = min(self.max_s, self.base_s * 2 ** min(self.failures - 1, 30))
        return random.uniform(cap / 2, cap)

    def reset(self) -> None:
        self.failures = 0


class DrainLock:
    """One drainer at a time per spool directory: a thread lock plus `flock`,
    so an agent and `synth spool flush` never upload the same run together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.Lock()

    @contextmanager
    def hold(self, timeout: float | None) -> Iterator[bool]:
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            yield False
            return
        fd = -1
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.05)
            yield True
        finally:
            if fd >= 0:
                os.close(fd)  # releases the flock
            self._thread_lock.release()


@dataclass
class PassReport:
    uploaded: int = 0
    failed: int = 0
    error: StoreError | None = None
    busy: bool = False
    """Another drainer held the spool lock."""


class Drainer:
    def __init__(
        self, store: ObjectStore, spool: Spool, journal: SummaryJournal, writer: str, health: StoreHealth
    ) -> None:
        self.store = store
        self.spool = spool
        self.journal = journal
        self.writer = writer
        self.health = health
        self.lock = DrainLock(spool.root / ".drain.lock")
        self.in_flight: str | None = None
        self.last_summaries = 0.0

    def drain(
        self, lock_timeout: float | None, keep_going: Callable[[], bool], summaries_every_s: float | None
    ) -> PassReport:
        """Upload pending runs oldest first until done, an error, or `keep_going()` is false.
        Summaries are written when `summaries_every_s` has passed (None: always)."""
        report = PassReport()
        with self.lock.hold(lock_timeout) as held:
            if not held:
                report.busy = True
                return report
            for entry in self.spool.entries():
                if not keep_going():
                    break
                error = self._one(entry, report)
                if error is not None:
                    report.error = error
                    break
            due = summaries_every_s is None or time.monotonic() - self.last_summaries >= summaries_every_s
            if due and report.error is None:
                report.error = self.write_summaries()
        return report

    def _one(self, entry: SpoolEntry, report: PassReport) -> StoreError | None:
        self.in_flight = entry.path.name
        try:
            result = upload_run(self.store, entry)
            self.journal.add(self.writer, result)
        except StoreError as exc:
            return self._failed(exc, report)
        except FileNotFoundError:
            if entry.path.exists():
                log.warning("spool entry %s has no %s; removing it", entry.path, RESULT_FILE)
                self.spool.remove(entry)
            return None
        except ValidationError as exc:
            target = self.spool.quarantine(entry)
            self.health.dropped("result")
            log.error("spool entry of run %s is unreadable (%s); moved to %s", entry.run_id, exc, target)
            return None
        except OSError as exc:
            return self._failed(spool_error(exc, entry.path), report)
        finally:
            self.in_flight = None
        self.spool.remove(entry)
        report.uploaded += 1
        self.health.uploaded()
        self.health.succeeded()
        return None

    def _failed(self, exc: StoreError, report: PassReport) -> StoreError:
        report.failed += 1
        self.health.failed(exc)
        return exc

    def write_summaries(self) -> StoreError | None:
        """Rewrite this spool's dirty summary objects, one PUT per writer and partition."""
        for jp in self.journal.dirty():
            try:
                if not self.journal.is_seeded(jp):
                    self.journal.seed(jp, self.store.get(jp.key))
                data = self.journal.content(jp)
                region, journey = (p.split("=", 1)[1] for p in jp.partition.split("/")[:2])
                meta = {"writer": jp.writer, "region": region, "journey": journey}
                self.store.put(jp.key, data, ObjectInfo(content_type_for(jp.key), meta, tags_for("summary")))
            except StoreError as exc:
                self.health.failed(exc)
                return exc
            except OSError as exc:
                error = spool_error(exc, jp.path)
                self.health.failed(error)
                return error
            self.journal.clean(jp)
        self.journal.prune()
        self.last_summaries = time.monotonic()
        return None


def spool_error(exc: OSError, path: Path) -> FatalStoreError:
    """A local I/O error in the spool as a fatal store error (rechecked later)."""
    return FatalStoreError(f"spool {path}: {exc.strerror or exc}", os_error_reason(exc))
