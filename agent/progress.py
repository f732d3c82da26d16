"""Progress of a `synth run`: a live line per journey on a terminal, plain
lines (no control characters) anywhere else, such as CI logs."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_CLEAR_LINE = "\x1b[2K"


def _up(lines: int) -> str:
    return f"\x1b[{lines}F" if lines else ""


class PlainProgress:
    """One line per event, flushed; safe for CI logs and pipes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._t0 = time.monotonic()

    def __call__(self, journey: str, event: str, detail: str) -> None:
        elapsed = time.monotonic() - self._t0
        text = {
            "start": "started",
            "step": f"step: {detail}",
            "retry": f"retrying (attempt {detail})",
            "done": f"finished: {detail}",
        }.get(event, f"{event} {detail}".strip())
        self.stream.write(f"[{elapsed:6.1f}s] {journey}: {text}\n")
        self.stream.flush()


class LiveProgress:
    """A block of live lines, one per journey, redrawn in place."""

    def __init__(self, stream: TextIO, journeys: list[str]) -> None:
        self.stream = stream
        self.order = journeys
        self.state = dict.fromkeys(journeys, "waiting")
        self.started: dict[str, float] = {}
        self._drawn = 0
        self._draw()

    def __call__(self, journey: str, event: str, detail: str) -> None:
        if event == "start":
            self.started[journey] = time.monotonic()
            self.state[journey] = "running"
        elif event == "step":
            self.state[journey] = f"running · {detail}"
        elif event == "retry":
            self.state[journey] = f"retrying (attempt {detail})"
        elif event == "done":
            took = time.monotonic() - self.started.get(journey, time.monotonic())
            self.state[journey] = f"{detail} in {took:.1f}s"
        self._draw()

    def _draw(self) -> None:
        width = max((len(j) for j in self.order), default=0)
        out = [_up(self._drawn)]
        for journey in self.order:
            out.append(f"{_CLEAR_LINE}  {journey.ljust(width)}  {self.state[journey]}\n")
        self._drawn = len(self.order)
        self.stream.write("".join(out))
        self.stream.flush()


def make_progress(stream: TextIO | None, journeys: list[str]) -> PlainProgress | LiveProgress:
    stream = stream or sys.stderr
    if stream.isatty() and not os.environ.get("CI"):
        return LiveProgress(stream, journeys)
    return PlainProgress(stream)
