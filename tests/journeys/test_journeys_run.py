"""The four shipped journeys, loaded from journeys/ and run by the real runner against the
demo shop: they pass on a healthy shop and fail at the right step, with the shop's own
words, when a fault is injected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from agent import Journey
from agent.browser import Browser
from agent.loader import load_journeys
from agent.model import JourneyResult
from agent.runner import RunOptions, run_journey
from agent.scrub import Scrubber

pytestmark = pytest.mark.browser

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"
PASSWORD = "demo-password-123"
Journeys = dict[str, Journey]
FAST = RunOptions(action_timeout_s=3.0, navigation_timeout_s=10.0)


@pytest.fixture(scope="module")
def loaded() -> Journeys:
    found = load_journeys([JOURNEYS])
    assert found.errors == []
    return found.journeys


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_SECRET_SHOP_PASSWORD", PASSWORD)


def run(
    aio: Any,
    browser: Browser,
    journey: Journey,
    url: str,
    region: str = "eu-west-1",
    timeout_s: float | None = None,
    options: RunOptions = FAST,
    **params: str,
) -> JourneyResult:
    values = {"email": "demo@example.com", "product": "Office Chair", **params}
    coro = run_journey(
        journey,
        browser=browser,
        target=url,
        region=region,
        params=values,
        options=options,
        scrubber=Scrubber(),
        timeout_s=timeout_s,
    )
    result: JourneyResult = aio.run(coro)
    return result


def fault(shop: Any, **body: Any) -> None:
    httpx.post(f"{shop.url}/__faults", json=body).raise_for_status()


def test_declarations(loaded: Journeys) -> None:
    assert sorted(loaded) == ["cart", "checkout", "login", "order-confirmation"]
    assert all("post-deploy" in j.tags for j in loaded.values())
    assert set(loaded["checkout"].tags) == {"critical", "post-deploy"}
    assert loaded["checkout"].declared_steps == (
        "sign in",
        "open product",
        "add to cart",
        "checkout address",
        "payment",
        "confirmation",
    )
    assert loaded["order-confirmation"].declared_steps[-1] == "order api"


def test_journey_files_import_only_playwright_and_agent() -> None:
    for file in JOURNEYS.glob("*.py"):
        imports = [line.split()[1] for line in file.read_text().splitlines() if line.startswith(("import ", "from "))]
        assert {name.split(".")[0] for name in imports} <= {"__future__", "playwright", "agent", "_retail"}, file


@pytest.mark.parametrize("journey_id", ["login", "cart", "checkout", "order-confirmation"])
def test_journey_passes(aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys, journey_id: str) -> None:
    result = run(aio, browser, loaded[journey_id], clean_shop.url)
    assert result.status == "passed", (result.failed_step, result.error)
    assert all(s.status == "passed" for s in result.steps)
    if journey_id in ("checkout", "order-confirmation"):
        assert clean_shop.state.catalog.stock("office-chair") == 59
        [order] = clean_shop.state.orders.orders()
        assert order.customer_email == "demo@example.com"


def test_product_by_slug(aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys) -> None:
    result = run(aio, browser, loaded["cart"], clean_shop.url, product="storage-box")
    assert result.status == "passed", result.error


def test_wrong_password_fails_sign_in_without_leaking_it(
    aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTH_SECRET_SHOP_PASSWORD", "wrong-password-42")
    result = run(aio, browser, loaded["login"], clean_shop.url)
    assert (result.status, result.failed_step) == ("failed", "sign in")
    assert result.error is not None and "Wrong login/password" in result.error.message
    assert "wrong-password-42" not in result.model_dump_json()


def test_declined_card_fails_the_payment_step(aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys) -> None:
    result = run(aio, browser, loaded["checkout"], clean_shop.url, card="4000000000000002")
    assert (result.status, result.failed_step) == ("failed", "payment")
    assert result.error is not None and "Payment declined" in result.error.message
    assert [s.status for s in result.steps][-1] == "skipped"


def test_broken_add_to_cart_fails_that_step(aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys) -> None:
    fault(clean_shop, path="/shop", **{"break": "add-to-cart"})
    result = run(aio, browser, loaded["cart"], clean_shop.url)
    assert (result.status, result.failed_step) == ("failed", "add to cart")


def test_payment_callback_outage_fails_payment(aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys) -> None:
    fault(clean_shop, path="/payment/callback", status=503)
    result = run(aio, browser, loaded["checkout"], clean_shop.url)
    assert (result.status, result.failed_step) == ("failed", "payment")
    assert result.error is not None and "HTTP 503" in result.error.message


def test_region_scoped_fault_hits_only_that_region(
    aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys
) -> None:
    fault(clean_shop, path="/shop/checkout", status=503, method="POST", region="eu-west-1")
    hit = run(aio, browser, loaded["checkout"], clean_shop.url, region="eu-west-1")
    assert (hit.status, hit.failed_step) == ("failed", "checkout address")
    spared = run(aio, browser, loaded["checkout"], clean_shop.url, region="us-east-1")
    assert spared.status == "passed", spared.error


def test_order_api_outage_fails_the_api_step(aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys) -> None:
    fault(clean_shop, path="/api/orders/*", status=500)
    result = run(aio, browser, loaded["order-confirmation"], clean_shop.url)
    assert (result.status, result.failed_step) == ("failed", "order api")
    assert result.error is not None and "HTTP 500" in result.error.message


@pytest.mark.parametrize(("name", "status"), [("Demo Customer", "passed"), ("Someone Else", "failed")])
def test_login_checks_the_name_when_given(
    aio: Any, browser: Browser, clean_shop: Any, loaded: Journeys, name: str, status: str
) -> None:
    result = run(aio, browser, loaded["login"], clean_shop.url, name=name)
    assert result.status == status, result.error
    if status == "failed":
        assert result.failed_step == "verify signed in"


PATIENT = RunOptions(action_timeout_s=30.0, navigation_timeout_s=30.0)


@pytest.mark.parametrize(
    ("body", "options", "status", "step", "message"),
    [
        ({"path": "/shop/payment", "status": 503}, FAST, "failed", "payment", "answered HTTP 503"),
        ({"path": "/shop/cart", "delay_ms": 9000}, FAST, "failed", "add to cart", "Timeout 3000ms exceeded"),
        ({"path": "/shop/checkout", "hang": True}, PATIENT, "timeout", "checkout address", "journey timeout of 8s"),
        ({"path": "/shop", "break": "add-to-cart"}, FAST, "failed", "add to cart", "Add to cart"),
    ],
    ids=["status", "delay-past-action-timeout", "hang-past-journey-timeout", "break"],
)
def test_each_fault_kind_fails_checkout_at_its_step_with_error_and_screenshot(
    aio: Any,
    browser: Browser,
    clean_shop: Any,
    loaded: Journeys,
    body: dict[str, Any],
    options: RunOptions,
    status: str,
    step: str,
    message: str,
) -> None:
    fault(clean_shop, **body)
    result = run(aio, browser, loaded["checkout"], clean_shop.url, timeout_s=8.0, options=options)
    assert (result.status, result.failed_step) == (status, step), result.error
    assert result.error is not None
    assert message in result.error.message
    failing = next(s for s in result.steps if s.name == step)
    if "hang" in body or "delay_ms" in body:
        # Chromium cannot paint a page whose navigation is still pending: the
        # screenshot's own time limit runs out, and the result says so by its absence.
        return
    assert failing.screenshot is not None
    assert result.blobs[failing.screenshot.path][:3] == b"\xff\xd8\xff"
