"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no CDN).

Screenshots are the only external references: relative links next to a local
results root, `s3://` URIs (shown as links, not thumbnails) or presigned URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from importlib.resources import files

from agent.duration import format_duration
from agent.report import series, svg
from agent.report.build import Report
from agent.report.stats import Cell, Failure
from agent.report.text import budget, percent, short_error, steps_text, when

Linker = Callable[[str], str]
Exists = Callable[[str], bool]
MAX_SHOTS = 24


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _css() -> str:
    return files("agent.report").joinpath("report.css").read_text(encoding="utf-8")


def _kpis(report: Report) -> str:
    worst = min(report.cells, key=lambda c: (c.availability, c.region, c.journey))
    used = report.budget_used()
    tone = "good" if report.availability >= report.slo else "bad"
    items = [
        ("Availability", f'<span class="value {tone}">{percent(report.availability)}</span>', f"SLO {report.slo:g}%"),
        (
            "Runs",
            f'<span class="value">{report.runs:,}</span>',
            f"{len(report.regions)} regions × {len(report.journeys)} journeys",
        ),
        (
            "Error budget used",
            f'<span class="value {"good" if used <= 100 else "bad"}">{budget(used)}</span>',
            "all regions and journeys",
        ),
        ("Worst", f'<span class="value">{percent(worst.availability)}</span>', f"{worst.region} · {worst.journey}"),
    ]
    return (
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi"><div class="label">{label}</div>{value}<div class="note">{_e(note)}</div></div>'
            for label, value, note in items
        )
        + "</div>"
    )


def _failure_cell(f: Failure | None, link: Linker, exists: Exists) -> str:
    if f is None:
        return '<span class="steps">none</span>'
    shot = ""
    if f.screenshot and exists(f.screenshot):
        shot = f' · <a href="{_e(link(f.screenshot))}">screenshot</a>'
    error = short_error(f.error, 300)
    return (
        f'<span class="pill {_e(f.status)}">{_e(f.status)}</span> <span class="when">{_e(when(f.started_at))}</span>'
        f"<br><strong>{_e(f.step or '-')}</strong>{shot}"
        f'<div class="error clip" title="{_e(error)}">{_e(error)}</div>'
    )


def _table(report: Report, link: Linker, exists: Exists) -> str:
    rows = []
    for c in report.cells:
        used = c.budget_used(report.slo)
        fill, _ = svg.budget_colours(used)
        p = c.percentiles
        rows.append(
            f"<tr><td class=name>{_e(c.region)}</td><td class=name>{_e(c.journey)}</td><td class=num>{c.runs:,}</td>"
            f"<td class=num>{percent(c.availability)}</td>"
            + "".join(
                f"<td class=num>{format_duration(v) if v is not None else '-'}</td>"
                for v in (p.get(50), p.get(95), p.get(99))
            )
            + f'<td class=num>{budget(used)}<span class="bar"><span style="width:{min(used, 100):.0f}%;'
            f'background:{fill}"></span></span></td>'
            f'<td class="steps">{_e(steps_text(c, 4))}</td><td>{_failure_cell(c.latest_failure, link, exists)}</td></tr>'
        )
    head = "".join(
        f"<th{' class=num' if n else ''}>{h}</th>"
        for h, n in (
            ("Region", 0),
            ("Journey", 0),
            ("Runs", 1),
            ("Availability", 1),
            ("p50", 1),
            ("p95", 1),
            ("p99", 1),
            ("Budget used", 1),
            ("Failing steps", 0),
            ("Latest failure", 0),
        )
    )
    return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _latency(report: Report, axis: series.Axis) -> str:
    charts = []
    for region in report.regions:
        cells = [c for c in report.cells if c.region == region]
        points = series.latency(cells, axis)
        chart = svg.latency_chart(f"Latency in {region}", points, axis)
        charts.append(f"<div><h3>{_e(region)}</h3>{chart}</div>")
    return f'<div class="grid-2">{"".join(charts)}</div>'


def _timeline(report: Report, axis: series.Axis) -> str:
    rows = [(f"{c.region} · {c.journey}", series.failures(c, axis)) for c in report.cells]
    if not any(buckets for _, buckets in rows):
        return '<p class="empty">No failures in this window.</p>'
    return svg.failure_timeline(rows, axis)


