"""The PromQL inspection helpers must see what they are meant to check."""

from __future__ import annotations

from .contract import in_contract
from .promql import label_names, metric_names, recorded_names, series_names

EXPR = (
    "histogram_quantile(0.95, sum by (region, le) (rate(synth_journey_duration_seconds_bucket"
    '{job="synth-agent", journey=~"$journey", tenant!="by (x)"}[$__rate_interval])))'
    " > on (region) group_left () max without (instance) (synth:journey_error_ratio:rate5m offset 5m)"
    ' unless ALERTS{alertstate="firing"} and time() - up{job="x"} > 1e3'
)


def test_metric_names_ignore_label_values() -> None:
    assert metric_names(EXPR) == {"synth_journey_duration_seconds_bucket"}
    assert metric_names('up{job="synth-agent", x="synth_fake_metric"}') == set()


def test_recorded_names() -> None:
    assert recorded_names(EXPR) == {"synth:journey_error_ratio:rate5m"}


def test_series_names() -> None:
    assert series_names(EXPR) == {
        "synth_journey_duration_seconds_bucket",
        "synth:journey_error_ratio:rate5m",
        "ALERTS",
        "up",
    }


def test_label_names_from_grouping_and_matchers() -> None:
    assert label_names(EXPR) == {"region", "le", "instance", "job", "journey", "tenant", "alertstate"}


def test_histogram_suffixes_map_to_the_base_metric() -> None:
    assert in_contract("synth_journey_duration_seconds_bucket")
    assert in_contract("synth_step_duration_seconds_count")
    assert in_contract("synth_journey_runs_total")
    assert not in_contract("synth_journey_runs")
    assert not in_contract("synth_made_up_bucket")
