"""Does uploading results to S3 slow journeys down? (target: <= 5 %)

Runs the same tiny three-step journey (three JPEG screenshots per run) in real
Chromium, alternating between two `ResultsPipeline`s: one to S3 (a moto server
in its own process, reached over HTTP through AWS_ENDPOINT_URL), one to a
local directory. Both uploaders run in the background while the next journey
runs, as in the agent. Compares the journeys' own durations (median), and
reports publish (spool) latency and the time to drain each spool.

    .venv/bin/python bench/upload_overhead.py [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import free_port

PAGE_1 = """<html><head><title>Bench</title></head><body><h1>Sign in</h1>
<form><label for=e>Email</label><input id=e name=e><button type=button>Go</button></form>
<p>{filler}</p><a href="next.html">Next</a></body></html>"""
PAGE_2 = "<html><head><title>Next</title></head><body><h1>Next page</h1><p>{filler}</p></body></html>"


@contextmanager
def moto_process() -> Iterator[str]:
    """moto's S3 server in its own process, so it does not share our GIL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_site(root: Path) -> Iterator[str]:
    filler = "Lorem ipsum dolor sit amet. " * 200
    (root / "index.html").write_text(PAGE_1.format(filler=filler))
    (root / "next.html").write_text(PAGE_2.format(filler=filler))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def build_journey() -> Any:
    from playwright.async_api import Page

    from agent import JourneyContext, journey, step

    @journey(id="bench", timeout=30)
    async def bench(page: Page, ctx: JourneyContext) -> None:
        async with step("open"):
            await page.goto(ctx.url("/index.html"))
        async with step("fill"):
            await page.get_by_label("Email").fill("demo@example.com")
        async with step("next"):
            await page.get_by_role("link", name="Next").click()
            await page.get_by_role("heading", name="Next page").wait_for()

    return bench


async def measure(runs: int, work: Path, target: str) -> dict[str, dict[str, float]]:
    import boto3

    from agent.browser import Browser
    from agent.publish import Publisher
    from agent.runner import run_journey
    from agent.settings import Settings
    from agent.storage import ResultsPipeline

    bucket = "synth-bench"
    boto3.client("s3").create_bucket(Bucket=bucket)
    journey = build_journey()
    destinations = {"s3": f"s3://{bucket}/bench", "local": str(work / "results")}
    pipelines = {
        name: ResultsPipeline(
            uri,
            settings=Settings.model_validate({"spool_dir": work / f"spool-{name}", "s3_sse": "AES256"}),
            region="bench",
            writer_id=f"bench-{name}",
        )
        for name, uri in destinations.items()
    }
    durations: dict[str, list[float]] = {name: [] for name in pipelines}
    publish_ms: dict[str, list[float]] = {name: [] for name in pipelines}
    shot_bytes: list[int] = []
    browser = Browser()
    await browser.start()
    try:
        for p in pipelines.values():
            p.start()
        for i in range(runs * 2 + 2):
            name = ("s3", "local")[i % 2]
            result = await run_journey(journey, browser=browser, target=target, region="bench")
            if result.status != "passed":
                raise RuntimeError(f"bench journey {result.status}: {result.error}")
            t0 = time.perf_counter()
            await Publisher([pipelines[name]]).publish_async(result)
            if i >= 2:  # the first run of each is a warm-up
                publish_ms[name].append((time.perf_counter() - t0) * 1000)
                durations[name].append(result.duration_s)
                shot_bytes.append(sum(map(len, result.blobs.values())))
    finally:
        await browser.close()
    stats: dict[str, dict[str, float]] = {}
    for name, p in pipelines.items():
        t0 = time.perf_counter()
        report = p.flush(timeout=120)
        drain_s = time.perf_counter() - t0
        p.close(timeout=5)
        if not report.complete:
            raise RuntimeError(f"{name}: {report.pending} runs not uploaded: {report.last_error}")
        values = sorted(durations[name])
        stats[name] = {
            "median_s": statistics.median(values),
            "p90_s": values[max(0, int(len(values) * 0.9) - 1)],
            "publish_ms": statistics.median(publish_ms[name]),
            "drain_s": drain_s,
            "artifact_kb": statistics.mean(shot_bytes) / 1024,
        }
    return stats


def render(stats: dict[str, dict[str, float]], runs: int) -> str:
    ratio = stats["s3"]["median_s"] / stats["local"]["median_s"]
    lines = [
        f"Upload overhead: {runs} runs per destination, alternating; 3 steps, "
        f"{stats['s3']['artifact_kb']:.0f} KB of screenshots per run.",
        "",
        "| destination | median journey | p90 journey | median publish (spool) | drain after last run |",
        "|---|---|---|---|---|",
    ]
    for name in ("local", "s3"):
        s = stats[name]
        lines.append(
            f"| {name} | {s['median_s']:.3f} s | {s['p90_s']:.3f} s | {s['publish_ms']:.1f} ms | {s['drain_s']:.2f} s |"
        )
    verdict = "OK" if ratio <= 1.05 else "ABOVE TARGET"
    lines += ["", f"S3 / local median journey duration: **{ratio:.3f}** (target <= 1.05: {verdict})"]
    return "\n".join(lines)


@contextmanager
def s3_endpoint() -> Iterator[str]:
    """moto in its own process, with boto3 pointed at it through the standard variables."""
    with moto_process() as endpoint:
        os.environ.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
        )
        yield endpoint


def run_overhead(runs: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp, s3_endpoint():
        work = Path(tmp)
        (work / "site").mkdir()
        with static_site(work / "site") as target:
            return asyncio.run(measure(runs, work, target))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="runs per destination (default 20)")
    args = parser.parse_args()
    print(render(run_overhead(args.runs), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
