"""The plain-text result table printed by `synth run`."""

from __future__ import annotations

from collections.abc import Sequence

from agent.batch import BatchEntry
from agent.duration import format_duration


def render_results(entries: Sequence[BatchEntry]) -> str:
    rows = [("JOURNEY", "STATUS", "DURATION", "ATTEMPTS", "FAILED STEP", "ERROR")]
    for entry in entries:
        r = entry.result
        if r is None:
            rows.append((entry.journey.id, "skipped", "-", "0", "-", entry.skipped_reason or ""))
            continue
        error = r.error.message.splitlines()[0][:100] if r.error else ""
        rows.append(
            (r.journey, r.status, format_duration(r.duration_s), str(len(r.attempts) or 1), r.failed_step or "-", error)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1] for row in rows]
    passed = sum(1 for e in entries if e.result is not None and e.result.status == "passed")
    lines.append(f"{passed}/{len(entries)} journeys passed")
    return "\n".join(line.rstrip() for line in lines)
