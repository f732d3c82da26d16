"""`ResultsPipeline`: the sink that takes every finished run through the
durable spool to the results store. See `agent.storage` for the contract.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from agent.errors import ConfigError, FatalStoreError, StoreError, TransientStoreError
from agent.metrics import Metrics
from agent.model import JourneyResult
from agent.settings import Settings
from agent.storage.base import PROBE_DIR, ObjectStore
from agent.storage.health import StoreHealth
from agent.storage.journal import SummaryJournal
from agent.storage.local import LocalStore, os_error_reason
from agent.storage.s3 import S3Store, parse_s3_uri
from agent.storage.spool import DISK_FULL_ERRNOS, Spool, check_name
from agent.storage.uploader import Backoff, Drainer, PassReport, spool_error

log = logging.getLogger("agent.storage")


@dataclass(frozen=True)
class UploadPolicy:
    """Timings of the uploader; the defaults suit production."""

    retry_base_s: float = 1.0
    retry_max_s: float = 60.0
    recheck_s: float = 60.0
    """After the store refused (auth, no bucket, disk full): try again this often."""
    summary_interval_s: float = 30.0
    """Summary objects are rewritten at most this often (always on flush)."""
    poll_s: float = 5.0
    """Idle wake-up of the uploader: gauges, due summaries."""


@dataclass(frozen=True)
class FlushReport:
    uploaded: int
    pending: int
    failed: int
    last_error: str | None
    refused: bool
    """The store refused writes (fatal error); retrying now would not help."""
    summaries_pending: int = 0
    busy: bool = False
    """Another process held the spool's drain lock for the whole timeout."""

    @property
    def complete(self) -> bool:
        return self.pending == 0 and self.summaries_pending == 0


@dataclass(frozen=True)
class SpoolStatus:
    destination: str
    spool_dir: str
    writer: str
    pending_runs: int
    pending_bytes: int
    oldest_age_s: float
    last_error: str | None
    ready: bool
    reason: str
    summaries_pending: int = 0


def open_store(uri: str, settings: Settings) -> ObjectStore:
    """The store for a destination URI: `s3://bucket/prefix`, `file:///dir` or a path."""
    if uri.startswith("s3://"):
        bucket, prefix = parse_s3_uri(uri)
        return S3Store(bucket, prefix, sse=settings.s3_sse, kms_key_id=settings.s3_kms_key_id)
    if uri.startswith("file://"):
        return LocalStore(Path(urlsplit(uri).path))
    if "://" in uri or not uri.strip():
        raise ConfigError(f"results destination {uri!r}: use a directory path or s3://BUCKET/PREFIX")
    return LocalStore(Path(uri))


def default_writer_id(region: str) -> str:
    """Stable per host and region: `<hostname>-<region>`, file-name safe."""
    raw = f"{socket.gethostname().split('.')[0]}-{region}".lower()
    return re.sub(r"[^a-z0-9._-]+", "-", raw).strip("-.") or "synth"


