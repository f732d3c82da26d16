"""`synth report`: availability per region × journey from the compact summaries.

    source (local dir | S3) ──► stats.aggregate per region × journey ──► Report
                                                                          │
                                        table | markdown | json | html ◄──┘

Only `<results>/_summaries/**.jsonl` is read, never a `result.json`.
See docs/report.md for the definitions (availability, nearest-rank
percentiles, error budget) and the speed target.
"""

from __future__ import annotations

from collections.abc import Callable

from agent.errors import ConfigError
from agent.report.build import Report, build_report, split_names
from agent.report.source import LocalSource, S3Source, SummarySource, open_source
from agent.report.stats import Cell, Failure, nearest_rank
from agent.report.window import Window, resolve_window

FORMATS = ("table", "json", "markdown", "html")


def render(report: Report, fmt: str, link: Callable[[str], str], exists: Callable[[str], bool] | None = None) -> str:
    """The report in `fmt`; screenshot keys become links through `link`; `exists` hides deleted ones."""
    from agent.report import text

    if fmt == "table":
        return text.render_table(report, link) if report.cells else report.empty_message()
    if fmt == "json":
        return text.render_json(report, link)
    if fmt == "markdown":
        return text.render_markdown(report, link)
    if fmt == "html":
        from agent.report.html import render_html

        return render_html(report, link, exists)
    raise ConfigError(f"--format {fmt!r}: unknown format; use one of {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "Cell",
    "Failure",
    "LocalSource",
    "Report",
    "S3Source",
    "SummarySource",
    "Window",
    "build_report",
    "nearest_rank",
    "open_source",
    "render",
    "resolve_window",
    "split_names",
]
