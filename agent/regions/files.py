"""Region files on disk: naming one, listing a directory, loading one for the agent or `synth run`."""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path

from agent.errors import RegionConfigError
from agent.regions.checks import check_region_file
from agent.regions.models import SUFFIX, RegionConfig

#: The package's name, not this module's: warnings keep the logger name `agent.regions`.
log = logging.getLogger("agent.regions")

#: `.yml` is listed too, so that `synth check` can reject it by name.
_LISTED_SUFFIXES = (SUFFIX, ".yml")


def region_path(path_or_name: str | Path, regions_dir: Path) -> Path:
    """`eu-west-1` means `<regions_dir>/eu-west-1.yaml`; anything with a suffix or '/' is a path."""
    text = str(path_or_name)
    if "/" in text or text.endswith(_LISTED_SUFFIXES):
        return Path(text)
    return regions_dir / f"{text}{SUFFIX}"


def region_files(regions_dir: Path) -> list[Path]:
    """The region files of a directory (also `.yml`, so that `synth check` can reject it)."""
    return sorted(p for p in regions_dir.iterdir() if p.suffix in _LISTED_SUFFIXES and p.is_file())


def load_region(
    path_or_name: str | Path, regions_dir: Path = Path("regions"), known_journey_ids: Collection[str] | None = None
) -> RegionConfig:
    """The validated region, or `RegionConfigError` with one line per problem. Warnings are logged."""
    path = region_path(path_or_name, regions_dir)
    if not path.is_file():
        known = (
            ", ".join(p.stem for p in region_files(regions_dir)) if regions_dir.is_dir() else f"({regions_dir} missing)"
        )
        raise RegionConfigError(
            f"{path}: no such region file; known regions in {regions_dir}: {known or 'none'} "
            "(set SYNTH_REGIONS_DIR to another directory)"
        )
    check = check_region_file(path, known_journey_ids)
    if check.errors or check.config is None:
        raise RegionConfigError("\n".join(check.errors))
    for warning in check.warnings:
        log.warning(warning)
    return check.config
