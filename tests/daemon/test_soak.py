"""Soak: many consecutive runs through the agent's own run path and sinks.

CI runs the bounded version (100 runs); `make soak` runs 500 (SYNTH_SOAK_RUNS).
After warm-up the process RSS grows by less than 10%, the number of Chromium
processes is back to its baseline after every run (give or take the one spare
renderer Chromium itself may keep), and open file descriptors stay flat.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from daemon_helpers import TEST_JOURNEYS, free_port, write_region
from prometheus_client import CollectorRegistry

from agent.daemon import Agent
from agent.loader import load_journeys
from agent.metrics import Metrics
from agent.regions import load_region
from agent.settings import Settings
from agent.storage import ResultsPipeline

pytestmark = [pytest.mark.browser, pytest.mark.soak]

RUNS = int(os.environ.get("SYNTH_SOAK_RUNS", "100"))
WARMUP = 20
SPARE_RENDERER = 1


def chromium_types(pid: int) -> list[str]:
    """The `--type` of each Chromium process below `pid` ("browser" for the main one)."""
    types = []
    for proc in psutil.Process(pid).children(recursive=True):
        try:
            if "chrom" in proc.name().lower():
                kind = next((a.split("=", 1)[1] for a in proc.cmdline() if a.startswith("--type=")), "browser")
                extra = "-spare" if "--renderer-client-id" not in " ".join(proc.cmdline()) else ""
                types.append(kind + extra)
        except psutil.NoSuchProcess:
            continue
    return sorted(types)


def chromium_count(pid: int) -> int:
    return len(chromium_types(pid))


async def settle_chromium(pid: int, baseline: int, limit_s: float = 5.0) -> int:
    """Chromium's renderer of a closed context exits shortly after the close."""
    count = chromium_count(pid)
    waited = 0.0
    while count > baseline and waited < limit_s:
        await asyncio.sleep(0.05)
        waited += 0.05
        count = chromium_count(pid)
    if count > baseline:
        print("above baseline:", chromium_types(pid))
    return count


def test_soak_runs_leak_no_memory_processes_or_descriptors(aio: Any, tmp_path: Path, site: tuple[str, Path]) -> None:
    url, root = site
    (root / "index.html").write_text("<html><body><h1>soak</h1><a href='/'>again</a></body></html>")
    path = write_region(
        tmp_path / "regions", "soak", url, [{"id": "napper", "interval": "1m"}], results=str(tmp_path / "results")
    )
    loaded = load_journeys([TEST_JOURNEYS])
    config = load_region(path, known_journey_ids=set(loaded.journeys))
    settings = Settings(listen=f"127.0.0.1:{free_port()}", spool_dir=tmp_path / "spool")

    def destination(metrics: Metrics) -> ResultsPipeline:
        return ResultsPipeline(str(tmp_path / "results"), settings=settings, region="soak", metrics=metrics)

    agent = Agent(config, loaded.journeys, settings, destination=destination, registry=CollectorRegistry())
    me = psutil.Process()
    rss: list[float] = []
    fds: list[int] = []
    chromium: list[int] = []
    statuses: list[str] = []
    took: list[float] = []

    async def soak() -> int:
        agent.destination.start()
        await agent.browser.start()
        baseline = 0
        try:
            for i in range(RUNS):
                t0 = time.monotonic()
                result = await agent.runs.run("napper")
                await agent.runs.record(result)  # metrics and the results pipeline, as the agent does
                took.append(time.monotonic() - t0)
                statuses.append(result.status)
                if i + 1 == WARMUP:
                    gc.collect()
                    await asyncio.sleep(0.5)
                    baseline = chromium_count(me.pid)
                if i + 1 >= WARMUP:
                    chromium.append(await settle_chromium(me.pid, baseline))
                    fds.append(me.num_fds())
                    rss.append(me.memory_info().rss / 1e6)
            return baseline
        finally:
            await agent.browser.close()
            agent.destination.close(30)

    baseline = aio.run(soak())
    growth = (statistics.median(rss[-10:]) - rss[0]) / rss[0]
    print(
        f"\nsoak: {RUNS} runs, {statuses.count('passed')} passed; RSS after warm-up {rss[0]:.0f} MB, "
        f"at the end {rss[-1]:.0f} MB ({growth:+.1%}); Chromium processes baseline {baseline}, "
        f"max after a run {max(chromium)}; open fds {fds[0]} -> {fds[-1]} (max {max(fds)})"
    )
    print("chromium after each run:", chromium)
    print("run seconds:", [round(t, 2) for t in took])
    assert statuses.count("passed") == RUNS
    assert growth < 0.10
    # Chromium may keep one spare renderer of its own (SpareRenderProcessHostManager) around
    # after a navigation or drop it; anything more than that one would be a leak, and a leak
    # of one process per run would pass this bound within two runs.
    assert max(chromium) <= baseline + SPARE_RENDERER, chromium
    assert max(fds) - fds[0] <= 4, fds
    assert len(list((tmp_path / "results").rglob("result.json"))) == RUNS
