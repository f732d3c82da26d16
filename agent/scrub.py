"""Secret scrubbing: every value read through `ctx.secret` is registered here
and replaced by `***` in error messages, URLs, console lines and logs."""

from __future__ import annotations

import threading
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_SECRET_LEN = 3


class Scrubber:
    """A set of secret values, and `scrub(text)` that removes them."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str) -> None:
        if len(value) < _MIN_SECRET_LEN:
            return
        variants = {value, quote(value, safe=""), quote_plus(value)}
        with self._lock:
            self._values |= variants

    def scrub(self, text: str) -> str:
        if not text or not self._values:
            return text
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._values)


#: Process-wide scrubber, shared with the log formatter so that no log line
#: carries a secret either.
GLOBAL_SCRUBBER = Scrubber()
