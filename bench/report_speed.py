"""How fast is `synth report` over a month of a fleet's summaries?

    .venv/bin/python bench/report_speed.py                    # generates the month once, then times
    .venv/bin/python bench/report_speed.py --data /tmp/month  # reuse a generated month
    BENCH_REPORT_REPEAT=3 .venv/bin/python bench/report_speed.py

Generates (if missing) 5 regions × 4 journeys × one run per minute for 30 days
(864,000 runs, bench/gen_month.py) and times `synth report --format json` (the
target: under 10 s on a 2-core machine) and `--format html`, each as a fresh
`synth` process, as a user would run it. Prints one Markdown line per format:
wall time (best of N), CPU time, and runs per second. Not a test: speed
belongs here, not in assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYNTH = [sys.executable, "-m", "agent.cli"]
START, END = "2025-11-01", "2025-11-30"
TARGET_S = 10.0


def generate(data: Path) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gen_month.py"), str(data), "--days", "30", "--start", START],
        check=True,
    )
    return time.perf_counter() - began


def time_report(data: Path, fmt: str, out: Path) -> tuple[float, float, int]:
    """(wall s, CPU s of the child, runs) of one `synth report` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(
        [*SYNTH, "report", "--results", str(data), "--from", START, "--to", END, "--format", fmt, "--out", str(out)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    runs = json.loads(out.read_text())["runs"] if fmt == "json" else -1
    return wall, cpu, runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "synth-bench-month")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPORT_REPEAT", "3")))
    args = parser.parse_args()
    if not (args.data / "_summaries").is_dir():
        print(f"generating the month into {args.data} ...", file=sys.stderr)
        print(f"generation: {generate(args.data):.1f} s", file=sys.stderr)
    runs = 0
    lines = [f"| format | runs | wall (best of {args.repeat}) | CPU | runs/s | target |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("json", "html"):
            out = Path(tmp) / f"report.{fmt}"
            timings = [time_report(args.data, fmt, out) for _ in range(args.repeat)]
            wall, cpu, count = min(timings)
            runs = count if count >= 0 else runs
            target = f"< {TARGET_S:.0f} s: {'met' if wall < TARGET_S else 'MISSED'}" if fmt == "json" else ""
            lines.append(
                f"| `synth report --format {fmt}` | {runs:,} | {wall:.2f} s | {cpu:.2f} s | "
                f"{runs / wall:,.0f} | {target} |"
            )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
