"""The agent and `synth run` share one runner: same journeys and params, same results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from daemon_helpers import REAL_JOURNEYS, make_agent, run_until

from agent.cli import main
from agent.shop.server import ShopServer

pytestmark = pytest.mark.browser

JOURNEYS = [
    {"id": "login", "interval": "30s", "params": {"email": "demo@example.com"}},
    {"id": "checkout", "interval": "30s", "params": {"email": "demo@example.com", "product": "storage-box"}},
]


def _shape(result: dict[str, Any]) -> tuple[object, ...]:
    steps = tuple((s["name"], s["status"], (s["error"] or {}).get("category")) for s in result["steps"])
    error = result["error"]
    return result["journey"], result["status"], result["failed_step"], error and error["category"], steps


def test_agent_and_synth_run_record_the_same_outcomes(
    aio: Any,
    tmp_path: Path,
    clean_shop: ShopServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SYNTH_SECRET_SHOP_PASSWORD", "demo-password-123")
    httpx.post(f"{clean_shop.url}/__faults", json={"path": "/payment/callback", "status": 503}).raise_for_status()

    agent, results = make_agent(tmp_path / "agent", clean_shop.url, JOURNEYS, journeys_dir=REAL_JOURNEYS)
    aio.run(run_until(agent, lambda: {r.journey for r in results.results} == {"login", "checkout"}, "both journeys"))
    from_agent = sorted(_shape(json.loads(r.model_dump_json())) for r in results.results[:2])

    region_file = tmp_path / "agent" / "regions" / "test.yaml"
    monkeypatch.setenv("SYNTH_JOURNEYS_DIR", str(REAL_JOURNEYS))
    monkeypatch.setenv("SYNTH_SPOOL_DIR", str(tmp_path / "spool"))
    code = main(["run", "login", "checkout", "--region", str(region_file), "--results", str(tmp_path / "res")])
    capsys.readouterr()
    assert code == 1
    files = sorted((tmp_path / "res").rglob("result.json"))
    from_run = sorted(_shape(json.loads(p.read_text())) for p in files)

    assert from_run == from_agent
    checkout = next(shape for shape in from_run if shape[0] == "checkout")
    assert checkout[1:3] == ("failed", "payment")
    assert all(p.parts[-5] == "region=test" for p in files)