def _gallery(report: Report, link: Linker, exists: Exists) -> str:
    shots: list[tuple[Cell, str, Failure]] = [
        (c, step, f) for c in report.cells for step, f in c.latest_by_step.items() if f.screenshot
    ]
    counts = {(c.region, c.journey, step): n for c in report.cells for step, n in c.failing_steps}
    shots.sort(key=lambda item: (-counts[(item[0].region, item[0].journey, item[1])], -item[2].started_at))
    cards = []
    for c, step, f in shots[:MAX_SHOTS]:
        assert f.screenshot is not None
        href = link(f.screenshot)
        if not exists(f.screenshot):
            picture = '<div class="placeholder">screenshot no longer stored</div>'
        elif href.startswith("s3://"):
            picture = f'<a class="placeholder" href="{_e(href)}">{_e(href)}</a>'
        else:
            picture = f'<a href="{_e(href)}"><img src="{_e(href)}" loading="lazy" alt="{_e(step)} failed"></a>'
        count = counts[(c.region, c.journey, step)]
        cards.append(
            f'<figure class="shot">{picture}<figcaption class="caption"><strong>{_e(c.region)} · {_e(c.journey)}'
            f"</strong>step <b>{_e(step)}</b> failed {count:,}× · latest {_e(when(f.started_at))}<br>"
            f'<span class="error">{_e(short_error(f.error, 110))}</span></figcaption></figure>'
        )
    if not cards:
        return '<p class="empty">No screenshots of failing steps in this window.</p>'
    return f'<div class="gallery">{"".join(cards)}</div>'


def _span(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count}-{unit}" if count > 1 else f"1-{unit}"
    return f"{seconds}-second"


def _page(report: Report, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>synth availability report · {_e(report.window.describe())}</title>"
        f"<style>{_css()}</style></head><body><main>"
        f"<header><h1>Availability report</h1><p>{_e(report.window.describe())} · SLO {report.slo:g}% · "
        f"results: <code>{_e(report.results)}</code></p></header>{body}"
        f"<footer>Generated by synth {report.generated_at:%Y-%m-%d %H:%M UTC} from {report.files_read:,} summary "
        "files. Availability = passed runs ÷ runs; percentiles use the nearest-rank method; error budget used = "
        "unavailable runs ÷ (runs × (1 − SLO))."
        + (f" Skipped {report.skipped_lines:,} unreadable summary lines." if report.skipped_lines else "")
        + "</footer></main></body></html>\n"
    )


def render_html(report: Report, link: Linker, exists: Exists | None = None) -> str:
    if not report.cells:
        return _page(report, f'<section class="card"><p class="empty">{_e(report.empty_message())}</p></section>')
    check: Exists = exists or (lambda _key: True)
    first, last = min(c.first_ts for c in report.cells), max(c.last_ts for c in report.cells)
    axis = series.make_axis(first, last)
    fewest = min(sum(c.runs for c in report.cells if c.region == r) for r in report.regions)
    latency_axis = series.make_axis(first, last, series.latency_buckets(fewest))
    sections = [
        _kpis(report),
        '<section class="card"><h2>Availability by region and journey</h2>'
        f'<p class="hint">Cell colour: share of the error budget used at SLO {report.slo:g}%. '
        "Hover a cell for details.</p>" + svg.heatmap(report) + svg.heatmap_legend() + "</section>",
        '<section class="card"><h2>Regions and journeys</h2><p class="hint">Durations of all runs; '
        "failing steps ranked by count.</p>" + _table(report, link, check) + "</section>",
        f'<section class="card"><h2>Latency over time</h2><p class="hint">p50 and p95 of all journeys per region, '
        f"{_span(latency_axis.bucket_s)} buckets.</p>"
        + svg.latency_legend()
        + _latency(report, latency_axis)
        + "</section>",
        f'<section class="card"><h2>Failure timeline</h2><p class="hint">Each mark is a {_span(axis.bucket_s)} '
        "bucket with failed runs; darker means a larger share failed. Hover a mark for counts.</p>"
        + _timeline(report, axis)
        + "</section>",
        '<section class="card"><h2>Failing steps</h2><p class="hint">Latest screenshot of each failing step, '
        "most frequent first; click for the full image.</p>" + _gallery(report, link, check) + "</section>",
    ]
    return _page(report, "".join(sections))
