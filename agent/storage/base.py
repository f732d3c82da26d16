"""The object-store seam the uploader writes through, and what every object carries.

Keys are relative to the destination root (`<prefix>/` for S3, the
directory for a local store) and use the same Hive-style layout everywhere.
Stores raise only `TransientStoreError` (retry later) or `FatalStoreError`
(retrying will not help; `reason` is `auth`, `not_found`, `disk_full` or
`other`): foreign errors are translated inside each store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal, Protocol

RESULT_FILE = "result.json"
SUMMARY_CONTENT_TYPE = "application/x-ndjson"
PROBE_DIR = "_probes"

#: Values of the `synth-kind` object tag; bucket lifecycle rules select on it.
ObjectKind = Literal["result", "screenshot", "summary", "probe"]

CONTENT_TYPES: Mapping[str, str] = {
    ".json": "application/json",
    ".jsonl": SUMMARY_CONTENT_TYPE,
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".zip": "application/zip",
}


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class ObjectInfo:
    """Headers of one object: its Content-Type, user metadata and tags."""

    content_type: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


def tags_for(kind: ObjectKind, outcome: str | None = None) -> dict[str, str]:
    tags: dict[str, str] = {"synth-kind": kind}
    if outcome is not None:
        tags["synth-outcome"] = outcome
    return tags


class ObjectStore(Protocol):
    """Where runs end up: a local directory or an S3 prefix."""

    @property
    def uri(self) -> str:
        """The destination as the user wrote it, for messages and status."""
        ...

    def put(self, key: str, data: bytes, info: ObjectInfo) -> None:
        """Create or replace the object `key`; idempotent."""
        ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None if it does not exist."""
        ...

    def list(self, prefix: str) -> list[str]:
        """Keys under `prefix`, relative to the destination root, sorted."""
        ...

    def check_writable(self, probe_key: str) -> None:
        """Raise a store error if an object cannot be written now."""
        ...
