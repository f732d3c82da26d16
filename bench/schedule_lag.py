"""Schedule lag: actual start minus planned start, 50 scheduled journeys under a concurrency cap.

Runs the real agent (APScheduler, semaphore, runner, sinks) in-process for a
fixed time against a tiny local page, and records every run's lag as the agent
observes it. Target: p99 <= 0.5 s when the agent is not saturated.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import tempfile
import threading
import time
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from agent.daemon import Agent
from agent.loader import load_journeys
from agent.metrics import Metrics
from agent.regions import load_region
from agent.settings import Settings
from agent.storage import ResultsPipeline
from bench.common import free_port, percentile

JOURNEY_FILE = """
from agent import journey, step

async def visit(page, ctx):
    async with step("open"):
        await page.goto(ctx.url("/"))

for i in range({count}):
    globals()[f"j{{i}}"] = journey(id=f"lag-{{i:02d}}", timeout=20)(visit)
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def measure(
    count: int = 50, interval_s: int = 30, concurrency: int = 4, seconds: float = 60.0
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="synth-lag-") as tmp:
        root = Path(tmp)
        (root / "site").mkdir()
        (root / "site" / "index.html").write_text("<html><body><h1>lag</h1></body></html>")
        (root / "journeys").mkdir()
        (root / "journeys" / "lag.py").write_text(JOURNEY_FILE.format(count=count))
        server, url = _serve(root / "site")
        try:
            region = {
                "region": "lag",
                "target": url,
                "concurrency": concurrency,
                "defaults": {"interval": f"{interval_s}s", "jitter": "2s", "timeout": "20s"},
                "journeys": [{"id": f"lag-{i:02d}"} for i in range(count)],
                "results": str(root / "results"),
            }
            (root / "regions").mkdir()
            (root / "regions" / "lag.yaml").write_text(yaml.safe_dump(region))
            loaded = load_journeys([root / "journeys"])
            config = load_region(root / "regions" / "lag.yaml", known_journey_ids=set(loaded.journeys))
            settings = Settings(listen=f"127.0.0.1:{free_port()}", spool_dir=root / "spool")

            def destination(metrics: Metrics) -> ResultsPipeline:
                return ResultsPipeline(str(root / "results"), settings=settings, region="lag", metrics=metrics)

            agent = Agent(config, loaded.journeys, settings, destination=destination, registry=CollectorRegistry())
            lags: list[float] = []
            child = agent.metrics.schedule_lag.labels("lag")
            observe = child.observe

            def record(value: float) -> None:
                lags.append(value)
                observe(value)

            child.observe = record  # type: ignore[method-assign]
            task = asyncio.create_task(agent.run(install_signals=False))
            t0 = time.monotonic()
            await asyncio.sleep(seconds)
            agent.stop()
            await task
            wall = time.monotonic() - t0
        finally:
            server.shutdown()
    durations = [s.last_duration_s for s in agent.runs.states.values() if s.last_duration_s is not None]
    mean_run = sum(durations) / max(1, len(durations))
    return {
        "runs": len(lags),
        "mean_run_s": mean_run,
        "p50": percentile(lags, 50),
        "p99": percentile(lags, 99),
        "max": max(lags) if lags else float("nan"),
        "utilisation": len(lags) * mean_run / (wall * concurrency),
    }


if __name__ == "__main__":
    print(asyncio.run(measure()))
