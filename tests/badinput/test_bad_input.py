"""The bad-input corpus: broken region files, broken journey files, bad CLI
arguments and bad environment settings. Each one gets one clear message naming
the file, key or argument, exit code 2, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli import main

TESTS = Path(__file__).resolve().parents[1]
REGION_CORPUS = TESTS / "regions" / "invalid"
REGION_JOURNEYS = TESTS / "regions" / "journeys"
BROKEN_JOURNEYS = TESTS / "loader" / "broken"


def call(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse usage errors
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.err


def _region_cases() -> list[pytest.param]:
    files = sorted(p for p in REGION_CORPUS.iterdir() if p.suffix in (".yaml", ".yml"))
    return [pytest.param(p, id=f"region:{p.stem}") for p in files]


@pytest.mark.parametrize("path", _region_cases())
def test_broken_region_file(path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_JOURNEYS_DIR", str(REGION_JOURNEYS))
    monkeypatch.setenv("SYNTH_REGIONS_DIR", str(REGION_CORPUS))
    code, err = call(["agent", "--region", str(path)], capsys)
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    assert code == 2
    assert "Traceback" not in err
    assert str(path) in err
    assert expected in err


@pytest.mark.parametrize("path", sorted(BROKEN_JOURNEYS.glob("*.py")), ids=lambda p: f"journey:{p.stem}")
def test_broken_journey_file(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = call(["journeys", str(path)], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert f"{path}:" in err  # file and line


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["run", "--target", "localhost:8800"], "--target"),
        (["run", "--target", "http://127.0.0.1:1", "--param", "novalue"], "--param"),
        (["run", "--target", "http://127.0.0.1:1", "--retries", "-1"], "--retries"),
        (["run", "--target", "http://127.0.0.1:1", "--parallel", "many"], "--parallel"),
        (["run", "--target", "http://127.0.0.1:1", "--timeout", "forever"], "--timeout"),
        (["run", "--target", "http://127.0.0.1:1", "--junit", "/no/such/dir/out.xml"], "--junit"),
        (["run", "--target", "http://127.0.0.1:1", "unknown-journey"], "unknown-journey"),
        (["run", "--colour"], "--colour"),
        (["agent"], "--region"),
        (["agent", "--region", "atlantis"], "atlantis"),
        (["journeys", "--verbose"], "--verbose"),
        (["nope"], "nope"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_cli_argument(argv: list[str], names: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = call(argv, capsys)
    assert code == 2
    assert "Traceback" not in err
    assert names in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SYNTH_LISTN", "127.0.0.1:9464"),
        ("SYNTH_LISTEN", "9464"),
        ("SYNTH_SCREENSHOT", "gif"),
        ("SYNTH_SPOOL_MAX_MB", "-5"),
        ("SYNTH_LOG_FORMAT", "xml"),
        ("SYNTH_TRACE", "always"),
        ("SYNTH_S3_SSE", "rot13"),
        ("SYNTH_ACTION_TIMEOUT", "soon"),
    ],
)
def test_bad_environment_setting(
    variable: str, value: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    code, err = call(["run", "--target", "http://127.0.0.1:1"], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert variable in err
    assert len(err.strip().splitlines()) == 1


def test_the_corpus_has_at_least_thirty_cases() -> None:
    regions = len(_region_cases())
    journeys = len(list(BROKEN_JOURNEYS.glob("*.py")))
    assert regions + journeys + 12 + 8 >= 30
