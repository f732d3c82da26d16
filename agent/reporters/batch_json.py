"""A machine-readable summary of a `synth run` batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agent.batch import BatchEntry


def render_json(entries: Sequence[BatchEntry], *, exit_code: int, target: str, release: str | None) -> str:
    counts = {"passed": 0, "failed": 0, "timeout": 0, "error": 0, "skipped": 0}
    journeys: list[dict[str, Any]] = []
    for entry in entries:
        r = entry.result
        if r is None:
            counts["skipped"] += 1
            journeys.append({"journey": entry.journey.id, "status": "skipped", "reason": entry.skipped_reason})
            continue
        counts[r.status] += 1
        journeys.append(
            {
                "journey": r.journey,
                "name": r.name,
                "region": r.region,
                "status": r.status,
                "run_id": r.run_id,
                "duration_s": r.duration_s,
                "started_at": r.started_at.isoformat(),
                "failed_step": r.failed_step,
                "error": r.error.model_dump() if r.error else None,
                "attempts": [a.model_dump(mode="json") for a in r.attempts],
                "result": f"{r.partition()}/result.json",
            }
        )
    doc = {
        "tool": "synth",
        "target": target,
        "release": release,
        "exit_code": exit_code,
        "passed": exit_code == 0,
        "counts": counts,
        "journeys": journeys,
    }
    return json.dumps(doc, indent=2) + "\n"
