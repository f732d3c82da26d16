"""Process settings from `SYNTH_*` environment variables (pydantic-settings).

Unknown `SYNTH_*` variables are rejected, so a typo fails at start-up.
`SYNTH_SECRET_*` variables are journey secrets, read by `ctx.secret`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.context import SECRET_ENV_PREFIX
from agent.errors import ConfigError

ENV_PREFIX = "SYNTH_"


class Settings(BaseSettings):
    """Agent-level settings. Each field `x` is read from `SYNTH_X`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", case_sensitive=False)

    listen: str = Field("127.0.0.1:9464", description="host:port of /metrics, /healthz, /readyz, /status")
    browser_executable: str | None = Field(None, description="Chromium to use if Playwright has none")
    headless: bool = True
    regions_dir: Path = Path("regions")
    journeys_dir: Path = Path("journeys")
    spool_dir: Path = Path(".synth/spool")
    spool_max_mb: int = Field(1024, ge=1, description="spool size bound; passing screenshots go first")
    results: str = Field("results", description="default results destination: a path or s3://bucket/prefix")
    s3_sse: Literal["", "AES256", "aws:kms"] = "AES256"
    s3_kms_key_id: str | None = None
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"] = "INFO"
    status_token: SecretStr | None = Field(None, description="bearer token required by /status when set")
    screenshot: Literal["jpeg", "png", "off"] = "jpeg"
    trace: Literal["off", "on", "retain-on-failure"] = Field(
        "off", description="Playwright traces; never kept for runs that read a secret"
    )
    action_timeout: float = Field(10.0, gt=0)
    navigation_timeout: float = Field(30.0, gt=0)
    shutdown_grace: float = Field(30.0, ge=0)
    prewarm_context: bool = True

    @field_validator("listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. 127.0.0.1:9464")
        return value

    @property
    def listen_host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def listen_port(self) -> int:
        return int(self.listen.rpartition(":")[2])


def known_variables() -> list[str]:
    return sorted(ENV_PREFIX + name.upper() for name in Settings.model_fields)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment, or `ConfigError` naming the variable."""
    env = os.environ if environ is None else environ
    known = set(known_variables())
    for var in sorted(env):
        upper = var.upper()
        if upper.startswith(ENV_PREFIX) and not upper.startswith(SECRET_ENV_PREFIX) and upper not in known:
            raise ConfigError(
                f"environment variable {var} is not a synth setting; known settings: {', '.join(sorted(known))} "
                f"(journey secrets use {SECRET_ENV_PREFIX}<NAME>)"
            )
    values = {
        name: env[ENV_PREFIX + name.upper()] for name in Settings.model_fields if ENV_PREFIX + name.upper() in env
    }
    try:
        return Settings.model_validate(values) if environ is not None else Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        var = ENV_PREFIX + (str(err["loc"][0]) if err["loc"] else "?").upper()
        raise ConfigError(f"environment variable {var}: {err['msg']} (got {env.get(var)!r})") from None
