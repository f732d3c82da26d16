"""The error hierarchy of synth, translated at module boundaries.

    SynthError                      base of every error synth raises on purpose
    ├── ConfigError                 bad input: file, key or argument (exit code 2)
    │   ├── JourneyLoadError        a journey file that cannot be loaded
    │   └── RegionConfigError       a region file that does not validate
    └── InfraError                  the machine cannot run journeys (exit code 3)
        ├── BrowserNotFoundError    no Chromium to launch
        ├── BrowserLaunchError      Chromium found but it would not start
        └── StoreError              the results destination refused a write
            ├── TransientStoreError retry later (network, 5xx, throttling)
            └── FatalStoreError     retrying will not help (403, no such bucket)

A journey that *fails* is not an error: `run_journey` returns a `JourneyResult`
with status `failed`, `timeout` or `error`. Only configuration and
programming errors propagate as exceptions.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_INFRA = 3


class SynthError(Exception):
    """Base of every error synth raises on purpose."""

    exit_code = EXIT_INFRA


class ConfigError(SynthError):
    """Bad input. The message names the file, key or argument and what to do."""

    exit_code = EXIT_CONFIG


class JourneyLoadError(ConfigError):
    """A journey file that cannot be loaded (syntax, import, definition)."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class RegionConfigError(ConfigError):
    """A region file that does not validate."""


class InfraError(SynthError):
    """The machine cannot run journeys: no browser, no storage."""

    exit_code = EXIT_INFRA


class BrowserNotFoundError(InfraError):
    """No Chromium executable could be found."""


class BrowserLaunchError(InfraError):
    """Chromium was found but could not be started."""


class StoreError(InfraError):
    """The results destination refused a write."""


class TransientStoreError(StoreError):
    """A store error worth retrying: network, 5xx, throttling."""


class FatalStoreError(StoreError):
    """A store error that retrying will not fix: auth, missing bucket.

    `reason` is a low-cardinality label: `auth`, `not_found`, `disk_full`, `other`.
    """

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason
