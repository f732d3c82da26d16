"""Shared pieces of the benchmarks: the demo shop in its own process, PSS sampling."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import psutil

SHOP_PASSWORD = "demo-password-123"
PARAMS = {"email": "demo@example.com", "product": "office-chair"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def shop_process() -> Iterator[str]:
    """`synth shop` in a separate process, so its CPU does not share our GIL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "shop", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the demo shop did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def reset_shop(url: str) -> None:
    httpx.post(f"{url}/__reset", timeout=10).raise_for_status()


def tree_pss_mb(pid: int | None = None) -> float:
    """PSS of a process and all its children (Chromium's), in MB."""
    root = psutil.Process(pid or os.getpid())
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 1e6


@dataclass
class PssSampler:
    """Samples the process tree's PSS in the background; keeps the peak."""

    interval_s: float = 0.5
    peak_mb: float = 0.0
    _task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, await asyncio.to_thread(tree_pss_mb))
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        self.peak_mb = 0.0
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        return self.peak_mb


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
