"""The demo fleet: the demo shop and three regional agents, as child processes.

    synth demo ─► synth shop --port P                     (faults set through POST /__faults)
               ├► synth agent --region regions/demo-eu.yaml   healthy
               ├► synth agent --region regions/demo-us.yaml   slow cart (3 s delay, region-scoped)
               └► synth agent --region regions/demo-ap.yaml   payment provider down (503, region-scoped)

Each agent gets its own `SYNTH_LISTEN` port (its /metrics feed the progress
line) and `SYNTH_SPOOL_DIR`, and all write to the same results directory.
Children run in their own sessions, so a Ctrl-C reaches only `synth demo`,
which then stops them with exactly one SIGTERM each (a second signal would
make an agent exit without flushing).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from agent.errors import ConfigError, InfraError
from agent.shop import DEMO_PASSWORD

DEMO_REGIONS = ("demo-eu", "demo-us", "demo-ap")
#: Region-scoped faults set on the shop at start (see agent.shop.faults).
FAULTS: tuple[dict[str, Any], ...] = (
    {"path": "/shop/cart", "delay_ms": 3000, "region": "demo-us"},
    {"path": "/shop/payment", "method": "POST", "status": 503, "region": "demo-ap"},
)
SYNTH = (sys.executable, "-m", "agent.cli")
SHOP_START_S = 20.0
LOG_TAIL_LINES = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_port_free(port: int) -> None:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise ConfigError(
                f"--port {port}: 127.0.0.1:{port} is already in use; choose another, e.g. --port {port + 1}"
            ) from None


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    listen_port: int | None = None
    handle: IO[bytes] | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log.read_text("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(f"  {line}" for line in text[-lines:])


@dataclass
class RegionCount:
    runs: int = 0
    passed: int = 0
    seen: bool = False
    """Its /metrics answered at least once (the agent is up)."""


@dataclass
class Fleet:
    """Starts, watches and stops the demo's child processes."""

    region_files: dict[str, Path]
    results: Path
    work_dir: Path
    journeys_dir: Path
    children: list[Child] = field(default_factory=list)
    shop_url: str = ""

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], listen: int | None = None) -> Child:
        log = self.work_dir / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(log, "wb")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        child = Child(name, process, log, listen, handle)
        self.children.append(child)
        return child

    def start_shop(self, port: int) -> str:
        check_port_free(port)
        shop = self._spawn("shop", [*SYNTH, "shop", "--host", "127.0.0.1", "--port", str(port)], dict(os.environ))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SHOP_START_S
        while time.monotonic() < deadline:
            if not shop.alive():
                raise InfraError(f"the demo shop exited with code {shop.process.returncode}:\n{shop.tail()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                    self.shop_url = url
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise InfraError(f"the demo shop did not answer {url}/healthz within {SHOP_START_S:.0f}s:\n{shop.tail()}")

    def set_faults(self) -> None:
        httpx.delete(f"{self.shop_url}/__faults", timeout=5.0).raise_for_status()
        for fault in FAULTS:
            response = httpx.post(f"{self.shop_url}/__faults", json=fault, timeout=5.0)
            if response.status_code >= 400:
                raise InfraError(f"the demo shop refused fault {fault}: HTTP {response.status_code} {response.text}")

    def start_agents(self) -> None:
        for region, path in self.region_files.items():
            port = free_port()
            env = dict(os.environ)
            env.update(
                SYNTH_LISTEN=f"127.0.0.1:{port}",
                SYNTH_SPOOL_DIR=str((self.work_dir / f"spool-{region}").absolute()),
                SYNTH_JOURNEYS_DIR=str(self.journeys_dir.absolute()),
                SYNTH_SECRET_SHOP_PASSWORD=DEMO_PASSWORD,
            )
            argv = [*SYNTH, "agent", "--region", str(path), "--target", self.shop_url,
                    "--results", str(self.results.absolute())]  # fmt: skip
            self._spawn(region, argv, env, listen=port)

    @property
    def agents(self) -> list[Child]:
        return [c for c in self.children if c.listen_port is not None]

    def exited(self) -> Child | None:
        """A child that stopped on its own (the demo cannot go on without it)."""
        return next((c for c in self.children if not c.alive()), None)

    def counts(self) -> dict[str, RegionCount]:
        """Finished runs and passes per region, from each agent's /metrics."""
        counts = {}
        for agent in self.agents:
            count = RegionCount()
            try:
                text = httpx.get(f"http://127.0.0.1:{agent.listen_port}/metrics", timeout=1.0).text
            except httpx.HTTPError:
                counts[agent.name] = count
                continue
            count.seen = True
            for family in text_string_to_metric_families(text):
                if family.name != "synth_journey_runs":
                    continue
                for sample in family.samples:
                    if sample.name.endswith("_total"):
                        count.runs += int(sample.value)
                        count.passed += int(sample.value) if sample.labels.get("status") == "passed" else 0
            counts[agent.name] = count
        return counts

    def stop_agents(self, timeout: float) -> list[str]:
        """One SIGTERM each, then wait for a clean exit (runs in flight finish, results flush)."""
        problems = []
        for agent in self.agents:
            if agent.alive():
                agent.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for agent in self.agents:
            try:
                code = agent.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                agent.process.kill()
                agent.process.wait()
                problems.append(f"{agent.name} did not stop within {timeout:.0f}s and was killed (log: {agent.log})")
                continue
            if code != 0:
                problems.append(f"{agent.name} exited with code {code} (log: {agent.log})")
        return problems

    def stop(self, timeout: float = 10.0) -> None:
        """Stop whatever still runs (the shop, or everything after a second Ctrl-C)."""
        for child in self.children:
            if child.alive():
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children:
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
            if child.handle is not None:
                with contextlib.suppress(OSError):
                    child.handle.close()

    def kill(self) -> None:
        for child in self.children:
            if child.alive():
                child.process.kill()
        self.stop(timeout=5.0)


def progress_line(elapsed: float, duration: float, counts: dict[str, RegionCount]) -> str:
    parts = [f"demo {_clock(elapsed)} / {_clock(duration)}"]
    for region, count in counts.items():
        if not count.seen:
            parts.append(f"{region} starting")
        elif count.runs == 0:
            parts.append(f"{region} no runs yet")
        else:
            runs = f"{count.runs} run{'s' if count.runs > 1 else ''}"
            parts.append(f"{region} {runs} {100.0 * count.passed / count.runs:.0f}% passed")
    return " │ ".join(parts)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
