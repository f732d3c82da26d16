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


#: How Chromium reports a request our egress proxy (see agent.runner.egress_proxy) refused.
BLOCKED_MARKERS = ("ERR_PROXY_CONNECTION_FAILED", "ERR_TUNNEL_CONNECTION_FAILED", "ERR_BLOCKED_BY_CLIENT")
BLOCKED_NOTE = "blocked: the host is not in allowed_hosts (add it to the region file's allowed_hosts)"


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
        if any(marker in message for marker in BLOCKED_MARKERS):
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
    if category == "blocked" and not isinstance(exc, BlockedRequestError):
        message = f"{BLOCKED_NOTE}\n{message}"
    if isinstance(exc, AssertionError) and not str(exc):
        message = "assertion failed"
    return ErrorInfo(type=type(exc).__name__, message=clean_message(message, scrubber), category=category)
