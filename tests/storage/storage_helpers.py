"""Plain helpers of the storage tests (fixtures live in conftest.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from agent.ids import new_run_id
from agent.model import Artifact, ErrorInfo, JourneyResult, StepResult
from agent.settings import Settings
from agent.storage import UploadPolicy

FAST = UploadPolicy(retry_base_s=0.05, retry_max_s=0.2, recheck_s=0.2, summary_interval_s=0.0, poll_s=0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Moto:
    """A moto S3/KMS server on a fixed 127.0.0.1 port that a test may stop and restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: ThreadedMotoServer | None = None

    def start(self) -> None:
        if self._server is None:
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
            self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def make_settings(spool: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"spool_dir": spool, "spool_max_mb": 64, "s3_sse": "AES256", "s3_kms_key_id": None}
    values.update(overrides)
    return Settings.model_validate(values)


ResultFactory = Callable[..., JourneyResult]


def build_result(
    status: str = "passed",
    *,
    journey: str = "checkout",
    region: str = "eu-west-1",
    screenshots: int = 2,
    blob_bytes: int = 64,
    started_at: datetime | None = None,
    run_id: str | None = None,
) -> JourneyResult:
    """A finished run with `screenshots` steps, each with a small JPEG-named blob;
    a failing run also gets a full-page PNG of its last step."""
    started = started_at or datetime.now(UTC)
    steps: list[StepResult] = []
    artifacts: list[Artifact] = []
    blobs: dict[str, bytes] = {}
    for i in range(1, screenshots + 1):
        failed = status != "passed" and i == screenshots
        shot = Artifact(
            kind="screenshot", path=f"step-{i:02d}-step-{i}.jpg", content_type="image/jpeg", bytes=blob_bytes
        )
        blobs[shot.path] = bytes([i % 256]) * blob_bytes
        artifacts.append(shot)
        full = None
        if failed:
            full = Artifact(
                kind="fullpage", path=f"step-{i:02d}-step-{i}-full.png", content_type="image/png", bytes=blob_bytes
            )
            blobs[full.path] = b"\x89PNG" + b"\0" * (blob_bytes - 4)
            artifacts.append(full)
        steps.append(
            StepResult(
                index=i,
                name=f"step {i}",
                status="failed" if failed else "passed",
                duration_s=0.1,
                screenshot=shot,
                fullpage=full,
                error=ErrorInfo(type="AssertionError", message="no Pay button", category="assertion")
                if failed
                else None,
            )
        )
    failed_any = status != "passed"
    result = JourneyResult(
        run_id=run_id or new_run_id(started),
        journey=journey,
        name=journey.title(),
        region=region,
        target="http://127.0.0.1:1",
        status=status,  # type: ignore[arg-type]
        started_at=started,
        finished_at=started + timedelta(seconds=1),
        duration_s=1.0,
        timeout_s=60,
        agent_version="test",
        failed_step=f"step {screenshots}" if failed_any and screenshots else None,
        error=ErrorInfo(type="AssertionError", message="no Pay button", category="assertion") if failed_any else None,
        steps=steps,
        artifacts=artifacts,
    )
    result.blobs.update(blobs)
    return result


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll until `condition()`; the limit only guards against a hung test."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def keys(s3: Any, bucket: str, prefix: str = "") -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


class RecordingStore:
    """Wraps a real store: records every PUT attempt and success, and can make
    chosen PUTs fail (`fail(key, attempt_number)` returns the error to raise)."""

    def __init__(self, inner: Any, fail: Callable[[str, int], Exception | None] | None = None) -> None:
        self.inner = inner
        self.fail = fail
        self.attempts: list[str] = []
        self.puts: list[str] = []

    @property
    def uri(self) -> str:
        return str(self.inner.uri)

    def put(self, key: str, data: bytes, info: Any) -> None:
        self.attempts.append(key)
        error = self.fail(key, len(self.attempts)) if self.fail else None
        if error is not None:
            raise error
        self.inner.put(key, data, info)
        self.puts.append(key)

    def get(self, key: str) -> bytes | None:
        return self.inner.get(key)  # type: ignore[no-any-return]

    def list(self, prefix: str) -> list[str]:
        return self.inner.list(prefix)  # type: ignore[no-any-return]

    def check_writable(self, probe_key: str) -> None:
        self.inner.check_writable(probe_key)


def sample(registry: Any, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else float(value)
