"""Running the shop: ``serve()`` for the CLI, :class:`ShopServer` for tests and demos.

Usage in a test::

    with ShopServer() as shop:          # free port on 127.0.0.1, uvicorn in a thread
        httpx.get(f"{shop.url}/healthz")
        shop.state.catalog.stock("office-chair")   # direct access to the shop's state

``ShopServer`` stops on exit (also when the block raises) within a few seconds even
with requests hanging on a ``hang`` fault: those are answered 503 first, and uvicorn's
graceful-shutdown timeout is kept short.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from agent.shop.app import create_app
from agent.shop.state import ShopState

RESTOCK_EVERY_S = 3600.0


class _Server(uvicorn.Server):
    """uvicorn server that first releases hanging (fault-injected) requests on shutdown."""

    def __init__(self, config: uvicorn.Config, state: ShopState) -> None:
        super().__init__(config)
        self.shop_state = state
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.shop_state.faults.release_hangs()
        await super().shutdown(sockets)


def _shop_state(app: Starlette) -> ShopState:
    state = app.state.shop
    assert isinstance(state, ShopState)
    return state


def serve(host: str, port: int) -> None:
    """Serve a fresh demo shop until interrupted (blocking).

    The stock is put back to its initial levels every hour, so a demo monitored around
    the clock never sells out.
    """
    app = create_app(restock_every_s=RESTOCK_EVERY_S)
    config = uvicorn.Config(app, host=host, port=port, timeout_graceful_shutdown=3, lifespan="off")
    _Server(config, _shop_state(app)).run()


class ShopServer:
    """Context manager running the shop in a background thread on ``host:port`` (0 = free port)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        app: Starlette | None = None,
        seed: int | None = None,
        log_level: str = "warning",
    ) -> None:
        self.app = app if app is not None else create_app(seed=seed)
        self.state = _shop_state(self.app)
        self.host = host
        self._port = port
        self._log_level = log_level
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._bound_port: int | None = None

    @property
    def port(self) -> int:
        """The bound port (still readable after ``stop()``)."""
        if self._bound_port is None:
            raise RuntimeError("ShopServer has not been started")
        return self._bound_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ShopServer:
        if self._thread is not None:
            raise RuntimeError("ShopServer already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY needs the proto
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        sock.listen(128)
        self._socket = sock
        self._bound_port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            timeout_graceful_shutdown=1,
            lifespan="off",
            access_log=False,
        )
        server = _Server(config, self.state)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"shop-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the shop server did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            self.state.faults.release_hangs()
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
        self._server = self._thread = None

    def __enter__(self) -> ShopServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
