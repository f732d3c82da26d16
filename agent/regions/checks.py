"""Checking one region file: every problem becomes one line, `<file>: <key path>: <what to do>`.

The YAML is read (`yaml_loading`), validated against the models (each
pydantic error translated into one line), then cross-checked: the region
matches the file name, label names, journey ids (valid, unique, known),
jitter and timeout against the interval. A timeout longer than the interval
is only a warning: `max_instances=1` keeps runs from overlapping and the
skipped run is counted in `synth_agent_missed_runs_total`.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agent.dsl import ID_PATTERN
from agent.errors import RegionConfigError
from agent.regions.models import (
    LABEL_PATTERN,
    RESERVED_LABELS,
    SUFFIX,
    Defaults,
    JourneyEntry,
    RegionConfig,
    format_seconds,
)
from agent.regions.yaml_loading import read_yaml


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
        data = read_yaml(path)
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


# ---------------------------------------------------------------- validation errors


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
    """One pydantic error as `<key path>: <what is wrong and what to do>`."""
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


# ---------------------------------------------------------------- cross-checks


def _semantic_problems(config: RegionConfig, path: Path, known: Collection[str] | None) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    warnings: list[str] = []
    if config.region != path.stem:
        problems.append(
            f"region: {config.region!r} does not match the file name {path.name!r}: "
            f"rename the file to {config.region}{SUFFIX} or set region: {path.stem}"
        )
    problems.extend(_label_problems(config))
    if config.allowed_hosts is not None and config.host not in config.allowed_hosts:
        problems.append(
            f"allowed_hosts: the target's host {config.host!r} is not in the list: add it, "
            "or every page of the target is blocked"
        )
    problems.extend(_journey_id_problems(config, known))
    for index, sched in enumerate(config.schedules()):
        where = f"journeys[{index}]"
        if sched.interval_s is None:
            continue
        if sched.jitter_s >= sched.interval_s:
            problems.append(
                f"{where}.jitter: {format_seconds(sched.jitter_s)} is not shorter than the interval "
                f"{format_seconds(sched.interval_s)}: lower the jitter"
            )
        if sched.timeout_s is not None and sched.timeout_s > sched.interval_s:
            warnings.append(
                f"{where}.timeout: {format_seconds(sched.timeout_s)} is longer than the interval "
                f"{format_seconds(sched.interval_s)}: a slow run makes the next one skip (counted as missed)"
            )
    if not any(j.enabled for j in config.journeys):
        warnings.append("journeys: every journey is disabled; the agent will run nothing")
    return problems, warnings


def _label_problems(config: RegionConfig) -> list[str]:
    problems = []
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
    return problems


def _journey_id_problems(config: RegionConfig, known: Collection[str] | None) -> list[str]:
    problems = []
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
    return problems
