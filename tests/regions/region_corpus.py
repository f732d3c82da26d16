"""The invalid region corpus and stand-in journeys with the real ids."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
INVALID_DIR = HERE / "invalid"
STUB_JOURNEYS = HERE / "journeys"
KNOWN_IDS = frozenset({"login", "cart", "checkout", "order-confirmation"})
REPO = HERE.parent.parent
EXPECT = "# expect: "


def corpus() -> list[Path]:
    return sorted(p for p in INVALID_DIR.iterdir() if p.suffix in (".yaml", ".yml"))


def expected_message(path: Path) -> str:
    """The problem the file's first line announces (without the leading file name)."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(EXPECT), f"{path} must start with '{EXPECT}<message>'"
    return first.removeprefix(EXPECT)
