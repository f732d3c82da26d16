"""Hand a finished `JourneyResult` to every sink, safely.

A failing sink becomes a log line and a callback (the agent counts it); it
never changes the result and never stops the other sinks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from agent.model import JourneyResult

log = logging.getLogger(__name__)


class Sink(Protocol):
    """Anything that takes a finished run: a store, a spool, metrics."""

    name: str

    def publish(self, result: JourneyResult) -> None: ...


class Publisher:
    def __init__(self, sinks: Sequence[Sink], on_failure: Callable[[str, BaseException], None] | None = None) -> None:
        self.sinks = list(sinks)
        self._on_failure = on_failure

    def publish(self, result: JourneyResult) -> list[str]:
        """Publish to every sink; returns the names of the sinks that failed."""
        failed: list[str] = []
        for sink in self.sinks:
            try:
                sink.publish(result)
            except Exception as exc:
                failed.append(sink.name)
                log.error(
                    "sink %s failed for run %s: %s: %s",
                    sink.name,
                    result.run_id,
                    type(exc).__name__,
                    exc,
                    extra={"journey": result.journey, "run_id": result.run_id, "region": result.region},
                )
                if self._on_failure is not None:
                    self._on_failure(sink.name, exc)
        return failed

    async def publish_async(self, result: JourneyResult) -> list[str]:
        """`publish` off the event loop, so file and network I/O never stall journeys."""
        return await asyncio.to_thread(self.publish, result)
