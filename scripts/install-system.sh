#!/usr/bin/env bash
# Install what synth needs outside Python: a Chromium and promtool.
# Chromium: Playwright's own build if it can be downloaded, else Debian's
# `chromium` package. promtool: Debian's `prometheus` package.
set -euo pipefail
VENV_BIN=${VENV_BIN:-.venv/bin}

need_apt=()
if ! "$VENV_BIN/playwright" install chromium >/dev/null 2>&1; then
  if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
     && [ -z "${SYNTH_BROWSER_EXECUTABLE:-}" ]; then
    echo "setup: Playwright's Chromium download is unreachable; falling back to Debian's chromium package" >&2
    need_apt+=(chromium)
  fi
fi
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup: please install these Debian packages: ${need_apt[*]} (needs root)" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "setup: apt-get install ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
