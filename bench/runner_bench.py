"""Overhead and throughput of synth's runner against raw Playwright, in one process."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from agent.browser import Browser
from agent.dsl import Journey
from agent.runner import RunOptions, run_journey
from bench.baseline import run_raw
from bench.common import PARAMS, PssSampler, median, reset_shop

RunFn = Callable[[Journey], Awaitable[bool]]


@dataclass
class Overhead:
    raw_s: list[float]
    agent_s: list[float]

    @property
    def ratio(self) -> float:
        return median(self.agent_s) / median(self.raw_s)


@dataclass
class Throughput:
    concurrency: int
    kind: str
    runs: int
    passed: int
    seconds: float
    peak_pss_mb: float

    @property
    def per_minute(self) -> float:
        return self.runs / self.seconds * 60


def runners(browser: Browser, target: str, options: RunOptions) -> tuple[RunFn, RunFn]:
    async def agent(journey: Journey) -> bool:
        result = await run_journey(
            journey, browser=browser, target=target, region="bench", params=PARAMS, options=options
        )
        return result.status == "passed"

    async def raw(journey: Journey) -> bool:
        return await run_raw(journey, browser, target, dict(PARAMS))

    return agent, raw


async def measure_overhead(
    browser: Browser, target: str, checkout: Journey, options: RunOptions, pairs: int
) -> Overhead:
    agent, raw = runners(browser, target, options)
    for fn in (raw, agent):  # warm-up, not measured
        await fn(checkout)
    raw_s: list[float] = []
    agent_s: list[float] = []
    for i in range(pairs):
        order = [(raw, raw_s), (agent, agent_s)] if i % 2 == 0 else [(agent, agent_s), (raw, raw_s)]
        for fn, sink in order:
            t0 = time.perf_counter()
            ok = await fn(checkout)
            sink.append(time.perf_counter() - t0)
            if not ok:
                raise RuntimeError("checkout did not pass during the overhead benchmark")
    return Overhead(raw_s, agent_s)


async def measure_throughput(
    fn: RunFn, kind: str, journeys: list[Journey], concurrency: int, runs: int, target: str
) -> Throughput:
    await asyncio.to_thread(reset_shop, target)
    order = itertools.islice(itertools.cycle(journeys), runs)
    queue: asyncio.Queue[Journey] = asyncio.Queue()
    for journey in order:
        queue.put_nowait(journey)
    passed = 0

    async def worker() -> None:
        nonlocal passed
        while not queue.empty():
            journey = queue.get_nowait()
            if await fn(journey):
                passed += 1

    sampler = PssSampler()
    sampler.start()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - t0
    peak = await sampler.stop()
    return Throughput(concurrency, kind, runs, passed, seconds, peak)


async def run_all(
    target: str, journeys: dict[str, Journey], *, pairs: int, runs: int, levels: tuple[int, ...]
) -> tuple[Overhead, list[Throughput], str]:
    os.environ.setdefault("SYNTH_SECRET_SHOP_PASSWORD", "demo-password-123")
    options = RunOptions()
    browser = Browser(prewarm=True)
    await browser.start()
    try:
        overhead = await measure_overhead(browser, target, journeys["checkout"], options, pairs)
        agent, raw = runners(browser, target, options)
        retail = [journeys[j] for j in ("login", "cart", "checkout", "order-confirmation")]
        results: list[Throughput] = []
        for level in levels:
            for kind, fn in (("raw", raw), ("agent", agent)):
                results.append(await measure_throughput(fn, kind, retail, level, runs, target))
        return overhead, results, browser.version or "?"
    finally:
        await browser.close()
