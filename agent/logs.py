"""Structured logs: JSON lines off a terminal, readable text on one.

Every line carries region, journey and run id when they are known, and
every line is scrubbed of registered secrets.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from agent.scrub import GLOBAL_SCRUBBER, Scrubber

log_region: ContextVar[str | None] = ContextVar("synth_log_region", default=None)
log_journey: ContextVar[str | None] = ContextVar("synth_log_journey", default=None)
log_run_id: ContextVar[str | None] = ContextVar("synth_log_run_id", default=None)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, var in (("region", log_region), ("journey", log_journey), ("run_id", log_run_id)):
        value = getattr(record, key, None) or var.get()
        if value:
            out[key] = value
    for key, value in vars(record).items():
        if key not in _STANDARD and key not in out:
            out[key] = value
    return out


class JsonFormatter(logging.Formatter):
    def __init__(self, scrubber: Scrubber = GLOBAL_SCRUBBER) -> None:
        super().__init__()
        self.scrubber = scrubber

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return self.scrubber.scrub(json.dumps(payload, default=str))


class TextFormatter(logging.Formatter):
    def __init__(self, scrubber: Scrubber = GLOBAL_SCRUBBER) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S")
        self.scrubber = scrubber

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        return self.scrubber.scrub(f"{line} {extra}" if extra else line)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time, like logging's last resort.

    A handler holding the stream it was created with breaks once that stream
    is replaced or closed (test capture, daemonisation).
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(fmt: str = "auto", level: str = "INFO") -> None:
    """Install one handler on stderr; `auto` means JSON unless stderr is a terminal."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("botocore", "boto3", "urllib3", "httpx", "httpcore", "apscheduler", "asyncio", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
