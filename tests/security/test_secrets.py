"""A secret used by a journey appears in no artifact: results, spool, summaries,
logs, JUnit, JSON, Markdown, the HTML report, metrics, or any error message --
including a run that fails while typing the secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from agent.metrics import Metrics
from agent.model import JourneyResult

pytestmark = pytest.mark.browser

SECRET = "Tr0ub4dor-and-3-horses"

LEAKY = """
from playwright.async_api import expect
from agent import journey, step

@journey(id="leaky", timeout=20)
async def leaky(page, ctx):
    secret = ctx.secret("SHOP_PASSWORD")
    async with step("sign in"):
        await page.goto(ctx.url("/index.html?token=" + secret))
        await page.get_by_label("Password").fill(secret)
    async with step("echo", soft=True):
        await page.evaluate("s => console.error('login failed for ' + s)", secret)
        await page.goto(ctx.url("/missing?password=" + secret))
        raise AssertionError("server rejected password " + secret)
    async with step("type into a missing field"):
        await page.get_by_label("Confirm password").fill(secret, timeout=500)
"""


def test_no_artifact_contains_the_secret(tmp_path: Path, site: tuple[str, Path]) -> None:
    url, root = site
    (root / "index.html").write_text(
        "<html><body><form><label for=p>Password</label><input id=p type=password></form></body></html>"
    )
    (tmp_path / "journeys").mkdir()
    (tmp_path / "journeys" / "leaky.py").write_text(LEAKY)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNTH_", "GITHUB_"))}
    env.update(
        SYNTH_SECRET_SHOP_PASSWORD=SECRET,
        SYNTH_LOG_LEVEL="DEBUG",
        SYNTH_LOG_FORMAT="json",
        SYNTH_SPOOL_DIR=str(tmp_path / "spool"),
        SYNTH_TRACE="on",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "run",
            "journeys",
            "--target",
            url,
            "--results",
            "results",
            "--junit",
            "out.xml",
            "--json",
            "out.json",
            "--summary",
            "out.md",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "report",
            "--results",
            "results",
            "--format",
            "html",
            "--out",
            "report.html",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert report.returncode == 0, report.stderr
    [result_file] = (tmp_path / "results").rglob("result.json")
    result = JourneyResult.model_validate_json(result_file.read_text())
    assert result.failed_step == "echo"
    assert [s.status for s in result.steps] == ["passed", "failed", "failed"]
    assert "***" in result_file.read_text()  # it was there, and it was scrubbed
    assert not (result_file.parent / "trace.zip").exists()  # traces of secret-reading runs are dropped

    registry = CollectorRegistry()
    Metrics(registry, "local").publish(result)
    texts = {
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "report stderr": report.stderr,
        "metrics": generate_latest(registry).decode(),
    }
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path / "journeys"]
    assert len(files) >= 8
    leaks = [str(p) for p in files if SECRET.encode() in p.read_bytes()]
    leaks += [name for name, text in texts.items() if SECRET in text]
    assert leaks == []
    assert "report.html" in {p.name for p in files}
    assert any(p.name == "out.xml" for p in files)
