"""The local results store: `<root>/region=<r>/journey=<j>/date=<d>/<run_id>/`.

Artifacts are written first and `result.json` last, atomically, so a
`result.json` that is present means a complete run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from agent.model import JourneyResult

RESULT_FILE = "result.json"


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


class LocalStore:
    """Writes runs under a local directory in the Hive-style layout."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def run_dir(self, result: JourneyResult) -> Path:
        return self.root / result.partition()

    def write(self, result: JourneyResult) -> Path:
        run_dir = self.run_dir(result)
        for name, data in result.blobs.items():
            atomic_write(run_dir / name, data)
        atomic_write(run_dir / RESULT_FILE, result_json(result))
        return run_dir

    def publish(self, result: JourneyResult) -> None:
        self.write(result)
