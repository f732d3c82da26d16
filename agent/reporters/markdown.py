"""A Markdown job summary (GitHub's $GITHUB_STEP_SUMMARY, GitLab, any CI)."""

from __future__ import annotations

from collections.abc import Sequence

from agent.batch import BatchEntry
from agent.duration import format_duration

_ICON = {"passed": "✅", "failed": "❌", "timeout": "⏱️", "error": "💥", "skipped": "⏭️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(entries: Sequence[BatchEntry], *, target: str, release: str | None) -> str:
    passed = sum(1 for e in entries if e.result is not None and e.result.status == "passed")
    verdict = "passed" if passed == len(entries) else "failed"
    lines = [
        f"### synth: {passed}/{len(entries)} journeys passed — gate {verdict}",
        "",
        f"Target `{target}`" + (f", release `{release}`" if release else ""),
        "",
        "| Journey | Region | Status | Duration | Attempts | Failed step | Error |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        r = e.result
        if r is None:
            lines.append(f"| {e.journey.id} | | {_ICON['skipped']} skipped | | 0 | | {_cell(e.skipped_reason or '')} |")
            continue
        error = _cell(r.error.message.splitlines()[0][:160]) if r.error else ""
        attempts = " → ".join(a.status for a in r.attempts) if len(r.attempts) > 1 else "1"
        lines.append(
            f"| {r.journey} | {r.region} | {_ICON[r.status]} {r.status} | {format_duration(r.duration_s)} "
            f"| {attempts} | {_cell(r.failed_step or '')} | {error} |"
        )
    return "\n".join(lines) + "\n"
