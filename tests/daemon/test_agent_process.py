"""`synth agent` as a process: the four demo journeys, promtool, SIGTERM, a second signal."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from daemon_helpers import REAL_JOURNEYS, TEST_JOURNEYS, chromium_mains, free_port, write_region

from agent.model import JourneyResult
from agent.shop.server import ShopServer

pytestmark = pytest.mark.browser

SYNTH = str(Path(sys.executable).parent / "synth")
PROMTOOL = "/usr/bin/promtool"
FOUR = ("login", "cart", "checkout", "order-confirmation")


@dataclass
class AgentProcess:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    results: Path

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=10, **kw)

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def wait_until(self, condition: Any, what: str, limit_s: float = 90.0) -> None:
        deadline = time.monotonic() + limit_s
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"agent exited ({self.proc.returncode}) while waiting for {what}:\n{self.logs()}")
            try:
                if condition():
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up after {limit_s:g}s waiting for {what}:\n{self.logs()}")
            time.sleep(0.2)

    def result_files(self, journey: str) -> list[JourneyResult]:
        files = sorted(self.results.glob(f"region=*/journey={journey}/date=*/*/result.json"))
        return [JourneyResult.model_validate_json(f.read_text()) for f in files]


def start_agent(
    tmp_path: Path, target: str, journeys: list[dict[str, Any]], journeys_dir: Path, **env: str
) -> AgentProcess:
    results = tmp_path / "results"
    write_region(tmp_path / "regions", "proc", target, journeys, concurrency=2, results=str(results))
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    environ.update(
        SYNTH_REGIONS_DIR=str(tmp_path / "regions"),
        SYNTH_JOURNEYS_DIR=str(journeys_dir),
        SYNTH_LISTEN=f"127.0.0.1:{port}",
        SYNTH_SPOOL_DIR=str(tmp_path / "spool"),
        SYNTH_SECRET_SHOP_PASSWORD="demo-password-123",
        SYNTH_LOG_FORMAT="json",
        **env,
    )
    log = tmp_path / "agent.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([SYNTH, "agent", "--region", "proc"], env=environ, stdout=out, stderr=out, cwd=tmp_path)
    agent = AgentProcess(proc, f"http://127.0.0.1:{port}", log, results)
    agent.wait_until(lambda: agent.get("/healthz").status_code == 200, "/healthz")
    return agent


@pytest.fixture
def agents() -> Iterator[list[AgentProcess]]:
    """Agents started by a test; killed (with their process tree) if the test left them running."""
    started: list[AgentProcess] = []
    yield started
    for agent in started:
        if agent.proc.poll() is None:
            tree = psutil.Process(agent.proc.pid).children(recursive=True)
            agent.proc.kill()
            agent.proc.wait(10)
            for child in tree:
                if child.is_running():
                    child.kill()


def passed_runs(metrics: str, journey: str) -> float:
    match = re.search(
        rf'^synth_journey_runs_total{{[^}}]*journey="{journey}"[^}}]*status="passed"[^}}]*}} (\S+)$', metrics, re.M
    )
    return float(match.group(1)) if match else 0.0


def test_the_agent_runs_the_four_journeys_and_exports_valid_metrics(
    tmp_path: Path, clean_shop: ShopServer, agents: list[AgentProcess]
) -> None:
    params = {"email": "demo@example.com", "product": "Storage Box"}
    journeys = [{"id": j, "interval": "4s", "retries": 1, "params": params} for j in FOUR]
    agent = start_agent(tmp_path, clean_shop.url, journeys, REAL_JOURNEYS)
    agents.append(agent)
    agent.wait_until(lambda: all(passed_runs(agent.get("/metrics").text, j) >= 1 for j in FOUR), "a passed run of each")

    metrics = agent.get("/metrics").text
    for journey in FOUR:
        assert re.search(rf'^synth_journey_duration_seconds_count{{[^}}]*journey="{journey}"', metrics, re.M), journey
        assert re.search(rf'^synth_journey_success{{[^}}]*journey="{journey}"', metrics, re.M), journey
    check = subprocess.run([PROMTOOL, "check", "metrics"], input=metrics.encode(), capture_output=True, timeout=30)
    assert (check.returncode, check.stdout, check.stderr) == (0, b"", b"")
    assert agent.get("/readyz").json() == {"ready": True, "reasons": []}

    agent.proc.send_signal(signal.SIGTERM)
    assert agent.proc.wait(60) == 0, agent.logs()
    for journey in FOUR:
        assert any(r.status == "passed" for r in agent.result_files(journey)), journey
    logged = [json.loads(line) for line in agent.log.read_text().splitlines() if line.startswith("{")]
    finished = [line for line in logged if line["logger"] == "agent.daemon" and line["msg"].startswith("run ")]
    assert {line["journey"] for line in finished} == set(FOUR)
    assert all({"region", "journey", "run_id", "status"} <= set(line) for line in finished), finished


def test_sigterm_lets_the_run_in_flight_finish_and_write_its_result(
    tmp_path: Path, site: tuple[str, Path], agents: list[AgentProcess]
) -> None:
    journeys = [{"id": "napper", "interval": "2s", "params": {"nap": "4"}}]
    agent = start_agent(tmp_path, site[0], journeys, TEST_JOURNEYS, SYNTH_SHUTDOWN_GRACE="30")
    agents.append(agent)

    def first_run_in_flight() -> bool:
        (napper,) = agent.get("/status").json()["journeys"]
        return bool(napper["running"]) and napper["runs"] == 0

    agent.wait_until(first_run_in_flight, "the first run to start")
    children = psutil.Process(agent.proc.pid).children(recursive=True)
    assert chromium_mains(agent.proc.pid), "no Chromium among the agent's children"
    agent.proc.send_signal(signal.SIGTERM)
    assert agent.proc.wait(60) == 0, agent.logs()

    (result,) = agent.result_files("napper")
    assert result.status == "passed", result.error
    _, alive = psutil.wait_procs(children, timeout=10)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert '"msg": "agent stopped"' in agent.logs()


def test_a_second_signal_exits_at_once(tmp_path: Path, site: tuple[str, Path], agents: list[AgentProcess]) -> None:
    journeys = [{"id": "napper", "interval": "1s", "params": {"nap": "50"}}]
    agent = start_agent(tmp_path, site[0], journeys, TEST_JOURNEYS, SYNTH_SHUTDOWN_GRACE="120")
    agents.append(agent)
    agent.wait_until(lambda: agent.get("/status").json()["journeys"][0]["running"], "the first run to start")
    agent.proc.send_signal(signal.SIGTERM)
    agent.wait_until(lambda: "received: stopping" in agent.logs(), "the first signal to be taken")
    agent.proc.send_signal(signal.SIGTERM)
    assert agent.proc.wait(30) == 130, agent.logs()
    (result,) = agent.result_files("napper")
    assert result.status == "error" and result.error is not None
    assert result.error.message == "the agent shut down before the run finished"


def test_missing_chromium_keeps_serving_with_readyz_false_and_records_errors(
    tmp_path: Path, site: tuple[str, Path], agents: list[AgentProcess]
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {
        "PATH": str(empty),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers"),
        "SYNTH_BROWSER_EXECUTABLE": str(tmp_path / "missing-chromium"),
    }
    agent = start_agent(tmp_path, site[0], [{"id": "napper", "interval": "1s"}], TEST_JOURNEYS, **env)
    agents.append(agent)
    agent.wait_until(lambda: bool(agent.result_files("napper")), "a recorded run")
    ready = agent.get("/readyz")
    assert ready.status_code == 503
    assert "browser: no Chromium found. Looked in:" in json.dumps(ready.json())
    [first, *_] = agent.result_files("napper")
    assert first.status == "error"  # never a pass without a browser
    assert first.error is not None
    assert first.error.category == "browser"
    assert "no Chromium found" in agent.logs()
    agent.proc.send_signal(signal.SIGTERM)
    assert agent.proc.wait(30) == 0
