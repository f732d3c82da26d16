"""`JourneyContext`: what a journey script receives besides the page."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urljoin

import httpx

from agent.errors import ConfigError
from agent.scrub import Scrubber

SECRET_ENV_PREFIX = "SYNTH_SECRET_"


class MissingParamError(KeyError):
    """A journey read a parameter nobody set."""

    def __str__(self) -> str:
        name = self.args[0]
        return (
            f"journey parameter {name!r} is not set: pass --param {name}=VALUE "
            f"or set it under the journey's `params` in the region file"
        )


class Params(Mapping[str, str]):
    """Read-only string parameters, with a helpful error for a missing key."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> str:
        try:
            return self._values[key]
        except KeyError:
            raise MissingParamError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Params({self._values!r})"


class JourneyContext:
    """Per-run context: target, parameters, secrets, an HTTP client, identity."""

    def __init__(
        self,
        *,
        target: str,
        region: str,
        run_id: str,
        params: Mapping[str, str],
        scrubber: Scrubber,
        http: Callable[[], httpx.AsyncClient],
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.target = target.rstrip("/") + "/"
        self.region = region
        self.run_id = run_id
        self.params = Params(params)
        self._make_http = http
        self._http: httpx.AsyncClient | None = None
        self._scrubber = scrubber
        self._environ = os.environ if environ is None else environ
        self.secrets_used: set[str] = set()

    @property
    def http(self) -> httpx.AsyncClient:
        """An `httpx.AsyncClient` bound to the target, created on first use."""
        if self._http is None:
            self._http = self._make_http()
        return self._http

    def url(self, path: str = "/") -> str:
        """Join `path` to the target's base URL."""
        return urljoin(self.target, path.lstrip("/")) if not path.startswith(("http://", "https://")) else path

    def secret(self, name: str) -> str:
        """Read `SYNTH_SECRET_<NAME>` and register its value for scrubbing."""
        var = SECRET_ENV_PREFIX + name.upper()
        value = self._environ.get(var)
        if value is None:
            raise ConfigError(f"secret {name!r} is not set: export {var}=... in the agent's environment")
        self._scrubber.register(value)
        self.secrets_used.add(name)
        return value
