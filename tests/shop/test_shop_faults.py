"""The fault-injection API: every fault kind, scoping, validation, and clean shutdown."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from agent.shop import ShopServer


def add_fault(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post("/__faults", json=body)
    assert response.status_code == 201, response.text
    fault: dict[str, Any] = response.json()
    return fault


def test_status_fault(client: httpx.Client) -> None:
    fault = add_fault(client, path="/shop/payment", status=503)
    assert fault["id"]
    assert fault["path"] == "/shop/payment"
    assert fault["status"] == 503
    response = client.get("/shop/payment")
    assert response.status_code == 503
    assert response.headers["x-synth-fault"] == fault["id"]
    assert "503 Service Unavailable" in response.text
    assert client.get("/shop/cart").status_code == 200  # exact match only


def test_status_fault_on_api_answers_json(client: httpx.Client) -> None:
    add_fault(client, path="/api/*", status=500)
    response = client.get("/api/orders/S00001")
    assert response.status_code == 500
    assert response.json()["error"] == "Internal Server Error"


def test_delay_fault(client: httpx.Client) -> None:
    add_fault(client, path="/shop/cart", delay_ms=400)
    start = time.monotonic()
    assert client.get("/shop/cart").status_code == 200
    assert time.monotonic() - start >= 0.4
    start = time.monotonic()
    client.get("/shop")
    assert time.monotonic() - start < 0.3


def test_hang_fault_times_out_without_blocking_others(client: httpx.Client, shop: ShopServer) -> None:
    add_fault(client, path="/shop/checkout", hang=True)
    start = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.get("/shop/checkout", timeout=0.5)
    assert time.monotonic() - start < 2
    with httpx.Client(base_url=shop.url, timeout=2) as other:
        assert other.get("/healthz").text == "ok"


def test_deleting_a_hang_fault_releases_the_request(client: httpx.Client, shop: ShopServer) -> None:
    fault = add_fault(client, path="/shop", hang=True)
    result: dict[str, int] = {}

    def request() -> None:
        result["status"] = httpx.get(f"{shop.url}/shop", timeout=10).status_code

    thread = threading.Thread(target=request)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive()
    assert client.delete(f"/__faults/{fault['id']}").json() == {"deleted": 1}
    thread.join(5)
    assert result == {"status": 200}


def test_break_add_to_cart(client: httpx.Client) -> None:
    fault = add_fault(client, path="/shop", **{"break": "add-to-cart"})
    assert fault["break"] == "add-to-cart"
    page = client.get("/shop/product/office-chair")
    assert page.status_code == 200
    assert "<h1>Office Chair</h1>" in page.text
    assert "Add to cart" not in page.text
    client.delete("/__faults")
    assert "Add to cart" in client.get("/shop/product/office-chair").text


def test_region_scoped_fault(client: httpx.Client) -> None:
    add_fault(client, path="/shop/cart", status=502, region="eu-west-1")
    assert client.get("/shop/cart", headers={"X-Synth-Region": "eu-west-1"}).status_code == 502
    assert client.get("/shop/cart", headers={"X-Synth-Region": "EU-WEST-1"}).status_code == 502
    assert client.get("/shop/cart", headers={"X-Synth-Region": "us-east-1"}).status_code == 200
    assert client.get("/shop/cart").status_code == 200


def test_method_scoped_fault(client: httpx.Client) -> None:
    add_fault(client, path="/shop/cart/update", status=500, method="post")
    assert client.post("/shop/cart/update", data={"product_id": "office-chair"}).status_code == 500
    assert client.get("/shop/cart/update").status_code == 405  # GET is not faulted (and not routed)


def test_times_fault_fails_once_then_recovers(client: httpx.Client) -> None:
    fault = add_fault(client, path="/shop", status=503, times=1)
    assert fault["times"] == 1
    assert client.get("/shop").status_code == 503
    assert client.get("/shop").status_code == 200
    assert client.get("/__faults").json() == {"faults": []}


def test_times_counts_down(client: httpx.Client) -> None:
    add_fault(client, path="/healthz", status=500, times=3)
    assert client.get("/healthz").status_code == 500
    [listed] = client.get("/__faults").json()["faults"]
    assert (listed["times"], listed["hits"]) == (2, 1)


def test_rate_fault_is_flaky(client: httpx.Client) -> None:
    add_fault(client, path="/healthz", status=500, rate=0.5)
    statuses = [client.get("/healthz").status_code for _ in range(40)]
    assert 5 <= statuses.count(500) <= 35
    assert statuses.count(200) + statuses.count(500) == 40
    client.delete("/__faults")
    add_fault(client, path="/healthz", status=500, rate=0)
    assert {client.get("/healthz").status_code for _ in range(10)} == {200}


def test_prefix_match(client: httpx.Client) -> None:
    add_fault(client, path="/shop/product/*", status=500)
    assert client.get("/shop/product/office-chair").status_code == 500
    assert client.get("/shop").status_code == 200


def test_fault_api_itself_is_never_faulted(client: httpx.Client) -> None:
    add_fault(client, path="/*", status=500)
    assert client.get("/shop").status_code == 500
    assert client.get("/__faults").status_code == 200
    assert client.delete("/__faults").json() == {"deleted": 1}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "the body must be a JSON object"),
        ({"status": 503}, "'path' is required"),
        ({"path": "shop", "status": 503}, "'path' is required"),
        ({"path": "/__faults", "status": 503}, "cannot be faulted"),
        ({"path": "/shop"}, "at least one of"),
        ({"path": "/shop", "status": 200}, "'status' must be an integer between 400 and 599"),
        ({"path": "/shop", "status": "503"}, "'status' must be an integer"),
        ({"path": "/shop", "delay_ms": -5}, "'delay_ms' must be an integer"),
        ({"path": "/shop", "hang": "yes"}, "'hang' must be true or false"),
        ({"path": "/shop", "break": "everything"}, "'break' must be one of"),
        ({"path": "/shop", "status": 503, "rate": 1.5}, "'rate' must be a number between 0 and 1"),
        ({"path": "/shop", "status": 503, "rate": "0.5"}, "'rate' must be a number between 0 and 1"),
        ({"path": "/shop", "status": 503, "rate": True}, "'rate' must be a number between 0 and 1"),
        ({"path": "/shop", "status": 503, "times": 0}, "'times' must be an integer"),
        ({"path": "/shop", "status": 503, "method": "FETCH"}, "'method' must be one of"),
        ({"path": "/shop", "status": 503, "hang": True}, "mutually exclusive"),
        ({"path": "/shop", "status": 503, "delay": 10}, "unknown key(s): delay"),
    ],
)
def test_invalid_fault_bodies(client: httpx.Client, body: object, message: str) -> None:
    response = client.post("/__faults", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert client.get("/__faults").json() == {"faults": []}


def test_non_json_fault_body(client: httpx.Client) -> None:
    response = client.post("/__faults", content=b"status=503")
    assert response.status_code == 400
    assert response.json() == {"error": "the body must be a JSON object"}


def test_list_and_delete_faults(client: httpx.Client) -> None:
    first = add_fault(client, path="/shop", status=500)
    second = add_fault(client, path="/shop/cart", delay_ms=10, region="eu-west-1", method="GET")
    assert first["id"] != second["id"]
    listed = client.get("/__faults").json()["faults"]
    assert [f["id"] for f in listed] == [first["id"], second["id"]]
    assert listed[1] | {"id": "x"} == {
        "id": "x",
        "path": "/shop/cart",
        "method": "GET",
        "region": "eu-west-1",
        "status": None,
        "delay_ms": 10,
        "hang": False,
        "break": None,
        "rate": None,
        "times": None,
        "hits": 0,
    }
    assert client.delete(f"/__faults/{first['id']}").json() == {"deleted": 1}
    assert client.delete(f"/__faults/{first['id']}").status_code == 404
    assert [f["id"] for f in client.get("/__faults").json()["faults"]] == [second["id"]]
    add_fault(client, path="/x", status=500)
    assert client.delete("/__faults").json() == {"deleted": 2}
    assert client.get("/__faults").json() == {"faults": []}


def test_reset_restores_everything(client: httpx.Client, shop: ShopServer) -> None:
    client.post("/web/login", data={"login": "demo@example.com", "password": "demo-password-123"})
    shop.state.catalog.take({"office-chair": 5})
    add_fault(client, path="/shop", status=500)
    assert client.post("/__reset").json() == {"reset": True}
    assert shop.state.catalog.stock("office-chair") == 60
    assert client.get("/__faults").json() == {"faults": []}
    page = client.get("/shop")
    assert page.status_code == 200
    assert "Log out" not in page.text  # sessions are gone
    assert len(shop.state.sessions) == 0


def test_server_stops_promptly_with_a_hanging_request() -> None:
    server = ShopServer()
    with server:
        httpx.post(f"{server.url}/__faults", json={"path": "/shop", "hang": True})
        outcome: dict[str, object] = {}

        def hang() -> None:
            try:
                outcome["status"] = httpx.get(f"{server.url}/shop", timeout=30).status_code
            except httpx.HTTPError as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=hang)
        thread.start()
        time.sleep(0.3)
        start = time.monotonic()
    assert time.monotonic() - start < 3
    thread.join(5)
    assert outcome == {"status": 503}
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz", timeout=1)


def test_server_stops_when_the_block_raises() -> None:
    server = ShopServer()

    def crash() -> None:
        with server:
            assert httpx.get(f"{server.url}/healthz").status_code == 200
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        crash()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz", timeout=1)
