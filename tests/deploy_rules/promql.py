"""Small, regex-based PromQL inspection: enough to check names and labels in our own queries."""

from __future__ import annotations

import re

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
# Contract metric names: synth_ followed by lower-case letters and underscores.
_SYNTH_METRIC = re.compile(r"(?<![\w:])synth_[a-z_]+")
_RECORDED = re.compile(r"(?<![\w:])synth:[a-zA-Z0-9_:]+")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)")
_SELECTOR = re.compile(r"\{([^{}]*)\}")
_MATCHER_LABEL = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")
_RANGE = re.compile(r"\[[^\]]*\]")
_CALL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\s*\(")
_IDENTIFIER = re.compile(r"(?<![\w.$:])[a-zA-Z_:][a-zA-Z0-9_:]*")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right"}
    | {"inf", "nan", "atan2"}
)


def strip_strings(expr: str) -> str:
    """Replace every string literal by "" so that label values cannot look like syntax."""
    return _STRING.sub('""', expr)


def metric_names(expr: str) -> set[str]:
    """synth_* metric names referenced by ``expr`` (label values excluded)."""
    return set(_SYNTH_METRIC.findall(strip_strings(expr)))


def series_names(expr: str) -> set[str]:
    """Every series name ``expr`` selects (any prefix): what is left once strings,
    grouping clauses, matchers, ranges, function names and operators are removed."""
    code = strip_strings(expr)
    code = _GROUPING.sub(" ", code)
    code = _SELECTOR.sub(" ", code)
    code = _RANGE.sub(" ", code)
    code = _CALL.sub("(", code)
    return {name for name in _IDENTIFIER.findall(code) if name.lower() not in _KEYWORDS}


def recorded_names(expr: str) -> set[str]:
    """Recording-rule names (synth:...) referenced by ``expr``."""
    return set(_RECORDED.findall(strip_strings(expr)))


def label_names(expr: str) -> set[str]:
    """Labels used in by/without/on/ignoring/group_x clauses and in {...} matchers."""
    code = strip_strings(expr)
    labels: set[str] = set()
    for clause in _GROUPING.findall(code):
        labels.update(part.strip() for part in clause.split(",") if part.strip())
    for selector in _SELECTOR.findall(code):
        labels.update(_MATCHER_LABEL.findall(selector))
    return labels
