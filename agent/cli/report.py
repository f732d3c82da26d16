"""`synth report`: availability per region × journey from the compact summaries.

Exit codes: 0 report written (also when there are no runs in range: the
message says so), 2 bad input, 3 the results store could not be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from agent.errors import EXIT_OK, ConfigError
from agent.report import FORMATS, build_report, open_source, render, resolve_window, split_names
from agent.report.build import DEFAULT_SLO
from agent.settings import load_settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="availability, latency percentiles and error budget per region × journey",
        description="Availability per region × journey from the results' compact summaries "
        "(<results>/_summaries/). Reads local paths and s3://bucket/prefix.",
    )
    p.add_argument(
        "--results", metavar="URI", help="results root: a path or s3://bucket/prefix (default $SYNTH_RESULTS)"
    )
    p.add_argument("--since", metavar="DURATION", help="report the last DURATION, e.g. 24h or 7d (default 24h)")
    p.add_argument("--from", dest="start", metavar="TIME", help="start, ISO 8601 (UTC unless an offset is given)")
    p.add_argument("--to", dest="end", metavar="TIME", help="end (exclusive; a date alone means its end); default now")
    p.add_argument("--region", action="append", metavar="R", help="only this region (repeatable, or a,b)")
    p.add_argument("--journey", action="append", metavar="J", help="only this journey (repeatable, or a,b)")
    p.add_argument("--slo", type=_slo, default=DEFAULT_SLO, metavar="PCT", help="availability objective (99.5)")
    p.add_argument("--format", default="table", metavar="FORMAT", help=f"{' | '.join(FORMATS)} (default table)")
    p.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--presign", action="store_true", help="S3: link screenshots with presigned https URLs (7 days)")
    p.set_defaults(handler=run)


def _slo(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; use a percentage such as 99.5") from None
    if not 0 < value < 100:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 100 (exclusive), e.g. 99.5")
    return value


def run(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise ConfigError(f"--format {args.format!r}: unknown format; use one of {', '.join(FORMATS)}")
    window = resolve_window(args.since, args.start, args.end)
    results = args.results or load_settings().results
    out: Path | None = args.out
    if out is not None and out.is_dir():
        raise ConfigError(f"--out {out}: is a directory; name a file, e.g. {out / ('report.' + _ext(args.format))}")
    source = open_source(results, out_dir=out.parent if out else None, presign=args.presign)
    report = build_report(
        source, window, slo=args.slo, regions=split_names(args.region), journeys=split_names(args.journey)
    )
    text = render(report, args.format, source.link, source.exists)
    if not report.cells:
        print(f"synth report: {report.empty_message()}", file=sys.stderr)
    if out is not None:
        write_file(out, text)
        print(f"synth report: wrote {out} ({report.runs:,} runs)", file=sys.stderr)
    elif report.cells or args.format != "table":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def _ext(fmt: str) -> str:
    return {"table": "txt", "markdown": "md"}.get(fmt, fmt)


def write_file(path: Path, text: str) -> None:
    """Write through a temporary file and a rename; ordinary permissions (umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
