"""`synth run`: run journeys once against a target, print a table, exit 0/1/2/3."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from agent.batch import BatchEntry, BatchPlan, run_batch
from agent.browser import Browser
from agent.duration import parse_duration
from agent.errors import EXIT_CONFIG, EXIT_FAILED, EXIT_INFRA, EXIT_OK, ConfigError
from agent.loader import LoadedJourneys, load_journeys
from agent.logs import configure_logging
from agent.model import JourneyResult
from agent.progress import make_progress
from agent.publish import Publisher
from agent.regions import RegionConfig, load_region, region_path
from agent.reporters import render_json, render_junit, render_markdown
from agent.runner import RunOptions
from agent.settings import Settings, load_settings
from agent.storage import ResultsPipeline
from agent.table import render_results

RELEASE_VARIABLES = ("GITHUB_SHA", "CI_COMMIT_SHA", "BUILD_SOURCEVERSION")
UPLOAD_TIMEOUT_S = 60.0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="run journeys once and exit 0 (passed), 1 (failed), 2 (usage), 3 (infra)")
    p.add_argument("items", nargs="*", metavar="FILE|DIR|ID", help="journey files, directories or ids")
    p.add_argument("--target", help="base URL of the shop, e.g. http://127.0.0.1:8800")
    p.add_argument("--region", default="local", help="region name recorded on results (default: local)")
    p.add_argument("--results", metavar="URI", help="results destination: a path or s3://bucket/prefix")
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="journey parameter (repeatable)")
    p.add_argument("--tags", action="append", default=[], metavar="TAG", help="only journeys with this tag")
    p.add_argument("--parallel", type=_positive_int, default=1, metavar="N", help="journeys at once (default 1)")
    p.add_argument("--retries", type=_non_negative_int, default=0, metavar="N", help="retries of a failed run")
    p.add_argument("--timeout", type=_duration, metavar="DURATION", help="limit for the whole batch, e.g. 5m")
    p.add_argument("--release", help="release recorded on every result (default: $GITHUB_SHA etc.)")
    p.add_argument("--fail-fast", action="store_true", help="stop starting journeys after the first failure")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML (a testsuite per region)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write a machine-readable JSON summary")
    p.add_argument(
        "--summary", type=Path, metavar="FILE", help="write a Markdown summary (default: $GITHUB_STEP_SUMMARY if set)"
    )
    p.set_defaults(handler=run)


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--param {pair!r}: expected KEY=VALUE, e.g. --param email=demo@example.com")
        params[key.strip()] = value
    return params


def check_target(target: str | None) -> str:
    if not target:
        raise ConfigError("--target is required: the shop's base URL, e.g. --target http://127.0.0.1:8800")
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--target {target!r}: must be an http:// or https:// URL with a host")
    return target


def select_journeys(items: list[str], tags: list[str], default_dir: Path) -> tuple[LoadedJourneys, list[str]]:
    """Load the files and directories named in `items`; other items are journey ids."""
    paths = [Path(i) for i in items if Path(i).exists() or i.endswith(".py") or "/" in i]
    ids = [i for i in items if Path(i) not in paths]
    loaded = load_journeys(paths or [default_dir])
    unknown = [i for i in ids if i not in loaded.journeys]
    if unknown:
        known = ", ".join(sorted(loaded.journeys)) or "none"
        raise ConfigError(f"unknown journey id(s) {', '.join(unknown)}; known ids: {known}")
    return loaded, ids


def exit_code(results: list[JourneyResult], broken_files: bool) -> int:
    if any(r.is_infra_error for r in results):
        return EXIT_INFRA
    if broken_files or any(r.error is not None and r.error.category == "config" for r in results):
        return EXIT_CONFIG
    if any(r.status != "passed" for r in results):
        return EXIT_FAILED
    return EXIT_OK


def region_file(name: str, settings: Settings, known_ids: Collection[str]) -> RegionConfig | None:
    """The region file named by `--region`, if there is one: its target, params,
    labels and allowed hosts then apply, exactly as in the agent."""
    path = region_path(name, settings.regions_dir)
    return load_region(path, settings.regions_dir, known_ids) if path.is_file() else None


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    # The table and progress are the output; log lines only for problems unless asked for.
    configure_logging(settings.log_format, settings.log_level if "SYNTH_LOG_LEVEL" in os.environ else "WARNING")
    params = parse_params(args.param)
    loaded, ids = select_journeys(args.items, args.tags, settings.journeys_dir)
    region = region_file(args.region, settings, loaded.journeys)
    target = check_target(args.target or (region.target if region else None))
    for error in loaded.errors:
        print(f"synth run: error: {error}", file=sys.stderr)
    journeys = loaded.select(ids, args.tags)
    if not journeys:
        if loaded.errors:
            return EXIT_CONFIG
        raise ConfigError(f"no journey matches (ids: {ids or 'all'}, tags: {args.tags or 'any'})")
    plan = BatchPlan(
        journeys=journeys,
        target=target,
        region=region.region if region else args.region,
        params=params,
        per_journey_params={s.id: s.params for s in region.schedules()} if region else {},
        labels=region.labels if region else {},
        release=args.release or next((os.environ[v] for v in RELEASE_VARIABLES if os.environ.get(v)), None),
        retries=args.retries,
        parallel=args.parallel,
        timeout_s=args.timeout,
        fail_fast=args.fail_fast,
        options=RunOptions.from_settings(settings, region.allowed_hosts_for(target) if region else None),
    )
    _check_writable(args)
    pipeline = ResultsPipeline(args.results or settings.results, settings=settings, region=args.region)
    pipeline.start()
    try:
        entries = asyncio.run(_run(plan, settings, Publisher([pipeline])))
    finally:
        upload = pipeline.flush(timeout=UPLOAD_TIMEOUT_S)
        pipeline.close(timeout=0)
    results = [e.result for e in entries if e.result is not None]
    code = exit_code(results, bool(loaded.errors))
    print(render_results(entries))
    if not upload.complete:
        print(
            f"synth run: error: {upload.pending} run(s) not yet stored in {pipeline.destination}: "
            f"{upload.last_error or 'time limit reached'}; they are kept in {settings.spool_dir} "
            "and `synth spool flush` uploads them",
            file=sys.stderr,
        )
        if code == EXIT_OK:
            code = EXIT_INFRA
    write_reports(args, entries, code, plan)
    return code


def _check_writable(args: argparse.Namespace) -> None:
    """Fail before running anything if a report file cannot be written."""
    for option in ("junit", "json", "summary"):
        path: Path | None = getattr(args, option)
        if path is not None and not path.resolve().parent.is_dir():
            raise ConfigError(f"--{option} {path}: directory {path.parent} does not exist")


def write_reports(args: argparse.Namespace, entries: list[BatchEntry], code: int, plan: BatchPlan) -> None:
    if args.junit:
        args.junit.write_text(render_junit(entries, default_region=plan.region))
    if args.json:
        args.json.write_text(render_json(entries, exit_code=code, target=plan.target, release=plan.release))
    summary = args.summary or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    if summary:
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(render_markdown(entries, target=plan.target, release=plan.release))


async def _run(plan: BatchPlan, settings: Settings, publisher: Publisher) -> list[BatchEntry]:
    browser = Browser(
        executable=settings.browser_executable, headless=settings.headless, prewarm=settings.prewarm_context
    )
    try:
        await browser.start()

        progress = make_progress(sys.stderr, [j.id for j in plan.journeys])
        return await run_batch(plan, browser, on_result=publisher.publish, progress=progress)
    finally:
        await browser.close()
