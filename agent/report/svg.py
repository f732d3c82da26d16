"""Hand-written inline SVG charts: availability heatmap, latency lines, failure timeline.

No JavaScript and no external resources; tooltips are SVG `<title>` elements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from agent.duration import format_duration
from agent.report.build import Report
from agent.report.series import Axis, FailureBucket, LatencyPoint
from agent.report.text import budget, percent

FONT = 12
#: Error budget used (%) → fill and text colour; the last matching upper bound wins.
BUDGET_SCALE: tuple[tuple[float, str, str, str], ...] = (
    (25, "#1a9850", "#ffffff", "≤ 25%"),
    (75, "#91cf60", "#1b2a12", "≤ 75%"),
    (100, "#d9ef8b", "#27300f", "≤ 100%"),
    (200, "#fdae61", "#3d2204", "≤ 200%"),
    (500, "#f46d43", "#ffffff", "≤ 500%"),
    (math.inf, "#d73027", "#ffffff", "> 500%"),
)
P50_COLOUR = "#2563eb"
P95_COLOUR = "#ea580c"
FAIL_COLOUR = "#dc2626"
_TIME_STEPS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400)


def budget_colours(used: float) -> tuple[str, str]:
    for bound, fill, ink, _ in BUDGET_SCALE:
        if used <= bound:
            return fill, ink
    return BUDGET_SCALE[-1][1], BUDGET_SCALE[-1][2]


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def heatmap(report: Report) -> str:
    """One cell per region × journey, coloured by error budget used, labelled with availability."""
    regions, journeys = report.regions, report.journeys
    label_w = max(90, 8 * max(len(r) for r in regions) + 16)
    cell_w, cell_h, head_h = 150, 56, 34
    width, height = label_w + cell_w * len(journeys), head_h + cell_h * len(regions)
    out = [
        f'<svg class="chart heatmap" role="img" aria-label="Availability by region and journey" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" data-testid="heatmap">'
    ]
    for j, journey in enumerate(journeys):
        x = label_w + j * cell_w + cell_w / 2
        out.append(f'<text class="axis-label" x="{_n(x)}" y="{head_h - 12}" text-anchor="middle">{_a(journey)}</text>')
    for r, region in enumerate(regions):
        y = head_h + r * cell_h
        out.append(
            f'<text class="axis-label" x="{label_w - 12}" y="{_n(y + cell_h / 2 + 4)}" text-anchor="end">'
            f"{_a(region)}</text>"
        )
        for j, journey in enumerate(journeys):
            x = label_w + j * cell_w
            cell = report.cell(region, journey)
            if cell is None:
                out.append(
                    f'<g data-testid="heatmap-cell" data-region="{_a(region)}" data-journey="{_a(journey)}">'
                    f"<title>{_a(region)} × {_a(journey)}: no runs</title>"
                    f'<rect x="{x + 2}" y="{y + 2}" width="{cell_w - 4}" height="{cell_h - 4}" rx="6" '
                    f'class="empty-cell"/><text x="{_n(x + cell_w / 2)}" y="{_n(y + cell_h / 2 + 4)}" '
                    f'text-anchor="middle" class="muted">no runs</text></g>'
                )
                continue
            used = cell.budget_used(report.slo)
            fill, ink = budget_colours(used)
            p95 = cell.percentiles.get(95)
            tip = (
                f"{region} × {journey}: {percent(cell.availability)} available, {cell.passed:,} of {cell.runs:,} runs "
                f"passed; p95 {format_duration(p95) if p95 is not None else '-'}; error budget used {budget(used)} "
                f"(SLO {report.slo:g}%)"
            )
            out.append(
                f'<g data-testid="heatmap-cell" data-region="{_a(region)}" data-journey="{_a(journey)}" '
                f'data-availability="{cell.availability:.4f}"><title>{_a(tip)}</title>'
                f'<rect x="{x + 2}" y="{y + 2}" width="{cell_w - 4}" height="{cell_h - 4}" rx="6" fill="{fill}"/>'
                f'<text x="{_n(x + cell_w / 2)}" y="{_n(y + cell_h / 2)}" text-anchor="middle" style="fill:{ink}" '
                f'class="cell-value">{percent(cell.availability)}</text>'
                f'<text x="{_n(x + cell_w / 2)}" y="{_n(y + cell_h / 2 + 16)}" text-anchor="middle" style="fill:{ink}" '
                f'class="cell-note">{cell.runs:,} runs · {budget(used)} budget</text></g>'
            )
    out.append("</svg>")
    return "".join(out)


def heatmap_legend() -> str:
    items = "".join(
        f'<span class="legend-item"><span class="swatch" style="background:{fill}"></span>{escape(label)}</span>'
        for _, fill, _, label in BUDGET_SCALE
    )
    return f'<div class="legend"><span class="legend-title">Error budget used</span>{items}</div>'


def time_ticks(axis: Axis, max_ticks: int = 7) -> list[tuple[float, str]]:
    span = axis.end - axis.start
    step = next((s for s in _TIME_STEPS if span / s <= max_ticks), _TIME_STEPS[-1])
    if span <= 600:
        step = max(10, math.ceil(span / max_ticks / 10) * 10)
    first = math.ceil(axis.start / step) * step
    fmt = "%H:%M:%S" if step < 60 else "%H:%M" if span <= 86400 else "%d %b" if step >= 86400 else "%d %b %H:%M"
    ticks = []
    t = float(first)
    while t <= axis.end + 1e-6:
        ticks.append((t, datetime.fromtimestamp(t, UTC).strftime(fmt)))
        t += step
    return ticks


def value_ticks(top: float, count: int = 5) -> list[float]:
    """0 and round numbers up to at least `top`."""
    raw = max(top, 1e-3) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _seconds_label(value: float) -> str:
    return "0" if value == 0 else f"{value * 1000:.0f} ms" if value < 1 else f"{value:g} s"


class Frame:
    """Plot area geometry: maps time and value to pixels."""

    def __init__(
        self, axis: Axis, width: int, height: int, left: int = 56, right: int = 16, top: int = 12, bottom: int = 38
    ) -> None:
        self.axis, self.width, self.height = axis, width, height
        self.left, self.right, self.top, self.bottom = left, right, top, bottom

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def x(self, t: float) -> float:
        return self.left + (t - self.axis.start) / (self.axis.end - self.axis.start) * self.plot_w

    def x_axis(self) -> list[str]:
        base = self.top + self.plot_h
        out = [
            f'<line class="axis" x1="{self.left}" y1="{_n(base)}" x2="{_n(self.left + self.plot_w)}" y2="{_n(base)}"/>'
        ]
        right = self.left + self.plot_w
        for t, label in time_ticks(self.axis):
            x = self.x(t)
            anchor = "end" if right - x < 24 else "middle"  # keep the last label inside the chart
            out.append(
                f'<line class="tick" x1="{_n(x)}" y1="{_n(base)}" x2="{_n(x)}" y2="{_n(base + 4)}"/>'
                f'<text class="tick-label" x="{_n(x)}" y="{_n(base + 16)}" text-anchor="{anchor}">{label}</text>'
            )
        out.append(
            f'<text class="axis-title" x="{_n(self.left + self.plot_w / 2)}" y="{self.height - 4}" '
            f'text-anchor="middle">time (UTC)</text>'
        )
        return out


def latency_chart(title: str, points: Sequence[LatencyPoint], axis: Axis, width: int = 560, height: int = 230) -> str:
    frame = Frame(axis, width, height)
    top = max((p.p95 for p in points), default=1.0)
    ticks = value_ticks(top)
    y_max = ticks[-1] or 1.0

    def y(v: float) -> float:
        return frame.top + frame.plot_h * (1 - v / y_max)

    out = [
        f'<svg class="chart" role="img" aria-label="{_a(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">'
    ]
    for v in ticks:
        out.append(
            f'<line class="grid" x1="{frame.left}" y1="{_n(y(v))}" x2="{_n(frame.left + frame.plot_w)}" '
            f'y2="{_n(y(v))}"/><text class="tick-label" x="{frame.left - 6}" y="{_n(y(v) + 4)}" '
            f'text-anchor="end">{_seconds_label(v)}</text>'
        )
    out += frame.x_axis()
    out.append(
        f'<text class="axis-title" transform="translate(12 {_n(frame.top + frame.plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle">duration</text>'
    )
    for name, colour, pick in (("p95", P95_COLOUR, 1), ("p50", P50_COLOUR, 0)):
        values = [(frame.x(p.t), y(p.p95 if pick else p.p50), p) for p in points]
        if len(values) > 1:
            gap = 1.5 * axis.bucket_s  # no line across buckets without runs
            path = " ".join(
                f"{'M' if i == 0 or p.t - points[i - 1].t > gap else 'L'}{_n(px)},{_n(py)}"
                for i, (px, py, p) in enumerate(values)
            )
            out.append(
                f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                f'stroke-linejoin="round" class="series-{name}"/>'
            )
        for px, py, p in values:
            when = datetime.fromtimestamp(p.t, UTC).strftime("%Y-%m-%d %H:%M")
            tip = f"{when} UTC: {name} {format_duration(p.p95 if pick else p.p50)} over {p.runs:,} runs"
            radius = 3 if len(values) <= 60 else 1.8
            out.append(
                f'<circle cx="{_n(px)}" cy="{_n(py)}" r="{radius}" fill="{colour}"><title>{_a(tip)}</title></circle>'
            )
    out.append("</svg>")
    return "".join(out)


def latency_legend() -> str:
    return (
        '<div class="legend">'
        f'<span class="legend-item"><span class="line-swatch" style="background:{P50_COLOUR}"></span>p50</span>'
        f'<span class="legend-item"><span class="line-swatch" style="background:{P95_COLOUR}"></span>p95</span>'
        "</div>"
    )


def failure_timeline(rows: Sequence[tuple[str, Sequence[FailureBucket]]], axis: Axis, width: int = 1120) -> str:
    """One lane per region × journey; a red mark per bucket with failures, darker when more runs failed.

    Opacity grows with the square root of the failed share (full at 50%), so an incident stands out
    from a single flaky run in a long bucket.
    """
    label_w = max(120, 7 * max((len(label) for label, _ in rows), default=10) + 20)
    lane_h = 22
    frame = Frame(axis, width, 12 + lane_h * len(rows) + 38, left=label_w, top=12)
    out = [
        f'<svg class="chart timeline" role="img" aria-label="Failure timeline" viewBox="0 0 {width} '
        f'{frame.height}" width="{width}" height="{frame.height}">'
    ]
    bucket_w = max(2.0, frame.plot_w / axis.count)
    for r, (label, buckets) in enumerate(rows):
        y = frame.top + r * lane_h
        out.append(
            f'<rect class="lane{" lane-alt" if r % 2 else ""}" x="{label_w}" y="{y}" '
            f'width="{_n(frame.plot_w)}" height="{lane_h}"/>'
            f'<text class="axis-label small" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_a(label)}</text>'
        )
        for b in buckets:
            start = axis.start + b.index * axis.bucket_s
            ratio = b.failures / b.runs if b.runs else 1.0
            opacity = max(0.12, min(1.0, math.sqrt(ratio / 0.5)))
            begin = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d %H:%M")
            end = datetime.fromtimestamp(start + axis.bucket_s, UTC).strftime("%H:%M")
            tip = f"{label}: {b.failures} of {b.runs} runs failed, {begin}–{end} UTC"
            out.append(
                f'<rect x="{_n(frame.x(start))}" y="{y + 3}" width="{_n(bucket_w)}" height="{lane_h - 6}" '
                f'rx="1.5" fill="{FAIL_COLOUR}" fill-opacity="{opacity:.2f}"><title>{_a(tip)}</title>'
                "</rect>"
            )
    out += frame.x_axis()
    out.append("</svg>")
    return "".join(out)