class ResultsPipeline:
    """Spool every run on local disk at once; upload it in the background."""

    name = "results"

    def __init__(
        self,
        uri: str,
        *,
        settings: Settings,
        region: str,
        metrics: Metrics | None = None,
        writer_id: str | None = None,
        store: ObjectStore | None = None,
        policy: UploadPolicy | None = None,
    ) -> None:
        self.store = store if store is not None else open_store(uri, settings)
        self.destination = self.store.uri
        self.region = region
        self.writer = writer_id or default_writer_id(region)
        check_name(self.writer, "writer id")
        self.policy = policy or UploadPolicy()
        self.spool = Spool(settings.spool_dir, settings.spool_max_mb * 1024 * 1024)
        self.journal = SummaryJournal(settings.spool_dir / "_summaries")
        self.health = StoreHealth(self.destination, metrics, region, settings.spool_dir / "last-error.json")
        self.drainer = Drainer(self.store, self.spool, self.journal, self.writer, self.health)
        self._publish_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- Sink --------------------------------------------------------------
    def publish(self, result: JourneyResult) -> None:
        """Spool the run (no network). Raises `FatalStoreError(reason="disk_full")`
        if the spool disk cannot take even its `result.json`."""
        with self._publish_lock:
            try:
                report = self.spool.put(result, protect=self.drainer.in_flight)
            except OSError as exc:
                if exc.errno in DISK_FULL_ERRNOS:
                    message = f"spool {self.spool.root} is full: run {result.run_id} of {result.journey} is LOST"
                    self.health.disk_full(message)
                    self.health.dropped("result")
                    log.error(message, extra={"run_id": result.run_id, "journey": result.journey})
                    raise FatalStoreError(message, "disk_full") from exc
                error = spool_error(exc, self.spool.root)
                self.health.failed(error)
                raise error from exc
        self.health.dropped("screenshot", report.dropped_screenshots)
        self.health.dropped("result", len(report.dropped_results))
        if report.disk_full:
            self.health.disk_full(f"spool {self.spool.root} is full: runs are kept without screenshots")
        else:
            self.health.disk_ok()
        self._wake.set()

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        """Start the uploader thread; it first drains what an earlier process left."""
        if self._thread is not None:
            return
        try:
            self.spool.ensure()
            self.spool.clean_tmp()
        except OSError as exc:
            self.health.failed(spool_error(exc, self.spool.root))
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="synth-uploader", daemon=True)
        self._thread.start()

    def close(self, timeout: float) -> None:
        """Stop the uploader after a best-effort flush. Never deletes unuploaded runs."""
        deadline = time.monotonic() + timeout
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=max(0.0, deadline - time.monotonic()))
            self._thread = None
        report = self.flush(max(0.0, deadline - time.monotonic()))
        if not report.complete:
            log.warning(
                "closing with %d run(s) still in the spool %s (next start uploads them): %s",
                report.pending,
                self.spool.root,
                report.last_error or "time limit reached",
            )

    def _run(self) -> None:
        backoff = Backoff(self.policy.retry_base_s, self.policy.retry_max_s)
        next_at: float | None = 0.0  # None: idle until a publish or the poll interval
        while not self._stop.is_set():
            self._wake.clear()
            if next_at is None or time.monotonic() >= next_at:
                delay = self._pass(backoff)
                next_at = None if delay == 0 else time.monotonic() + delay
            self._update_gauges()
            wait = self.policy.poll_s if next_at is None else min(self.policy.poll_s, next_at - time.monotonic())
            self._wake.wait(max(0.0, wait))

    def _pass(self, backoff: Backoff) -> float:
        """One background drain pass; returns the delay before the next one."""
        try:
            report = self.drainer.drain(0, lambda: not self._stop.is_set(), self.policy.summary_interval_s)
        except Exception:
            log.exception("uploader pass failed unexpectedly; retrying")
            return backoff.next()
        if report.busy:
            return 1.0
        if isinstance(report.error, FatalStoreError):
            backoff.reset()
            return self.policy.recheck_s
        if report.error is not None:
            return backoff.next()
        backoff.reset()
        return 0.0

    # -- synchronous -------------------------------------------------------
    def flush(self, timeout: float) -> FlushReport:
        """Upload everything pending now, retrying transient errors until `timeout`."""
        deadline = time.monotonic() + timeout
        backoff = Backoff(self.policy.retry_base_s, self.policy.retry_max_s)
        uploaded = failed = 0
        busy = False
        last: StoreError | None = None
        while (remaining := deadline - time.monotonic()) > 0:
            report: PassReport = self.drainer.drain(remaining, lambda: time.monotonic() < deadline, None)
            uploaded, failed = uploaded + report.uploaded, failed + report.failed
            if report.busy:
                busy = True
                break
            if report.error is None:
                if not self.spool.entries() and not self.journal.dirty():
                    break
                continue
            last = report.error
            if isinstance(last, FatalStoreError):
                break
            time.sleep(min(backoff.next(), max(0.0, deadline - time.monotonic())))
        self._update_gauges()
        return FlushReport(
            uploaded=uploaded,
            pending=len(self.spool.entries()),
            failed=failed,
            last_error=(f"{_reason(last)}: {last}" if last is not None else None) or self.health.last_error,
            refused=isinstance(last, FatalStoreError),
            summaries_pending=len(self.journal.dirty()),
            busy=busy,
        )

    def check_writable(self) -> None:
        """Raise `FatalStoreError`/`TransientStoreError` if runs cannot be spooled and stored."""
        root = self.spool.root
        try:
            self.spool.ensure()
            with tempfile.NamedTemporaryFile(dir=root, prefix=".probe.") as handle:
                handle.write(b"x" * 4096)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            error = FatalStoreError(
                f"spool directory {root} is not writable: {exc.strerror or exc}", os_error_reason(exc)
            )
            if error.reason == "disk_full":
                self.health.disk_full(str(error))
            else:
                self.health.failed(error)
            raise error from exc
        self.health.disk_ok()
        try:
            self.store.check_writable(f"region={self.region}/{PROBE_DIR}/{self.writer}.json")
        except (FatalStoreError, TransientStoreError) as exc:
            self.health.failed(exc)
            raise
        self.health.succeeded()

    # -- reading -----------------------------------------------------------
    def ready(self) -> tuple[bool, str]:
        return self.health.ready()

    def status(self) -> SpoolStatus:
        count, size, oldest_ns = self.spool.usage()
        ready, reason = self.ready()
        return SpoolStatus(
            destination=self.destination,
            spool_dir=str(self.spool.root),
            writer=self.writer,
            pending_runs=count,
            pending_bytes=size,
            oldest_age_s=_age(oldest_ns),
            last_error=self.health.last_error,
            ready=ready,
            reason=reason,
            summaries_pending=len(self.journal.dirty()),
        )

    def _update_gauges(self) -> None:
        try:
            count, _, oldest_ns = self.spool.usage()
        except OSError:
            return
        self.health.gauges(count, _age(oldest_ns))


def _age(spooled_ns: int | None) -> float:
    return 0.0 if spooled_ns is None else max(0.0, (time.time_ns() - spooled_ns) / 1e9)


def _reason(exc: StoreError) -> str:
    return exc.reason if isinstance(exc, FatalStoreError) else "transient"
