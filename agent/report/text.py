"""The report as a terminal table, as Markdown, and as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from agent.duration import format_duration
from agent.report.build import Report
from agent.report.stats import Cell, Failure

Linker = Callable[[str], str]
MAX_STEPS = 3
MAX_ERROR = 90


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def seconds(value: float | None) -> str:
    return "-" if value is None else format_duration(value)


def percent(value: float) -> str:
    """Availability with enough digits to tell 99.95 from 100."""
    if value >= 100.0:
        return "100%"
    digits = 2 if value >= 99 else 1
    return f"{min(value, 100 - 10**-digits):.{digits}f}%"


def budget(value: float) -> str:
    return f"{value:.0f}%" if value < 1000 else f"{value / 100:.0f}×"


def steps_text(cell: Cell, limit: int = MAX_STEPS) -> str:
    shown = [f"{name} ×{count}" for name, count in cell.failing_steps[:limit]]
    more = len(cell.failing_steps) - limit
    return ", ".join(shown) + (f", +{more} more" if more > 0 else "") if shown else "-"


def short_error(text: str | None, limit: int = MAX_ERROR) -> str:
    line = (text or "").splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def header(report: Report) -> str:
    return (
        f"Availability {report.window.describe()} · SLO {report.slo:g}% · "
        f"{report.runs:,} runs · {report.availability:.3f}% available · results: {report.results}"
    )


def _align(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    return out


def _row(cell: Cell, slo: float) -> tuple[str, ...]:
    p = cell.percentiles
    return (
        cell.region,
        cell.journey,
        f"{cell.runs:,}",
        percent(cell.availability),
        seconds(p.get(50)),
        seconds(p.get(95)),
        seconds(p.get(99)),
        budget(cell.budget_used(slo)),
        steps_text(cell),
    )


COLUMNS = ("REGION", "JOURNEY", "RUNS", "AVAIL", "P50", "P95", "P99", "BUDGET", "FAILING STEPS")


def render_table(report: Report, link: Linker) -> str:
    lines = [header(report), ""]
    rows = [COLUMNS, *(_row(c, report.slo) for c in report.cells)]
    lines += _align(rows, right={2, 3, 4, 5, 6, 7})
    failures = [(c, c.latest_failure) for c in report.cells if c.latest_failure is not None]
    if failures:
        lines += ["", "LATEST FAILURES"]
        rows = [
            (
                f"{c.region}/{c.journey}",
                when(f.started_at),
                f.status,
                f.step or "-",
                short_error(f.error),
                link(f.screenshot) if f.screenshot else "-",
            )
            for c, f in failures
        ]
        lines += _align(rows, right=set())
    lines.append("")
    lines.append(f"BUDGET: share of the error budget used at SLO {report.slo:g}%; percentiles: nearest rank")
    if report.skipped_lines:
        lines.append(f"warning: skipped {report.skipped_lines} unreadable summary line(s)")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, link: Linker) -> str:
    lines = [
        "# Availability report",
        "",
        f"{report.window.describe()} · SLO **{report.slo:g}%** · {report.runs:,} runs · "
        f"**{report.availability:.3f}%** available · results: `{report.results}`",
        "",
        "| Region | Journey | Runs | Availability | p50 | p95 | p99 | Budget used | Failing steps |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for cell in report.cells:
        row = _row(cell, report.slo)
        lines.append("| " + " | ".join(_md(c) for c in row) + " |")
    failures = [(c, c.latest_failure) for c in report.cells if c.latest_failure is not None]
    if failures:
        lines += [
            "",
            "## Latest failures",
            "",
            "| Region | Journey | Time | Status | Step | Error | Screenshot |",
            "|---|---|---|---|---|---|---|",
        ]
        for c, f in failures:
            shot = f"[screenshot](<{link(f.screenshot)}>)" if f.screenshot else "-"
            lines.append(
                f"| {_md(c.region)} | {_md(c.journey)} | {when(f.started_at)} | {f.status} | {_md(f.step or '-')} "
                f"| {_md(short_error(f.error))} | {shot} |"
            )
    lines += ["", f"Budget used: share of the error budget at SLO {report.slo:g}%. Percentiles: nearest rank."]
    return "\n".join(lines) + "\n"


def _failure(f: Failure, link: Linker) -> dict[str, Any]:
    return {
        "started_at": iso(f.started_at),
        "run_id": f.run_id,
        "status": f.status,
        "step": f.step,
        "error": f.error,
        "screenshot": link(f.screenshot) if f.screenshot else None,
    }


def report_dict(report: Report, link: Linker) -> dict[str, Any]:
    return {
        "results": report.results,
        "window": {"start": iso(report.window.start), "end": iso(report.window.end)},
        "slo": report.slo,
        "generated_at": report.generated_at.isoformat().replace("+00:00", "Z"),
        "percentile_method": "nearest-rank",
        "runs": report.runs,
        "passed": report.passed,
        "availability": report.availability if report.runs else None,
        "error_budget_used": report.budget_used() if report.runs else None,
        "files_read": report.files_read,
        "skipped_lines": report.skipped_lines,
        "cells": [
            {
                "region": c.region,
                "journey": c.journey,
                "runs": c.runs,
                "passed": c.passed,
                "by_status": dict(sorted(c.by_status.items())),
                "availability": c.availability,
                "p50_s": c.percentiles.get(50),
                "p95_s": c.percentiles.get(95),
                "p99_s": c.percentiles.get(99),
                "error_budget_used": c.budget_used(report.slo),
                "failing_steps": [{"step": s, "count": n} for s, n in c.failing_steps],
                "latest_failure": _failure(c.latest_failure, link) if c.latest_failure else None,
            }
            for c in report.cells
        ],
    }


def render_json(report: Report, link: Linker) -> str:
    return json.dumps(report_dict(report, link), indent=2, ensure_ascii=False) + "\n"
