"""Compact run summaries: one JSON line per run, per region, journey and day.

Reading a month of a fleet's outcomes must not mean one GET per run, so
every store also keeps `_summaries/region=<r>/journey=<j>/date=<d>/<writer>.jsonl`.
Each writer (an agent process, a `synth run`) owns its own file, so no two
processes ever write the same object. Readers take every `*.jsonl` of a
partition and de-duplicate by `run_id`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from agent.model import JourneyResult, JourneyStatus

SUMMARY_DIR = "_summaries"
_MAX_ERROR = 200


class SummaryLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    run_id: str
    started_at: datetime
    region: str
    journey: str
    status: JourneyStatus
    duration_s: float
    attempts: int = 1
    failed_step: str | None = None
    error: str | None = None
    screenshot: str | None = None
    """Key of the failing step's screenshot, relative to the results root."""
    release: str | None = None


def summarise(result: JourneyResult) -> SummaryLine:
    screenshot = None
    if result.status != "passed":
        failing = next((s for s in result.steps if s.status in ("failed", "timeout", "error") and s.screenshot), None)
        if failing is not None and failing.screenshot is not None:
            screenshot = f"{result.partition()}/{failing.screenshot.path}"
    return SummaryLine(
        run_id=result.run_id,
        started_at=result.started_at,
        region=result.region,
        journey=result.journey,
        status=result.status,
        duration_s=result.duration_s,
        attempts=max(1, len(result.attempts)),
        failed_step=result.failed_step,
        error=result.error.message.splitlines()[0][:_MAX_ERROR] if result.error else None,
        screenshot=screenshot,
        release=result.release,
    )


def summary_partition(region: str, journey: str, date: str) -> str:
    return f"{SUMMARY_DIR}/region={region}/journey={journey}/date={date}"


def summary_json(line: SummaryLine) -> str:
    return line.model_dump_json(exclude_none=False)


def summary_key(region: str, journey: str, date: str, writer: str) -> str:
    """Key of one writer's summary object, relative to the results root."""
    return f"{summary_partition(region, journey, date)}/{writer}.jsonl"


def parse_summary(text: str) -> list[SummaryLine]:
    """The valid lines of one `<writer>.jsonl`; torn or foreign lines are skipped."""
    lines: list[SummaryLine] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            lines.append(SummaryLine.model_validate_json(raw))
        except ValueError:
            continue
    return lines


def merge_summaries(*groups: list[SummaryLine]) -> list[SummaryLine]:
    """All lines of several writers, one per run id, ordered by start time."""
    seen: dict[str, SummaryLine] = {}
    for group in groups:
        for line in group:
            seen.setdefault(line.run_id, line)
    return sorted(seen.values(), key=lambda line: (line.started_at, line.run_id))
