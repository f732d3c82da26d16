from pathlib import Path

import pytest

from agent.loader import load_journeys

HERE = Path(__file__).parent
BROKEN = HERE / "broken"


@pytest.mark.parametrize(
    ("name", "line", "problem"),
    [
        ("syntax_error.py", 6, "syntax error: expected ':'; fix the Python syntax"),
        (
            "import_error.py",
            2,
            "ModuleNotFoundError: No module named 'no_such_module_for_synth' (install the module or fix the import)",
        ),
        ("not_async.py", 4, "journey 'sync': `sync` must be `async def`"),
        ("bad_id.py", 4, "journey id 'Bad Id' is invalid: use lowercase letters, digits and '-'"),
        ("runtime_error.py", 4, "KeyError: 'base' (fix the code)"),
    ],
)
def test_broken_file_is_one_error_with_file_and_line(name: str, line: int, problem: str) -> None:
    loaded = load_journeys([BROKEN / name])
    assert loaded.journeys == {}
    [error] = loaded.errors
    assert str(error) == f"{BROKEN / name}:{line}: {problem}"


def test_other_files_still_load_next_to_a_broken_one() -> None:
    loaded = load_journeys([BROKEN / "not_async.py", HERE / "good" / "one.py"])
    assert list(loaded.journeys) == ["one"]
    assert len(loaded.errors) == 1


def test_duplicate_ids_are_rejected_naming_both_files() -> None:
    loaded = load_journeys([HERE / "good"])
    assert sorted(loaded.journeys) == ["one", "two"]
    [error] = loaded.errors
    assert "duplicate journey id 'one', already defined in" in str(error)
    assert str(HERE / "good" / "one.py") in str(error)


def test_declared_steps_are_read_from_the_source() -> None:
    loaded = load_journeys([HERE / "good" / "one.py"])
    assert loaded.journeys["one"].declared_steps == ("first", "second")


def test_select_by_ids_and_tags() -> None:
    loaded = load_journeys([HERE / "good"])
    assert [j.id for j in loaded.select(tags=["b"])] == ["two"]
    assert [j.id for j in loaded.select(ids=["one"])] == ["one"]
    assert [j.id for j in loaded.select()] == ["one", "two"]


def test_missing_file_is_reported() -> None:
    loaded = load_journeys([HERE / "nope.py"])
    assert str(loaded.errors[0]).endswith("nope.py: no such journey file")
