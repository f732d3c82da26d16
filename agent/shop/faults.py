"""Fault injection for demos, tests and alert drills.

A fault is a JSON object posted to ``POST /__faults``::

    {"path": "/shop/payment", "status": 503}          # answer 503 instead of the page
    {"path": "/shop/cart", "delay_ms": 4000}          # answer 4 s late
    {"path": "/shop/checkout", "hang": true}          # never answer (until the client gives up)
    {"path": "/shop", "break": "add-to-cart"}         # product pages lose their "Add to cart" button

Optional keys: ``method`` ("POST": only that method), ``region`` (only requests carrying
``X-Synth-Region: <region>``, the header the monitoring runner sends), ``rate`` (0..1
probability per matching request, for flaky faults; sampled from the app's seeded RNG) and
``times`` (applies N times, then removes itself).

Path matching: exact path, or prefix when the fault path ends with ``*`` ("/shop/*").
``break`` faults name a site section, so their path also covers everything below it
("/shop" covers "/shop/product/office-chair"). Paths under ``/__`` are never faulted.
When several faults match: the largest delay applies first, then a hang, else the oldest
status; breaks accumulate. A hang ends when the client disconnects (nothing is sent),
when its fault is deleted (the request then proceeds normally), when the server shuts
down (503) or after ``MAX_HANG_S`` (504). A ``times`` fault is consumed by every request it
fires on (for a ``break`` use a precise path such as "/shop/product/*" with ``times``).

Endpoints: ``POST /__faults`` -> 201 and the fault as JSON (with its ``id``, ``hits`` and
remaining ``times``), 400 ``{"error": ...}`` for an invalid body; ``GET /__faults`` ->
``{"faults": [...]}``; ``DELETE /__faults`` -> ``{"deleted": n}``; ``DELETE /__faults/<id>``
-> ``{"deleted": 1}`` or 404. Faulted responses carry an ``X-Synth-Fault: <id>`` header.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

BREAKS: frozenset[str] = frozenset({"add-to-cart", "checkout", "pay", "login"})
METHODS: frozenset[str] = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_DELAY_MS = 120_000
MAX_HANG_S = 600.0
REGION_HEADER = "x-synth-region"
_KEYS = frozenset({"path", "method", "region", "status", "delay_ms", "hang", "break", "rate", "times"})

HangOutcome = Literal["recovered", "shutdown"]


class FaultError(ValueError):
    """An invalid fault definition (reported to the client as a 400)."""


@dataclass(frozen=True)
class Fault:
    id: str
    path: str
    method: str | None = None
    region: str | None = None
    status: int | None = None
    delay_ms: int | None = None
    hang: bool = False
    break_: str | None = None
    rate: float | None = None
    times: int | None = None  # remaining applications; None = unlimited
    hits: int = 0

    def matches(self, method: str, path: str, region: str | None) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.region is not None and (region is None or region.lower() != self.region.lower()):
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        if self.break_ is not None and path.startswith(self.path.rstrip("/") + "/"):
            return True
        return path == self.path

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["break"] = data.pop("break_")
        return data


def _int(body: dict[str, Any], key: str, lo: int, hi: int) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FaultError(f"'{key}' must be an integer between {lo} and {hi}")
    return value


def _str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise FaultError(f"'{key}' must be a non-empty string")
    return value.strip()


def parse_fault(body: object, fault_id: str) -> Fault:
    """Validate a ``POST /__faults`` body; raise :class:`FaultError` with a clear message."""
    if not isinstance(body, dict):
        raise FaultError("the body must be a JSON object")
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise FaultError(f"unknown key(s): {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}")
    path = _str(body, "path")
    if path is None or not path.startswith("/") or any(c.isspace() for c in path) or "*" in path[:-1]:
        raise FaultError("'path' is required: an absolute path such as '/shop/cart' or '/shop/*'")
    if path.startswith("/__"):
        raise FaultError("paths under '/__' (the fault API itself) cannot be faulted")
    method = _str(body, "method")
    if method is not None:
        method = method.upper()
        if method not in METHODS:
            raise FaultError(f"'method' must be one of {', '.join(sorted(METHODS))}")
    hang = body.get("hang", False)
    if not isinstance(hang, bool):
        raise FaultError("'hang' must be true or false")
    break_ = _str(body, "break")
    if break_ is not None and break_ not in BREAKS:
        raise FaultError(f"'break' must be one of {', '.join(sorted(BREAKS))}")
    rate = body.get("rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0):
        raise FaultError("'rate' must be a number between 0 and 1")
    status = _int(body, "status", 400, 599)
    delay_ms = _int(body, "delay_ms", 1, MAX_DELAY_MS)
    if status is None and delay_ms is None and not hang and break_ is None:
        raise FaultError("a fault needs at least one of 'status', 'delay_ms', 'hang' or 'break'")
    if sum((status is not None, hang, break_ is not None)) > 1:
        raise FaultError("'status', 'hang' and 'break' are mutually exclusive")
    return Fault(
        id=fault_id,
        path=path,
        method=method,
        region=_str(body, "region"),
        status=status,
        delay_ms=delay_ms,
        hang=hang,
        break_=break_,
        rate=None if rate is None else float(rate),
        times=_int(body, "times", 1, 1_000_000),
    )


class FaultRegistry:
    """The active faults, plus the requests currently hanging on one (thread-safe)."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}
        self._ids = itertools.count(1)
        self._rng = random.Random(seed)
        self._hangs: dict[asyncio.Future[HangOutcome], tuple[asyncio.AbstractEventLoop, str]] = {}

    def add(self, body: object) -> Fault:
        with self._lock:
            fault = parse_fault(body, f"f{next(self._ids)}")
            self._faults[fault.id] = fault
            return fault

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults.values())

    def delete(self, fault_id: str) -> bool:
        with self._lock:
            found = self._faults.pop(fault_id, None) is not None
        if found:
            self._release(lambda fid: fid == fault_id, "recovered")
        return found

    def clear(self) -> int:
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
        self._release(lambda _fid: True, "recovered")
        return count

    def release_hangs(self) -> None:
        """Answer every hanging request with a 503 (called when the server shuts down)."""
        self._release(lambda _fid: True, "shutdown")

    def select(self, method: str, path: str, region: str | None) -> list[Fault]:
        """The faults that fire for this request; counts hits and consumes ``times``."""
        fired: list[Fault] = []
        with self._lock:
            for fault in list(self._faults.values()):
                if not fault.matches(method, path, region):
                    continue
                if fault.rate is not None and self._rng.random() >= fault.rate:
                    continue
                remaining = None if fault.times is None else fault.times - 1
                updated = replace(fault, hits=fault.hits + 1, times=remaining)
                if remaining == 0:
                    del self._faults[fault.id]
                else:
                    self._faults[fault.id] = updated
                fired.append(updated)
        return fired

    def register_hang(self, fault_id: str) -> asyncio.Future[HangOutcome]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[HangOutcome] = loop.create_future()
        with self._lock:
            self._hangs[future] = (loop, fault_id)
        return future

    def unregister_hang(self, future: asyncio.Future[HangOutcome]) -> None:
        with self._lock:
            self._hangs.pop(future, None)

    def _release(self, which: Callable[[str], bool], outcome: HangOutcome) -> None:
        with self._lock:
            targets = [(f, loop) for f, (loop, fid) in self._hangs.items() if which(fid)]
        for future, loop in targets:
            with contextlib.suppress(RuntimeError):  # RuntimeError: that loop is closed already
                loop.call_soon_threadsafe(_resolve, future, outcome)


def _resolve(future: asyncio.Future[HangOutcome], outcome: HangOutcome) -> None:
    if not future.done():
        future.set_result(outcome)
