"""Generate a month of compact run summaries for `synth report` benchmarks.

    .venv/bin/python bench/gen_month.py /tmp/synth-month            # 5 regions x 4 journeys, 30 days
    .venv/bin/python bench/gen_month.py /tmp/synth-day --days 1 --seed 7

Writes `<out>/_summaries/region=<r>/journey=<j>/date=<d>/<writer>.jsonl` in the
exact format of `agent.summary.summary_json` (checked on the first line), one
run per minute per region and journey: 5 x 4 x 43,200 = 864,000 runs.

It is realistic enough to make the report's charts meaningful and its hot path
honest: most runs pass; each region has a few incident windows (an outage of
one step for some journeys, or a slowdown that pushes runs into timeouts);
durations are lognormal per journey and region; a small background of flaky
failures; an agent restart per region writes a second writer file that
repeats a few runs (the reader must de-duplicate by run_id). Deterministic for
a given --seed.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REGIONS = {"eu-west-1": 1.0, "eu-central-1": 1.05, "us-east-1": 1.15, "ap-southeast-1": 1.45, "sa-east-1": 1.35}
JOURNEYS: dict[str, tuple[float, tuple[str, ...]]] = {
    # journey id: (median duration s, steps)
    "login": (1.6, ("open login page", "sign in", "see account")),
    "cart": (3.1, ("open shop", "open product", "add to cart", "see cart")),
    "checkout": (6.4, ("sign in", "add to cart", "checkout", "pay", "see confirmation")),
    "order-confirmation": (7.9, ("sign in", "place order", "open orders", "see order")),
}
TIMEOUT_S = 30.0
ERRORS = {
    "failed": (
        "Locator.click: element is not visible: get_by_role('button', name='Add to cart')",
        "HTTP 503 Service Unavailable on POST /shop/payment",
    ),
    "timeout": ("Timeout 30000ms exceeded while waiting for navigation to /shop/confirmation",),
    "error": ("Target page, context or browser has been closed",),
}


@dataclass(frozen=True)
class Incident:
    start: float
    end: float
    journeys: frozenset[str]
    step: str | None  # the step that breaks; None: a slowdown
    failure_rate: float
    slowdown: float


def incidents_for(rng: random.Random, start: float, days: int) -> list[Incident]:
    found: list[Incident] = []
    for _ in range(rng.randint(2, 4) * max(1, days // 10) if days >= 3 else 1):
        begin = start + rng.uniform(0, days * 86400 - 7200)
        length = rng.uniform(10, 120) * 60
        kind = rng.random()
        if kind < 0.5:  # payment outage: the checkout journeys fail at one step
            found.append(
                Incident(
                    begin,
                    begin + length,
                    frozenset({"checkout", "order-confirmation"}),
                    "pay",
                    rng.uniform(0.5, 1.0),
                    1.0,
                )
            )
        elif kind < 0.75:  # the shop front breaks: everything after login
            found.append(
                Incident(
                    begin, begin + length, frozenset({"cart", "checkout"}), "add to cart", rng.uniform(0.3, 0.9), 1.2
                )
            )
        else:  # slowdown: durations x3..x6, long runs time out
            found.append(Incident(begin, begin + length, frozenset(JOURNEYS), None, 0.0, rng.uniform(3, 6)))
    return found


def line(
    run_id: str,
    started: float,
    region: str,
    journey: str,
    status: str,
    duration: float,
    step: str | None,
    error: str | None,
    screenshot: str | None,
) -> str:
    moment = datetime.fromtimestamp(started, UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{moment.microsecond:06d}Z" if moment.microsecond else "Z")
    return json.dumps(
        {
            "run_id": run_id,
            "started_at": stamp,
            "region": region,
            "journey": journey,
            "status": status,
            "duration_s": duration,
            "attempts": 1 if status == "passed" else 2,
            "failed_step": step,
            "error": error,
            "screenshot": screenshot,
            "release": "v1.4.2",
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def check_format(sample: str) -> None:
    """The generated line must be exactly what agent.summary writes."""
    from agent.summary import SummaryLine, summary_json

    if summary_json(SummaryLine.model_validate_json(sample)) != sample:
        sys.exit(f"gen_month: generated line differs from agent.summary's format:\n{sample}")


def generate(out: Path, days: int, seed: int, start: datetime, interval_s: float) -> int:
    rng = random.Random(seed)
    t0 = start.timestamp()
    total = 0
    checked = False
    for region, slow in REGIONS.items():
        incidents = incidents_for(rng, t0, days)
        restart = t0 + rng.uniform(0.3, 0.7) * days * 86400  # the agent restarts: a second writer file
        for journey, (median, steps) in JOURNEYS.items():
            mu, sigma = math.log(median * slow), 0.22
            offset = rng.uniform(0, interval_s)
            files: dict[tuple[str, str], list[str]] = {}
            n = int(days * 86400 / interval_s)
            for i in range(n):
                started = t0 + offset + i * interval_s + rng.uniform(0, 2)
                moment = datetime.fromtimestamp(started, UTC)
                date = moment.strftime("%Y-%m-%d")
                run_id = f"{moment:%Y%m%dT%H%M%S}{moment.microsecond // 1000:03d}Z-{rng.getrandbits(32):08x}"
                duration = rng.lognormvariate(mu, sigma)
                status, step, error = "passed", None, None
                for inc in incidents:
                    if inc.start <= started < inc.end and journey in inc.journeys:
                        duration *= inc.slowdown
                        if inc.step in steps and rng.random() < inc.failure_rate:
                            status, step = "failed", inc.step
                            error = ERRORS["failed"][1 if inc.step == "pay" else 0]
                if status == "passed" and duration >= TIMEOUT_S:
                    status, step, duration, error = "timeout", steps[-1], TIMEOUT_S, ERRORS["timeout"][0]
                elif status == "passed" and rng.random() < 0.0015:  # background flakiness
                    status = "error" if rng.random() < 0.1 else "failed"
                    step = rng.choice(steps)
                    error = (
                        ERRORS["error"][0] if status == "error" else f"Timeout 10000ms exceeded during step '{step}'"
                    )
                screenshot = None
                if status != "passed":
                    index = steps.index(step) + 1 if step in steps else 1
                    slug = (step or "step").replace(" ", "-")
                    screenshot = f"region={region}/journey={journey}/date={date}/{run_id}/step-{index:02d}-{slug}.jpeg"
                text = line(run_id, started, region, journey, status, round(duration, 3), step, error, screenshot)
                if not checked:
                    check_format(text)
                    checked = True
                writer = f"agent-{region}-{'b' if started >= restart else 'a'}"
                files.setdefault((date, writer), []).append(text)
                if started >= restart and started < restart + 300:  # replayed from the spool
                    files.setdefault((date, f"agent-{region}-a"), []).append(text)
                total += 1
            for (date, writer), lines in files.items():
                part = out / "_summaries" / f"region={region}" / f"journey={journey}" / f"date={date}"
                part.mkdir(parents=True, exist_ok=True)
                (part / f"{writer}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write (a results root)")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between runs (default 60)")
    parser.add_argument("--start", default=None, help="first day, YYYY-MM-DD (default: --days days before today)")
    args = parser.parse_args()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = datetime.fromisoformat(args.start).replace(tzinfo=UTC) if args.start else today - timedelta(days=args.days)
    began = time.perf_counter()
    runs = generate(args.out, args.days, args.seed, start, args.interval)
    elapsed = time.perf_counter() - began
    print(
        f"generated {runs:,} runs ({len(REGIONS)} regions x {len(JOURNEYS)} journeys, {args.days} days "
        f"from {start:%Y-%m-%d}) into {args.out} in {elapsed:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
