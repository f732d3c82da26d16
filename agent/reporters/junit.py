"""JUnit XML: a testsuite per region, a testcase per journey, steps in system-out.

`failed` and `timeout` are failures (type says which); `error` is an error;
journeys that never ran are skipped. A timeout is never reported as passed.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from agent.batch import BatchEntry
from agent.model import JourneyResult


def _steps_text(result: JourneyResult) -> str:
    lines = [
        f"journey {result.journey} ({result.name}) in {result.region}: {result.status} in {result.duration_s:.3f}s"
    ]
    lines.append(f"run id: {result.run_id}")
    if result.release:
        lines.append(f"release: {result.release}")
    if len(result.attempts) > 1:
        tries = ", ".join(f"#{a.number} {a.status} {a.duration_s:.2f}s" for a in result.attempts)
        lines.append(f"attempts: {tries}")
    for step in result.steps:
        line = f"  [{step.status:>7}] {step.index:02d} {step.name} ({step.duration_s:.3f}s)"
        if step.error:
            line += f": {step.error.message.splitlines()[0]}"
        lines.append(line)
        if step.screenshot:
            lines.append(f"            screenshot: {result.partition()}/{step.screenshot.path}")
    return "\n".join(lines)


def _failure_message(result: JourneyResult) -> str:
    error = result.error.message.splitlines()[0] if result.error else "no error recorded"
    attempts = f" after {len(result.attempts)} attempts" if len(result.attempts) > 1 else ""
    if result.failed_step:
        return f"{result.status} at step '{result.failed_step}'{attempts}: {error}"
    return f"{result.status}{attempts}: {error}"


def render_junit(entries: Sequence[BatchEntry], *, default_region: str = "local") -> str:
    by_region: dict[str, list[BatchEntry]] = {}
    for entry in entries:
        region = entry.result.region if entry.result else default_region
        by_region.setdefault(region, []).append(entry)
    root = ET.Element("testsuites", name="synth")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for region, items in sorted(by_region.items()):
        suite = ET.SubElement(root, "testsuite", name=region)
        counts = {"tests": len(items), "failures": 0, "errors": 0, "skipped": 0}
        suite_time = 0.0
        started = min((e.result.started_at for e in items if e.result), default=datetime.now(UTC))
        for entry in items:
            case = ET.SubElement(suite, "testcase", classname=f"synth.{region}", name=entry.journey.id)
            result = entry.result
            if result is None:
                case.set("time", "0.000")
                ET.SubElement(case, "skipped", message=entry.skipped_reason or "not run")
                counts["skipped"] += 1
                continue
            case.set("time", f"{result.duration_s:.3f}")
            suite_time += result.duration_s
            if result.status in ("failed", "timeout"):
                kind = result.error.category if result.error else result.status
                node = ET.SubElement(case, "failure", message=_failure_message(result), type=kind)
                node.text = result.error.message if result.error else ""
                counts["failures"] += 1
            elif result.status == "error":
                node = ET.SubElement(case, "error", message=_failure_message(result), type="error")
                node.text = result.error.message if result.error else ""
                counts["errors"] += 1
            ET.SubElement(case, "system-out").text = _steps_text(result)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{suite_time:.3f}")
        suite.set("timestamp", started.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        suite.set("hostname", socket.gethostname())
        total_time += suite_time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
