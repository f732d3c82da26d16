"""The agent's HTTP endpoints, served by uvicorn inside the agent's event loop.

GET /metrics   Prometheus text of the agent's own registry
GET /healthz   200 while the process, its event loop and its scheduler live
GET /readyz    200 when the browser is connected and results can be written,
               else 503 with {"ready": false, "reasons": [...]}
GET /status    JSON: every journey's last and next run; needs
               `Authorization: Bearer <SYNTH_STATUS_TOKEN>` when that is set
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
from collections.abc import Generator
from typing import Any, Protocol

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent.errors import ConfigError

log = logging.getLogger(__name__)


class AgentView(Protocol):
    """What the endpoints read from the running agent."""

    registry: CollectorRegistry

    def alive(self) -> bool: ...

    async def readiness(self) -> tuple[bool, list[str]]: ...

    def status(self) -> dict[str, Any]: ...


def create_app(agent: AgentView, status_token: str | None = None) -> Starlette:
    async def metrics(request: Request) -> Response:
        data = await asyncio.to_thread(generate_latest, agent.registry)
        return Response(data, media_type=CONTENT_TYPE_LATEST)

    async def healthz(request: Request) -> Response:
        if agent.alive():
            return JSONResponse({"alive": True})
        return JSONResponse({"alive": False, "reason": "scheduler stopped"}, status_code=503)

    async def readyz(request: Request) -> Response:
        ready, reasons = await agent.readiness()
        return JSONResponse({"ready": ready, "reasons": reasons}, status_code=200 if ready else 503)

    async def status(request: Request) -> Response:
        if status_token is not None and not _authorised(request, status_token):
            return JSONResponse(
                {"error": "send Authorization: Bearer <SYNTH_STATUS_TOKEN>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return JSONResponse(agent.status())

    return Starlette(
        routes=[
            Route("/metrics", metrics),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/status", status),
        ]
    )


def _authorised(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the agent owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class HttpServer:
    """Serves `app` on host:port in the running event loop."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self._app = app
        self.host = host
        self._port = port
        self._socket: socket.socket | None = None
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1]) if self._socket is not None else self._port

    def bind(self) -> None:
        """Take the port now, so that a busy port is a clear error before anything starts."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._port))
        except OSError as exc:
            sock.close()
            raise ConfigError(
                f"SYNTH_LISTEN {self.host}:{self._port}: cannot listen ({exc.strerror}); "
                "set SYNTH_LISTEN to a free host:port"
            ) from None
        sock.listen(128)
        sock.setblocking(False)
        self._socket = sock

    async def start(self) -> None:
        if self._socket is None:
            self.bind()
        assert self._socket is not None
        config = uvicorn.Config(self._app, log_config=None, log_level="warning", access_log=False, lifespan="off")
        config.timeout_graceful_shutdown = 2
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]), name="synth-http")
        # uvicorn offers no start event; it sets `started` after binding its listeners.
        while not self._server.started and not self._task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if self._task.done():
            raise ConfigError(f"SYNTH_LISTEN {self.host}:{self.port}: the HTTP server did not start")
        log.info("serving /metrics, /healthz, /readyz, /status", extra={"listen": f"{self.host}:{self.port}"})

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait({self._task}, timeout=5)
            if not self._task.done():
                self._task.cancel()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
