"""EXPORTED_METRIC_NAMES, which the rules and dashboard are checked against, must be what
the agent really registers."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from agent.metrics import Metrics

from .contract import EXPORTED_METRIC_NAMES


def test_exported_names_match_the_registry() -> None:
    registry = CollectorRegistry()
    Metrics(registry, "eu-west", {"environment": "prod", "tenant": "acme"})
    registered = {f"{family.name}_total" if family.type == "counter" else family.name for family in registry.collect()}
    assert registered == set(EXPORTED_METRIC_NAMES)
