"""The region file's typed models: strict (unknown keys rejected), frozen, validated per field.

`RegionConfig` is the file as written; `RegionConfig.schedules()` applies the
region's defaults to every journey entry and gives the scheduler one
`JourneySchedule` each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from agent.dsl import MAX_TIMEOUT_S
from agent.duration import parse_duration

REGION_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LABEL_PATTERN = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
RESERVED_LABELS = frozenset({"region", "journey", "step", "status", "le", "quantile"})
MIN_INTERVAL_S = 1.0
MAX_RETRIES = 5
MAX_CONCURRENCY = 16
SUFFIX = ".yaml"


def format_seconds(seconds: float) -> str:
    """Seconds in the form region files use: 500ms, 45s, 1m30s, 2h."""
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    if seconds != int(seconds):
        return f"{seconds:g}s"
    rest, out = int(seconds), ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        out += f"{count}{unit}" if count else ""
    return out


def _duration(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not a duration: use e.g. 30s, 5m, 1h")
    return parse_duration(value)


def _check_timeout(value: float | None) -> float | None:
    if value is not None and not 0 < value <= MAX_TIMEOUT_S:
        raise ValueError(
            f"{format_seconds(value)} is out of range: a timeout must be more than 0 "
            f"and at most {format_seconds(MAX_TIMEOUT_S)}"
        )
    return value


def _check_retries(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_RETRIES:
        raise ValueError(f"{value} is out of range: use 0 to {MAX_RETRIES} retries")
    return value


def _check_interval(value: float | None) -> float | None:
    if value is not None and value < MIN_INTERVAL_S:
        raise ValueError(
            f"{format_seconds(value)} is too short: the minimum interval is {format_seconds(MIN_INTERVAL_S)}"
        )
    return value


Duration = Annotated[float | None, BeforeValidator(_duration)]
Interval = Annotated[float | None, BeforeValidator(_duration), AfterValidator(_check_interval)]
Timeout = Annotated[float | None, BeforeValidator(_duration), AfterValidator(_check_timeout)]
Retries = Annotated[int | None, AfterValidator(_check_retries)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Defaults(_Strict):
    """Schedule defaults for every journey of the region."""

    interval: Interval = 300.0
    timeout: Timeout = None
    retries: Annotated[int, AfterValidator(_check_retries)] = 0
    jitter: Duration = 0.0


class JourneyEntry(_Strict):
    """One journey of the region, as written in the file."""

    id: str
    interval: Interval = None
    cron: str | None = None
    timeout: Timeout = None
    retries: Retries = None
    jitter: Duration = None
    params: dict[str, str] = Field(default_factory=dict)
    objective: Duration = None
    enabled: bool = True

    @field_validator("objective")
    @classmethod
    def _check_objective(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("must be more than 0, e.g. 20s")
        return value

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a crontab expression ({exc}): use 5 fields, e.g. '*/15 * * * *'"
            ) from None
        weekday = value.split()[4]
        if any(c.isdigit() for c in weekday):
            raise ValueError(
                f"{value!r}: write the day of week as names (mon-fri, sat, sun), not numbers: "
                "the scheduler counts weekdays from Monday=0, crontab from Sunday=0"
            )
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> JourneyEntry:
        if self.interval is not None and self.cron is not None:
            raise ValueError("set either interval or cron, not both")
        return self


@dataclass(frozen=True)
class JourneySchedule:
    """A journey entry with the region's defaults applied."""

    id: str
    interval_s: float | None
    cron: str | None
    timeout_s: float | None
    """None: the journey's own `@journey(timeout=...)`."""
    retries: int
    jitter_s: float
    params: Mapping[str, str] = field(default_factory=dict)
    objective_s: float | None = None
    enabled: bool = True


class RegionConfig(_Strict):
    """A validated region file."""

    region: str
    target: str
    labels: dict[str, str] = Field(default_factory=dict)
    defaults: Defaults = Defaults()
    concurrency: int = 1
    allowed_hosts: list[str] | None = None
    deploy: bool = True
    journeys: list[JourneyEntry]
    results: str | None = None

    @field_validator("region")
    @classmethod
    def _check_region(cls, value: str) -> str:
        if not REGION_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a region name: use lowercase letters, digits and '-'")
        return value

    @field_validator("target")
    @classmethod
    def _check_target(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL: use e.g. https://shop.example.com")
        return value

    @field_validator("concurrency")
    @classmethod
    def _check_concurrency(cls, value: int) -> int:
        if not 1 <= value <= MAX_CONCURRENCY:
            raise ValueError(f"{value} is out of range: run 1 to {MAX_CONCURRENCY} journeys at once")
        return value

    @field_validator("journeys")
    @classmethod
    def _check_journeys(cls, value: list[JourneyEntry]) -> list[JourneyEntry]:
        if not value:
            raise ValueError("the list is empty: add at least one journey, e.g. '- id: login'")
        return value

    @field_validator("results")
    @classmethod
    def _check_results(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme, sep, rest = value.partition("://")
        bad_uri = bool(sep) and (scheme not in ("s3", "file") or not rest.strip("/") or value.startswith("s3:///"))
        if not value.strip() or bad_uri:
            raise ValueError(f"{value!r} is not a destination: use a directory, file:///dir or s3://bucket/prefix")
        return value

    @property
    def host(self) -> str:
        return _host(self.target)

    def allowed_hosts_for(self, target: str) -> tuple[str, ...] | None:
        """The hosts a run against `target` may reach; a `--target` override's host is always allowed.

        None when the file sets no `allowed_hosts` (the runner then allows the target's host only).
        """
        if self.allowed_hosts is None:
            return None
        return tuple(dict.fromkeys([*self.allowed_hosts, _host(target)]))

    def schedules(self) -> list[JourneySchedule]:
        d = self.defaults
        out = []
        for j in self.journeys:
            cron = j.cron
            interval = None if cron else (j.interval if j.interval is not None else d.interval)
            out.append(
                JourneySchedule(
                    id=j.id,
                    interval_s=interval,
                    cron=cron,
                    timeout_s=j.timeout if j.timeout is not None else d.timeout,
                    retries=j.retries if j.retries is not None else d.retries,
                    jitter_s=(j.jitter if j.jitter is not None else d.jitter) or 0.0,
                    params=dict(j.params),
                    objective_s=j.objective,
                    enabled=j.enabled,
                )
            )
        return out


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""
