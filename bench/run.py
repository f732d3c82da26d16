"""`make bench`: synth's performance, measured side by side in one run.

Prints a Markdown table and writes it to bench/results/<date>.md.
Environment knobs (for a quick run): BENCH_PAIRS, BENCH_RUNS.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.loader import load_journeys  # noqa: E402
from bench.common import shop_process  # noqa: E402
from bench.runner_bench import run_all  # noqa: E402


def machine(chromium: str) -> str:
    mem = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), {mem:.0f} GiB, "
        f"Python {platform.python_version()}, Chromium {chromium}"
    )


def main() -> int:
    pairs = int(os.environ.get("BENCH_PAIRS", "10"))
    runs = int(os.environ.get("BENCH_RUNS", "24"))
    journeys = load_journeys([ROOT / "journeys"]).journeys
    lines: list[str] = []
    with shop_process() as target:
        overhead, throughput, chromium = asyncio.run(
            run_all(target, journeys, pairs=pairs, runs=runs, levels=(1, 2, 4))
        )
    lines += [
        f"# synth benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine(chromium)}.",
        "Settings: viewport JPEG q80 screenshot per step, full-page PNG only on failure, traces off, "
        "uploads off the event loop (spool thread), fresh context per run, one browser.",
        "",
        "## 1. Per-run overhead: checkout journey, runner vs raw Playwright (alternating A/B)",
        "",
        "| | runs | median | ratio (target ≤ 1.10) |",
        "|---|---|---|---|",
        f"| raw Playwright | {len(overhead.raw_s)} | {_median(overhead.raw_s):.3f} s | |",
        f"| synth runner | {len(overhead.agent_s)} | {_median(overhead.agent_s):.3f} s | **{overhead.ratio:.3f}** |",
        "",
        f"## 2. Throughput: the four retail journeys, {runs} runs per cell",
        "",
        "| concurrency | raw runs/min | synth runs/min | synth / raw (target ≥ 0.9) | synth pass rate | peak PSS (synth) |",
        "|---|---|---|---|---|---|",
    ]
    by = {(t.concurrency, t.kind): t for t in throughput}
    levels = sorted({t.concurrency for t in throughput})
    for level in levels:
        raw, agent = by[(level, "raw")], by[(level, "agent")]
        lines.append(
            f"| {level} | {raw.per_minute:.1f} | {agent.per_minute:.1f} | {agent.per_minute / raw.per_minute:.2f} "
            f"| {agent.passed}/{agent.runs} | {agent.peak_pss_mb:.0f} MB |"
        )
    ceiling = max(t.per_minute for t in throughput if t.kind == "raw")
    best = max(t.per_minute for t in throughput if t.kind == "agent")
    first, last = by[(levels[0], "agent")], by[(levels[-1], "agent")]
    per_extra = (last.peak_pss_mb - first.peak_pss_mb) / max(1, levels[-1] - levels[0])
    lines += [
        "",
        f"Raw ceiling {ceiling:.1f} runs/min; synth's best {best:.1f} runs/min = **{best / ceiling:.2f}** of it. "
        f"PSS per additional concurrent journey: **{per_extra:.0f} MB** (target ≤ 300 MB).",
    ]
    lines += ["", *lag_section(), "", *upload_section(), "", *report_section()]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / f"{datetime.now(UTC):%Y-%m-%d}.md"
    out.write_text(report)
    print(f"written to {out.relative_to(ROOT)}")
    return 0


def lag_section() -> list[str]:
    from bench.schedule_lag import measure

    lag = asyncio.run(measure())
    return [
        "## 3. Schedule lag: 50 journeys every 30 s (2 s jitter), concurrency 4, 60 s of the real agent",
        "",
        "| runs | p50 | p99 | max | agent utilisation | target |",
        "|---|---|---|---|---|---|",
        f"| {lag['runs']:.0f} | {lag['p50'] * 1000:.0f} ms | {lag['p99'] * 1000:.0f} ms | {lag['max'] * 1000:.0f} ms "
        f"| {lag['utilisation']:.0%} | p99 ≤ 500 ms: {'met' if lag['p99'] <= 0.5 else 'missed'} |",
        "",
        "Lag is actual start minus planned (jittered) start, as the agent observes it, so it includes "
        "waiting for a free slot under the concurrency cap.",
    ]


def upload_section() -> list[str]:
    from bench import upload_overhead, upload_throughput

    throughput = upload_throughput.measure()
    stats = upload_overhead.run_overhead(20)
    return [
        "## 4a. Upload: spool to a local S3 server (moto, its own process)",
        "",
        f"{throughput['runs']:.0f} runs of 4 × 60 KB screenshots + result.json: spooled at "
        f"{throughput['spool_runs_per_s']:.0f} runs/s, uploaded at **{throughput['upload_runs_per_s']:.1f} runs/s** "
        f"({throughput['objects_per_s']:.0f} objects/s, {throughput['upload_mb_per_s']:.1f} MB/s), one uploader thread.",
        "",
        upload_overhead.render(stats, 20),
    ]


def report_section() -> list[str]:
    import subprocess

    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "report_speed.py"), "--repeat", "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    return ["## 4b. `synth report` over a month: 5 regions × 4 journeys × 1 run/min × 30 days", "", proc.stdout.strip()]


def _median(values: list[float]) -> float:
    from bench.common import median

    return median(values)


if __name__ == "__main__":
    sys.exit(main())
