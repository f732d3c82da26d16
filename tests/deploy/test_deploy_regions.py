"""Region discovery: one regional_agent instance per deployable regions/*.yaml."""

from __future__ import annotations

import filecmp
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from deploy_helpers import (
    REGION_KEY_RE,
    REPO_ROOT,
    TF_ROOT,
    blocks,
    emulate_deployed_regions,
    load_module,
    module_locals,
    regions_dir_of,
    strip_hcl_string,
    tf_files,
)


def test_regions_dir_is_repo_regions() -> None:
    assert regions_dir_of(TF_ROOT) == (REPO_ROOT / "regions").resolve()


def test_for_each_is_computed_from_region_files() -> None:
    """The HCL structure: fileset(*.yaml) -> yamldecode -> deploy filter -> keyed by region."""
    loc = module_locals(TF_ROOT)
    assert loc["regions_dir"] == "${path.module}/../../regions"

    sources = loc["region_sources"].replace(" ", "")
    assert 'fileset(local.regions_dir,"*.yaml")' in sources
    assert "file(" in sources

    assert "yamldecode(" in loc["region_configs"]

    deployed = loc["deployed_regions"].replace(" ", "")
    assert "forf,cfginlocal.region_configs:cfg.region=>" in deployed, "instances must be keyed by `region`"
    assert "try(cfg.deploy,true)!=false" in deployed, "deploy: false must exclude a region file"
    assert "try(cfg.concurrency,1)" in deployed

    agent = blocks(load_module(TF_ROOT), "module")["regional_agent"]
    assert agent["for_each"] == "${local.deployed_regions}"
    assert agent["region"] == "${each.key}"
    assert agent["region_file"] == "${each.value.source}"
    assert agent["concurrency"] == "${each.value.concurrency}"
    assert agent["source"] == "./modules/regional_agent"


def test_one_bucket_module() -> None:
    modules = blocks(load_module(TF_ROOT), "module")
    assert set(modules) == {"results_bucket", "regional_agent"}
    assert "for_each" not in modules["results_bucket"]


def test_each_deployable_region_file_is_one_instance(deploy_tree: Path) -> None:
    regions_dir = regions_dir_of(deploy_tree)
    instances = emulate_deployed_regions(deploy_tree)
    assert instances, "no deployable region file"

    for path in sorted(regions_dir.glob("*.yaml")):
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "region" in cfg, f"{path.name} has no region key"
        if cfg.get("deploy", True) is False:
            assert cfg["region"] not in instances, f"{path.name} says deploy: false"
        else:
            assert instances[cfg["region"]]["file"] == path.name
            assert REGION_KEY_RE.match(cfg["region"]), f"{cfg['region']!r} is not a DNS label"
            assert isinstance(cfg.get("concurrency", 1), int)
            assert cfg.get("concurrency", 1) >= 1

    assert "local" not in instances
    assert not any(r.startswith("demo-") for r in instances)


def test_repo_region_files_match_their_names() -> None:
    """regions/<name>.yaml should declare region: <name> (except non-deployed files)."""
    files = sorted((REPO_ROOT / "regions").glob("*.yaml"))
    if not files:
        pytest.skip("regions/ has no region files yet")
    for path in files:
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
        if cfg.get("deploy", True) is not False:
            assert cfg["region"] == path.stem, f"{path.name} declares region {cfg['region']!r}"


def test_adding_a_region_file_adds_an_instance_without_tf_changes(deploy_tree: Path) -> None:
    before = emulate_deployed_regions(deploy_tree)
    regions_dir = regions_dir_of(deploy_tree)

    template = regions_dir / "eu-west-1.yaml"
    cfg = yaml.safe_load(template.read_text(encoding="utf-8"))
    cfg["region"] = "sa-east-1"
    cfg.pop("deploy", None)
    (regions_dir / "sa-east-1.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")

    after = emulate_deployed_regions(deploy_tree)
    assert set(after) == set(before) | {"sa-east-1"}
    assert len(after) == len(before) + 1
    assert after["sa-east-1"]["file"] == "sa-east-1.yaml"
    assert after["sa-east-1"]["concurrency"] == cfg.get("concurrency", 1)

    # ...and not one .tf file differs from the repository's.
    copied = tf_files(deploy_tree)
    original = tf_files(TF_ROOT)
    assert [p.relative_to(deploy_tree) for p in copied] == [p.relative_to(TF_ROOT) for p in original]
    for a, b in zip(original, copied, strict=True):
        assert filecmp.cmp(a, b, shallow=False), f"{a} changed"


def test_duplicate_region_is_rejected(deploy_tree: Path) -> None:
    regions_dir = regions_dir_of(deploy_tree)
    shutil.copy2(regions_dir / "eu-west-1.yaml", regions_dir / "eu-west-1-copy.yaml")
    with pytest.raises(ValueError, match="duplicate region"):
        emulate_deployed_regions(deploy_tree)


def test_only_regions_filter(deploy_tree: Path) -> None:
    everything = emulate_deployed_regions(deploy_tree)
    one = sorted(everything)[0]
    assert set(emulate_deployed_regions(deploy_tree, only_regions=(one,))) == {one}


# ---------------------------------------------------------------------------
# The same, evaluated by Terraform itself (regions.tf needs no provider).
# ---------------------------------------------------------------------------


def _console_regions(terraform_console, tf_dir: Path, extra: str = "") -> dict[str, dict[str, object]]:
    expr = (
        "jsonencode({for k, v in local.deployed_regions : k => "
        "{file = v.file, concurrency = v.concurrency, sha = sha256(v.source)}})"
    )
    out = terraform_console(tf_dir, expr)
    return json.loads(strip_hcl_string(out))


@pytest.fixture
def console_tree(deploy_tree: Path) -> Path:
    """Only regions.tf, at the same relative position to regions/ (no providers, no init)."""
    console_dir = deploy_tree.parent / "console"
    console_dir.mkdir()
    shutil.copy2(deploy_tree / "regions.tf", console_dir / "regions.tf")
    return console_dir


def test_terraform_evaluates_the_same_instances(terraform_console, console_tree: Path, deploy_tree: Path) -> None:
    got = _console_regions(terraform_console, console_tree)
    want = emulate_deployed_regions(deploy_tree)
    assert set(got) == set(want)
    for region, inst in want.items():
        assert got[region]["file"] == inst["file"]
        assert got[region]["concurrency"] == inst["concurrency"]
        assert got[region]["sha"] == hashlib.sha256(inst["source"].encode()).hexdigest()


def test_terraform_sees_a_new_region_file(terraform_console, console_tree: Path, deploy_tree: Path) -> None:
    before = _console_regions(terraform_console, console_tree)
    regions_dir = regions_dir_of(deploy_tree)
    text = (regions_dir / "eu-west-1.yaml").read_text(encoding="utf-8")
    cfg = yaml.safe_load(text)
    (regions_dir / "sa-east-1.yaml").write_text(text.replace(f"region: {cfg['region']}", "region: sa-east-1", 1))
    after = _console_regions(terraform_console, console_tree)
    assert set(after) == set(before) | {"sa-east-1"}
