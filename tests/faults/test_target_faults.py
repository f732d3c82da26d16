"""Target faults: each gives the right status and a clear error within the
journey timeout plus 5 s, and the next run on the same browser still passes."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.async_api import Page, expect

from agent import JourneyContext, journey, step
from agent.runner import run_journey

pytestmark = pytest.mark.browser
TIMEOUT = 6.0


@journey(id="browse", timeout=TIMEOUT)
async def browse(page: Page, ctx: JourneyContext) -> None:
    async with step("open catalogue"):
        response = await page.goto(ctx.url("/shop"))
        assert response is not None and response.ok, f"catalogue answered HTTP {response.status if response else '-'}"
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
    async with step("open cart"):
        response = await page.goto(ctx.url("/shop/cart"))
        assert response is not None and response.ok, f"cart answered HTTP {response.status if response else '-'}"


def _run(aio, browser, target: str):  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    result = aio.run(run_journey(browse, browser=browser, target=target, region="faults"))
    return result, time.monotonic() - t0


def _fault(shop, **body: object) -> None:  # type: ignore[no-untyped-def]
    httpx.post(f"{shop.url}/__faults", json=body, timeout=5).raise_for_status()


@pytest.mark.parametrize(
    ("fault", "status", "step_name", "message"),
    [
        (
            {"path": "/shop/cart", "hang": True},
            "timeout",
            "open cart",
            "journey timeout of 6s reached during step 'open cart'",
        ),
        ({"path": "/shop/cart", "status": 503}, "failed", "open cart", "cart answered HTTP 503"),
        ({"path": "/shop/cart", "delay_ms": 9000}, "timeout", "open cart", "journey timeout of 6s reached"),
        ({"path": "/shop", "status": 500}, "failed", "open catalogue", "catalogue answered HTTP 500"),
    ],
    ids=["hang", "5xx-cart", "slow", "5xx-catalogue"],
)
def test_target_fault_yields_status_and_agent_keeps_going(  # type: ignore[no-untyped-def]
    aio, browser, clean_shop, fault, status, step_name, message
) -> None:
    _fault(clean_shop, **fault)
    result, took = _run(aio, browser, clean_shop.url)
    assert result.status == status, result.error
    assert result.failed_step == step_name
    assert result.error is not None
    assert message in result.error.message
    assert took < TIMEOUT + 5
    httpx.delete(f"{clean_shop.url}/__faults", timeout=5)
    after, _ = _run(aio, browser, clean_shop.url)
    assert after.status == "passed", after.error


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_a_failed_navigation(aio, browser, clean_shop) -> None:  # type: ignore[no-untyped-def]
    result, took = _run(aio, browser, f"http://127.0.0.1:{_closed_port()}")
    assert result.status == "failed"
    assert result.failed_step == "open catalogue"
    assert result.error is not None
    assert result.error.category == "navigation"
    assert "net::ERR_CONNECTION_REFUSED" in result.error.message
    assert took < TIMEOUT + 5
    assert _run(aio, browser, clean_shop.url)[0].status == "passed"


@pytest.fixture
def self_signed_https(tmp_path: Path) -> Iterator[str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_tls_error_is_a_failed_navigation_naming_the_certificate(aio, browser, self_signed_https) -> None:  # type: ignore[no-untyped-def]
    result, took = _run(aio, browser, self_signed_https)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.category == "navigation"
    assert "net::ERR_CERT_AUTHORITY_INVALID" in result.error.message
    assert took < TIMEOUT + 5
