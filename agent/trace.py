"""Playwright traces: off by default, and never kept for a run that read a secret.

A trace records every typed value, and no scrubber can reach inside its zip,
so a run that called `ctx.secret` drops its trace unless the journey opted in
with `@journey(trace_secrets=True)`.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Literal

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

log = logging.getLogger(__name__)

TracePolicy = Literal["off", "on", "retain-on-failure"]
TRACE_FILE = "trace.zip"


async def start_trace(context: BrowserContext, policy: TracePolicy) -> bool:
    if policy == "off":
        return False
    try:
        await context.tracing.start(screenshots=True, snapshots=True, sources=False)
    except PlaywrightError as exc:
        log.warning("trace could not start: %s", str(exc).splitlines()[:1])
        return False
    return True


def should_keep(policy: TracePolicy, passed: bool, used_secrets: bool, trace_secrets: bool) -> bool:
    if policy == "off" or (policy == "retain-on-failure" and passed):
        return False
    if used_secrets and not trace_secrets:
        log.info("trace dropped: the run read a secret (set @journey(trace_secrets=True) to keep such traces)")
        return False
    return True


async def stop_trace(context: BrowserContext, keep: bool, timeout: float = 10.0) -> bytes | None:
    """Stop tracing; the trace's bytes if `keep`, else None (and nothing written)."""
    try:
        if not keep:
            await asyncio.wait_for(context.tracing.stop(), timeout)
            return None
        with tempfile.TemporaryDirectory(prefix="synth-trace-") as tmp:
            path = Path(tmp) / TRACE_FILE
            await asyncio.wait_for(context.tracing.stop(path=path), timeout)
            return path.read_bytes()
    except (PlaywrightError, TimeoutError, OSError) as exc:
        log.warning("trace could not be saved: %s", str(exc).splitlines()[:1])
        return None
