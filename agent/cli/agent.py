"""`synth agent`: run a region's journeys on their schedules until SIGTERM.

Exit codes: 0 stopped cleanly, 2 bad configuration (region file, journeys,
settings), 3 no browser, 130 stopped by a second signal.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from agent.cli.run import check_target
from agent.daemon import Agent
from agent.errors import EXIT_CONFIG, ConfigError
from agent.loader import load_journeys
from agent.logs import configure_logging
from agent.metrics import Metrics
from agent.regions import load_region
from agent.settings import load_settings
from agent.storage import ResultsPipeline


def add_parser(sub: Any) -> None:
    p = sub.add_parser("agent", help="run a region's journeys on their schedules (the regional agent)")
    p.add_argument("--region", required=True, metavar="NAME", help="region name ($SYNTH_REGIONS_DIR/NAME.yaml) or file")
    p.add_argument("--target", metavar="URL", help="override the region file's target, e.g. http://127.0.0.1:8800")
    p.add_argument(
        "--results",
        metavar="URI",
        help="override where results go (default: the region's `results`, then $SYNTH_RESULTS)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        agent = build_agent(args)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"synth agent: error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(agent.run())


def build_agent(args: argparse.Namespace) -> Agent:
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    target = check_target(args.target) if args.target is not None else None
    loaded = load_journeys([settings.journeys_dir])
    if loaded.errors:
        raise ConfigError("\n".join(str(e) for e in loaded.errors))
    region = load_region(args.region, settings.regions_dir, known_journey_ids=set(loaded.journeys))
    uri = args.results or region.results or settings.results

    def destination(metrics: Metrics) -> ResultsPipeline:
        return ResultsPipeline(uri, settings=settings, region=region.region, metrics=metrics)

    return Agent(region, loaded.journeys, settings, destination=destination, target=target)
