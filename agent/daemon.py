"""The regional agent: one browser, scheduled runs, sinks, health, clean shutdown.

    region file ─► JourneyScheduler ─► Agent._scheduled (semaphore, lag)
                                          └─► JourneyRuns (agent/runs.py) ─► Publisher ─► metrics, results

The agent enforces each run's limit twice: `run_journey` stops the journey
at its timeout, and a backstop of timeout + 15 s abandons a runner that
hangs anyway (recorded as `error`; the per-run path is agent/runs.py). On
SIGTERM/SIGINT it stops scheduling, lets runs in flight finish for up to
`shutdown_grace`, writes their results, closes the browser and exits 0. A
second signal exits at once with 130.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from prometheus_client import CollectorRegistry

from agent import __version__
from agent.browser import Browser
from agent.dsl import Journey
from agent.errors import InfraError, StoreError
from agent.http import HttpServer, create_app
from agent.logs import log_journey, log_region
from agent.metrics import Metrics
from agent.model import JourneyResult
from agent.publish import Publisher
from agent.regions import RegionConfig
from agent.runner import RunOptions
from agent.runs import BACKSTOP_S, JourneyRuns
from agent.scheduler import JourneyScheduler
from agent.settings import Settings

log = logging.getLogger(__name__)

HOUSEKEEPING_S = 5.0
#: After the runs: time to upload what is spooled (the rest waits in the spool for the next start).
FLUSH_S = 10.0
FORCED_EXIT_CODE = 130
FORCED_EXIT_AFTER_S = 5.0


class ResultsDestination(Protocol):
    """Where results go (`agent.storage.ResultsPipeline`); also a sink."""

    name: str

    def publish(self, result: JourneyResult) -> None: ...

    def start(self) -> None: ...

    def check_writable(self) -> None: ...

    def ready(self) -> tuple[bool, str]: ...

    def close(self, timeout: float) -> object: ...


class Agent:
    """Runs one region's journeys on their schedules until stopped."""

    def __init__(
        self,
        region: RegionConfig,
        journeys: Mapping[str, Journey],
        settings: Settings,
        *,
        destination: Callable[[Metrics], ResultsDestination],
        target: str | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        """`destination(metrics)` opens the results destination; `target` overrides the region's."""
        self.region = region
        self.name = region.region
        self.target = target or region.target
        self.settings = settings
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.metrics = Metrics(self.registry, self.name, region.labels)
        self.schedules = {s.id: s for s in region.schedules() if s.enabled}
        self.browser = Browser(
            executable=settings.browser_executable,
            headless=settings.headless,
            on_restart=self._browser_restarted,
            prewarm=settings.prewarm_context,
        )
        self.destination = destination(self.metrics)
        self.publisher = Publisher([self.metrics, self.destination], on_failure=self._sink_failed)
        self._stopping = asyncio.Event()
        self._browser_error: str | None = None
        self.runs = JourneyRuns(
            region,
            {jid: journeys[jid] for jid in self.schedules},
            self.schedules,
            target=self.target,
            browser=self.browser,
            options=RunOptions.from_settings(settings, region.allowed_hosts_for(self.target)),
            publisher=self.publisher,
            keep_going=lambda: not self._stopping.is_set(),
        )
        self.scheduler = JourneyScheduler(self.schedules.values(), self._scheduled, on_missed=self._missed)
        token = settings.status_token.get_secret_value() if settings.status_token else None
        self.http = HttpServer(create_app(self, token), settings.listen_host, settings.listen_port)
        self._semaphore = asyncio.Semaphore(region.concurrency)
        self._inflight: set[asyncio.Task[Any]] = set()
        self._forced = False
        for jid, schedule in self.schedules.items():
            self.metrics.declare_journey(jid, schedule.objective_s)

    # ------------------------------------------------------------ lifecycle

    async def run(self, *, install_signals: bool = True) -> int:
        """Serve, schedule and run until `stop()` or a signal; returns the exit code."""
        region_token = log_region.set(self.name)
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self._on_signal, sig)
        housekeeping: asyncio.Task[None] | None = None
        try:
            self.http.bind()
            await self.http.start()
            await asyncio.to_thread(self.destination.start)
            try:
                await asyncio.to_thread(self.destination.check_writable)
            except StoreError as exc:  # keep running: runs wait in the spool, /readyz says why
                log.error("results destination not writable: %s", exc)
            try:
                await self.browser.start()
                log.info("browser ready", extra={"browser": self.browser.version})
            except InfraError as exc:  # keep serving: /readyz says why, housekeeping retries
                self._browser_error = str(exc)
                log.error("browser not available: %s", exc)
            self.scheduler.start()
            housekeeping = asyncio.create_task(self._housekeeping(), name="synth-housekeeping")
            log.info(
                "agent started",
                extra={"target": self.target, "journeys": sorted(self.schedules), "version": __version__},
            )
            await self._stopping.wait()
        finally:
            self._stopping.set()
            if housekeeping is not None:
                housekeeping.cancel()
            await self._shutdown()
            if install_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(sig)
            log_region.reset(region_token)
        return FORCED_EXIT_CODE if self._forced else 0

    def stop(self) -> None:
        """Stop scheduling; runs in flight get `shutdown_grace` to finish."""
        self._stopping.set()

    def _on_signal(self, sig: signal.Signals) -> None:
        if not self._stopping.is_set():
            log.info(
                "%s received: stopping; %d run(s) in flight get up to %gs (send it again to exit at once)",
                sig.name,
                len(self._inflight),
                self.settings.shutdown_grace,
            )
            self.stop()
            return
        log.warning("%s received again: exiting at once", sig.name)
        self._forced = True
        for task in list(self._inflight):
            task.cancel()
        timer = threading.Timer(FORCED_EXIT_AFTER_S, os._exit, (FORCED_EXIT_CODE,))
        timer.daemon = True
        timer.start()

    async def _shutdown(self) -> None:
        self.scheduler.pause()
        self.metrics.ready.labels(self.name).set(0)
        pending = set(self._inflight)
        if pending and not self._forced:
            _, pending = await asyncio.wait(pending, timeout=self.settings.shutdown_grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=BACKSTOP_S)
        self.scheduler.shutdown()
        try:
            await asyncio.to_thread(self.destination.close, 1.0 if self._forced else FLUSH_S)
        except Exception as exc:
            log.error("results destination did not close cleanly: %s: %s", type(exc).__name__, exc)
        await self.browser.close(timeout=2.0 if self._forced else 5.0)
        await self.http.stop()
        log.info("agent stopped", extra={"forced": self._forced})

    async def _housekeeping(self) -> None:
        """Keep `synth_agent_ready` current and relaunch a browser that went away."""
        while not self._stopping.is_set():
            if not self.browser.is_connected:
                try:
                    await self.browser.start()
                    self._browser_error = None
                except InfraError as exc:
                    self._browser_error = str(exc)
                    log.error("browser relaunch failed: %s", exc)
            ready, _ = await self.readiness()
            self.metrics.ready.labels(self.name).set(1 if ready else 0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), HOUSEKEEPING_S)

    # ------------------------------------------------------------ runs

    async def _scheduled(self, journey_id: str, planned: datetime | None) -> None:
        """One scheduled run (an APScheduler job); never raises."""
        if self._stopping.is_set():
            return
        task = asyncio.current_task()
        assert task is not None
        self._inflight.add(task)
        log_region.set(self.name)
        log_journey.set(journey_id)
        state = self.runs.states[journey_id]
        started_at: datetime | None = None
        result: JourneyResult | None = None
        try:
            async with self._semaphore:
                if self._stopping.is_set():
                    return
                started_at = datetime.now(UTC)
                if planned is not None:
                    lag = (started_at - planned).total_seconds()
                    self.metrics.schedule_lag.labels(self.name).observe(max(0.0, lag))
                state.running = True
                result = await self.runs.run(journey_id)
            await self.runs.record(result)
        except asyncio.CancelledError:
            if started_at is not None and result is None:  # shutdown grace ran out, or a second signal
                self.runs.publish_cancelled(journey_id, started_at)
        except Exception:
            log.exception("scheduled run of %s broke", journey_id)
        finally:
            state.running = False
            self._inflight.discard(task)

    # ------------------------------------------------------------ callbacks and views

    def _missed(self, journey_id: str) -> None:
        self.metrics.missed.labels(self.name, journey_id).inc()

    def _browser_restarted(self) -> None:
        self.metrics.browser_restarts.labels(self.name).inc()

    def _sink_failed(self, sink: str, exc: BaseException) -> None:
        self.metrics.sink_failures.labels(self.name, sink).inc()

    def alive(self) -> bool:
        return self.scheduler.healthy

    async def readiness(self) -> tuple[bool, list[str]]:
        reasons: list[str] = []
        if self._stopping.is_set():
            reasons.append("shutting down")
        if not self.browser.is_connected:
            reasons.append(f"browser: {self._browser_error or 'not launched or disconnected'}")
        ok, why = await asyncio.to_thread(self.destination.ready)
        if not ok:
            reasons.append(f"results destination not ready: {why}")
        return not reasons, reasons

    def status(self) -> dict[str, Any]:
        journeys = []
        for jid, schedule in sorted(self.schedules.items()):
            state = self.runs.states[jid]
            next_run = self.scheduler.next_run(jid)
            journeys.append(
                {
                    "id": jid,
                    "schedule": f"cron {schedule.cron}" if schedule.cron else f"every {schedule.interval_s:g}s",
                    "running": state.running,
                    "runs": state.runs,
                    "last_status": state.last_status,
                    "last_duration_s": state.last_duration_s,
                    "last_run_at": _iso(state.last_run_at),
                    "next_run_at": _iso(next_run),
                    "attempts": state.attempts,
                }
            )
        return {
            "region": self.name,
            "target": self.target,
            "version": __version__,
            "browser_restarts": self.browser.restarts,
            "journeys": journeys,
        }


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat(timespec="seconds") if when is not None else None
