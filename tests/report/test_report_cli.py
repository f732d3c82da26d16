"""`synth report`: bad input is one clear line and exit 2; empty data is exit 0 and says so;
every format renders; screenshot links are relative to the report file."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from report_helpers import Dataset

from agent.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["report", *args])
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def window(dataset: Dataset) -> list[str]:
    return ["--from", dataset.start.isoformat(), "--to", (dataset.end + timedelta(hours=1)).isoformat()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since: 'yesterday' is not a duration: use e.g. 500ms, 30s, 5m, 1h30m or 2d"),
        (["--since", "0s"], "--since '0s': must be longer than 0, e.g. 24h or 7d"),
        (["--from", "2025-11-05", "--to", "2025-11-01"], "--from 2025-11-05 is not before --to 2025-11-01"),
        (["--from", "last week"], "--from 'last week': not a date or time; use ISO 8601"),
        (["--to", "2025-11-01"], "--to needs --from"),
        (["--since", "1h", "--from", "2025-11-01"], "--since cannot be combined with --from/--to"),
        (["--format", "pdf"], "--format 'pdf': unknown format; use one of table, json, markdown, html"),
        (["--results", "ftp://host/x"], "--results 'ftp://host/x': use a local path or s3://bucket/prefix"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], local_results: Path, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--results", str(local_results), *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("slo", ["100", "0", "abc", "-5"])
def test_bad_slo_is_exit_2(capsys: pytest.CaptureFixture[str], local_results: Path, slo: str) -> None:
    code, _, err = run(capsys, "--results", str(local_results), "--slo", slo)
    assert code == 2
    assert f"argument --slo: {slo!r}" in err
    assert err.count("\n") == 1


def test_missing_results_directory_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--results", str(tmp_path / "nowhere"))
    assert code == 2
    assert f"--results {tmp_path / 'nowhere'}: no such directory" in err


def test_no_runs_in_range_is_exit_0_with_a_message(
    capsys: pytest.CaptureFixture[str], local_results: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--results", str(local_results), "--from", "2020-01-01", "--to", "2020-01-02")
    assert code == 0
    assert out == ""
    assert "no runs in range 2020-01-01 00:00 UTC → 2020-01-03 00:00 UTC" in err
    code, out, err = run(capsys, "--results", str(local_results), "--since", "1h", "--format", "json")
    assert code == 0
    assert json.loads(out)["cells"] == [] and "no runs in range" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "--results", str(empty), "--format", "html", "--out", str(tmp_path / "r.html"))
    assert code == 0 and "no runs in range" in err
    assert "no runs in range" in (tmp_path / "r.html").read_text()


def test_table(capsys: pytest.CaptureFixture[str], local_results: Path, dataset: Dataset) -> None:
    code, out, _ = run(capsys, "--results", str(local_results), *window(dataset))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Availability 2025-11-03 09:00 UTC → 2025-11-03 14:00 UTC · SLO 99.5% · 147 runs ·")
    header = lines[2].split()
    assert header == ["REGION", "JOURNEY", "RUNS", "AVAIL", "P50", "P95", "P99", "BUDGET", "FAILING", "STEPS"]
    rows = [line.split()[:2] for line in lines[3:7]]
    assert rows == [
        ["ap-southeast-1", "checkout"],
        ["ap-southeast-1", "login"],
        ["eu-west-1", "checkout"],
        ["eu-west-1", "login"],
    ]
    assert "LATEST FAILURES" in out
    shot = next(word for word in out.split() if word.endswith(".png"))
    assert Path(shot).is_file()  # relative to the working directory, or absolute like --results


def test_markdown_and_json_links_are_relative_to_the_out_file(
    capsys: pytest.CaptureFixture[str], local_results: Path, dataset: Dataset, tmp_path: Path
) -> None:
    out_dir = tmp_path / "reports" / "nov"
    code, _, err = run(
        capsys, "--results", str(local_results), *window(dataset), "--format", "json", "--out", str(out_dir / "r.json")
    )
    assert code == 0 and "wrote" in err
    data = json.loads((out_dir / "r.json").read_text())
    link = next(c["latest_failure"]["screenshot"] for c in data["cells"] if c["latest_failure"])
    assert not link.startswith("/")
    assert (out_dir / unquote(link)).resolve().is_file()
    code, _, _ = run(
        capsys,
        "--results",
        str(local_results),
        *window(dataset),
        "--format",
        "markdown",
        "--out",
        str(out_dir / "r.md"),
    )
    text = (out_dir / "r.md").read_text()
    assert text.startswith("# Availability report")
    assert "| ap-southeast-1 | checkout |" in text
    assert "[screenshot](<../../" in text


def test_out_must_not_be_a_directory(capsys: pytest.CaptureFixture[str], local_results: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--results", str(local_results), "--out", str(tmp_path))
    assert code == 2
    assert f"--out {tmp_path}: is a directory" in err


def test_comma_separated_filters(capsys: pytest.CaptureFixture[str], local_results: Path, dataset: Dataset) -> None:
    code, out, _ = run(
        capsys,
        "--results",
        str(local_results),
        *window(dataset),
        "--region",
        "eu-west-1,ap-southeast-1",
        "--journey",
        "checkout",
        "--format",
        "json",
    )
    assert code == 0
    assert sorted(c["region"] for c in json.loads(out)["cells"]) == ["ap-southeast-1", "eu-west-1"]
