"""The HTML report in real Chromium: self-contained, no console errors, one heatmap cell
per region × journey, screenshot thumbnails that load through relative links."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import START
from report_helpers import make_run, store_runs

from agent.browser import Browser
from agent.cli import main

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-1")
JOURNEYS = ("cart", "checkout", "login")
FAILING_PAGE = """<body style="font:16px sans-serif;margin:0"><header style="background:#714b67;color:#fff;
padding:12px 20px;font-weight:600">My Shop</header><main style="padding:24px"><h1 style="color:#b91c1c">{title}</h1>
<p>{region} · {journey}</p><button style="padding:8px 16px">Pay now</button></main></body>"""


async def screenshots(browser: Browser) -> dict[tuple[str, str], bytes]:
    """A real Chromium screenshot of a failing page per region × journey."""
    context = await browser.new_context(viewport={"width": 640, "height": 400})
    try:
        page = await context.new_page()
        shots = {}
        for region in REGIONS:
            for journey in JOURNEYS:
                title = "Payment failed" if journey == "checkout" else "Something went wrong"
                await page.set_content(FAILING_PAGE.format(title=title, region=region, journey=journey))
                shots[(region, journey)] = await page.screenshot(type="png")
        return shots
    finally:
        await context.close()


def runs(shots: dict[tuple[str, str], bytes]) -> list[Any]:
    """3 hours, a run every 10 minutes; us-east-1 is slow for an hour, ap-southeast-1's checkout
    fails for an hour, and ap-southeast-1 never ran login (an empty heatmap cell)."""
    out = []
    for r, region in enumerate(REGIONS):
        for j, journey in enumerate(JOURNEYS):
            if (region, journey) == ("ap-southeast-1", "login"):
                continue
            for i in range(18):
                when = START + timedelta(minutes=10 * i, seconds=7 * r + j)
                slow = region == "us-east-1" and 6 <= i < 12
                failing = region == "ap-southeast-1" and journey == "checkout" and 8 <= i < 14
                flaky = (i + r + j) % 11 == 0
                status = "failed" if failing or flaky else "passed"
                duration = (2.0 + j + (i % 5) * 0.3) * (3.5 if slow else 1.0)
                out.append(
                    make_run(
                        region=region,
                        journey=journey,
                        started_at=when,
                        duration_s=round(duration, 3),
                        status=status,
                        failed_index=3 if failing else 2,
                        screenshot=shots[(region, journey)],
                    )
                )
    return out


@pytest.mark.browser
def test_html_report_in_chromium(
    browser: Browser, aio: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    store_runs(str(results), tmp_path / "spool", runs(aio.run(screenshots(browser))), writer="agent")
    out = tmp_path / "reports" / "report.html"
    window = ["--from", START.isoformat(), "--to", (START + timedelta(hours=4)).isoformat()]
    args = ["--results", str(results), *window, "--slo", "90", "--format", "html", "--out", str(out)]
    assert main(["report", *args]) == 0
    capsys.readouterr()
    html = out.read_text()
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the report must not load anything remote"

    async def inspect() -> dict[str, Any]:
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        try:
            page = await context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            await page.goto(out.as_uri(), wait_until="load")
            await page.locator(".gallery").scroll_into_view_if_needed()  # thumbnails load lazily
            await page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=15_000)
            await page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            cells = await page.eval_on_selector_all(
                '[data-testid="heatmap-cell"]',
                "els => els.map(e => [e.dataset.region, e.dataset.journey, e.querySelector('text').textContent, "
                "e.querySelector('title').textContent, e.querySelector('rect').getAttribute('fill')])",
            )
            images = await page.eval_on_selector_all(".gallery img", "els => els.map(i => i.naturalWidth)")
            charts = await page.eval_on_selector_all("svg.chart", "els => els.length")
            return {"cells": cells, "images": images, "charts": charts, "problems": problems}
        finally:
            await context.close()

    seen = aio.run(inspect())
    assert seen["problems"] == []
    cells = seen["cells"]
    assert len(cells) == len(REGIONS) * len(JOURNEYS)
    assert sorted((c[0], c[1]) for c in cells) == sorted((r, j) for r in REGIONS for j in JOURNEYS)
    by_key = {(c[0], c[1]): c for c in cells}
    assert "no runs" in by_key[("ap-southeast-1", "login")][2]
    assert by_key[("eu-west-1", "cart")][2] == "88.9%"  # 16 of 18: two flaky runs
    assert by_key[("eu-west-1", "login")][2] == "94.4%"
    assert by_key[("ap-southeast-1", "checkout")][3] == (
        "ap-southeast-1 × checkout: 66.7% available, 12 of 18 runs passed; p95 4.2s; error budget used 333% (SLO 90%)"
    )
    # colour by error budget used at SLO 90%: 56% (≤ 75%), 111% (≤ 200%), 333% (≤ 500%)
    assert [by_key[k][4] for k in (("eu-west-1", "login"), ("eu-west-1", "cart"), ("ap-southeast-1", "checkout"))] == [
        "#91cf60",
        "#fdae61",
        "#f46d43",
    ]
    assert seen["images"] and all(width == 640 for width in seen["images"])
    assert seen["charts"] == 1 + len(REGIONS) + 1  # heatmap, latency per region, failure timeline
