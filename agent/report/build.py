"""Build a `Report` from a summary source: one region × journey at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agent.errors import ConfigError
from agent.report.source import SummarySource
from agent.report.stats import Cell, aggregate
from agent.report.window import Window

DEFAULT_SLO = 99.5


@dataclass
class Report:
    results: str
    window: Window
    slo: float
    cells: list[Cell]
    regions_filter: tuple[str, ...] = ()
    journeys_filter: tuple[str, ...] = ()
    files_read: int = 0
    skipped_lines: int = 0
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def runs(self) -> int:
        return sum(c.runs for c in self.cells)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cells)

    @property
    def availability(self) -> float:
        return 100.0 * self.passed / self.runs if self.runs else 0.0

    @property
    def regions(self) -> list[str]:
        return sorted({c.region for c in self.cells})

    @property
    def journeys(self) -> list[str]:
        return sorted({c.journey for c in self.cells})

    def cell(self, region: str, journey: str) -> Cell | None:
        return next((c for c in self.cells if c.region == region and c.journey == journey), None)

    def budget_used(self) -> float:
        allowed = self.runs * (1.0 - self.slo / 100.0)
        return 100.0 * (self.runs - self.passed) / allowed if allowed > 0 else 0.0

    def empty_message(self) -> str:
        scope = ""
        if self.regions_filter:
            scope += f" region {', '.join(self.regions_filter)}"
        if self.journeys_filter:
            scope += f" journey {', '.join(self.journeys_filter)}"
        return (
            f"no runs in range {self.window.describe()}{scope} under {self.results} "
            "(agents write summaries to <results>/_summaries/; widen --since or check --results)"
        )


def check_slo(slo: float) -> float:
    if not 0 < slo < 100:
        raise ConfigError(f"--slo {slo:g}: must be a percentage between 0 and 100 (exclusive), e.g. 99.5")
    return slo


def split_names(values: Sequence[str] | None) -> tuple[str, ...]:
    """`--region a --region b,c` -> ("a", "b", "c")."""
    names: list[str] = []
    for value in values or ():
        names.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(dict.fromkeys(names))


def build_report(
    source: SummarySource,
    window: Window,
    *,
    slo: float = DEFAULT_SLO,
    regions: Sequence[str] = (),
    journeys: Sequence[str] = (),
) -> Report:
    report = Report(source.uri, window, check_slo(slo), [], tuple(regions), tuple(journeys))
    bad = [0]
    for group in source.groups(window, regions, journeys):
        report.files_read += len(group.files)
        cell = aggregate(group.region, group.journey, source.read(group.files), window, bad)
        if cell is not None:
            report.cells.append(cell)
    report.skipped_lines = bad[0]
    report.cells.sort(key=lambda c: (c.region, c.journey))
    return report
