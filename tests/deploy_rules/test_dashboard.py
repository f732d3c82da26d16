"""Checks of deploy/grafana/synthetics-dashboard.json against the agent's metric contract."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .contract import ALLOWED_LABELS, in_contract
from .promql import label_names, metric_names, recorded_names, series_names

REPO = Path(__file__).resolve().parents[2]
DASHBOARD_PATH = REPO / "deploy" / "grafana" / "synthetics-dashboard.json"
DASHBOARD: dict[str, Any] = json.loads(DASHBOARD_PATH.read_text(encoding="utf-8"))
DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
RECORDED = {
    rule["record"]
    for path in (REPO / "deploy" / "prometheus").glob("*.yml")
    for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    for rule in group["rules"]
    if "record" in rule
}
# Series Prometheus itself provides.
PROMETHEUS_SERIES = {"up"}
LABEL_VALUES = re.compile(r"^label_values\((?:(.+),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\)$")


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))  # collapsed rows nest their panels


PANELS = [p for p in _panels(DASHBOARD["panels"]) if p["type"] != "row"]
TARGETS = [(p["title"], t) for p in PANELS for t in p.get("targets", [])]
VARIABLES = {v["name"]: v for v in DASHBOARD["templating"]["list"]}


def _variable_query(variable: dict[str, Any]) -> str:
    query = variable["query"]
    return str(query["query"] if isinstance(query, dict) else query)


def _exprs() -> Iterator[tuple[str, str]]:
    """(where, expr) of every panel target and of every variable's label_values() selector."""
    for title, target in TARGETS:
        yield f"{title} [{target['refId']}]", target["expr"]
    for name, variable in VARIABLES.items():
        match = LABEL_VALUES.match(_variable_query(variable))
        if match and match.group(1):
            yield f"${name}", match.group(1)


def test_dashboard_is_importable() -> None:
    assert DASHBOARD["schemaVersion"] >= 39
    assert DASHBOARD["uid"]
    assert DASHBOARD["title"]
    assert DASHBOARD.get("id") is None
    inputs = {i["name"]: i for i in DASHBOARD["__inputs"]}
    assert inputs["DS_PROMETHEUS"]["type"] == "datasource"
    assert inputs["DS_PROMETHEUS"]["pluginId"] == "prometheus"
    required_panels = {r["id"] for r in DASHBOARD["__requires"] if r["type"] == "panel"}
    assert {p["type"] for p in PANELS} <= required_panels


def test_panels_are_laid_out_and_query_prometheus() -> None:
    ids = [p["id"] for p in _panels(DASHBOARD["panels"])]
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    for panel in PANELS:
        grid = panel["gridPos"]
        assert grid["x"] >= 0
        assert grid["w"] > 0
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        assert panel["targets"], panel["title"]
        assert panel["datasource"] == DATASOURCE, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE, panel["title"]
            assert target["expr"].strip(), panel["title"]
    ref_ids = [(p["title"], t["refId"]) for p in PANELS for t in p["targets"]]
    assert len(ref_ids) == len(set(ref_ids)), "duplicate refId within a panel"


def test_template_variables() -> None:
    assert {"environment", "region", "journey"} <= set(VARIABLES)
    for name in ("environment", "region", "journey"):
        variable = VARIABLES[name]
        assert variable["datasource"] == DATASOURCE
        match = LABEL_VALUES.match(_variable_query(variable))
        assert match, f"${name} is not a label_values() query"
        assert match.group(1) and match.group(1).startswith("synth_journey_success")
        assert match.group(2) == name


@pytest.mark.parametrize(("title", "expr"), list(_exprs()), ids=[t for t, _ in _exprs()])
def test_queries_use_contract_metrics(title: str, expr: str) -> None:
    assert series_names(expr), f"{title}: query reads no series"
    assert {n for n in metric_names(expr) if not in_contract(n)} == set(), f"{title}: metrics not in the contract"
    assert recorded_names(expr) <= RECORDED, f"{title}: recording rules not in deploy/prometheus"
    unknown = {s for s in series_names(expr) if not in_contract(s)} - RECORDED - PROMETHEUS_SERIES
    assert not unknown, f"{title}: series nobody exports"


@pytest.mark.parametrize(("title", "expr"), list(_exprs()), ids=[t for t, _ in _exprs()])
def test_queries_use_contract_labels(title: str, expr: str) -> None:
    assert label_names(expr) <= ALLOWED_LABELS, f"{title}: {label_names(expr) - ALLOWED_LABELS}"


def test_dashboard_covers_the_monitoring_areas() -> None:
    used = set().union(*(metric_names(expr) for _, expr in _exprs()))
    for metric in (
        "synth_journey_runs_total",
        "synth_journey_duration_seconds_bucket",
        "synth_step_duration_seconds_bucket",
        "synth_agent_ready",
        "synth_agent_browser_restarts_total",
        "synth_agent_schedule_lag_seconds_bucket",
        "synth_agent_missed_runs_total",
        "synth_spool_pending_runs",
        "synth_spool_oldest_age_seconds",
        "synth_upload_failures_total",
        "synth_uploaded_runs_total",
    ):
        assert metric in used, metric
    assert any(t["expr"].startswith('up{job="synth-agent"}') for _, t in TARGETS)
