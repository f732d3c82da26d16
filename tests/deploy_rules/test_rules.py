"""Checks of the Prometheus rules in deploy/prometheus and of their promtool unit tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .contract import ALLOWED_LABELS, in_contract
from .promql import label_names, metric_names, recorded_names, series_names, strip_strings

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "deploy" / "prometheus"
RULE_FILES = sorted(RULES_DIR.glob("*.yml"))
TEST_FILES = sorted((RULES_DIR / "tests").glob("*.yml"))
RUNBOOK = REPO / "docs" / "alerts.md"

SEVERITIES = {"critical", "warning", "info"}
JOURNEY_SERVICE = "{{ $labels.journey }}"
AGENT_SERVICE = "synthetics-agent"
# Series a rule may read besides the agent's metrics and our recording rules.
PROMETHEUS_SERIES = {"up", "ALERTS"}
PROMETHEUS_LABELS = {"alertname", "alertstate"}
PROMTOOL = shutil.which("promtool")
# Skipped on a developer machine without promtool; in CI (CI=true) a missing promtool fails.
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"),
    reason="promtool not installed (apt-get install prometheus); CI installs it",
)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _rules() -> Iterator[dict[str, Any]]:
    for path in RULE_FILES:
        for group in _load(path)["groups"]:
            yield from group["rules"]


def _alerts() -> list[dict[str, Any]]:
    return [rule for rule in _rules() if "alert" in rule]


def _alert_tests() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in TEST_FILES:
        for test in _load(path)["tests"]:
            for case in test.get("alert_rule_test", []):
                yield path, case


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    if PROMTOOL is None:
        pytest.fail("CI=true but promtool is not installed (apt-get install prometheus)")
    return subprocess.run([PROMTOOL, *args], cwd=REPO, capture_output=True, text=True, timeout=300, check=False)


def _github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


ALERT_NAMES = sorted(rule["alert"] for rule in _alerts())


def test_rule_and_test_files_exist() -> None:
    assert {p.name for p in RULE_FILES} >= {"alerts.yml", "recording_rules.yml"}
    assert TEST_FILES, "no promtool test files in deploy/prometheus/tests"
    assert ALERT_NAMES


@needs_promtool
def test_promtool_check_rules_is_clean() -> None:
    result = _run("check", "rules", "--lint=all", "--lint-fatal", *map(str, RULE_FILES))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warn" not in output.lower(), output


@needs_promtool
def test_promtool_unit_tests_pass() -> None:
    result = _run("test", "rules", *map(str, TEST_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_names_are_unique() -> None:
    assert len(ALERT_NAMES) == len(set(ALERT_NAMES))


@pytest.mark.parametrize("rule", _alerts(), ids=lambda r: r["alert"])
def test_alert_has_routing_labels(rule: dict[str, Any]) -> None:
    labels = rule.get("labels", {})
    assert labels.get("severity") in SEVERITIES
    assert labels.get("service") in {JOURNEY_SERVICE, AGENT_SERVICE}
    if labels["service"] == JOURNEY_SERVICE:
        assert "journey" in strip_strings(rule["expr"]), "service comes from a journey label the expr must keep"


@pytest.mark.parametrize("rule", _alerts(), ids=lambda r: r["alert"])
def test_alert_annotations_and_runbook(rule: dict[str, Any]) -> None:
    annotations = rule.get("annotations", {})
    assert annotations.get("summary")
    assert annotations.get("description")
    assert annotations.get("runbook_url") == f"docs/alerts.md#{rule['alert'].lower()}"


def test_runbook_has_one_section_per_alert() -> None:
    headings = re.findall(r"^## (.+)$", RUNBOOK.read_text(encoding="utf-8"), flags=re.MULTILINE)
    sections = {h.strip() for h in headings} - {"Conventions"}
    assert sections == set(ALERT_NAMES)
    anchors = {_github_anchor(h) for h in headings}
    for rule in _alerts():
        assert rule["annotations"]["runbook_url"].split("#", 1)[1] in anchors


def test_every_alert_has_a_firing_and_a_quiet_test_case() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for _, case in _alert_tests():
        (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    assert not set(ALERT_NAMES) - firing, "alerts without a firing test case"
    assert not set(ALERT_NAMES) - quiet, "alerts without a not-firing test case (exp_alerts: [])"


def test_test_cases_only_name_existing_alerts() -> None:
    unknown = {case["alertname"] for _, case in _alert_tests()} - set(ALERT_NAMES)
    assert not unknown, f"test cases for unknown alerts: {unknown}"


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_test_file_loads_all_rules_in_order(path: Path) -> None:
    spec = _load(path)
    assert {(path.parent / f).resolve() for f in spec["rule_files"]} == {p.resolve() for p in RULE_FILES}
    # Without a complete group_eval_order, promtool evaluates groups in random order and
    # alerts could read recording rules from the previous evaluation.
    groups = [g["name"] for p in RULE_FILES for g in _load(p)["groups"]]
    order = spec.get("group_eval_order", [])
    assert sorted(order) == sorted(groups)
    recording = {g["name"] for p in RULE_FILES for g in _load(p)["groups"] if all("record" in r for r in g["rules"])}
    assert set(order[: len(recording)]) == recording, "recording groups must be evaluated first"


def test_rules_only_use_contract_metrics_and_labels() -> None:
    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    for rule in _rules():
        expr = rule["expr"]
        name = rule.get("alert") or rule.get("record")
        unknown_metrics = {m for m in metric_names(expr) if not in_contract(m)}
        assert not unknown_metrics, f"{name}: not in the metric contract: {unknown_metrics}"
        unknown_recorded = recorded_names(expr) - recorded
        assert not unknown_recorded, f"{name}: undefined recording rules: {unknown_recorded}"
        other = {s for s in series_names(expr) if not in_contract(s)} - recorded - PROMETHEUS_SERIES
        assert not other, f"{name}: reads series that nobody exports: {other}"
        unknown_labels = label_names(expr) - ALLOWED_LABELS - PROMETHEUS_LABELS
        assert not unknown_labels, f"{name}: labels outside the contract: {unknown_labels}"


def test_recording_rule_names_follow_convention() -> None:
    for rule in _rules():
        if "record" in rule:
            assert re.fullmatch(r"synth:[a-z0-9_]+:[a-z0-9_]+", rule["record"]), rule["record"]
