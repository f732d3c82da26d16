"""The issue's own check: `synth run journeys --target <shop>` with the real four journeys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def synth_run(shop_url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNTH_", "GITHUB_"))}
    env.update(SYNTH_SECRET_SHOP_PASSWORD="demo-password-123", SYNTH_SPOOL_DIR=str(tmp_path / "spool"))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "run",
            "journeys",
            "--target",
            shop_url,
            "--results",
            str(tmp_path / "r"),
            *extra,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_four_journeys_pass_and_write_results_then_the_payment_fault_fails_them(
    clean_shop: Any, tmp_path: Path
) -> None:
    proc = synth_run(clean_shop.url, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = sorted((tmp_path / "r").glob("region=local/journey=*/date=*/*/result.json"))
    assert sorted(p.parts[-4] for p in results) == [
        "journey=cart",
        "journey=checkout",
        "journey=login",
        "journey=order-confirmation",
    ]
    for path in results:
        result = json.loads(path.read_text())
        for step in result["steps"]:
            assert (path.parent / step["screenshot"]["path"]).is_file(), step["name"]

    httpx.post(f"{clean_shop.url}/__faults", json={"path": "/shop/payment", "status": 503}).raise_for_status()
    proc = synth_run(clean_shop.url, tmp_path, "--tags", "post-deploy", "--junit", str(tmp_path / "out.xml"))
    assert proc.returncode == 1
    assert "failed at step 'payment'" in (tmp_path / "out.xml").read_text()
