"""Static checks of deploy/terraform: parsing, wiring, IAM scoping, no secrets,
bucket hardening/lifecycle, and the Kubernetes shape of a regional agent."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
from deploy_helpers import (
    TF_ROOT,
    blocks,
    emulate_deployed_regions,
    load_module,
    module_locals,
    module_variables,
    normalize,
    strip_hcl_string,
    terraform_env,
    tf_files,
)

AGENT_DIR = TF_ROOT / "modules" / "regional_agent"
BUCKET_DIR = TF_ROOT / "modules" / "results_bucket"
MODULE_DIRS = [TF_ROOT, AGENT_DIR, BUCKET_DIR]

BUCKET_ARN = "arn:aws:s3:::acme-synthetics"
KMS_ARN = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
PREFIX = "results"


# ---------------------------------------------------------------------------
# Parsing and wiring
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", tf_files(), ids=lambda p: str(p.relative_to(TF_ROOT)))
def test_every_tf_file_parses(path: Path) -> None:
    with path.open(encoding="utf-8") as fh:
        parsed = hcl2.load(fh)
    assert isinstance(parsed, dict)


def test_expected_files_exist() -> None:
    for rel in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "regions.tf",
        "main.tf",
        "outputs.tf",
        "terraform.tfvars.example",
        "modules/results_bucket/main.tf",
        "modules/results_bucket/lifecycle.tf",
        "modules/results_bucket/glue.tf",
        "modules/regional_agent/iam.tf",
        "modules/regional_agent/kubernetes.tf",
    ]:
        assert (TF_ROOT / rel).is_file(), rel


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.name)
def test_providers_are_pinned(module_dir: Path) -> None:
    (terraform,) = load_module(module_dir)["terraform"]
    assert terraform.get("required_version", "").startswith(">=")
    providers = terraform["required_providers"][0]
    assert providers
    for name, spec in providers.items():
        assert spec["source"].startswith("hashicorp/"), name
        # a lower bound and an upper bound below the next major
        assert re.fullmatch(r">= \d+\.\d+\.\d+, < \d+\.0\.0", spec["version"]), (name, spec["version"])


@pytest.mark.parametrize(
    ("call", "module_dir"),
    [("regional_agent", AGENT_DIR), ("results_bucket", BUCKET_DIR)],
)
def test_module_calls_match_module_variables(call: str, module_dir: Path) -> None:
    meta = {"source", "for_each", "count", "providers", "depends_on"}
    args = set(blocks(load_module(TF_ROOT), "module")[call]) - meta
    variables = module_variables(module_dir)
    unknown = args - set(variables)
    assert not unknown, f"module {call} is passed undeclared inputs {unknown}"
    required = {name for name, body in variables.items() if "default" not in body}
    missing = required - args
    assert not missing, f"module {call} lacks required inputs {missing}"


def test_tfvars_example_sets_only_declared_variables() -> None:
    text = (TF_ROOT / "terraform.tfvars.example").read_text(encoding="utf-8")
    parsed = normalize(hcl2.loads(text))
    declared = set(module_variables(TF_ROOT))
    assert set(parsed) <= declared, set(parsed) - declared
    required = {n for n, b in module_variables(TF_ROOT).items() if "default" not in b}
    assert required <= set(parsed), required - set(parsed)


# ---------------------------------------------------------------------------
# No secret values in Terraform
# ---------------------------------------------------------------------------

SECRETISH = re.compile(r"password|passwd|secret(?!_name$)|token|credential|private|key$|api_key|access_key")
ALLOWED_NAMES = {"secret_name", "kms_key_arn", "existing_kms_key_arn"}


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.name)
def test_no_variable_carries_a_secret_value(module_dir: Path) -> None:
    for name, body in module_variables(module_dir).items():
        if name not in ALLOWED_NAMES:
            assert not SECRETISH.search(name), f"variable {name!r} looks like a secret value"
        assert str(body.get("sensitive", "false")).lower() in ("false", "${false}"), (
            f"variable {name!r} is sensitive: secrets belong in the Kubernetes Secret, not in Terraform"
        )


def test_secrets_only_referenced_by_name() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in tf_files())
    # Terraform never creates or reads a Secret (its data would land in state).
    assert 'resource "kubernetes_secret' not in text
    assert 'data "kubernetes_secret' not in text
    assert "aws_secretsmanager_secret_version" not in text
    assert "aws_ssm_parameter" not in text

    container = _agent_container()
    env_from = _dynamic(container, "env_from")
    secret_ref = env_from["content"][0]["secret_ref"][0]
    assert secret_ref["name"] == "${env_from.value}"
    assert "var.secret_name" in env_from["for_each"]
    assert secret_ref["optional"] in (False, "false", "${false}")


# ---------------------------------------------------------------------------
# IAM: each region's role is scoped to its own prefixes
# ---------------------------------------------------------------------------


def _agent_policy() -> list[dict[str, Any]]:
    data = blocks(load_module(AGENT_DIR), "data", "aws_iam_policy_document")
    return data["agent"]["statement"]


def _substitute(value: str, region: str) -> str:
    out = (
        value.replace("${var.region}", region)
        .replace("${var.results_prefix}", PREFIX)
        .replace("${var.bucket_arn}", BUCKET_ARN)
        .replace("${var.kms_key_arn}", KMS_ARN)
    )
    assert "${" not in out, f"unexpected interpolation left in {value!r}"
    return out


def test_policy_resources_are_written_per_region() -> None:
    for statement in _agent_policy():
        for resource in statement["resources"]:
            if resource in ("${var.bucket_arn}", "${var.kms_key_arn}"):
                continue
            assert "region=${var.region}/" in resource, resource


def test_policy_actions_are_minimal() -> None:
    by_sid = {s["sid"]: s for s in _agent_policy()}
    actions = sorted(a for s in by_sid.values() for a in s["actions"])
    assert actions == sorted(
        [
            "s3:PutObject",
            "s3:PutObjectTagging",
            "s3:GetObject",
            "s3:ListBucket",
            "kms:GenerateDataKey",
            "kms:Encrypt",
            "kms:Decrypt",
        ]
    )
    for statement in by_sid.values():
        assert statement.get("effect", "Allow") == "Allow"
        assert not any("*" in a for a in statement["actions"]), statement


def test_each_region_policy_is_scoped_to_its_prefix(deploy_tree: Path) -> None:
    regions = sorted(emulate_deployed_regions(deploy_tree))
    assert regions
    whole_bucket = {BUCKET_ARN + "/*", BUCKET_ARN + f"/{PREFIX}/*", "*", f"{BUCKET_ARN}/{PREFIX}/_summaries/*"}
    for region in regions:
        own = (
            f"{BUCKET_ARN}/{PREFIX}/region={region}/",
            f"{BUCKET_ARN}/{PREFIX}/_summaries/region={region}/",
        )
        for statement in _agent_policy():
            actions = set(statement["actions"])
            resources = [_substitute(r, region) for r in statement["resources"]]
            assert not whole_bucket & set(resources), (region, resources)
            if actions <= {"s3:PutObject", "s3:PutObjectTagging", "s3:GetObject"}:
                assert all(r.startswith(own) and r.endswith("/*") for r in resources), resources
                if "s3:GetObject" in actions:
                    assert all(r.startswith(own[1]) for r in resources), "GetObject only on own summaries"
            elif actions == {"s3:ListBucket"}:
                assert resources == [BUCKET_ARN]
                (condition,) = statement["condition"]
                assert condition["test"] == "StringLike"
                assert condition["variable"] == "s3:prefix"
                values = [_substitute(v, region) for v in condition["values"]]
                assert sorted(values) == sorted(
                    [f"{PREFIX}/region={region}/*", f"{PREFIX}/_summaries/region={region}/*"]
                )
            else:
                assert actions <= {"kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"}
                assert resources == [KMS_ARN]
            # another region's prefix is never granted
            for other in regions:
                if other != region:
                    assert not any(f"region={other}/" in r for r in resources)


def test_irsa_trust_is_bound_to_the_service_account() -> None:
    data = blocks(load_module(AGENT_DIR), "data", "aws_iam_policy_document")
    (statement,) = data["assume_role"]["statement"]
    assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    assert statement["principals"][0]["type"] == "Federated"
    assert statement["principals"][0]["identifiers"] == ["${var.oidc_provider_arn}"]
    conditions = {c["variable"]: c for c in statement["condition"]}
    sub = conditions["${local.oidc_issuer}:sub"]
    assert sub["test"] == "StringEquals"
    assert sub["values"] == ["system:serviceaccount:${local.namespace}:${var.service_account_name}"]
    assert conditions["${local.oidc_issuer}:aud"]["values"] == ["sts.amazonaws.com"]

    sa = blocks(load_module(AGENT_DIR), "resource", "kubernetes_service_account_v1")["agent"]
    annotations = sa["metadata"][0]["annotations"]
    assert annotations["eks.amazonaws.com/role-arn"] == "${aws_iam_role.agent.arn}"


# ---------------------------------------------------------------------------
# Regional agent: Kubernetes objects
# ---------------------------------------------------------------------------


def _k8s(type_: str) -> dict[str, Any]:
    return blocks(load_module(AGENT_DIR), "resource", type_)


def _pod_spec() -> dict[str, Any]:
    deployment = _k8s("kubernetes_deployment_v1")["agent"]
    return deployment["spec"][0]["template"][0]["spec"][0]


def _agent_container() -> dict[str, Any]:
    (container,) = _pod_spec()["container"]
    return container


def _dynamic(body: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in body.get("dynamic", []):
        if name in entry:
            return entry[name]
    raise KeyError(name)


def test_deployment_shape() -> None:
    deployment = _k8s("kubernetes_deployment_v1")["agent"]
    spec = deployment["spec"][0]
    assert spec["replicas"] == 1
    assert spec["strategy"][0]["type"] == "Recreate"
    container = _agent_container()
    # --results pins the destination: the agent prefers a region file's own
    # `results:` over $SYNTH_RESULTS, and the role may only write this bucket.
    assert container["args"] == ["--region", "${var.region}", "--results", "${local.results_uri}"]
    assert module_locals(AGENT_DIR)["results_uri"] == "s3://${var.bucket_name}/${var.results_prefix}"
    assert "command" not in container, "the image ENTRYPOINT (tini -- synth agent) must be kept"
    assert container["image"] == "${var.image}"
    (port,) = container["port"]
    assert port["name"] == "metrics"
    assert port["container_port"] == "${local.metrics_port}"
    assert module_locals(AGENT_DIR)["metrics_port"] == 9464


def test_probes() -> None:
    container = _agent_container()
    assert container["liveness_probe"][0]["http_get"][0] == {"path": "/healthz", "port": "metrics"}
    assert container["readiness_probe"][0]["http_get"][0] == {"path": "/readyz", "port": "metrics"}
    assert container["startup_probe"][0]["http_get"][0]["path"] == "/healthz"


def test_security_context() -> None:
    pod = _pod_spec()
    pod_sc = pod["security_context"][0]
    assert pod_sc["run_as_non_root"] is True
    assert pod_sc["run_as_user"] == "${var.run_as_user}"
    assert pod_sc["seccomp_profile"][0]["type"] == "RuntimeDefault"
    assert pod["automount_service_account_token"] is False

    sc = _agent_container()["security_context"][0]
    assert sc["run_as_non_root"] is True
    assert sc["read_only_root_filesystem"] is True
    assert sc["allow_privilege_escalation"] is False
    assert sc["privileged"] is False
    assert sc["capabilities"][0]["drop"] == ["ALL"]
    assert "add" not in sc["capabilities"][0]
    assert sc["seccomp_profile"][0]["type"] == "RuntimeDefault"

    variables = module_variables(AGENT_DIR)
    assert variables["run_as_user"]["default"] >= 1000


def test_volumes() -> None:
    pod = _pod_spec()
    volumes = {v["name"]: v for v in pod["volume"]}
    mounts = {m["name"]: m for m in _agent_container()["volume_mount"]}
    loc = module_locals(AGENT_DIR)

    assert mounts["tmp"]["mount_path"] == "/tmp"
    assert volumes["tmp"]["empty_dir"][0]["medium"] == "Memory"

    assert mounts["dshm"]["mount_path"] == "/dev/shm"
    assert volumes["dshm"]["empty_dir"][0]["medium"] == "Memory"
    assert volumes["dshm"]["empty_dir"][0]["size_limit"] == "${var.shm_size_limit}"
    assert module_variables(AGENT_DIR)["shm_size_limit"]["default"] == "1Gi"

    assert mounts["spool"]["mount_path"] == "${local.spool_dir}"
    assert loc["spool_dir"] == "/var/spool/synth"
    spool = volumes["spool"]["empty_dir"][0]
    assert "medium" not in spool, "the spool is disk-backed"
    assert spool["size_limit"] == "${var.spool_size_limit_mb}Mi"

    assert mounts["region"]["mount_path"] == "${local.regions_dir}"
    assert mounts["region"]["read_only"] is True
    assert loc["regions_dir"] == "/etc/synth/regions"
    items = volumes["region"]["config_map"][0]["items"][0]
    assert items == {"key": "${var.region}.yaml", "path": "${var.region}.yaml"}

    cm = _k8s("kubernetes_config_map_v1")["region"]
    assert cm["data"] == {"${var.region}.yaml": "${var.region_file}"}


def _env_keys() -> set[str]:
    env = module_locals(AGENT_DIR)["env"]
    return set(re.findall(r"\b([A-Z][A-Z0-9_]+)\s*=", env))


def test_environment() -> None:
    env = module_locals(AGENT_DIR)["env"]
    keys = _env_keys()
    for var in (
        "SYNTH_LISTEN",
        "SYNTH_REGIONS_DIR",
        "SYNTH_JOURNEYS_DIR",
        "SYNTH_SPOOL_DIR",
        "SYNTH_SPOOL_MAX_MB",
        "SYNTH_LOG_FORMAT",
        "SYNTH_S3_SSE",
        "SYNTH_S3_KMS_KEY_ID",
        "HOME",
        "TMPDIR",
    ):
        assert var in keys, var
    assert "0.0.0.0:${local.metrics_port}" in env
    assert '"aws:kms"' in env
    assert "var.kms_key_arn" in env
    # never a secret value in the plain environment
    assert not any(k.startswith("SYNTH_SECRET_") or k == "SYNTH_STATUS_TOKEN" for k in keys)
    dynamic_env = _dynamic(_agent_container(), "env")
    assert dynamic_env["for_each"] == "${local.env}"


def test_environment_is_known_to_the_agent() -> None:
    """The agent rejects unknown SYNTH_* variables at start-up."""
    settings = pytest.importorskip("agent.settings")
    known = set(settings.known_variables())
    unknown = {k for k in _env_keys() if k.startswith("SYNTH_")} - known
    assert not unknown, f"the agent would refuse to start: {unknown}"


def test_spool_bound_fits_its_volume() -> None:
    loc = module_locals(AGENT_DIR)
    assert loc["spool_max_mb"].replace(" ", "") == "${floor(var.spool_size_limit_mb*0.75)}"
    assert module_variables(AGENT_DIR)["spool_size_limit_mb"]["default"] == 2048


def test_resources_follow_the_memory_formula() -> None:
    loc = module_locals(AGENT_DIR)
    assert loc["memory_request_mi"].replace(" ", "") == "${576+256*var.concurrency}"
    assert loc["memory_limit_mi"].replace(" ", "") == "${ceil(local.memory_request_mi*1.5)}"
    assert loc["cpu_request_m"].replace(" ", "") == "${min(500*var.concurrency,var.max_cpu_request_millicores)}"
    resources = _agent_container()["resources"][0]
    assert resources["requests"] == "${local.resource_requests}"
    assert resources["limits"] == "${local.resource_limits}"


def test_resources_evaluated_by_terraform(terraform_console, tmp_path: Path) -> None:
    """Evaluate the sizing locals exactly as written, for several concurrencies."""
    loc = module_locals(AGENT_DIR)

    def unwrap(expr: str) -> str:
        assert expr.startswith("${") and expr.endswith("}")
        return expr[2:-1]

    for concurrency, want in [(1, (832, 1248, 500)), (2, (1088, 1632, 1000)), (6, (2112, 3168, 2000))]:
        work = tmp_path / f"c{concurrency}"
        work.mkdir()
        (work / "main.tf").write_text(
            f"""
