"""`synth check`: validate every region file and journey file.

Prints every problem on its own line and exits 2 if there is any; prints a
short summary and exits 0 otherwise. Warnings do not change the exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent.errors import EXIT_CONFIG, EXIT_OK
from agent.loader import load_journeys
from agent.regions import check_region_file, region_files
from agent.settings import load_settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("check", help="validate region files and journey files; exit 2 on any problem")
    p.add_argument("--regions-dir", type=Path, metavar="DIR", help="default: $SYNTH_REGIONS_DIR (regions)")
    p.add_argument("--journeys-dir", type=Path, metavar="DIR", help="default: $SYNTH_JOURNEYS_DIR (journeys)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    regions_dir: Path = args.regions_dir or settings.regions_dir
    journeys_dir: Path = args.journeys_dir or settings.journeys_dir
    errors: list[str] = []
    warnings: list[str] = []

    if journeys_dir.is_dir():
        loaded = load_journeys([journeys_dir])
        errors.extend(str(e) for e in loaded.errors)
        known = set(loaded.journeys)
    else:
        errors.append(f"{journeys_dir}: no such journeys directory (use --journeys-dir or SYNTH_JOURNEYS_DIR)")
        known = set()

    regions: list[str] = []
    if not regions_dir.is_dir():
        errors.append(f"{regions_dir}: no such regions directory (use --regions-dir or SYNTH_REGIONS_DIR)")
    elif not (files := region_files(regions_dir)):
        errors.append(f"{regions_dir}: no region files (<region>.yaml) found")
    else:
        for path in files:
            check = check_region_file(path, known if journeys_dir.is_dir() else None)
            errors.extend(check.errors)
            warnings.extend(check.warnings)
            if check.config is not None:
                regions.append(check.config.region)

    for line in warnings:
        print(f"synth check: warning: {line}", file=sys.stderr)
    for line in errors:
        print(f"synth check: error: {line}", file=sys.stderr)
    if errors:
        print(f"synth check: {len(errors)} problem(s)", file=sys.stderr)
        return EXIT_CONFIG
    print(f"OK: {len(regions)} region(s) ({', '.join(regions)}), {len(known)} journey(s) ({', '.join(sorted(known))})")
    return EXIT_OK
