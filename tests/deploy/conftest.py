"""Fixtures for the deployment tests; plain helpers live in deploy_helpers.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# Make deploy_helpers importable whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_helpers import REGIONS_DIR, SAMPLE_REGIONS, TF_ROOT, terraform_env

# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


def _repo_region_files() -> list[Path]:
    return sorted(REGIONS_DIR.glob("*.yaml")) if REGIONS_DIR.is_dir() else []


@pytest.fixture
def deploy_tree(tmp_path: Path) -> Path:
    """A copy of <repo>/deploy/terraform and <repo>/regions in tmp_path.

    When the repository has no region files yet, sample ones (three
    deployable regions, local.yaml and demo-shop.yaml with deploy: false)
    are written into the copy instead; the repository itself is never
    modified. Returns the copied terraform root.
    """
    tf_copy = tmp_path / "deploy" / "terraform"
    shutil.copytree(TF_ROOT, tf_copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    regions_copy = tmp_path / "regions"
    regions_copy.mkdir()
    files = _repo_region_files()
    if files:
        for f in files:
            shutil.copy2(f, regions_copy / f.name)
    else:
        for name, text in SAMPLE_REGIONS.items():
            (regions_copy / name).write_text(text, encoding="utf-8")
    return tf_copy


@pytest.fixture
def terraform_console() -> Callable[[Path, str], str]:
    """Evaluate one expression with `terraform console` in a provider-less dir."""
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform binary not on PATH")

    def run(workdir: Path, expression: str) -> str:
        proc = subprocess.run(
            [binary, f"-chdir={workdir}", "console"],
            input=expression + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=terraform_env(),
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    return run
