"""The runner against real Chromium and a real local site."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, expect

from agent import JourneyContext, journey, step
from agent.browser import Browser
from agent.runner import RunOptions, blocked_url_pattern, run_journey
from agent.scrub import Scrubber

pytestmark = pytest.mark.browser

LOGIN_PAGE = """<html><body><h1>Sign in</h1>
<form><label for=e>Email</label><input id=e name=e>
<label for=p>Password</label><input id=p type=password name=p style="width:400px;height:60px">
<div class=promo style="width:300px;height:60px;background:#00ff00">PROMO</div></form>
<a href="next.html">Next</a></body></html>"""
NEXT_PAGE = """<html><body><h1>Next page</h1><script>console.error("widget exploded")</script>
<img src="missing.png"></body></html>"""


@pytest.fixture
def pages(site: tuple[str, Path]) -> str:
    url, root = site
    (root / "index.html").write_text(LOGIN_PAGE)
    (root / "next.html").write_text(NEXT_PAGE)
    return url


@journey(id="happy", timeout=20, mask=[".promo"])
async def happy(page: Page, ctx: JourneyContext) -> None:
    async with step("open"):
        await page.goto(ctx.url("/index.html"))
        await page.get_by_label("Password").fill(ctx.secret("TEST_PW"))
    async with step("go next"):
        await page.get_by_role("link", name="Next").click()
        await expect(page.get_by_role("heading")).to_have_text("Next page")
        await page.wait_for_load_state("load")  # the console error and the 404 come before `load`


@journey(id="soft-then-hard", timeout=20)
async def soft_then_hard(page: Page, ctx: JourneyContext) -> None:
    async with step("open"):
        await page.goto(ctx.url("/index.html"))
    async with step("soft check", soft=True):
        await expect(page.get_by_role("heading")).to_have_text("Nope", timeout=300)
    async with step("hard check"):
        await expect(page.get_by_text("Not there")).to_be_visible(timeout=300)
    async with step("never reached"):
        await page.goto(ctx.url("/next.html"))
    async with step("also never"):
        pass


@journey(id="slow", timeout=1.5)
async def slow(page: Page, ctx: JourneyContext) -> None:
    async with step("open"):
        await page.goto(ctx.url("/index.html"))
    async with step("wait forever"):
        await asyncio.sleep(30)
    async with step("after"):
        pass


@journey(id="broken-code", timeout=10)
async def broken_code(page: Page, ctx: JourneyContext) -> None:
    async with step("open"):
        await page.goto(ctx.url("/index.html"))
    async with step("typo"):
        {}["missing"]


@journey(id="escape", timeout=10)
async def escape(page: Page, ctx: JourneyContext) -> None:
    async with step("internal service"):
        await page.goto("http://169.254.169.254.invalid/latest/meta-data")


def run(aio, browser: Browser, j, target: str, **kw):  # type: ignore[no-untyped-def]
    return aio.run(run_journey(j, browser=browser, target=target, region="test-region", **kw))


def test_passing_journey_records_steps_screenshots_and_timings(aio, browser, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SYNTH_SECRET_TEST_PW", "s3cret-pw-1")
    result = run(aio, browser, happy, pages)
    assert result.status == "passed", result.error
    assert [s.name for s in result.steps] == ["open", "go next"]
    assert all(s.status == "passed" and s.duration_s > 0 for s in result.steps)
    assert result.steps[0].screenshot is not None
    assert result.steps[0].screenshot.path == "step-01-open.jpg"
    assert result.blobs["step-01-open.jpg"][:3] == b"\xff\xd8\xff"  # JPEG
    assert result.steps[1].url == f"{pages}/next.html"
    assert result.steps[1].navigation is not None and result.steps[1].navigation.ttfb_ms >= 0
    assert "widget exploded" in result.steps[1].console_errors
    assert any(r.failure == "HTTP 404" and r.url.endswith("missing.png") for r in result.steps[1].failed_requests)
    assert result.failed_step is None and result.error is None


def test_password_inputs_and_mask_selectors_are_masked(aio, browser, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SYNTH_SECRET_TEST_PW", "s3cret-pw-1")
    result = run(aio, browser, happy, pages)
    shot = result.blobs["step-01-open.jpg"]
    # Playwright masks with #FF00FF; find the password box and the promo box by layout.
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    pixels = list(image.get_flattened_data())
    magenta = sum(1 for r, g, b in pixels if r > 200 and g < 60 and b > 200)
    green = sum(1 for r, g, b in pixels if r < 60 and g > 200 and b < 60)
    assert magenta > 400 * 50  # password input (400x60) and promo (300x60) painted over
    assert green < 100  # the masked promo's green is gone


def test_soft_failure_continues_and_hard_failure_skips_the_rest(aio, browser, pages) -> None:  # type: ignore[no-untyped-def]
    result = run(aio, browser, soft_then_hard, pages)
    assert result.status == "failed"
    statuses = [(s.name, s.status) for s in result.steps]
    assert statuses == [
        ("open", "passed"),
        ("soft check", "failed"),
        ("hard check", "failed"),
        ("never reached", "skipped"),
        ("also never", "skipped"),
    ]
    assert result.failed_step == "soft check"
    assert result.error is not None and result.error.category == "assertion"
    hard = result.steps[2]
    assert hard.screenshot is not None and hard.fullpage is not None
    assert result.blobs[hard.fullpage.path][:8] == b"\x89PNG\r\n\x1a\n"


def test_timeout_names_the_step_it_was_on(aio, browser, pages) -> None:  # type: ignore[no-untyped-def]
    result = run(aio, browser, slow, pages)
    assert result.status == "timeout"
    assert result.failed_step == "wait forever"
    assert result.error is not None and "1.5s" in result.error.message and "wait forever" in result.error.message
    assert [s.status for s in result.steps] == ["passed", "timeout", "skipped"]
    assert result.steps[1].screenshot is not None  # taken after the timeout
    assert result.duration_s < 1.5 + 5


def test_broken_journey_code_is_an_error_not_a_crash(aio, browser, pages) -> None:  # type: ignore[no-untyped-def]
    result = run(aio, browser, broken_code, pages)
    assert result.status == "error"
    assert result.failed_step == "typo"
    assert result.error is not None and result.error.category == "journey-code"
    assert result.error.type == "KeyError"


def test_missing_secret_is_a_config_error_naming_the_variable(aio, browser, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SYNTH_SECRET_TEST_PW", raising=False)
    result = run(aio, browser, happy, pages)
    assert result.status == "error"
    assert result.error is not None and result.error.category == "config"
    assert "SYNTH_SECRET_TEST_PW" in result.error.message


def test_secrets_are_scrubbed_from_errors(aio, browser, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    @journey(id="leaky", timeout=10)
    async def leaky(page: Page, ctx: JourneyContext) -> None:
        async with step("type secret"):
            await page.goto(ctx.url("/index.html?token=" + ctx.secret("LEAK")))
            raise AssertionError(f"password {ctx.secret('LEAK')} rejected")

    monkeypatch.setenv("SYNTH_SECRET_LEAK", "very-secret-value")
    result = run(aio, browser, leaky, pages, scrubber=Scrubber())
    dumped = result.model_dump_json()
    assert "very-secret-value" not in dumped
    assert "password *** rejected" in dumped
    assert "token=***" in dumped


def test_navigation_outside_allowed_hosts_is_blocked(aio, browser, pages) -> None:  # type: ignore[no-untyped-def]
    result = run(aio, browser, escape, pages)
    assert result.status == "failed"
    assert result.error is not None and result.error.category == "blocked"


def test_blocked_url_pattern_allows_only_listed_hosts() -> None:
    pattern = blocked_url_pattern(("shop.example.com", "*.cdn.example.net"))
    assert not pattern.match("https://shop.example.com/web/login")
    assert not pattern.match("https://shop.example.com:8443/")
    assert not pattern.match("https://img.cdn.example.net/a.png")
    assert pattern.match("https://shop.example.com.evil.io/")
    assert pattern.match("http://10.0.0.1/admin")
    assert not pattern.match("data:image/png;base64,xx")


def test_browser_crash_before_the_run_is_an_error(aio, pages) -> None:  # type: ignore[no-untyped-def]
    dead = Browser(executable="/nonexistent/chromium")

    class NoBrowser(Browser):
        async def new_context(self, **options):  # type: ignore[no-untyped-def,override]
            from agent.errors import BrowserNotFoundError

            raise BrowserNotFoundError("no Chromium found. Looked in: nowhere")

    result = aio.run(run_journey(happy, browser=NoBrowser(), target=pages))
    assert result.status == "error"
    assert result.is_infra_error
    assert "no Chromium" in (result.error.message if result.error else "")
    del dead


def test_options_screenshot_off_writes_no_images(aio, browser, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agent.recorder import ArtifactPolicy

    monkeypatch.setenv("SYNTH_SECRET_TEST_PW", "x-pw-x")
    result = run(aio, browser, happy, pages, options=RunOptions(artifacts=ArtifactPolicy(screenshot="off")))
    assert result.status == "passed"
    assert result.blobs == {} and result.artifacts == []


def test_trace_kept_on_failure_but_never_for_a_run_that_read_a_secret(aio, browser, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    options = RunOptions(trace="retain-on-failure")
    failed = run(aio, browser, soft_then_hard, pages, options=options)
    assert failed.status == "failed"
    assert [a.kind for a in failed.artifacts].count("trace") == 1
    assert failed.blobs["trace.zip"][:2] == b"PK"

    monkeypatch.setenv("SYNTH_SECRET_TEST_PW", "traced-secret-1")
    passed = run(aio, browser, happy, pages, options=RunOptions(trace="on"))
    assert passed.status == "passed"
    assert "trace.zip" not in passed.blobs  # happy() read a secret: its trace is dropped


def test_subresources_outside_allowed_hosts_are_blocked_and_reported(aio, browser, site) -> None:  # type: ignore[no-untyped-def]
    url, root = site
    port = url.rsplit(":", 1)[1]
    (root / "index.html").write_text(
        f"<html><body><h1>Home</h1><img src='http://localhost:{port}/x.png'></body></html>"
    )

    @journey(id="home", timeout=10)
    async def home(page: Page, ctx: JourneyContext) -> None:
        async with step("open"):
            await page.goto(ctx.url("/index.html"))
            await page.wait_for_load_state("load")

    result = run(aio, browser, home, url)
    assert result.status == "passed"  # the page itself is allowed
    [blocked] = result.steps[0].failed_requests
    assert blocked.url == f"http://localhost:{port}/x.png"  # loopback under another name is not the target
    assert blocked.failure.startswith("blocked: the host is not in allowed_hosts")
