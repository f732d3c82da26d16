"""Customer accounts of the demo shop.

Demo customer (used by the journeys and the docs):

* email ``demo@example.com``, password ``demo-password-123``, display name "Demo Customer".

A second customer, ``jane@example.com`` / ``jane-password-456`` ("Jane Doe"), exists so
tests can check that one customer cannot read another customer's orders.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-123"
DEMO_NAME = "Demo Customer"

_ITERATIONS = 20_000


@dataclass(frozen=True)
class User:
    email: str
    name: str
    salt: bytes
    password_hash: bytes


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)


def make_user(email: str, name: str, password: str) -> User:
    salt = secrets.token_bytes(16)
    return User(email=email, name=name, salt=salt, password_hash=_hash(password, salt))


class Accounts:
    """Read-only user directory (immutable after construction, so thread-safe)."""

    def __init__(self) -> None:
        users = [
            make_user(DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD),
            make_user("jane@example.com", "Jane Doe", "jane-password-456"),
        ]
        self._users = {u.email: u for u in users}

    def get(self, email: str) -> User | None:
        return self._users.get(email.strip().lower())

    def authenticate(self, email: str, password: str) -> User | None:
        user = self.get(email)
        if user is None:
            # Spend the same time as a real check so emails cannot be probed by timing.
            _hash(password, b"0" * 16)
            return None
        if hmac.compare_digest(_hash(password, user.salt), user.password_hash):
            return user
        return None
