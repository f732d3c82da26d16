"""`synth run --results s3://…` end to end: real Chromium, a real local site,
moto's S3 server over HTTP, the real `synth` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from storage_helpers import Moto, keys

from agent.summary import parse_summary

pytestmark = pytest.mark.browser

JOURNEYS = """
from playwright.async_api import expect
from agent import journey, step

@journey(id="home", timeout=20)
async def home(page, ctx):
    async with step("open home"):
        await page.goto(ctx.url("/index.html"))
    async with step("read title"):
        assert await page.title() == "Home"

@journey(id="pay", timeout=20)
async def pay(page, ctx):
    async with step("open home"):
        await page.goto(ctx.url("/index.html"))
    async with step("pay"):
        await expect(page.get_by_role("button", name="Pay now")).to_be_visible(timeout=500)
"""


def synth_run(tmp_path: Path, site_url: str, results: str, *items: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNTH_SPOOL_DIR": str(tmp_path / "spool")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "run",
            *items,
            "--target",
            site_url,
            "--region",
            "ci",
            "--results",
            results,
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )


def tags(s3: Any, bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def test_synth_run_stores_results_and_screenshots_in_s3(
    moto: Moto, s3: Any, bucket: str, site: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = site
    (root / "index.html").write_text("<html><head><title>Home</title></head><body><h1>Home</h1></body></html>")
    journeys = tmp_path / "journeys.py"
    journeys.write_text(JOURNEYS)

    done = synth_run(tmp_path, url, f"s3://{bucket}/synth", str(journeys))

    assert not (tmp_path / "s3:").exists(), (
        "synth run wrote to a local directory named 's3:': agent/cli/run.py does not use "
        "agent.storage.ResultsPipeline for --results yet"
    )
    assert done.returncode == 1, done.stderr  # "pay" fails: exit 1, and both runs are stored
    stored = keys(s3, bucket, "synth/")
    results = [k for k in stored if k.endswith("/result.json")]
    assert len(results) == 2, stored
    for key in results:
        journey = key.split("/journey=")[1].split("/")[0]
        outcome = "passed" if journey == "home" else "failed"
        run_dir = key.rsplit("/", 1)[0]
        shots = [k for k in stored if k.startswith(run_dir + "/step-") and k.endswith(".jpg")]
        assert shots, f"no screenshots for {journey}"
        assert tags(s3, bucket, key) == {"synth-kind": "result", "synth-outcome": outcome}
        assert tags(s3, bucket, shots[0]) == {"synth-kind": "screenshot", "synth-outcome": outcome}
        assert s3.head_object(Bucket=bucket, Key=shots[0])["ContentType"] == "image/jpeg"
        assert s3.head_object(Bucket=bucket, Key=key)["Metadata"]["journey"] == journey
        assert key.startswith(f"synth/region=ci/journey={journey}/date=")
    full = [k for k in stored if k.endswith("-full.png")]
    assert len(full) == 1 and "/journey=pay/" in full[0]
    summaries = [k for k in stored if k.startswith("synth/_summaries/region=ci/")]
    assert len(summaries) == 2
    for key in summaries:
        (line,) = parse_summary(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode())
        assert line.region == "ci"
    spool_ready = tmp_path / "spool" / "ready"
    assert not spool_ready.exists() or list(spool_ready.iterdir()) == []
