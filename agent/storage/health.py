"""What the results pipeline reports about itself: readiness, the last error,
and its metrics (through `agent.metrics.Metrics`, which may be absent).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.errors import FatalStoreError, StoreError
from agent.metrics import Metrics
from agent.storage.local import atomic_write

log = logging.getLogger("agent.storage")


def reason_of(exc: StoreError) -> str:
    """The `synth_upload_failures_total` reason of a store error."""
    return exc.reason if isinstance(exc, FatalStoreError) else "transient"


@dataclass
class _State:
    fatal: FatalStoreError | None = None
    disk_full: str | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    transient_streak: int = 0


class StoreHealth:
    """Thread-safe readiness of the destination and of the spool disk."""

    def __init__(self, destination: str, metrics: Metrics | None, region: str, state_file: Path | None = None) -> None:
        self.destination = destination
        self.metrics = metrics
        self.region = region
        self.state_file = state_file
        """Where the last error is kept, so `synth spool status` can show it."""
        self._lock = threading.Lock()
        self._state = _State()

    # -- upload outcomes ---------------------------------------------------
    def failed(self, exc: StoreError) -> None:
        """Count and log an upload failure; a fatal one makes `ready()` false."""
        reason = reason_of(exc)
        if self.metrics is not None:
            self.metrics.upload_failures.labels(self.region, reason).inc()
        with self._lock:
            s = self._state
            s.last_error, s.last_error_at = f"{reason}: {exc}", time.time()
            if isinstance(exc, FatalStoreError):
                new = s.fatal is None or s.fatal.reason != exc.reason
                s.fatal = exc
                streak = 0
            else:
                s.transient_streak += 1
                new, streak = False, s.transient_streak
        self._save(f"{reason}: {exc}")
        if isinstance(exc, FatalStoreError):
            if new:
                log.error(
                    "results store %s refused writes (%s): %s. Runs stay in the spool and are retried every "
                    "recheck interval until this is fixed",
                    self.destination,
                    reason,
                    exc,
                )
        elif streak == 1 or streak % 10 == 0:
            log.warning("upload to %s failed (transient, attempt streak %d): %s", self.destination, streak, exc)

    def succeeded(self) -> None:
        with self._lock:
            s = self._state
            recovered = s.fatal is not None or s.transient_streak > 0
            s.fatal, s.transient_streak = None, 0
        if recovered:
            self._save(None)
            log.info("results store %s accepts writes again", self.destination)

    # -- spool disk --------------------------------------------------------
    def disk_full(self, message: str) -> None:
        if self.metrics is not None:
            self.metrics.upload_failures.labels(self.region, "disk_full").inc()
        with self._lock:
            self._state.disk_full = message
            self._state.last_error, self._state.last_error_at = f"disk_full: {message}", time.time()
        self._save(f"disk_full: {message}")

    def disk_ok(self) -> None:
        with self._lock:
            self._state.disk_full = None

    # -- reading -----------------------------------------------------------
    def ready(self) -> tuple[bool, str]:
        with self._lock:
            s = self._state
            if s.disk_full is not None:
                return False, f"disk_full: {s.disk_full}"
            if s.fatal is not None:
                return False, f"{s.fatal.reason}: {s.fatal}"
            return True, ""

    @property
    def fatal(self) -> FatalStoreError | None:
        with self._lock:
            return self._state.fatal

    @property
    def last_error(self) -> str | None:
        """The last error of this process, else the one an earlier process saved."""
        with self._lock:
            if self._state.last_error is not None:
                return self._state.last_error
        if self.state_file is None:
            return None
        try:
            saved = json.loads(self.state_file.read_text())
            return f"{saved['error']} (at {saved['at']})"
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save(self, error: str | None) -> None:
        if self.state_file is None:
            return
        try:
            if error is None:
                self.state_file.unlink(missing_ok=True)
            else:
                at = datetime.now(UTC).isoformat(timespec="seconds")
                atomic_write(self.state_file, json.dumps({"error": error, "at": at}).encode())
        except OSError:
            pass  # a full disk must not break error reporting

    # -- metrics -----------------------------------------------------------
    def uploaded(self) -> None:
        if self.metrics is not None:
            self.metrics.uploaded.labels(self.region).inc()

    def dropped(self, kind: str, count: int = 1) -> None:
        if self.metrics is not None and count:
            self.metrics.spool_dropped.labels(self.region, kind).inc(count)

    def gauges(self, pending: int, oldest_age_s: float) -> None:
        if self.metrics is not None:
            self.metrics.spool_pending.labels(self.region).set(pending)
            self.metrics.spool_oldest.labels(self.region).set(oldest_age_s)
