"""Region files: `regions/<region>.yaml`, what runs where and how often.

A region file names one regional agent: its target, static labels, schedule
defaults and the journeys it runs. It is plain YAML so that Terraform can
`yamldecode` it too; booleans follow YAML 1.2 (`true`/`false` only, as in
Terraform), so `deploy: no` is rejected instead of silently deploying.

Every problem is one line, `<file>: <key path>: <what is wrong and what to do>`,
raised as `RegionConfigError` (one line per problem). `timeout` longer than
the interval is only a warning: `max_instances=1` keeps runs from overlapping
and the skipped run is counted in `synth_agent_missed_runs_total`.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from agent.dsl import ID_PATTERN, MAX_TIMEOUT_S
from agent.duration import parse_duration
from agent.errors import RegionConfigError

log = logging.getLogger(__name__)

REGION_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LABEL_PATTERN = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
RESERVED_LABELS = frozenset({"region", "journey", "step", "status", "le", "quantile"})
MIN_INTERVAL_S = 1.0
MAX_RETRIES = 5
MAX_CONCURRENCY = 16
SUFFIX = ".yaml"


def _fmt(seconds: float) -> str:
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
            f"{_fmt(value)} is out of range: a timeout must be more than 0 and at most {_fmt(MAX_TIMEOUT_S)}"
        )
    return value


def _check_retries(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_RETRIES:
        raise ValueError(f"{value} is out of range: use 0 to {MAX_RETRIES} retries")
    return value


def _check_interval(value: float | None) -> float | None:
    if value is not None and value < MIN_INTERVAL_S:
        raise ValueError(f"{_fmt(value)} is too short: the minimum interval is {_fmt(MIN_INTERVAL_S)}")
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
        return urlsplit(self.target).hostname or ""

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


# ---------------------------------------------------------------- YAML


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans (as Terraform) and no duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                problem = f"duplicate key {key!r}: each key may appear once"
                raise _DuplicateKey(problem=problem, problem_mark=key_node.start_mark)
            if isinstance(key, Hashable):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegionConfigError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        kind = "YAML error" if isinstance(exc, _DuplicateKey) else "YAML syntax error"
        hint = ""
        if "alias" in str(exc.context):
            hint = "; quote values that start with '*' or contain ': '"
        elif "<block" in str(exc.problem):
            hint = "; check the indentation"
        raise RegionConfigError(f"{path}: {where}{kind}: {exc.problem}{hint}") from None
    except yaml.YAMLError as exc:
        raise RegionConfigError(f"{path}: YAML syntax error: {exc}") from None


# ---------------------------------------------------------------- messages


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _allowed(loc: tuple[int | str, ...]) -> list[str]:
    parent = loc[:-1]
    model: type[BaseModel] | None = None
    if not parent:
        model = RegionConfig
    elif parent == ("defaults",):
        model = Defaults
    elif len(parent) == 2 and parent[0] == "journeys":
        model = JourneyEntry
    return sorted(model.model_fields) if model else []


_TYPES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "dict_type": "a mapping (key: value)",
    "list_type": "a list",
    "model_type": "a mapping (key: value)",
    "float_type": "a number",
}


def _message(err: Mapping[str, Any]) -> str:
    loc: tuple[int | str, ...] = tuple(err["loc"])
    kind, value = err["type"], err.get("input")
    path = _key_path(loc)
    if kind == "extra_forbidden":
        allowed = _allowed(loc)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{path}: unknown key{hint}; allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind in ("value_error", "assertion_error"):
        return f"{path}: {str(err['msg']).removeprefix('Value error, ')}"
    if kind in _TYPES:
        quote = f": quote it, e.g. '{value}'" if kind == "string_type" and isinstance(value, int | float) else ""
        return f"{path}: expected {_TYPES[kind]}, got {type(value).__name__} {value!r}{quote}"
    return f"{path}: {err['msg']}"


# ---------------------------------------------------------------- checks


@dataclass
class RegionCheck:
    """The outcome of validating one region file."""

    path: Path
    config: RegionConfig | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_region_file(path: Path, known_journey_ids: Collection[str] | None = None) -> RegionCheck:
    """Validate `path`; every problem becomes one line in `errors` (never raises)."""
    check = RegionCheck(path)
    if path.suffix != SUFFIX:
        check.errors.append(f"{path}: a region file must be named <region>{SUFFIX} (Terraform reads *{SUFFIX})")
        return check
    try:
        data = _read_yaml(path)
    except RegionConfigError as exc:
        check.errors.append(str(exc))
        return check
    if data is None:
        check.errors.append(f"{path}: the file is empty: a region file needs region, target and journeys")
        return check
    if not isinstance(data, dict):
        check.errors.append(
            f"{path}: expected a mapping of keys (region, target, journeys, ...), got {type(data).__name__}"
        )
        return check
    try:
        config = RegionConfig.model_validate(data)
    except ValidationError as exc:
        check.errors.extend(f"{path}: {_message(err)}" for err in exc.errors())
        return check
    problems, warnings = _semantic_problems(config, path, known_journey_ids)
    check.errors.extend(f"{path}: {p}" for p in problems)
    check.warnings.extend(f"{path}: {w}" for w in warnings)
    check.config = None if problems else config
    return check


def _semantic_problems(config: RegionConfig, path: Path, known: Collection[str] | None) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    warnings: list[str] = []
    if config.region != path.stem:
        problems.append(
            f"region: {config.region!r} does not match the file name {path.name!r}: "
            f"rename the file to {config.region}{SUFFIX} or set region: {path.stem}"
        )
    for name in config.labels:
        if not LABEL_PATTERN.match(name) or name.startswith("__"):
            problems.append(
                f"labels.{name}: not a valid Prometheus label name: use letters, digits and '_', "
                "not starting with a digit or '__'"
            )
        elif name in RESERVED_LABELS:
            problems.append(
                f"labels.{name}: clashes with a label synth sets itself ({', '.join(sorted(RESERVED_LABELS))}); "
                "choose another name"
            )
    if config.allowed_hosts is not None and config.host not in config.allowed_hosts:
        problems.append(
            f"allowed_hosts: the target's host {config.host!r} is not in the list: add it, "
            "or every page of the target is blocked"
        )
    seen: dict[str, int] = {}
    for index, entry in enumerate(config.journeys):
        where = f"journeys[{index}]"
        if not ID_PATTERN.match(entry.id):
            problems.append(f"{where}.id: {entry.id!r} is not a journey id: use lowercase letters, digits and '-'")
        elif entry.id in seen:
            problems.append(
                f"{where}.id: duplicate journey id {entry.id!r} (also journeys[{seen[entry.id]}]): "
                "list each journey once"
            )
        elif known is not None and entry.id not in known:
            problems.append(
                f"{where}.id: unknown journey {entry.id!r}; known journeys: {', '.join(sorted(known)) or 'none'}"
            )
        seen.setdefault(entry.id, index)
    for index, sched in enumerate(config.schedules()):
        where = f"journeys[{index}]"
        if sched.interval_s is None:
            continue
        if sched.jitter_s >= sched.interval_s:
            problems.append(
                f"{where}.jitter: {_fmt(sched.jitter_s)} is not shorter than the interval "
                f"{_fmt(sched.interval_s)}: lower the jitter"
            )
        if sched.timeout_s is not None and sched.timeout_s > sched.interval_s:
            warnings.append(
                f"{where}.timeout: {_fmt(sched.timeout_s)} is longer than the interval "
                f"{_fmt(sched.interval_s)}: a slow run makes the next one skip (counted as missed)"
            )
    if not any(j.enabled for j in config.journeys):
        warnings.append("journeys: every journey is disabled; the agent will run nothing")
    return problems, warnings


def region_path(path_or_name: str | Path, regions_dir: Path) -> Path:
    """`eu-west-1` means `<regions_dir>/eu-west-1.yaml`; anything with a suffix or '/' is a path."""
    text = str(path_or_name)
    if "/" in text or text.endswith((SUFFIX, ".yml")):
        return Path(text)
    return regions_dir / f"{text}{SUFFIX}"


def region_files(regions_dir: Path) -> list[Path]:
    """The region files of a directory (also `.yml`, so that `synth check` can reject it)."""
    return sorted(p for p in regions_dir.iterdir() if p.suffix in (SUFFIX, ".yml") and p.is_file())


def load_region(
    path_or_name: str | Path, regions_dir: Path = Path("regions"), known_journey_ids: Collection[str] | None = None
) -> RegionConfig:
    """The validated region, or `RegionConfigError` with one line per problem. Warnings are logged."""
    path = region_path(path_or_name, regions_dir)
    if not path.is_file():
        known = (
            ", ".join(p.stem for p in region_files(regions_dir)) if regions_dir.is_dir() else f"({regions_dir} missing)"
        )
        raise RegionConfigError(
            f"{path}: no such region file; known regions in {regions_dir}: {known or 'none'} "
            "(set SYNTH_REGIONS_DIR to another directory)"
        )
    check = check_region_file(path, known_journey_ids)
    if check.errors or check.config is None:
        raise RegionConfigError("\n".join(check.errors))
    for warning in check.warnings:
        log.warning(warning)
    return check.config
