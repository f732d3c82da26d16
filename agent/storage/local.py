"""The local results store: `<root>/region=<r>/journey=<j>/date=<d>/<run_id>/`.

Every file is written through a temporary file and a rename, and
`result.json` last, so a `result.json` that is present means a complete run.
Object metadata and tags have no local equivalent and are not kept.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from agent.errors import FatalStoreError
from agent.model import JourneyResult
from agent.storage.base import RESULT_FILE, ObjectInfo

__all__ = ["RESULT_FILE", "LocalStore", "atomic_write", "os_error_reason", "result_json"]

_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_DENIED = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_json(result: JourneyResult) -> bytes:
    return result.model_dump_json(indent=2).encode()


def os_error_reason(exc: OSError) -> str:
    """The `FatalStoreError` reason of a local I/O error."""
    if exc.errno in _DISK_FULL:
        return "disk_full"
    if exc.errno in _DENIED:
        return "auth"
    return "other"


class LocalStore:
    """Writes runs under a local directory in the Hive-style layout."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def uri(self) -> str:
        return str(self.root)

    def run_dir(self, result: JourneyResult) -> Path:
        return self.root / result.partition()

    def write(self, result: JourneyResult) -> Path:
        """Write a run directly (no spool): blobs first, `result.json` last."""
        run_dir = self.run_dir(result)
        for name, data in result.blobs.items():
            atomic_write(run_dir / name, data)
        atomic_write(run_dir / RESULT_FILE, result_json(result))
        return run_dir

    def publish(self, result: JourneyResult) -> None:
        self.write(result)

    # -- ObjectStore -------------------------------------------------------
    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"invalid object key {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes, info: ObjectInfo) -> None:
        path = self._path(key)
        try:
            atomic_write(path, data)
        except OSError as exc:
            raise FatalStoreError(f"cannot write {path}: {exc.strerror or exc}", os_error_reason(exc)) from exc

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise FatalStoreError(
                f"cannot read {self._path(key)}: {exc.strerror or exc}", os_error_reason(exc)
            ) from exc

    def list(self, prefix: str) -> list[str]:
        base = self._path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")
        )

    def check_writable(self, probe_key: str) -> None:
        """Create and remove a temporary file under the root (no probe object is kept)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".synth-probe.") as handle:
                handle.write(b"{}")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise FatalStoreError(
                f"results directory {self.root} is not writable: {exc.strerror or exc}", os_error_reason(exc)
            ) from exc