variable "concurrency" {{ default = {concurrency} }}
variable "max_cpu_request_millicores" {{ default = 2000 }}
locals {{
  memory_request_mi = {unwrap(loc["memory_request_mi"])}
  memory_limit_mi   = {unwrap(loc["memory_limit_mi"])}
  cpu_request_m     = {unwrap(loc["cpu_request_m"])}
}}
""",
            encoding="utf-8",
        )
        out = terraform_console(work, "[local.memory_request_mi, local.memory_limit_mi, local.cpu_request_m]")
        numbers = tuple(int(n) for n in re.findall(r"\d+", out))
        assert numbers == want, (concurrency, out)


def test_service_and_monitoring() -> None:
    svc = _k8s("kubernetes_service_v1")["agent"]
    annotations = module_locals(AGENT_DIR)["prometheus_annotations"]
    assert svc["metadata"][0]["annotations"] == "${local.prometheus_annotations}"
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    (port,) = svc["spec"][0]["port"]
    assert port["name"] == "metrics"
    assert port["port"] == "${local.metrics_port}"

    sm = blocks(load_module(AGENT_DIR), "resource", "kubernetes_manifest")["service_monitor"]
    assert sm["count"] == "${var.service_monitor_enabled ? 1 : 0}"
    assert module_variables(AGENT_DIR)["service_monitor_enabled"]["default"] is False


# ---------------------------------------------------------------------------
# Results bucket
# ---------------------------------------------------------------------------


def _bucket(type_: str) -> dict[str, Any]:
    return blocks(load_module(BUCKET_DIR), "resource", type_)


def test_bucket_is_hardened() -> None:
    for name in ("results", "logs"):
        pab = _bucket("aws_s3_bucket_public_access_block")[name]
        for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
            assert pab[flag] is True, (name, flag)
        own = _bucket("aws_s3_bucket_ownership_controls")[name]
        assert own["rule"][0]["object_ownership"] == "BucketOwnerEnforced"
        ver = _bucket("aws_s3_bucket_versioning")[name]
        assert ver["versioning_configuration"][0]["status"] == "Enabled"

    sse = _bucket("aws_s3_bucket_server_side_encryption_configuration")["results"]["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    assert sse["apply_server_side_encryption_by_default"][0]["kms_master_key_id"] == "${aws_kms_key.results.arn}"
    assert sse["bucket_key_enabled"] is True

    key = _bucket("aws_kms_key")["results"]
    assert key["enable_key_rotation"] is True

    logging = _bucket("aws_s3_bucket_logging")["results"]
    assert logging["target_bucket"] == "${aws_s3_bucket.logs.id}"


def test_bucket_policies_deny_plain_http() -> None:
    docs = blocks(load_module(BUCKET_DIR), "data", "aws_iam_policy_document")
    for name in ("results_bucket", "logs_bucket"):
        (deny,) = [s for s in docs[name]["statement"] if s.get("sid") == "DenyInsecureTransport"]
        assert deny["effect"] == "Deny"
        assert deny["actions"] == ["s3:*"]
        (cond,) = deny["condition"]
        assert (cond["test"], cond["variable"], cond["values"]) == ("Bool", "aws:SecureTransport", ["false"])


def test_bucket_policy_refuses_non_kms_uploads() -> None:
    docs = blocks(load_module(BUCKET_DIR), "data", "aws_iam_policy_document")
    (stmt,) = [s for s in docs["results_bucket"]["statement"] if s.get("sid") == "DenyNonKMSEncryption"]
    assert stmt["effect"] == "Deny"
    assert stmt["actions"] == ["s3:PutObject"]
    conditions = {(c["test"], c["variable"]): c["values"] for c in stmt["condition"]}
    # header present AND not aws:kms: uploads relying on the bucket default still pass
    assert conditions == {
        ("Null", "s3:x-amz-server-side-encryption"): ["false"],
        ("StringNotEquals", "s3:x-amz-server-side-encryption"): ["aws:kms"],
    }


def test_lifecycle_matches_storage_layout() -> None:
    rules = {r["id"]: r for r in _bucket("aws_s3_bucket_lifecycle_configuration")["results"]["rule"]}
    variables = module_variables(BUCKET_DIR)

    def tagged(rule_id: str) -> dict[str, str]:
        return rules[rule_id]["filter"][0]["and"][0]["tags"]

    assert tagged("screenshots-passed") == {"synth-kind": "screenshot", "synth-outcome": "passed"}
    assert rules["screenshots-passed"]["expiration"][0]["days"] == "${var.passed_screenshot_retention_days}"
    assert variables["passed_screenshot_retention_days"]["default"] == 7

    assert tagged("screenshots-failed") == {"synth-kind": "screenshot", "synth-outcome": "failed"}
    assert rules["screenshots-failed"]["expiration"][0]["days"] == "${var.failed_screenshot_retention_days}"
    assert variables["failed_screenshot_retention_days"]["default"] == 90

    assert tagged("results") == {"synth-kind": "result"}
    assert tagged("summaries") == {"synth-kind": "summary"}
    for rid in ("results", "summaries"):
        assert rules[rid]["expiration"][0]["days"] == "${var.result_retention_days}"
    assert variables["result_retention_days"]["default"] == 400
    assert rules["summaries"]["filter"][0]["and"][0]["prefix"] == "${local.summaries_prefix}"
    assert module_locals(BUCKET_DIR)["summaries_prefix"] == "${var.results_prefix}/_summaries/"

    assert tagged("probes") == {"synth-kind": "probe"}
    assert rules["probes"]["expiration"][0]["days"] == 1

    abort = rules["abort-incomplete-multipart-uploads"]
    assert "abort_incomplete_multipart_upload" in abort
    assert "noncurrent_version_expiration" in rules["default-retention"]
    assert "noncurrent_version_expiration" in rules["summaries-noncurrent"]
    assert all(r["status"] == "Enabled" for r in rules.values())


def test_glue_table_over_summaries() -> None:
    glue = _bucket("aws_glue_catalog_table")["run_summaries"]
    loc = module_locals(BUCKET_DIR)
    columns = {c["name"]: c["type"] for c in loc["summary_columns"]}
    partitions = {p["name"]: p["type"] for p in glue["partition_keys"]}
    assert partitions == {"region": "string", "journey": "string", "date": "string"}
    assert not set(columns) & set(partitions), "a name may not be both column and partition key"
    assert columns | {"region": "string", "journey": "string"} == {
        "run_id": "string",
        "started_at": "string",
        "region": "string",
        "journey": "string",
        "status": "string",
        "duration_s": "double",
        "attempts": "int",
        "failed_step": "string",
        "error": "string",
        "screenshot": "string",
        "release": "string",
    }
    params = glue["parameters"]
    assert params["projection.enabled"] == "true"
    assert params["projection.region.type"] == "injected"
    assert params["projection.journey.type"] == "injected"
    assert params["projection.date.type"] == "date"
    assert params["projection.date.format"] == "yyyy-MM-dd"
    assert params["storage.location.template"].endswith("/region=$${region}/journey=$${journey}/date=$${date}"), params[
        "storage.location.template"
    ]
    assert loc["summaries_location"].endswith("/${var.results_prefix}/_summaries")
    serde = glue["storage_descriptor"][0]["ser_de_info"][0]
    assert serde["serialization_library"] == "org.openx.data.jsonserde.JsonSerDe"


# ---------------------------------------------------------------------------
# checkov skips are justified inline
# ---------------------------------------------------------------------------


def test_checkov_skips_are_justified() -> None:
    pattern = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")
    found = 0
    for path in tf_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            m = pattern.search(line)
            if m:
                found += 1
                reason = (m.group(2) or "").strip()
                assert re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+", m.group(1)), line
                assert len(reason) >= 40, f"{path.name}: skip {m.group(1)} needs a real reason"
    assert found, "expected the documented skips"


def test_terraform_fmt_clean() -> None:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform binary not on PATH")
    proc = subprocess.run(
        [binary, f"-chdir={TF_ROOT}", "fmt", "-check", "-recursive", "-diff"],
        capture_output=True,
        text=True,
        timeout=60,
        env=terraform_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---------------------------------------------------------------------------
# References resolve (a cheap stand-in for `terraform validate`, which needs
# provider downloads)
# ---------------------------------------------------------------------------


def _module_text(module_dir: Path) -> str:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(module_dir.glob("*.tf")))
    # drop comments so prose like "var.cpu_limit" in a comment is not a reference
    return re.sub(r"(?m)^\s*#.*$", "", text)


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.name)
def test_references_resolve(module_dir: Path) -> None:
    text = _module_text(module_dir)
    module = load_module(module_dir)

    declared_vars = set(module_variables(module_dir))
    used_vars = set(re.findall(r"(?<![\w.])var\.(\w+)", text))
    assert used_vars <= declared_vars, used_vars - declared_vars
    unused = declared_vars - used_vars
    assert not unused, f"declared but unused variables: {unused}"

    declared_locals = set(module_locals(module_dir))
    used_locals = set(re.findall(r"(?<![\w.])local\.(\w+)", text))
    assert used_locals <= declared_locals, used_locals - declared_locals

    resources = {(t, n) for entry in module.get("resource", []) for t, body in entry.items() for n in body}
    data = {(t, n) for entry in module.get("data", []) for t, body in entry.items() for n in body}
    for type_, name in re.findall(r"(?<![\w.\"/])((?:aws|kubernetes)_[a-z0-9_]+)\.([a-z0-9_]+)", text):
        assert (type_, name) in resources, f"{type_}.{name} is not declared in {module_dir.name}"
    for type_, name in re.findall(r"(?<![\w.])data\.([a-z0-9_]+)\.([a-z0-9_]+)", text):
        assert (type_, name) in data, f"data.{type_}.{name} is not declared in {module_dir.name}"


def test_module_outputs_used_by_root_exist() -> None:
    text = _module_text(TF_ROOT)
    bucket_outputs = set(blocks(load_module(BUCKET_DIR), "output"))
    used = set(re.findall(r"module\.results_bucket\[\*\]\.(\w+)", text))
    assert used and used <= bucket_outputs, used - bucket_outputs

    agent_outputs = set(blocks(load_module(AGENT_DIR), "output"))
    # outputs.tf iterates `for r, m in module.regional_agent : r => { ... m.<output> ... }`
    used_agent = set(re.findall(r"(?<![\w.])m\.(\w+)", text))
    assert used_agent and used_agent <= agent_outputs, used_agent - agent_outputs


def test_pod_environment_is_accepted_by_the_agent(terraform_console, tmp_path: Path) -> None:
    """Evaluate local.env with Terraform (module variables.tf + the env locals),
    then load the agent's settings from exactly that environment."""
    settings_mod = pytest.importorskip("agent.settings")
    loc = module_locals(AGENT_DIR)

    def unwrap(value: Any) -> str:
        if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return json.dumps(value)

    names = ["metrics_port", "regions_dir", "journeys_dir", "spool_dir", "spool_max_mb", "env"]
    shutil.copy2(AGENT_DIR / "variables.tf", tmp_path / "variables.tf")
    (tmp_path / "locals.tf").write_text(
        "locals {\n" + "".join(f"  {n} = {unwrap(loc[n])}\n" for n in names) + "}\n", encoding="utf-8"
    )
    (tmp_path / "terraform.tfvars").write_text(
        "\n".join(
            [
                'region = "eu-west-1"',
                'region_file = "region: eu-west-1\\n"',
                'image = "registry.example/synth:1.2.3"',
                'bucket_name = "acme-synthetics"',
                f'bucket_arn = "{BUCKET_ARN}"',
                f'kms_key_arn = "{KMS_ARN}"',
                'oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.example/id/X"',
                'oidc_provider_url = "https://oidc.example/id/X"',
                'bucket_region = "eu-west-1"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    env = json.loads(strip_hcl_string(terraform_console(tmp_path, "jsonencode(local.env)")))

    assert env["SYNTH_LISTEN"] == "0.0.0.0:9464"
    assert env["SYNTH_S3_KMS_KEY_ID"] == KMS_ARN
    assert env["SYNTH_SPOOL_MAX_MB"] == "1536"
    assert env["AWS_REGION"] == "eu-west-1"

    settings = settings_mod.load_settings({k: v for k, v in env.items() if k.startswith("SYNTH_")})
    assert settings.listen_host == "0.0.0.0"
    assert settings.listen_port == 9464
    assert settings.s3_sse == "aws:kms"
    assert settings.log_format == "json"
    assert str(settings.regions_dir) == "/etc/synth/regions"
    assert str(settings.spool_dir) == "/var/spool/synth"
    assert settings.spool_max_mb == 1536


def test_glue_columns_match_the_agent_summary_line() -> None:
    summary = pytest.importorskip("agent.summary")
    loc = module_locals(BUCKET_DIR)
    glue = _bucket("aws_glue_catalog_table")["run_summaries"]
    names = {c["name"] for c in loc["summary_columns"]} | {p["name"] for p in glue["partition_keys"]}
    assert set(summary.SummaryLine.model_fields) == names - {"date"}
