"""Shared fixtures: one event loop and one Chromium for the session, like the agent."""

from __future__ import annotations

import asyncio
import functools
import http.server
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from agent.browser import Browser

T = TypeVar("T")


class Loop:
    """Runs coroutines on one session-wide event loop (Playwright objects are loop-bound)."""

    def __init__(self) -> None:
        self._runner = asyncio.Runner()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coro)

    def close(self) -> None:
        self._runner.close()


@pytest.fixture(scope="session")
def aio() -> Iterator[Loop]:
    loop = Loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def browser(aio: Loop) -> Iterator[Browser]:
    b = Browser()
    aio.run(b.start())
    yield b
    aio.run(b.close())


@pytest.fixture(scope="session")
def shop() -> Iterator[Any]:
    from agent.shop.server import ShopServer

    with ShopServer() as server:
        yield server


@pytest.fixture
def clean_shop(shop: Any) -> Iterator[Any]:
    """The session shop, reset (stock, orders, sessions, faults) before and after the test."""
    import httpx

    httpx.post(f"{shop.url}/__reset", timeout=10).raise_for_status()
    yield shop
    httpx.post(f"{shop.url}/__reset", timeout=10).raise_for_status()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static site on a free loopback port: (base URL, document root)."""
    root = tmp_path / "site"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Commands run in-process configure logging; give every test the set-up it started with."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
