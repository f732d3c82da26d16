"""`synth check` and `synth agent` on region files: every problem one line, exit 2."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from region_corpus import INVALID_DIR, REPO, STUB_JOURNEYS, corpus, expected_message

from agent.cli import main


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`synth agent` configures the root logger; give pytest its handlers back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _no_synth_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    for var in ("SYNTH_REGIONS_DIR", "SYNTH_JOURNEYS_DIR", "SYNTH_RESULTS"):
        monkeypatch.delenv(var, raising=False)


def test_check_passes_on_the_shipped_regions_and_journeys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "OK: 7 region(s) (ap-southeast-1, demo-ap, demo-eu, demo-us, eu-west-1, local, us-east-1), "
        "4 journey(s) (cart, checkout, login, order-confirmation)\n"
    )
    assert err == ""


def test_check_prints_every_problem_of_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    relative = INVALID_DIR.relative_to(REPO)
    assert main(["check", "--regions-dir", str(relative), "--journeys-dir", str(STUB_JOURNEYS)]) == 2
    out, err = capsys.readouterr()
    expected = [f"synth check: error: {relative / p.name}: {expected_message(p)}" for p in corpus()]
    assert out == ""
    assert err.splitlines() == [*expected, f"synth check: {len(expected)} problem(s)"]


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_agent_refuses_an_invalid_region(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNTH_JOURNEYS_DIR", str(STUB_JOURNEYS))
    relative = path.relative_to(REPO)
    assert main(["agent", "--region", str(relative)]) == 2
    _, err = capsys.readouterr()
    assert err.splitlines() == [f"synth agent: error: {relative}: {expected_message(path)}"]


def test_agent_refuses_an_unknown_region(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SYNTH_JOURNEYS_DIR", str(STUB_JOURNEYS))
    assert main(["agent", "--region", "mars-1"]) == 2
    _, err = capsys.readouterr()
    assert err == (
        "synth agent: error: regions/mars-1.yaml: no such region file; known regions in regions: "
        "ap-southeast-1, demo-ap, demo-eu, demo-us, eu-west-1, local, us-east-1 (set SYNTH_REGIONS_DIR to another directory)\n"
    )


def test_agent_refuses_a_bad_target_override(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNTH_JOURNEYS_DIR", str(STUB_JOURNEYS))
    assert main(["agent", "--region", "local", "--target", "shop.example.com"]) == 2
    _, err = capsys.readouterr()
    assert err == ("synth agent: error: --target 'shop.example.com': must be an http:// or https:// URL with a host\n")


def test_check_reports_broken_journey_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journeys = tmp_path / "journeys"
    journeys.mkdir()
    (journeys / "broken.py").write_text("from agent import journey\n\n@journey(id='login'\n")
    assert main(["check", "--journeys-dir", str(journeys)]) == 2
    _, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines[0].startswith(f"synth check: error: {journeys / 'broken.py'}:3: syntax error:")
    # the regions then name journeys that are not known: reported too, one line each
    assert all(line.startswith("synth check: error: ") for line in lines[:-1])
    assert lines[-1] == f"synth check: {len(lines) - 1} problem(s)"


def test_check_warnings_do_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "slow.yaml").write_text(
        "region: slow\ntarget: http://127.0.0.1:8800\njourneys:\n  - {id: login, interval: 10s, timeout: 30s}\n"
    )
    assert main(["check", "--regions-dir", str(tmp_path), "--journeys-dir", str(STUB_JOURNEYS)]) == 0
    out, err = capsys.readouterr()
    assert err == (
        f"synth check: warning: {tmp_path / 'slow.yaml'}: journeys[0].timeout: 30s is longer than the interval "
        "10s: a slow run makes the next one skip (counted as missed)\n"
    )
    assert out.startswith("OK: 1 region(s) (slow), 4 journey(s)")


def test_check_names_a_missing_regions_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert main(["check", "--regions-dir", str(missing), "--journeys-dir", str(STUB_JOURNEYS)]) == 2
    _, err = capsys.readouterr()
    assert err.splitlines()[0] == (
        f"synth check: error: {missing}: no such regions directory (use --regions-dir or SYNTH_REGIONS_DIR)"
    )


def test_agent_refuses_to_start_with_a_broken_journey_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    journeys = tmp_path / "journeys"
    journeys.mkdir()
    (journeys / "broken.py").write_text("import no_such_module_here\n")
    monkeypatch.setenv("SYNTH_JOURNEYS_DIR", str(journeys))
    assert main(["agent", "--region", "local"]) == 2
    _, err = capsys.readouterr()
    assert err == (
        f"synth agent: error: {journeys / 'broken.py'}:1: ModuleNotFoundError: No module named "
        "'no_such_module_here' (install the module or fix the import)\n"
    )
