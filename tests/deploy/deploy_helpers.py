"""Helpers for the deployment tests (Dockerfile + deploy/terraform).

Terraform is parsed with python-hcl2. Recent python-hcl2 releases keep the
quotes of string literals and block labels (``'"agent"'``) and wrap bare
expressions in ``${...}``; :func:`normalize` strips the quotes and the
``__is_block__``/``__comments__`` bookkeeping so the tests read plain values
whatever the python-hcl2 version.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import hcl2
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TF_ROOT = REPO_ROOT / "deploy" / "terraform"
REGIONS_DIR = REPO_ROOT / "regions"

# Used only when the repository's regions/ has no *.yaml yet: the same shape
# as the real region files (see docs/deploy.md, "Region files").
SAMPLE_REGIONS: dict[str, str] = {
    "eu-west-1.yaml": """\
region: eu-west-1
target: https://shop.example.com
labels: {environment: production, tenant: acme}
defaults: {interval: 5m, timeout: 90s, retries: 1, jitter: 30s}
concurrency: 2
allowed_hosts: [shop.example.com]
deploy: true
journeys:
  - id: login
    interval: 1m
  - id: checkout
    interval: 5m
    params: {email: synthetic@acme.example}
  - id: order-confirmation
    cron: "*/15 * * * *"
results: s3://acme-synthetics/results
""",
    "us-east-1.yaml": """\
region: us-east-1
target: https://shop.example.com
labels: {environment: production, tenant: acme}
defaults: {interval: 5m, timeout: 90s, retries: 1, jitter: 30s}
concurrency: 1
journeys:
  - id: login
    interval: 1m
results: s3://acme-synthetics/results
""",
    "ap-southeast-1.yaml": """\
region: ap-southeast-1
target: https://shop.example.com
labels: {environment: production, tenant: acme}
concurrency: 3
journeys:
  - id: checkout
    interval: 5m
results: s3://acme-synthetics/results
""",
    "local.yaml": """\
region: local
target: http://127.0.0.1:8000
concurrency: 1
deploy: false
journeys:
  - id: login
    interval: 1m
results: file://./results
""",
    "demo-shop.yaml": """\
region: demo-shop
target: http://127.0.0.1:8000
deploy: false
journeys:
  - id: checkout
    interval: 1m
results: file://./results
""",
}


# ---------------------------------------------------------------------------
# HCL helpers
# ---------------------------------------------------------------------------


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def normalize(node: Any) -> Any:
    """Strip python-hcl2 quoting and metadata keys, recursively."""
    if isinstance(node, dict):
        return {
            unquote(k): normalize(v)
            for k, v in node.items()
            if k not in ("__is_block__", "__comments__", "__start_line__", "__end_line__")
        }
    if isinstance(node, list):
        return [normalize(v) for v in node]
    if isinstance(node, str):
        return unquote(node)
    return node


@functools.lru_cache(maxsize=256)
def _load_hcl_cached(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return normalize(hcl2.load(fh))


def load_hcl(path: Path) -> dict[str, Any]:
    """Parse one .tf file (cached per path/mtime; callers get their own copy)."""
    st = path.stat()
    return copy.deepcopy(_load_hcl_cached(str(path.resolve()), st.st_mtime_ns, st.st_size))


def tf_files(root: Path = TF_ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("*.tf") if ".terraform" not in p.parts)


def load_module(module_dir: Path) -> dict[str, list[Any]]:
    """Merge the top-level blocks of every .tf file of one module (not recursive)."""
    merged: dict[str, list[Any]] = {}
    for path in sorted(module_dir.glob("*.tf")):
        for key, blocks in load_hcl(path).items():
            merged.setdefault(key, []).extend(blocks)
    return merged


def blocks(module: dict[str, list[Any]], kind: str, type_: str | None = None) -> dict[str, Any]:
    """Blocks of one kind as {name: body}; for resource/data pass the type too."""
    out: dict[str, Any] = {}
    for entry in module.get(kind, []):
        if type_ is None:
            out.update(entry)
        elif type_ in entry:
            out.update(entry[type_])
    return out


def module_variables(module_dir: Path) -> dict[str, dict[str, Any]]:
    return blocks(load_module(module_dir), "variable")


def module_locals(module_dir: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for entry in load_module(module_dir).get("locals", []):
        merged.update(entry)
    return merged


# ---------------------------------------------------------------------------
# Region discovery: a Python emulation of deploy/terraform/regions.tf
# ---------------------------------------------------------------------------


def regions_dir_of(tf_root: Path) -> Path:
    """Resolve local.regions_dir of the root module against tf_root."""
    expr = module_locals(tf_root)["regions_dir"]
    assert "${path.module}" in expr, expr
    return Path(expr.replace("${path.module}", str(tf_root))).resolve()


def emulate_deployed_regions(tf_root: Path, only_regions: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """What local.deployed_regions evaluates to:
    fileset(regions_dir, "*.yaml") -> yamldecode -> keep try(deploy, true) != false,
    keyed by the `region` value (a duplicate key is an error, as in Terraform).
    """
    regions_dir = regions_dir_of(tf_root)
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(regions_dir.glob("*.yaml")):
        if not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        cfg = yaml.safe_load(source)
        if cfg.get("deploy", True) is False:
            continue
        if only_regions and cfg["region"] not in only_regions:
            continue
        region = cfg["region"]
        if region in out:
            raise ValueError(f"duplicate region {region!r} in {path.name} and {out[region]['file']}")
        out[region] = {"file": path.name, "source": source, "concurrency": cfg.get("concurrency", 1)}
    return out


def terraform_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CHECKPOINT_DISABLE"] = "1"
    env["TF_IN_AUTOMATION"] = "1"
    cfg = env.get("TF_CLI_CONFIG_FILE")
    if cfg and not Path(cfg).is_file():
        env.pop("TF_CLI_CONFIG_FILE")
    return env


def strip_hcl_string(output: str) -> str:
    """terraform console prints strings as HCL literals: "...". Undo that."""
    output = output.strip()
    if output.startswith("<<EOT"):
        return "\n".join(output.splitlines()[1:-1])
    return str(json.loads(output))


REGION_KEY_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
