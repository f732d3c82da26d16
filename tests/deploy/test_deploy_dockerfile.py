"""Static checks of the agent image definition (Dockerfile, .dockerignore) and
its agreement with pyproject.toml and the Kubernetes module."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib

import pytest
from deploy_helpers import REPO_ROOT, TF_ROOT, module_locals, module_variables

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
AGENT_DIR = TF_ROOT / "modules" / "regional_agent"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    buf = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue  # comment inside a continued instruction
        if line.endswith("\\"):
            buf += line[:-1].strip() + " "
            continue
        buf += line
        keyword, _, args = buf.partition(" ")
        out.append((keyword.upper(), args.strip()))
        buf = ""
    assert not buf, "dangling line continuation"
    return out


def first(keyword: str) -> str:
    matches = [args for kw, args in instructions() if kw == keyword]
    assert matches, f"no {keyword}"
    return matches[-1] if keyword in ("USER", "ENTRYPOINT", "HEALTHCHECK", "CMD") else matches[0]


def env() -> dict[str, str]:
    values: dict[str, str] = {}
    for kw, args in instructions():
        if kw == "ENV":
            for key, value in re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", args):
                values[key] = value
    return values


def pinned_playwright() -> str:
    data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for dep in data["project"]["dependencies"]:
        m = re.fullmatch(r"playwright\s*==\s*([0-9][0-9.]*)", dep.strip())
        if m:
            return m.group(1)
    raise AssertionError("pyproject.toml must pin playwright==X.Y.Z")


def test_base_image_matches_pyproject_playwright_pin() -> None:
    froms = [args for kw, args in instructions() if kw == "FROM"]
    assert len(froms) == 1, froms
    image = froms[0].split()[0]
    m = re.fullmatch(r"mcr\.microsoft\.com/playwright/python:v(\d+\.\d+\.\d+)-(\w+)", image)
    assert m, image
    assert m.group(1) == pinned_playwright(), "Dockerfile tag and pyproject playwright pin drifted apart"
    assert m.group(2) == "noble"


def test_runs_as_non_root() -> None:
    user = first("USER")
    uid = user.split(":")[0]
    assert uid not in ("root", "0"), user
    assert uid.isdigit(), "numeric USER lets Kubernetes verify runAsNonRoot"
    assert int(uid) == module_variables(AGENT_DIR)["run_as_user"]["default"], (
        "Dockerfile USER and regional_agent run_as_user must agree"
    )
    # USER is the last identity switch and comes after every RUN
    kws = [kw for kw, _ in instructions()]
    last_user = max(i for i, kw in enumerate(kws) if kw == "USER")
    assert all(kw != "RUN" for kw in kws[last_user + 1 :])


def test_healthcheck_hits_healthz() -> None:
    hc = first("HEALTHCHECK")
    assert "CMD" in hc
    assert "http://127.0.0.1:9464/healthz" in hc
    assert "curl" not in hc and "wget" not in hc
    assert "python" in hc and "urllib" in hc


def test_entrypoint_is_tini_then_synth_agent() -> None:
    entry = json.loads(first("ENTRYPOINT"))
    assert entry == ["/usr/bin/tini", "--", "synth", "agent"]
    runs = " ".join(args for kw, args in instructions() if kw == "RUN")
    assert re.search(r"apt-get install [^&]*\btini\b", runs), "tini must be installed"
    assert "--no-install-recommends" in runs
    assert "rm -rf /var/lib/apt/lists/*" in runs


def test_installs_the_package() -> None:
    copies = [args for kw, args in instructions() if kw == "COPY"]
    copied = " ".join(copies)
    for src in ("pyproject.toml", "README.md", "agent/", "journeys/", "regions/"):
        assert src in copied, src
    runs = [args for kw, args in instructions() if kw == "RUN"]
    assert any(re.search(r"pip install --no-cache-dir \.(\s|$)", r) for r in runs)


def test_environment_and_port() -> None:
    values = env()
    assert values["SYNTH_LISTEN"] == "0.0.0.0:9464"
    assert values["SYNTH_SPOOL_DIR"] == "/var/spool/synth"
    assert values["SYNTH_REGIONS_DIR"] == "/etc/synth/regions"
    assert values["SYNTH_JOURNEYS_DIR"] == "/app/journeys"
    assert values["SYNTH_LOG_FORMAT"] == "json"
    assert values["PLAYWRIGHT_BROWSERS_PATH"] == "/ms-playwright"
    assert first("EXPOSE").split() == ["9464"]

    # ...and the Kubernetes module agrees on paths and port.
    loc = module_locals(AGENT_DIR)
    assert loc["regions_dir"] == values["SYNTH_REGIONS_DIR"]
    assert loc["spool_dir"] == values["SYNTH_SPOOL_DIR"]
    assert str(loc["metrics_port"]) == values["SYNTH_LISTEN"].rsplit(":", 1)[1]
    assert values["SYNTH_JOURNEYS_DIR"] in loc["journeys_dir"]


def test_environment_is_known_to_the_agent() -> None:
    """The agent refuses to start on an unknown SYNTH_* variable."""
    settings = pytest.importorskip("agent.settings")
    unknown = {k for k in env() if k.startswith("SYNTH_")} - set(settings.known_variables())
    assert not unknown, unknown


def test_shared_memory_is_documented() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "--ipc=host" in text and "--shm-size" in text
    docs = REPO_ROOT / "docs" / "deploy.md"
    assert docs.is_file()
    doc = docs.read_text(encoding="utf-8")
    assert "--ipc=host" in doc or "--shm-size" in doc


def test_hadolint_ignores_are_justified() -> None:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"\s*#\s*hadolint ignore=([A-Z0-9,]+)", line)
        if m:
            context = " ".join(lines[max(0, i - 6) : i])
            for rule in m.group(1).split(","):
                assert rule in context, f"{rule} ignored without a reason just above it"


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore semantics, enough for this file: last match wins, ! re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern[1:] if negate else pattern
        pat = pat.rstrip("/")
        parts = path.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(c, pat) or fnmatch.fnmatch(c, pat.replace("**/", "")) for c in candidates) or (
            pat.startswith("**/") and any(fnmatch.fnmatch(p, pat[3:]) for p in parts)
        ):
            ignored = not negate
    return ignored


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pyproject.toml", False),
        ("README.md", False),
        ("agent/cli.py", False),
        ("journeys/checkout.py", False),
        ("regions/eu-west-1.yaml", False),
        (".git/config", True),
        (".venv/bin/python", True),
        (".venv-tools/bin/checkov", True),
        ("results/eu-west-1/result.json", True),
        ("spool/x.json", True),
        ("deploy/terraform/main.tf", True),
        ("agent/__pycache__/cli.cpython-312.pyc", True),
    ],
)
def test_dockerignore(path: str, expected: bool) -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert _ignored(path, patterns) is expected
