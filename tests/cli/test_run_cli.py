"""`synth run` end to end: real Chromium, a real local site, real JUnit parsing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

pytestmark = pytest.mark.browser

SYNTH = [sys.executable, "-m", "agent.cli"]
ANSI = re.compile(r"\x1b\[|\x1b\]|\r")

PASSING = """
from agent import journey, step

@journey(id="passing", tags=["post-deploy"], timeout=20)
async def passing(page, ctx):
    async with step("open home"):
        await page.goto(ctx.url("/index.html"))
    async with step("read title"):
        assert await page.title() == "Home"
"""
FAILING = """
from playwright.async_api import expect
from agent import journey, step

@journey(id="failing", tags=["post-deploy"], timeout=20)
async def failing(page, ctx):
    async with step("open home"):
        await page.goto(ctx.url("/index.html"))
    async with step("pay"):
        await expect(page.get_by_role("button", name="Pay now")).to_be_visible(timeout=500)
    async with step("confirm"):
        pass
"""
SLOW = """
import asyncio
from agent import journey, step

@journey(id="slow", tags=["nightly"], timeout=2)
async def slow(page, ctx):
    async with step("open home"):
        await page.goto(ctx.url("/index.html"))
    async with step("wait for the batch"):
        await asyncio.sleep(60)
