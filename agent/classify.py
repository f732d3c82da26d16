"""Translate an exception raised inside a journey into `ErrorInfo`."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from agent.context import MissingParamError
from agent.errors import ConfigError
from agent.model import ErrorCategory, ErrorInfo, JourneyStatus
from agent.scrub import Scrubber

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MAX_LINES = 12
_MAX_CHARS = 2000
_BROWSER_GONE = (
    "Target page, context or browser has been closed",
    "Target closed",
    "Browser has been closed",
    "browser has disconnected",
    "Target crashed",
    "Page crashed",
    "Connection closed",
)


class BlockedRequestError(Exception):
    """The journey navigated to a host that `allowed_hosts` does not allow."""


def clean_message(text: str, scrubber: Scrubber) -> str:
    text = _ANSI.sub("", text).strip()
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    short = "\n".join(lines[:_MAX_LINES])
    if len(short) > _MAX_CHARS:
        short = short[: _MAX_CHARS - 1] + "…"
    return scrubber.scrub(short)


def categorise(exc: BaseException) -> ErrorCategory:
    if isinstance(exc, BlockedRequestError):
        return "blocked"
    if isinstance(exc, AssertionError):
        return "assertion"
    if isinstance(exc, PlaywrightTimeoutError):
        return "action"
    if isinstance(exc, PlaywrightError):
        message = str(exc)
        if any(marker in message for marker in _BROWSER_GONE):
            return "browser"
        if "ERR_BLOCKED_BY_CLIENT" in message:
            return "blocked"
        if "net::ERR_" in message or "NS_ERROR" in message:
            return "navigation"
        return "action"
    if isinstance(exc, httpx.HTTPError):
        return "action"
    if isinstance(exc, ConfigError | MissingParamError):
        return "config"
    return "journey-code"


def status_for(category: ErrorCategory) -> JourneyStatus:
    """`failed` when the target misbehaved; `error` when we or the script broke."""
    if category in ("assertion", "action", "navigation", "blocked"):
        return "failed"
    if category == "timeout":
        return "timeout"
    return "error"


def describe(exc: BaseException, scrubber: Scrubber) -> ErrorInfo:
    category = categorise(exc)
    message = str(exc) or type(exc).__name__
    if isinstance(exc, AssertionError) and not str(exc):
        message = "assertion failed"
    return ErrorInfo(type=type(exc).__name__, message=clean_message(message, scrubber), category=category)
