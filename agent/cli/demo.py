"""`synth demo`: the demo shop, three regional agents for a bounded time, then the report.

Exit codes: 0 the demo ran and the report was written, 1 no run was recorded,
2 bad option or missing region/journey files, 3 a child process failed to
start or died, 130 interrupted (Ctrl-C; everything is stopped first).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from agent.demo import DEMO_REGIONS, Fleet, progress_line
from agent.duration import parse_duration
from agent.errors import EXIT_FAILED, EXIT_INFRA, EXIT_OK, ConfigError
from agent.report import LocalSource, Window, build_report, render
from agent.settings import Settings, load_settings

TTY_REFRESH_S = 1.0
PLAIN_EVERY_S = 10.0
#: Agents get their shutdown grace plus time to flush results and close Chromium.
STOP_MARGIN_S = 30.0
INTERRUPTED = 130


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="run the demo shop and a 3-region fleet for a while, then print the availability report",
        description="Starts the demo shop, three local agents (demo-eu healthy, demo-us slow, demo-ap with a "
        "failing payment provider) for --duration, stops them cleanly, prints the availability report and "
        "writes <results>/report.html.",
    )
    p.add_argument("--duration", type=_duration, default=120.0, metavar="DURATION", help="how long (default 2m)")
    p.add_argument("--port", type=_port, default=8800, help="the demo shop's port (default 8800)")
    p.add_argument("--results", metavar="DIR", help="results directory (default $SYNTH_RESULTS: results)")
    p.set_defaults(handler=run)


def _duration(text: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds < 5:
        raise argparse.ArgumentTypeError(f"{text!r} is too short: give the agents at least 5s, e.g. 2m")
    return seconds


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return int(text)


def region_files(settings: Settings) -> dict[str, Path]:
    files = {r: settings.regions_dir / f"{r}.yaml" for r in DEMO_REGIONS}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise ConfigError(
            f"demo region file(s) not found: {', '.join(missing)}; run from the synth checkout or set "
            "SYNTH_REGIONS_DIR to its regions/ directory"
        )
    if not settings.journeys_dir.is_dir():
        raise ConfigError(
            f"journeys directory {settings.journeys_dir} not found; run from the synth checkout or set "
            "SYNTH_JOURNEYS_DIR to its journeys/ directory"
        )
    return files


class _Stop(Exception):
    """SIGTERM to `synth demo`: stop like Ctrl-C."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    destination: str = args.results or settings.results
    if "://" in destination:
        raise ConfigError(f"--results {destination}: the demo writes to a local directory, e.g. --results results")
    results = Path(destination)
    fleet = Fleet(region_files(settings), results, settings.spool_dir.parent / "demo", settings.journeys_dir)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    started = time.time()
    interrupted = False
    try:
        try:
            print(f"synth demo: starting the demo shop on 127.0.0.1:{args.port} ...", file=sys.stderr, flush=True)
            fleet.start_shop(args.port)
            fleet.set_faults()
            fleet.start_agents()
            started = time.time()
            print(
                f"synth demo: shop {fleet.shop_url}; agents {', '.join(DEMO_REGIONS)} for {args.duration:g}s "
                f"(Ctrl-C stops early); results in {results}/, logs in {fleet.work_dir / 'logs'}/",
                file=sys.stderr,
                flush=True,
            )
            code = watch(fleet, args.duration, sys.stderr)
            if code != EXIT_OK:
                return code
        except (KeyboardInterrupt, _Stop):
            interrupted = True
            print("\nsynth demo: interrupted, stopping the agents (Ctrl-C again to kill them) ...", file=sys.stderr)
        try:
            stop(fleet, settings)
        except (KeyboardInterrupt, _Stop):
            fleet.kill()
            return INTERRUPTED
        code = report(results, started, settings)
        return INTERRUPTED if interrupted else code
    finally:
        fleet.kill()
        signal.signal(signal.SIGTERM, previous)


def watch(fleet: Fleet, duration: float, out: TextIO) -> int:
    """The progress line until `duration` is over; EXIT_INFRA if a child dies."""
    tty = out.isatty()
    began = time.monotonic()
    last_plain = -PLAIN_EVERY_S
    while (elapsed := time.monotonic() - began) < duration:
        dead = fleet.exited()
        if dead is not None:
            if tty:
                out.write("\n")
            out.write(f"synth demo: error: {dead.name} exited with code {dead.process.returncode}; its log "
                      f"({dead.log}) ends with:\n{dead.tail()}\n")  # fmt: skip
            return EXIT_INFRA
        line = progress_line(elapsed, duration, fleet.counts())
        if tty:
            width = shutil.get_terminal_size().columns - 1  # a wrapped line cannot be redrawn with \r
            out.write(f"\r{line[:width]}\x1b[K")
            out.flush()
        elif elapsed - last_plain >= PLAIN_EVERY_S:
            out.write(line + "\n")
            out.flush()
            last_plain = elapsed
        time.sleep(min(TTY_REFRESH_S, max(0.0, duration - elapsed)))
    final = progress_line(duration, duration, fleet.counts())
    out.write(f"\r{final}\x1b[K\n" if tty else final + "\n")
    return EXIT_OK


def stop(fleet: Fleet, settings: Settings) -> None:
    print("synth demo: stopping the agents (runs in flight finish, results flush) ...", file=sys.stderr, flush=True)
    for problem in fleet.stop_agents(settings.shutdown_grace + STOP_MARGIN_S):
        print(f"synth demo: warning: {problem}", file=sys.stderr)
    fleet.stop()


def report(results: Path, started: float, settings: Settings) -> int:
    if not results.is_dir():
        print(f"synth demo: no results were written to {results}/; see the agents' logs", file=sys.stderr)
        return EXIT_FAILED
    window = Window(started - 5.0, time.time() + 1.0)
    html_source = LocalSource(results, out_dir=results)
    built = build_report(html_source, window, regions=DEMO_REGIONS)
    if not built.cells:
        print(f"synth demo: {built.empty_message()}", file=sys.stderr)
        return EXIT_FAILED
    print(render(built, "table", LocalSource(results).link))
    html = results / "report.html"
    tmp = html.with_name(".report.html.tmp")
    tmp.write_text(render(built, "html", html_source.link, html_source.exists), encoding="utf-8")
    tmp.replace(html)
    print(f"\nwrote {html} — open it in a browser", flush=True)
    return EXIT_OK
