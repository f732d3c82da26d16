"""Reports of a `synth run` batch: JUnit XML, a JSON summary, Markdown.

Each reporter is a function of the batch entries; none of them runs journeys.
"""

from __future__ import annotations

from agent.reporters.batch_json import render_json
from agent.reporters.junit import render_junit
from agent.reporters.markdown import render_markdown

__all__ = ["render_json", "render_junit", "render_markdown"]
