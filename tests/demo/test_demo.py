"""`synth demo`: a real shop and three real agents (each with its Chromium), bounded in time.

The slow tests run `synth demo` as a subprocess in a temporary working directory
and always stop it (and through it its children) even when an assertion fails.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from agent.demo import RegionCount, progress_line

REPO = Path(__file__).resolve().parents[2]
SYNTH = [sys.executable, "-m", "agent.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    env.update(SYNTH_REGIONS_DIR=str(REPO / "regions"), SYNTH_JOURNEYS_DIR=str(REPO / "journeys"))
    return env


class Demo:
    def __init__(self, cwd: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [*SYNTH, "demo", *args], cwd=cwd, env=demo_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def finish(self, timeout: float) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, err

    def stop(self) -> None:
        """Stop the demo and whatever it started, even if the test failed half-way."""
        children = self.descendants()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()
        for child in children:
            if child.is_running():
                child.kill()


@pytest.fixture
def demos() -> Iterator[list[Demo]]:
    started: list[Demo] = []
    yield started
    for demo in started:
        demo.stop()


def test_progress_line() -> None:
    line = progress_line(
        65.2, 120, {"demo-eu": RegionCount(4, 4, True), "demo-us": RegionCount(seen=True), "demo-ap": RegionCount()}
    )
    assert line == "demo 1:05 / 2:00 │ demo-eu 4 runs 100% passed │ demo-us no runs yet │ demo-ap starting"
    assert progress_line(1, 60, {"demo-ap": RegionCount(1, 0, True)}).endswith("demo-ap 1 run 0% passed")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--duration", "soon"], "argument --duration: 'soon' is not a duration"),
        (["--duration", "2s"], "argument --duration: '2s' is too short"),
        (["--port", "99999"], "argument --port: '99999' is not a TCP port"),
        (["--results", "s3://bucket/x"], "--results s3://bucket/x: the demo writes to a local directory"),
    ],
)
def test_bad_options_are_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = subprocess.run([*SYNTH, "demo", *args], cwd=tmp_path, env=demo_env(), capture_output=True, text=True)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_busy_port_and_missing_regions_are_exit_2(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([*SYNTH, "demo", "--port", str(port)], cwd=tmp_path, env=demo_env(),
                              capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2
    assert f"--port {port}: 127.0.0.1:{port} is already in use" in done.stderr
    env = {**demo_env(), "SYNTH_REGIONS_DIR": str(tmp_path / "none")}
    done = subprocess.run([*SYNTH, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert f"demo region file(s) not found: {tmp_path / 'none' / 'demo-eu.yaml'}" in done.stderr


@pytest.mark.slow
@pytest.mark.browser
def test_demo_runs_three_regions_and_reports(tmp_path: Path, demos: list[Demo]) -> None:
    demo = Demo(tmp_path, "--duration", "40s", "--port", str(free_port()))
    demos.append(demo)
    code, out, err = demo.finish(timeout=240)
    assert code == 0, err
    # the progress: plain lines (not a terminal), no carriage returns
    assert "\r" not in err
    assert any(line.startswith("demo 0:40 / 0:40 │ demo-eu ") for line in err.splitlines()), err
    # the availability table
    assert out.startswith("Availability ")
    table = out.split("LATEST FAILURES")[0]
    rows = {line.split()[0] for line in table.splitlines() if line.startswith("demo-")}
    assert rows == {"demo-eu", "demo-us", "demo-ap"}
    html = tmp_path / "results" / "report.html"
    assert f"wrote {Path('results') / 'report.html'}" in out
    assert html.read_text().count('data-testid="heatmap-cell"') == 12
    # the numbers: payment is down in demo-ap; the cart page answers 3 s late in demo-us
    report = subprocess.run(
        [*SYNTH, "report", "--results", "results", "--since", "1h", "--format", "json"],
        cwd=tmp_path, env=demo_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    cells = json.loads(report.stdout)["cells"]
    availability = {}
    for region in ("demo-eu", "demo-us", "demo-ap"):
        mine = [c for c in cells if c["region"] == region]
        availability[region] = sum(c["passed"] for c in mine) / sum(c["runs"] for c in mine)
    assert availability["demo-ap"] < availability["demo-eu"], availability
    ap_payment = [c for c in cells if c["region"] == "demo-ap" and c["journey"] in ("checkout", "order-confirmation")]
    assert ap_payment and all(c["passed"] == 0 for c in ap_payment)
    assert all(s["step"] == "payment" for c in ap_payment for s in c["failing_steps"])
    us_cart = next(c for c in cells if c["region"] == "demo-us" and c["journey"] == "cart")
    assert us_cart["p50_s"] >= 3.0
    # every child stopped
    assert demo.descendants() == []


@pytest.mark.slow
@pytest.mark.browser
def test_ctrl_c_stops_everything(tmp_path: Path, demos: list[Demo]) -> None:
    port = free_port()
    demo = Demo(tmp_path, "--duration", "10m", "--port", str(port))
    demos.append(demo)
    deadline = time.monotonic() + 60
    while len(demo.descendants()) < 4 and time.monotonic() < deadline:  # the shop and three agents
        time.sleep(0.5)
    children = demo.descendants()
    assert len(children) >= 4
    time.sleep(10)
    demo.process.send_signal(signal.SIGINT)
    code, _, err = demo.finish(timeout=120)
    assert code == 130
    assert "interrupted, stopping the agents" in err
    assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
