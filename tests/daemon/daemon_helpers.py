"""Helpers for agent tests: region files, an in-memory results sink, waiting, processes."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psutil
import yaml
from prometheus_client import CollectorRegistry

from agent.daemon import Agent
from agent.loader import load_journeys
from agent.metrics import Metrics
from agent.model import JourneyResult
from agent.regions import load_region
from agent.settings import Settings

HERE = Path(__file__).parent
TEST_JOURNEYS = HERE / "journeys"
REPO = HERE.parent.parent
REAL_JOURNEYS = REPO / "journeys"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_region(regions_dir: Path, name: str, target: str, journeys: list[dict[str, Any]], **extra: Any) -> Path:
    regions_dir.mkdir(parents=True, exist_ok=True)
    path = regions_dir / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"region": name, "target": target, **extra, "journeys": journeys}, sort_keys=False))
    return path


class MemoryResults:
    """A results destination that keeps runs in memory; `failing` makes it not ready."""

    name = "memory"

    def __init__(self) -> None:
        self.results: list[JourneyResult] = []
        self.failing: str | None = None
        self.closed = False

    def publish(self, result: JourneyResult) -> None:
        self.results.append(result)

    def start(self) -> None:
        pass

    def check_writable(self) -> None:
        pass

    def ready(self) -> tuple[bool, str]:
        return (self.failing is None, self.failing or "")

    def close(self, timeout: float) -> None:
        self.closed = True

    def of(self, journey: str) -> list[JourneyResult]:
        return [r for r in self.results if r.journey == journey]


def make_agent(
    tmp_path: Path,
    target: str,
    journeys: list[dict[str, Any]],
    *,
    journeys_dir: Path = TEST_JOURNEYS,
    settings: Mapping[str, Any] | None = None,
    **region: Any,
) -> tuple[Agent, MemoryResults]:
    path = write_region(tmp_path / "regions", "test", target, journeys, **region)
    loaded = load_journeys([journeys_dir])
    assert not loaded.errors, loaded.errors
    config = load_region(path, known_journey_ids=set(loaded.journeys))
    values: dict[str, Any] = {
        "listen": f"127.0.0.1:{free_port()}",
        "spool_dir": tmp_path / "spool",
        "shutdown_grace": 20.0,
        "action_timeout": 3.0,
        **(settings or {}),
    }
    results = MemoryResults()

    def destination(metrics: Metrics) -> MemoryResults:
        return results

    agent = Agent(config, loaded.journeys, Settings(**values), destination=destination, registry=CollectorRegistry())
    return agent, results


def sample(agent: Agent, name: str, **labels: str) -> float:
    value = agent.registry.get_sample_value(name, {"region": agent.name, **labels})
    return 0.0 if value is None else value


async def run_until(agent: Agent, done: Callable[[], bool], what: str, limit_s: float = 90.0) -> int:
    """Run the agent until `done()`; stop it; return its exit code. Fails after `limit_s`."""
    task = asyncio.create_task(agent.run(install_signals=False))
    try:
        await wait_for(lambda: done() or task.done(), what, limit_s)
    finally:
        agent.stop()
        code = await asyncio.wait_for(task, agent.settings.shutdown_grace + 30)
    return code


async def wait_for(condition: Callable[[], bool], what: str, limit_s: float = 90.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {limit_s:g}s waiting for {what}")
        await asyncio.sleep(0.05)


def chromium_mains(pid: int) -> dict[int, psutil.Process]:
    """Chromium main processes among the descendants of `pid` (parent not itself Chromium)."""
    found = {}
    for proc in psutil.Process(pid).children(recursive=True):
        try:
            parent = proc.parent()
            if "chrom" in proc.name().lower() and (parent is None or "chrom" not in parent.name().lower()):
                found[proc.pid] = proc
        except psutil.NoSuchProcess:
            continue
    return found
