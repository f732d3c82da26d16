"""The result of a journey run, as data. Serialised to `result.json`.

The JSON Schema of `JourneyResult` is exported to
`results/schema/journey-result.schema.json` (see `agent.schema`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION = 1

JourneyStatus = Literal["passed", "failed", "timeout", "error"]
StepStatus = Literal["passed", "failed", "timeout", "error", "skipped"]
ErrorCategory = Literal[
    "assertion", "action", "navigation", "timeout", "journey-code", "config", "browser", "agent", "blocked"
]

#: Error categories that mean the agent or the browser broke, not the target.
INFRA_CATEGORIES: frozenset[str] = frozenset({"browser", "agent"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorInfo(_Model):
    """What went wrong, with secrets already scrubbed."""

    type: str = Field(description="Exception class, e.g. TimeoutError or AssertionError.")
    message: str = Field(description="First lines of the error message, secrets scrubbed.")
    category: ErrorCategory


class Artifact(_Model):
    """A file written next to `result.json`."""

    kind: Literal["screenshot", "fullpage", "trace"]
    path: str = Field(description="File name relative to the run directory.")
    content_type: str
    bytes: int


class FailedRequest(_Model):
    method: str
    url: str
    failure: str = Field(description="Network error text or 'HTTP <status>'.")
    resource_type: str = ""


class NavigationTiming(_Model):
    """Navigation Timing of the last document loaded during the step, in ms."""

    url: str
    ttfb_ms: float
    dom_content_loaded_ms: float
    load_ms: float | None = None


class StepResult(_Model):
    index: int = Field(description="1-based position in the journey.")
    name: str
    soft: bool = False
    status: StepStatus
    started_at: datetime | None = None
    duration_s: float = 0.0
    url: str | None = None
    error: ErrorInfo | None = None
    screenshot: Artifact | None = None
    fullpage: Artifact | None = None
    console_errors: list[str] = Field(default_factory=list)
    failed_requests: list[FailedRequest] = Field(default_factory=list)
    navigation: NavigationTiming | None = None


class Attempt(_Model):
    """One attempt of a run. Only the last attempt decides the status."""

    number: int
    status: JourneyStatus
    started_at: datetime
    duration_s: float
    failed_step: str | None = None
    error: ErrorInfo | None = None


class JourneyResult(_Model):
    schema_version: int = SCHEMA_VERSION
    run_id: str
    journey: str = Field(description="Journey id.")
    name: str
    region: str
    target: str
    status: JourneyStatus
    started_at: datetime
    finished_at: datetime
    duration_s: float = Field(description="Monotonic duration of the final attempt.")
    timeout_s: float
    tags: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    release: str | None = None
    agent_version: str
    failed_step: str | None = None
    error: ErrorInfo | None = None
    steps: list[StepResult] = Field(default_factory=list)
    attempts: list[Attempt] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(default_factory=list)

    _blobs: dict[str, bytes] = PrivateAttr(default_factory=dict)

    @property
    def blobs(self) -> dict[str, bytes]:
        """Artifact bytes by file name; not serialised. Sinks write them."""
        return self._blobs

    @property
    def date(self) -> str:
        return self.started_at.strftime("%Y-%m-%d")

    @property
    def outcome(self) -> Literal["passed", "failed"]:
        """Two-valued outcome used for retention: anything not passed is failed."""
        return "passed" if self.status == "passed" else "failed"

    @property
    def is_infra_error(self) -> bool:
        return self.status == "error" and self.error is not None and self.error.category in INFRA_CATEGORIES

    def partition(self) -> str:
        """Hive-style relative directory of this run."""
        return f"region={self.region}/journey={self.journey}/date={self.date}/{self.run_id}"
