"""Every Prometheus metric synth exports, defined in one place.

Names carry their unit. Journey series start with `synth_journey_` or
`synth_step_`; agent health with `synth_agent_`; storage with `synth_spool_`
and `synth_upload`. Labels are low-cardinality: region, journey, step,
status, reason, kind, plus the region file's static labels on journey
series. Never run ids, URLs or error text.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from agent import __version__
from agent.model import JourneyResult

JOURNEY_BUCKETS = (0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120)
STEP_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

#: The metric names dashboards and alert rules may use (histograms without suffix).
EXPORTED_METRIC_NAMES = frozenset(
    {
        "synth_journey_runs_total",
        "synth_journey_success",
        "synth_journey_duration_seconds",
        "synth_step_duration_seconds",
        "synth_journey_last_run_timestamp_seconds",
        "synth_journey_attempts_total",
        "synth_journey_duration_objective_seconds",
        "synth_agent_missed_runs_total",
        "synth_agent_browser_restarts_total",
        "synth_agent_schedule_lag_seconds",
        "synth_agent_info",
        "synth_agent_ready",
        "synth_agent_sink_failures_total",
        "synth_spool_pending_runs",
        "synth_spool_oldest_age_seconds",
        "synth_spool_dropped_total",
        "synth_upload_failures_total",
        "synth_uploaded_runs_total",
    }
)


class Metrics:
    """The metrics of one agent (one region), registered on `registry`.

    It is also a sink: `publish(result)` records a finished run.
    """

    name = "metrics"

    def __init__(
        self, registry: CollectorRegistry, region: str, static_labels: Mapping[str, str] | None = None
    ) -> None:
        self.region = region
        self.static = dict(sorted((static_labels or {}).items()))
        extra = tuple(self.static)
        journey_labels = ("region", "journey", *extra)
        r = registry
        self.runs = Counter(
            "synth_journey_runs", "Finished journey runs by final status.", (*journey_labels, "status"), registry=r
        )
        self.success = Gauge(
            "synth_journey_success", "1 if the journey's last run passed, else 0.", journey_labels, registry=r
        )
        self.duration = Histogram(
            "synth_journey_duration_seconds",
            "Duration of the final attempt of a run.",
            journey_labels,
            buckets=JOURNEY_BUCKETS,
            registry=r,
        )
        self.step_duration = Histogram(
            "synth_step_duration_seconds",
            "Duration of each step that ran.",
            (*journey_labels, "step"),
            buckets=STEP_BUCKETS,
            registry=r,
        )
        self.last_run = Gauge(
            "synth_journey_last_run_timestamp_seconds",
            "Unix time the journey's last run finished.",
            journey_labels,
            registry=r,
        )
        self.attempts = Counter(
            "synth_journey_attempts", "Journey attempts, retries included.", journey_labels, registry=r
        )
        self.objective = Gauge(
            "synth_journey_duration_objective_seconds",
            "The journey's p95 duration objective.",
            journey_labels,
            registry=r,
        )
        self.missed = Counter(
            "synth_agent_missed_runs",
            "Scheduled runs skipped because the previous one was still running.",
            ("region", "journey"),
            registry=r,
        )
        self.browser_restarts = Counter(
            "synth_agent_browser_restarts", "Chromium relaunches after a crash or disconnect.", ("region",), registry=r
        )
        self.schedule_lag = Histogram(
            "synth_agent_schedule_lag_seconds",
            "Actual start minus planned start of scheduled runs.",
            ("region",),
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.info = Gauge("synth_agent_info", "Agent build information.", ("region", "version"), registry=r)
        self.ready = Gauge(
            "synth_agent_ready", "1 if the agent can run journeys and store results.", ("region",), registry=r
        )
        self.sink_failures = Counter(
            "synth_agent_sink_failures", "Results a sink failed to take.", ("region", "sink"), registry=r
        )
        self.spool_pending = Gauge(
            "synth_spool_pending_runs", "Runs in the spool not yet uploaded.", ("region",), registry=r
        )
        self.spool_oldest = Gauge(
            "synth_spool_oldest_age_seconds", "Age of the oldest run waiting in the spool.", ("region",), registry=r
        )
        self.spool_dropped = Counter(
            "synth_spool_dropped", "Spool files dropped to respect its size bound.", ("region", "kind"), registry=r
        )
        self.upload_failures = Counter(
            "synth_upload_failures", "Failed upload attempts by reason.", ("region", "reason"), registry=r
        )
        self.uploaded = Counter("synth_uploaded_runs", "Runs uploaded to the results store.", ("region",), registry=r)

        self.info.labels(region, __version__).set(1)
        self.ready.labels(region).set(0)
        for gauge in (self.spool_pending, self.spool_oldest):
            gauge.labels(region).set(0)
        self.browser_restarts.labels(region)
        for reason in ("transient", "auth", "not_found", "disk_full", "other"):
            self.upload_failures.labels(region, reason)
        for kind in ("screenshot", "result"):
            self.spool_dropped.labels(region, kind)
        self.uploaded.labels(region)
        self.schedule_lag.labels(region)

    def journey_labels(self, journey: str) -> dict[str, str]:
        return {"region": self.region, "journey": journey, **self.static}

    def declare_journey(self, journey: str, objective_s: float | None = None) -> None:
        """Create the journey's series at start-up, so that absent means absent."""
        labels = self.journey_labels(journey)
        for status in ("passed", "failed", "timeout", "error"):
            self.runs.labels(**labels, status=status)
        self.attempts.labels(**labels)
        self.missed.labels(self.region, journey)
        if objective_s is not None:
            self.objective.labels(**labels).set(objective_s)

    def publish(self, result: JourneyResult) -> None:
        labels = self.journey_labels(result.journey)
        self.runs.labels(**labels, status=result.status).inc()
        self.success.labels(**labels).set(1 if result.status == "passed" else 0)
        self.duration.labels(**labels).observe(result.duration_s)
        self.attempts.labels(**labels).inc(max(1, len(result.attempts)))
        self.last_run.labels(**labels).set(result.finished_at.timestamp())
        for step in result.steps:
            if step.status != "skipped":
                self.step_duration.labels(**labels, step=step.name).observe(step.duration_s)
