"""The agent's HTTP endpoints on a real socket, with a small stand-in for the agent."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter

from agent.errors import ConfigError
from agent.http import HttpServer, create_app


class View:
    """The three things the endpoints read, settable by the test."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        Counter("synth_test_things", "Things.", registry=self.registry).inc()
        self.is_alive = True
        self.reasons: list[str] = []

    def alive(self) -> bool:
        return self.is_alive

    async def readiness(self) -> tuple[bool, list[str]]:
        return not self.reasons, list(self.reasons)

    def status(self) -> dict[str, Any]:
        return {"region": "r", "journeys": []}


async def serve_and_call(
    view: View, token: str | None, calls: list[tuple[str, dict[str, str]]]
) -> list[httpx.Response]:
    server = HttpServer(create_app(view, token), "127.0.0.1", 0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            return [await client.get(path, headers=headers) for path, headers in calls]
    finally:
        await server.stop()


def test_metrics_come_from_the_agents_own_registry() -> None:
    (response,) = asyncio.run(serve_and_call(View(), None, [("/metrics", {})]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "synth_test_things_total 1.0" in response.text
    assert "process_cpu_seconds_total" not in response.text


def test_health_and_readiness() -> None:
    view = View()
    view.reasons = ["browser not launched or disconnected"]
    healthz, readyz = asyncio.run(serve_and_call(view, None, [("/healthz", {}), ("/readyz", {})]))
    assert (healthz.status_code, healthz.json()) == (200, {"alive": True})
    assert (readyz.status_code, readyz.json()) == (
        503,
        {"ready": False, "reasons": ["browser not launched or disconnected"]},
    )
    view.is_alive, view.reasons = False, []
    healthz, readyz = asyncio.run(serve_and_call(view, None, [("/healthz", {}), ("/readyz", {})]))
    assert (healthz.status_code, readyz.status_code) == (503, 200)


@pytest.mark.parametrize(
    ("token", "header", "code"),
    [
        (None, None, 200),
        ("s3cret", None, 401),
        ("s3cret", "Bearer wrong", 401),
        ("s3cret", "Basic s3cret", 401),
        ("s3cret", "Bearer s3cret", 200),
        ("s3cret", "bearer s3cret", 200),
    ],
)
def test_status_needs_the_bearer_token_when_one_is_set(token: str | None, header: str | None, code: int) -> None:
    headers = {"Authorization": header} if header else {}
    (response,) = asyncio.run(serve_and_call(View(), token, [("/status", headers)]))
    assert response.status_code == code
    if code == 200:
        assert response.json() == {"region": "r", "journeys": []}
    else:
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_busy_port_is_a_clear_config_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = HttpServer(create_app(View()), "127.0.0.1", port)
        with pytest.raises(ConfigError) as caught:
            server.bind()
    assert str(caught.value) == (
        f"SYNTH_LISTEN 127.0.0.1:{port}: cannot listen (Address already in use); set SYNTH_LISTEN to a free host:port"
    )
