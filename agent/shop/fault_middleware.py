"""ASGI middleware applying the active faults (see :mod:`agent.shop.faults` for semantics)."""

from __future__ import annotations

import asyncio
import html
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.shop.faults import MAX_HANG_S, REGION_HEADER, Fault, FaultRegistry

_SCOPE_BREAKS = "synth.breaks"


def breaks(request: Request) -> frozenset[str]:
    """The ``break`` faults active for this request (read by the page handlers)."""
    value = request.scope.get(_SCOPE_BREAKS)
    return value if isinstance(value, frozenset) else frozenset()


class FaultMiddleware:
    """Applies the registry's faults before the request reaches the shop."""

    def __init__(self, app: ASGIApp, registry: FaultRegistry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/__"):
            await self.app(scope, receive, send)
            return
        region = None
        for name, value in scope.get("headers", []):
            if name == REGION_HEADER.encode():
                region = value.decode("latin-1").strip()
        fired = self.registry.select(scope["method"], path, region)
        if not fired:
            await self.app(scope, receive, send)
            return
        scope[_SCOPE_BREAKS] = frozenset(f.break_ for f in fired if f.break_)
        delay = max((f.delay_ms or 0) for f in fired)
        if delay:
            await asyncio.sleep(delay / 1000)
        hang = next((f for f in fired if f.hang), None)
        if hang is not None:
            buffered: list[Message] = []
            outcome = await self._hang(hang, receive, buffered)
            if outcome == "disconnected":
                return
            if outcome != "recovered":
                status = 503 if outcome == "shutdown" else 504
                await _send_error(scope, send, status, hang.id)
                return
            receive = _replay(buffered, receive)
        failing = next((f for f in fired if f.status is not None), None)
        if failing is not None and failing.status is not None:
            await _send_error(scope, send, failing.status, failing.id)
            return
        await self.app(scope, receive, send)

    async def _hang(self, fault: Fault, receive: Receive, buffered: list[Message]) -> str:
        released = self.registry.register_hang(fault.id)
        disconnected = asyncio.ensure_future(_wait_disconnect(receive, buffered))
        waiting: set[asyncio.Future[Any]] = {released, disconnected}
        try:
            done, _ = await asyncio.wait(waiting, timeout=MAX_HANG_S, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.registry.unregister_hang(released)
            released.cancel()
            disconnected.cancel()
        if disconnected in done:
            return "disconnected"
        if released in done:
            return released.result()
        return "timeout"


async def _wait_disconnect(receive: Receive, buffered: list[Message]) -> None:
    """Return once the client is gone, keeping the body messages read meanwhile."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        buffered.append(message)


def _replay(buffered: list[Message], receive: Receive) -> Receive:
    pending = list(buffered)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _send_error(scope: Scope, send: Send, status: int, fault_id: str) -> None:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    path: str = scope.get("path", "")
    if path.startswith("/api/") or path.startswith("/payment/callback"):
        body = f'{{"error": "{phrase}", "status": {status}, "fault": "{fault_id}"}}'.encode()
        content_type = b"application/json"
    else:
        body = (
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{status} {phrase}</title>"
            f"</head><body><h1>{status} {html.escape(phrase)}</h1>"
            f"<p>Injected fault {html.escape(fault_id)}.</p></body></html>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"x-synth-fault", fault_id.encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
