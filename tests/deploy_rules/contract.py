"""The agent's metric contract, as the deploy artefacts (rules, dashboard) see it.

Names are exposition names: counters with their ``_total`` suffix, histograms by their
base name (``_bucket``/``_sum``/``_count`` are stripped before comparing).
"""

from __future__ import annotations

# The single source of truth: the names agent/metrics.py registers.
from agent.metrics import EXPORTED_METRIC_NAMES

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