"""


@pytest.fixture
def project(tmp_path: Path, site: tuple[str, Path]) -> tuple[Path, str]:
    url, root = site
    (root / "index.html").write_text("<html><head><title>Home</title></head><body><h1>Home</h1></body></html>")
    journeys = tmp_path / "journeys"
    journeys.mkdir()
    (journeys / "passing.py").write_text(PASSING)
    (journeys / "failing.py").write_text(FAILING)
    (journeys / "slow.py").write_text(SLOW)
    return tmp_path, url


def synth(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNTH_", "GITHUB_", "CI_COMMIT"))}
    full_env.update(env or {})
    return subprocess.run(
        [*SYNTH, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def test_junit_json_and_summary_for_pass_fail_and_timeout(project: tuple[Path, str]) -> None:
    cwd, url = project
    proc = synth(
        cwd,
        "run",
        "journeys",
        "--target",
        url,
        "--junit",
        "out.xml",
        "--json",
        "out.json",
        "--summary",
        "out.md",
        "--results",
        "res",
        env={"GITHUB_SHA": "abc123"},
    )
    assert proc.returncode == 1, proc.stderr
    xml = JUnitXml.fromfile(str(cwd / "out.xml"))
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (3, 2, 0, 0)
    [suite] = list(xml)
    assert suite.name == "local"
    cases = {case.name: case for case in suite}
    assert cases["passing"].is_passed
    [failure] = cases["failing"].result
    assert isinstance(failure, Failure)
    assert failure.message.startswith("failed at step 'pay': ")
    [timeout] = cases["slow"].result
    assert isinstance(timeout, Failure)
    assert timeout.type == "timeout"
    assert "timeout at step 'wait for the batch'" in timeout.message
    assert float(cases["passing"].time) > 0
    assert "open home" in cases["failing"].system_out
    assert "[skipped] 03 confirm" in cases["failing"].system_out

    doc = json.loads((cwd / "out.json").read_text())
    assert doc["exit_code"] == 1
    assert doc["release"] == "abc123"
    assert doc["counts"] == {"passed": 1, "failed": 1, "timeout": 1, "error": 0, "skipped": 0}
    summary = (cwd / "out.md").read_text()
    assert "1/3 journeys passed" in summary
    assert "| failing | local | ❌ failed |" in summary
    results = list((cwd / "res").rglob("result.json"))
    assert len(results) == 3
    assert all(json.loads(p.read_text())["release"] == "abc123" for p in results)


def test_plain_output_off_a_terminal_has_no_control_characters(project: tuple[Path, str]) -> None:
    cwd, url = project
    proc = synth(cwd, "run", "passing", "failing", "--journeys-dir-unused", "--target", url)
    assert proc.returncode == 2  # unknown option: usage error
    proc = synth(cwd, "run", "journeys/passing.py", "journeys/failing.py", "--target", url, "--results", "r")
    assert proc.returncode == 1
    assert not ANSI.search(proc.stdout + proc.stderr)
    assert "failing: step: pay" in proc.stderr
    assert re.search(r"^failing\s+failed\s+", proc.stdout, re.M)


def test_batch_timeout_reports_unfinished_journeys_as_timeout(project: tuple[Path, str]) -> None:
    cwd, url = project
    (cwd / "journeys" / "slow.py").write_text(SLOW.replace("timeout=2", "timeout=60"))
    proc = synth(
        cwd, "run", "slow", "passing", "--target", url, "--timeout", "3s", "--junit", "t.xml", "--results", "r"
    )
    assert proc.returncode == 1
    xml = JUnitXml.fromfile(str(cwd / "t.xml"))
    assert (xml.tests, xml.failures) == (2, 1)
    assert "batch" not in proc.stdout.split("passing")[1].splitlines()[0]  # passing one is unaffected
    assert re.search(r"^slow\s+timeout\s+", proc.stdout, re.M)


def test_fail_fast_skips_the_rest_and_retries_are_reported(project: tuple[Path, str]) -> None:
    cwd, url = project
    proc = synth(
        cwd,
        "run",
        "failing",
        "passing",
        "--target",
        url,
        "--fail-fast",
        "--retries",
        "1",
        "--junit",
        "f.xml",
        "--json",
        "f.json",
        "--results",
        "r",
    )
    assert proc.returncode == 1
    xml = JUnitXml.fromfile(str(cwd / "f.xml"))
    assert (xml.tests, xml.failures, xml.skipped) == (2, 1, 1)
    cases = {c.name: c for c in next(iter(xml))}
    assert isinstance(cases["passing"].result[0], Skipped)
    assert "after 2 attempts" in cases["failing"].result[0].message
    doc = json.loads((cwd / "f.json").read_text())
    failing = next(j for j in doc["journeys"] if j["journey"] == "failing")
    assert [a["status"] for a in failing["attempts"]] == ["failed", "failed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--target", "ftp://x"], "synth run: error: --target 'ftp://x': must be an http:// or https:// URL"),
        (
            ["run", "--target", "http://127.0.0.1:9", "--param", "oops"],
            "synth run: error: --param 'oops': expected KEY=VALUE",
        ),
        (
            ["run", "--target", "http://127.0.0.1:9", "no-such-id"],
            "synth run: error: unknown journey id(s) no-such-id; known ids: failing, passing, slow",
        ),
        (
            ["run", "--target", "http://127.0.0.1:9", "--parallel", "0"],
            "synth run: error: argument --parallel: '0' must be 1 or more",
        ),
        (
            ["run", "--target", "http://127.0.0.1:9", "--timeout", "soon"],
            "synth run: error: argument --timeout: 'soon' is not a duration",
        ),
        (["run", "--bogus"], "synth run: error: unrecognized arguments: --bogus"),
        (["run"], "synth run: error: --target is required"),
        (["frobnicate"], "synth: error: argument COMMAND: invalid choice: 'frobnicate'"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(project: tuple[Path, str], args: list[str], message: str) -> None:
    cwd, _ = project
    proc = synth(cwd, *args)
    assert proc.returncode == 2
    assert proc.stderr.startswith(message), proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_broken_journey_file_exit_2_naming_file_and_line_while_others_run(project: tuple[Path, str]) -> None:
    cwd, url = project
    (cwd / "journeys" / "broken.py").write_text(
        "from agent import journey\n\n@journey(id='x')\ndef x(page, ctx):\n    pass\n"
    )
    proc = synth(cwd, "run", "journeys", "--target", url, "--tags", "post-deploy", "--results", "r")
    assert proc.returncode == 2
    assert "journeys/broken.py:3: journey 'x': `x` must be `async def`" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(r"^passing\s+passed", proc.stdout, re.M)  # the others still ran


def test_no_browser_is_exit_3_saying_where_it_looked(project: tuple[Path, str], tmp_path: Path) -> None:
    cwd, url = project
    env = {
        "PATH": str(tmp_path / "empty-bin"),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "none"),
        "SYNTH_BROWSER_EXECUTABLE": str(tmp_path / "missing-chromium"),
    }
    proc = synth(cwd, "run", "passing", "--target", url, env=env)
    assert proc.returncode == 3, proc.stderr
    assert "no Chromium found. Looked in: Playwright's build" in proc.stderr
    assert "SYNTH_BROWSER_EXECUTABLE=" in proc.stderr
    assert "Traceback" not in proc.stderr
