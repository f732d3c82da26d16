"""Region files: the shipped ones validate, the invalid corpus fails with its exact message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from region_corpus import INVALID_DIR, KNOWN_IDS, REPO, corpus, expected_message

from agent.errors import RegionConfigError
from agent.regions import check_region_file, load_region

ISSUE_EXAMPLE = """\
region: eu-west-1
target: https://shop.example.com
labels: {environment: production, tenant: acme}
defaults: {interval: 5m, timeout: 90s, retries: 1, jitter: 30s}
concurrency: 2
allowed_hosts: [shop.example.com]
deploy: true
journeys:
  - id: login
    interval: 1m
  - id: checkout
    interval: 5m
    params: {email: synthetic@acme.example}
    objective: 20s
  - id: order-confirmation
    cron: "*/15 * * * *"
results: s3://acme-synthetics/results
"""


def test_corpus_is_large_enough() -> None:
    assert len(corpus()) >= 15


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_invalid_region_has_exact_message(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    relative = path.relative_to(REPO)
    with pytest.raises(RegionConfigError) as caught:
        load_region(relative, known_journey_ids=KNOWN_IDS)
    assert str(caught.value) == f"{relative}: {expected_message(path)}"


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_each_invalid_file_has_exactly_one_problem(path: Path) -> None:
    check = check_region_file(path, KNOWN_IDS)
    assert len(check.errors) == 1, check.errors
    assert check.config is None


def test_the_issue_example_loads_with_defaults_applied(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "eu-west-1.yaml").write_text(ISSUE_EXAMPLE)
    with caplog.at_level(logging.WARNING, "agent.regions"):
        config = load_region("eu-west-1", tmp_path, KNOWN_IDS)
    assert config.region == "eu-west-1"
    assert config.labels == {"environment": "production", "tenant": "acme"}
    assert config.concurrency == 2 and config.deploy is True
    assert config.results == "s3://acme-synthetics/results"
    login, checkout, confirm = config.schedules()
    assert (login.interval_s, login.timeout_s, login.retries, login.jitter_s) == (60.0, 90.0, 1, 30.0)
    assert (checkout.interval_s, checkout.objective_s, dict(checkout.params)) == (
        300.0,
        20.0,
        {"email": "synthetic@acme.example"},
    )
    assert (confirm.interval_s, confirm.cron) == (None, "*/15 * * * *")
    # a 90 s timeout on a 1 m interval is allowed, but said
    assert [r.getMessage() for r in caplog.records] == [
        f"{tmp_path / 'eu-west-1.yaml'}: journeys[0].timeout: 1m30s is longer than the interval 1m: "
        "a slow run makes the next one skip (counted as missed)"
    ]


def test_minimal_region_takes_every_default(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text("region: tiny\ntarget: http://127.0.0.1:8800\njourneys: [{id: login}]\n")
    config = load_region(path)
    (login,) = config.schedules()
    assert (login.interval_s, login.timeout_s, login.retries, login.jitter_s, login.enabled) == (
        300.0,
        None,
        0,
        0.0,
        True,
    )
    assert (config.concurrency, config.deploy, config.allowed_hosts, config.results) == (1, True, None, None)


def test_yaml_12_booleans_like_terraform(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text("region: demo\ntarget: http://x.test\ndeploy: false\njourneys: [{id: login, enabled: true}]\n")
    assert load_region(path).deploy is False


def test_unknown_region_name_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "eu-west-1.yaml").write_text(ISSUE_EXAMPLE)
    with pytest.raises(RegionConfigError) as caught:
        load_region("eu-west-9", tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}/eu-west-9.yaml: no such region file; known regions in {tmp_path}: eu-west-1 "
        "(set SYNTH_REGIONS_DIR to another directory)"
    )


def test_several_problems_are_all_reported_one_per_line(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("region: many\ntarget: nope\nconcurrency: 0\njourneys:\n  - {id: login, interval: soon}\n")
    with pytest.raises(RegionConfigError) as caught:
        load_region(path)
    assert str(caught.value).splitlines() == [
        f"{path}: target: 'nope' is not an http(s) URL: use e.g. https://shop.example.com",
        f"{path}: concurrency: 0 is out of range: run 1 to 16 journeys at once",
        f"{path}: journeys[0].interval: 'soon' is not a duration: use e.g. 500ms, 30s, 5m, 1h30m or 2d",
    ]


@pytest.mark.parametrize("name", ["local", "eu-west-1", "us-east-1", "ap-southeast-1"])
def test_shipped_regions_are_valid_and_warning_free(name: str) -> None:
    check = check_region_file(REPO / "regions" / f"{name}.yaml", KNOWN_IDS)
    assert check.errors == [] and check.warnings == []
    assert check.config is not None
    assert {s.id for s in check.config.schedules()} == KNOWN_IDS


def test_local_region_is_a_fast_demo_that_terraform_skips() -> None:
    config = load_region("local", REPO / "regions", KNOWN_IDS)
    assert config.deploy is False
    assert config.target == "http://127.0.0.1:8800"
    assert config.results == "results"
    assert all(s.interval_s is not None and s.interval_s <= 30 for s in config.schedules())
    assert all(s.params.get("email", "demo@example.com") == "demo@example.com" for s in config.schedules())


@pytest.mark.parametrize("name", ["eu-west-1", "us-east-1", "ap-southeast-1"])
def test_production_regions_deploy_to_s3(name: str) -> None:
    config = load_region(name, REPO / "regions", KNOWN_IDS)
    assert config.deploy is True
    assert config.target.startswith("https://")
    assert config.results == "s3://acme-synthetics/results"


def test_invalid_dir_holds_no_valid_file() -> None:
    valid = [p.name for p in corpus() if check_region_file(p, KNOWN_IDS).config is not None]
    assert valid == []
    assert INVALID_DIR.is_dir()
