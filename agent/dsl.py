"""The journey authoring API: `@journey` and `step`.

The DSL only declares and marks; `agent.runner` executes. `step` reports to
whatever recorder the runner has installed for the current task, so that a
journey file never touches storage, metrics or scheduling.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from agent.errors import JourneyLoadError

if TYPE_CHECKING:
    from playwright.async_api import Page

    from agent.context import JourneyContext

JourneyFn = Callable[["Page", "JourneyContext"], Awaitable[None]]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DEFAULT_TIMEOUT_S = 60.0
MAX_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Journey:
    """A decorated journey function and what it declares about itself."""

    id: str
    name: str
    fn: JourneyFn
    tags: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT_S
    mask: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    declared_steps: tuple[str, ...] = field(default=())
    trace_secrets: bool = False
    """Keep Playwright traces even when the run read a secret (they record typed values)."""

    def __call__(self, page: Page, ctx: JourneyContext) -> Awaitable[None]:
        return self.fn(page, ctx)


def _where(fn: Callable[..., Any]) -> tuple[str, int]:
    try:
        return inspect.getsourcefile(fn) or "<unknown>", inspect.getsourcelines(fn)[1]
    except (OSError, TypeError):
        return getattr(getattr(fn, "__code__", None), "co_filename", "<unknown>"), 0


def declared_step_names(fn: Callable[..., Any]) -> tuple[str, ...]:
    """Names of `async with step("literal")` blocks, in source order.

    Used to report the steps after a hard failure as `skipped`.
    """
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return ()
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.AsyncWith):
            continue
        for item in node.items:
            call = item.context_expr
            if not isinstance(call, ast.Call) or not call.args:
                continue
            func = call.func
            callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = call.args[0]
            if callee == "step" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, node.col_offset, first.value))
    names: list[str] = []
    for _, _, name in sorted(found):  # ast.walk is breadth-first; sort by position
        if name not in names:
            names.append(name)
    return tuple(names)


def journey(
    *,
    id: str,
    name: str | None = None,
    tags: list[str] | tuple[str, ...] = (),
    timeout: float = DEFAULT_TIMEOUT_S,
    mask: list[str] | tuple[str, ...] = (),
    trace_secrets: bool = False,
) -> Callable[[JourneyFn], Journey]:
    """Declare an async function `(page, ctx) -> None` as a journey."""

    def decorate(fn: JourneyFn) -> Journey:
        file, line = _where(fn)
        if not inspect.iscoroutinefunction(fn):
            raise JourneyLoadError(file, line, f"journey {id!r}: `{getattr(fn, '__name__', fn)}` must be `async def`")
        if not isinstance(id, str) or not ID_PATTERN.match(id):
            raise JourneyLoadError(file, line, f"journey id {id!r} is invalid: use lowercase letters, digits and '-'")
        if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT_S:
            raise JourneyLoadError(
                file, line, f"journey {id!r}: timeout must be between 0 and {MAX_TIMEOUT_S:.0f} seconds"
            )
        bad_tags = [t for t in tags if not isinstance(t, str) or not t]
        if bad_tags or isinstance(tags, str):
            raise JourneyLoadError(file, line, f"journey {id!r}: tags must be a list of non-empty strings")
        return Journey(
            id=id,
            name=name or id,
            fn=fn,
            tags=tuple(tags),
            timeout=float(timeout),
            mask=tuple(mask),
            file=file,
            line=line,
            declared_steps=declared_step_names(fn),
            trace_secrets=trace_secrets,
        )

    return decorate


class StepRecorder(Protocol):
    """What the runner installs so that `step` can report to it."""

    async def begin_step(self, name: str, soft: bool) -> object: ...

    async def end_step(self, handle: object, exc: BaseException | None) -> bool: ...


current_recorder: ContextVar[StepRecorder | None] = ContextVar("synth_step_recorder", default=None)


class step:
    """Mark a block of a journey as a named step.

    A failed step that is not `soft` stops the journey; the steps after it
    are recorded as `skipped`. A soft step's failure is recorded, the
    journey carries on, and the journey ends `failed`.
    """

    def __init__(self, name: str, soft: bool = False) -> None:
        self.name = name
        self.soft = soft
        self._handle: object | None = None
        self._recorder: StepRecorder | None = None

    async def __aenter__(self) -> step:
        self._recorder = current_recorder.get()
        if self._recorder is not None:
            self._handle = await self._recorder.begin_step(self.name, self.soft)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if self._recorder is None:
            return False
        return await self._recorder.end_step(self._handle, exc)
