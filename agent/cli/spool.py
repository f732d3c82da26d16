"""`synth spool status|flush`: inspect and empty the durable results spool.

`status` shows what waits to be uploaded (exit 0). `flush` uploads it now:
exit 0 when the spool is empty, 3 when the store refused writes or runs are
still pending at the time limit (they stay in the spool).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agent.duration import format_duration, parse_duration
from agent.errors import EXIT_INFRA, EXIT_OK
from agent.settings import load_settings
from agent.storage import ResultsPipeline, default_writer_id

CLI_REGION = "cli"


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("spool", help="show or upload the results spool (runs not yet stored)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    status = actions.add_parser("status", help="pending runs, bytes, oldest age, destination, last error")
    flush = actions.add_parser("flush", help="upload every pending run now; exit 3 if the store refuses")
    flush.add_argument("--timeout", type=_duration, default=60.0, metavar="DURATION", help="default 60s")
    for p in (status, flush):
        p.add_argument("--results", metavar="URI", help="destination: a path or s3://bucket/prefix ($SYNTH_RESULTS)")
        p.set_defaults(handler=run)


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    pipeline = ResultsPipeline(
        args.results or settings.results,
        settings=settings,
        region=CLI_REGION,
        writer_id=default_writer_id(CLI_REGION),
    )
    if args.action == "flush":
        return flush(pipeline, args.timeout)
    return status(pipeline)


def status(pipeline: ResultsPipeline) -> int:
    s = pipeline.status()
    rows = [
        ("destination", s.destination),
        ("spool", s.spool_dir),
        ("pending runs", f"{s.pending_runs} ({_size(s.pending_bytes)})"),
        ("oldest", format_duration(s.oldest_age_s) if s.pending_runs else "-"),
        ("summaries", f"{s.summaries_pending} partition(s) to rewrite" if s.summaries_pending else "up to date"),
        ("last error", s.last_error or "-"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    return EXIT_OK


def flush(pipeline: ResultsPipeline, timeout: float) -> int:
    report = pipeline.flush(timeout)
    where = f"{pipeline.destination} (spool {pipeline.spool.root})"
    if report.complete:
        print(f"uploaded {report.uploaded} run(s) to {where}; the spool is empty")
        return EXIT_OK
    if report.busy:
        problem = "another process (an agent?) is uploading this spool; try again later"
    elif report.refused:
        problem = f"the store refused writes: {report.last_error}"
    else:
        problem = f"time limit of {format_duration(timeout)} reached; last error: {report.last_error or 'none'}"
    print(
        f"synth spool flush: error: {problem}. Uploaded {report.uploaded} run(s); {report.pending} run(s) "
        f"and {report.summaries_pending} summary file(s) are still pending in {where}",
        file=sys.stderr,
    )
    return EXIT_INFRA


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
