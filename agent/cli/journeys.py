"""`synth journeys`: list the journeys found, with ids, tags and files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent.errors import EXIT_CONFIG, EXIT_OK
from agent.loader import load_journeys
from agent.settings import load_settings


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("journeys", help="list the journeys found")
    parser.add_argument("paths", nargs="*", type=Path, metavar="FILE|DIR", help="default: $SYNTH_JOURNEYS_DIR")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [load_settings().journeys_dir]
    loaded = load_journeys(paths)
    rows = [("ID", "TAGS", "TIMEOUT", "FILE")]
    for j in sorted(loaded.journeys.values(), key=lambda j: j.id):
        rows.append((j.id, ",".join(j.tags) or "-", f"{j.timeout:g}s", f"{_rel(j.file)}:{j.line}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for error in loaded.errors:
        print(f"synth journeys: error: {error}", file=sys.stderr)
    return EXIT_CONFIG if loaded.errors else EXIT_OK


def _rel(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
