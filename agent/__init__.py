"""synth: synthetic transaction monitoring with Python Playwright journeys.

The public API for journey authors is `journey`, `step` and
`JourneyContext`; see README.md.
"""

from __future__ import annotations

__version__ = "0.1.0"

from agent.context import JourneyContext
from agent.dsl import Journey, journey, step
from agent.model import JourneyResult, StepResult

__all__ = ["Journey", "JourneyContext", "JourneyResult", "StepResult", "__version__", "journey", "step"]
