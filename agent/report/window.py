"""The time window of a report: `--since 24h`, or `--from T [--to T]`.

A window is half-open, `[start, end)`, in UTC epoch seconds. Timestamps
without an offset are UTC. A date alone in `--to` means the end of that day,
so `--from 2025-11-01 --to 2025-11-30` covers all of November.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from agent.duration import parse_duration
from agent.errors import ConfigError

DEFAULT_SINCE = "24h"


@dataclass(frozen=True)
class Window:
    start: float
    end: float

    @property
    def start_dt(self) -> datetime:
        return datetime.fromtimestamp(self.start, UTC)

    @property
    def end_dt(self) -> datetime:
        return datetime.fromtimestamp(self.end, UTC)

    @property
    def first_date(self) -> str:
        return self.start_dt.date().isoformat()

    @property
    def last_date(self) -> str:
        return datetime.fromtimestamp(max(self.start, self.end - 1e-6), UTC).date().isoformat()

    def describe(self) -> str:
        return f"{_fmt(self.start_dt)} → {_fmt(self.end_dt)}"


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def parse_instant(text: str, option: str, *, end_of_day: bool = False) -> datetime:
    """An ISO-8601 date or date-time; naive means UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end_of_day else moment
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise ConfigError(
            f"{option} {text!r}: not a date or time; use ISO 8601, e.g. 2025-11-01, 2025-11-01T12:00 "
            "or 2025-11-01T12:00:00+02:00 (no offset means UTC)"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def resolve_window(since: str | None, start: str | None, end: str | None, now: datetime | None = None) -> Window:
    """The report window from the command-line options, or `ConfigError`."""
    current = now or datetime.now(UTC)
    if since is not None and (start is not None or end is not None):
        raise ConfigError("--since cannot be combined with --from/--to: use one or the other")
    if start is None:
        if end is not None:
            raise ConfigError("--to needs --from, e.g. --from 2025-11-01 --to 2025-11-30")
        text = since if since is not None else DEFAULT_SINCE
        try:
            seconds = parse_duration(text)
        except ValueError as exc:
            raise ConfigError(f"--since: {exc}") from None
        if seconds <= 0:
            raise ConfigError(f"--since {text!r}: must be longer than 0, e.g. 24h or 7d")
        return Window(current.timestamp() - seconds, current.timestamp())
    begin = parse_instant(start, "--from")
    finish = parse_instant(end, "--to", end_of_day=True) if end is not None else current
    if begin >= finish:
        raise ConfigError(
            f"--from {start} is not before --to {end or 'now'} ({_fmt(begin)} >= {_fmt(finish)}): swap them"
        )
    return Window(begin.timestamp(), finish.timestamp())
