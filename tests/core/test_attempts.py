import asyncio
from datetime import UTC, datetime

from agent.attempts import run_with_retries
from agent.model import JourneyResult, JourneyStatus


def _result(status: JourneyStatus) -> JourneyResult:
    now = datetime.now(UTC)
    return JourneyResult(
        run_id="r",
        journey="j",
        name="j",
        region="r",
        target="http://x",
        status=status,
        started_at=now,
        finished_at=now,
        duration_s=1.0,
        timeout_s=10,
        agent_version="t",
    )


async def _no_sleep(_: float) -> None:
    return None


def test_retries_until_pass_and_records_every_attempt() -> None:
    outcomes: list[JourneyStatus] = ["failed", "timeout", "passed"]

    async def once(n: int) -> JourneyResult:
        return _result(outcomes[n - 1])

    result = asyncio.run(run_with_retries(once, retries=2, sleep=_no_sleep))
    assert result.status == "passed"
    assert [a.status for a in result.attempts] == ["failed", "timeout", "passed"]
    assert [a.number for a in result.attempts] == [1, 2, 3]


def test_last_attempt_decides_when_retries_run_out() -> None:
    async def once(n: int) -> JourneyResult:
        return _result("failed")

    result = asyncio.run(run_with_retries(once, retries=1, sleep=_no_sleep))
    assert result.status == "failed" and len(result.attempts) == 2


def test_no_retry_once_the_deadline_says_stop() -> None:
    calls = []

    async def once(n: int) -> JourneyResult:
        calls.append(n)
        return _result("failed")

    asyncio.run(run_with_retries(once, retries=5, sleep=_no_sleep, keep_going=lambda: False))
    assert calls == [1]
