"""Fixtures of the report tests: a results root written through the real pipeline,
and a real moto S3 server reached only through the standard AWS_* variables."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from report_helpers import Dataset, store_runs, varied_runs

START = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return varied_runs(seed=7, start=START)


@pytest.fixture(scope="module")
def local_results(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> Path:
    """The dataset stored twice over: two writers, the second replaying some runs (dedupe)."""
    base = tmp_path_factory.mktemp("results")
    root = base / "results"
    store_runs(str(root), base / "spool-a", dataset.runs, writer="agent-a")
    store_runs(str(root), base / "spool-b", dataset.runs[::7], writer="agent-b")
    return root


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_env: str) -> str:
    name = f"synth-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_client(s3_env: str) -> Any:
    return boto3.client("s3")
