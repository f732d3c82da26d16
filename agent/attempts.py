"""Retries: run up to `1 + retries` attempts; the last attempt decides.

Every attempt is recorded on the final result. Used by the agent and by
`synth run` alike, so both report retries the same way.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from agent.model import Attempt, JourneyResult

RunOnce = Callable[[int], Awaitable[JourneyResult]]


def _attempt_of(number: int, result: JourneyResult) -> Attempt:
    return Attempt(
        number=number,
        status=result.status,
        started_at=result.started_at,
        duration_s=result.duration_s,
        failed_step=result.failed_step,
        error=result.error,
    )


async def run_with_retries(
    run_once: RunOnce,
    *,
    retries: int = 0,
    backoff_s: float = 2.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    keep_going: Callable[[], bool] = lambda: True,
) -> JourneyResult:
    """`run_once(attempt_number)` until it passes or retries run out.

    Infra errors (a crashed browser) are retried too: the browser is
    relaunched on the next attempt. The backoff doubles, with jitter.
    """
    attempts: list[Attempt] = []
    number = 1
    while True:
        result = await run_once(number)
        attempts.append(_attempt_of(number, result))
        if result.status == "passed" or number > retries or not keep_going():
            result.attempts = attempts
            return result
        delay = backoff_s * (2 ** (number - 1))
        await sleep(delay * random.uniform(0.8, 1.2))
        number += 1
