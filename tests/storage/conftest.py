"""Fixtures for the storage tests: a real moto S3 server over HTTP, the real
boto3 client configured only through the standard AWS_* variables, and
JourneyResults with small fake screenshots (storage_helpers.py)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from storage_helpers import Moto, ResultFactory, build_result, make_settings

from agent.settings import Settings
from agent.storage import ResultsPipeline


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Moto]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Moto()
    server.start()
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3(moto: Moto) -> Any:
    return boto3.client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"synth-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "spool")


@pytest.fixture
def make_result() -> ResultFactory:
    return build_result


@pytest.fixture
def pipelines() -> Iterator[list[ResultsPipeline]]:
    """Pipelines registered here are stopped after the test, even on failure."""
    created: list[ResultsPipeline] = []
    yield created
    for p in created:
        p.close(timeout=0)
