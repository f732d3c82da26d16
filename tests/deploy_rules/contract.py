"""The agent's metric contract, as the deploy artefacts (rules, dashboard) see it.

Names are exposition names: counters with their ``_total`` suffix, histograms by their
base name (``_bucket``/``_sum``/``_count`` are stripped before comparing).
"""

from __future__ import annotations

try:
    # The single source of truth, once agent/metrics.py exists and exports it.
    from agent.metrics import EXPORTED_METRIC_NAMES
except ImportError:
    # Stand-in until agent.metrics exists: a copy of the contract agreed for the
    # agent. Remove this branch (keep only the import above) when agent.metrics
    # provides EXPORTED_METRIC_NAMES.
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
            "synth_spool_pending_runs",
            "synth_spool_oldest_age_seconds",
            "synth_upload_failures_total",
            "synth_uploaded_runs_total",
            "synth_spool_dropped_total",
        }
    )

# Labels a query may match on or aggregate by: the agent's own labels, the static
# labels of the region files (environment, tenant), the histogram bucket label and
# the target labels Prometheus adds.
ALLOWED_LABELS = frozenset(
    {
        "region",
        "journey",
        "step",
        "status",
        "reason",
        "kind",
        "version",
        "environment",
        "tenant",
        "le",
        "job",
        "instance",
    }
)

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def in_contract(name: str) -> bool:
    """True if ``name`` (possibly a histogram's _bucket/_sum/_count series) is exported."""
    if name in EXPORTED_METRIC_NAMES:
        return True
    return any(
        name.endswith(suffix) and name.removesuffix(suffix) in EXPORTED_METRIC_NAMES for suffix in HISTOGRAM_SUFFIXES
    )
