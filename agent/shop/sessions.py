"""Server-side sessions: a random id in the ``session_id`` cookie, state kept in memory.

Sessions are created lazily (only when a handler needs to store something), expire after
``IDLE_TTL_S`` of inactivity and are capped at ``MAX_SESSIONS`` (least recently used
evicted), so a demo monitored around the clock by fresh browser contexts stays small.
The cookie is ``HttpOnly; SameSite=Lax`` (which is also the shop's CSRF defence).
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.shop.orders import Address

COOKIE_NAME = "session_id"
IDLE_TTL_S = 6 * 3600.0
MAX_SESSIONS = 10_000

_SCOPE_ID = "synth.session_id"
_SCOPE_SET = "synth.set_session"


@dataclass
class Session:
    id: str
    user_email: str | None = None
    cart: dict[str, int] = field(default_factory=dict)
    address: Address | None = None
    last_tx: str | None = None
    touched: float = field(default_factory=time.monotonic)

    @property
    def cart_count(self) -> int:
        return sum(self.cart.values())


class SessionStore:
    """Thread-safe session table. Readers get copies; writers go through the methods."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def create(self, *, carry_from: str | None = None) -> Session:
        with self._lock:
            self._expire_locked()
            session = Session(id=secrets.token_urlsafe(24))
            old = self._sessions.pop(carry_from, None) if carry_from else None
            if old is not None:
                session.cart = dict(old.cart)
            self._sessions[session.id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
            return copy.deepcopy(session)

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            session = self._live_locked(sid)
            return copy.deepcopy(session) if session else None

    def delete(self, sid: str | None) -> None:
        with self._lock:
            if sid:
                self._sessions.pop(sid, None)

    def set_user(self, sid: str, email: str | None) -> None:
        with self._lock:
            if s := self._live_locked(sid):
                s.user_email = email

    def add_to_cart(self, sid: str, slug: str, qty: int, *, max_qty: int) -> None:
        with self._lock:
            if s := self._live_locked(sid):
                s.cart[slug] = min(s.cart.get(slug, 0) + qty, max_qty)

    def set_cart_qty(self, sid: str, slug: str, qty: int) -> None:
        with self._lock:
            if s := self._live_locked(sid):
                if qty <= 0:
                    s.cart.pop(slug, None)
                else:
                    s.cart[slug] = qty

    def set_address(self, sid: str, address: Address | None) -> None:
        with self._lock:
            if s := self._live_locked(sid):
                s.address = address

    def set_last_tx(self, sid: str, tx: str) -> None:
        with self._lock:
            if s := self._live_locked(sid):
                s.last_tx = tx

    def clear_cart(self, sid: str) -> None:
        with self._lock:
            if s := self._sessions.get(sid):
                s.cart.clear()
                s.address = None

    def _live_locked(self, sid: str) -> Session | None:
        session = self._sessions.get(sid)
        if session is None:
            return None
        now = time.monotonic()
        if now - session.touched > IDLE_TTL_S:
            del self._sessions[sid]
            return None
        session.touched = now
        self._sessions.move_to_end(sid)
        return session

    def _expire_locked(self) -> None:
        now = time.monotonic()
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.touched <= IDLE_TTL_S:
                break
            self._sessions.popitem(last=False)


# -- request helpers ---------------------------------------------------------------------


def session_id(request: Request) -> str | None:
    """The session id this request runs under (the cookie's, or one created by a handler)."""
    value = request.scope.get(_SCOPE_ID)
    return value if isinstance(value, str) else None


def current_session(request: Request, store: SessionStore) -> Session | None:
    return store.get(session_id(request))


def ensure_session(request: Request, store: SessionStore) -> Session:
    """The request's session, created (and its cookie scheduled) if there is none."""
    existing = current_session(request, store)
    if existing is not None:
        return existing
    return _adopt(request, store.create())


def rotate_session(request: Request, store: SessionStore) -> Session:
    """Replace the session id (keeping the cart): done at login against session fixation."""
    return _adopt(request, store.create(carry_from=session_id(request)))


def drop_session(request: Request, store: SessionStore) -> None:
    store.delete(session_id(request))
    request.scope[_SCOPE_ID] = None
    request.scope[_SCOPE_SET] = ""


def _adopt(request: Request, session: Session) -> Session:
    request.scope[_SCOPE_ID] = session.id
    request.scope[_SCOPE_SET] = session.id
    return session


class SessionMiddleware:
    """Reads the session cookie into the scope; writes ``Set-Cookie`` when a handler changed it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[_SCOPE_ID] = _cookie_value(scope)
        scope.pop(_SCOPE_SET, None)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and _SCOPE_SET in scope:
                new_id = scope[_SCOPE_SET]
                if new_id:
                    cookie = f"{COOKIE_NAME}={new_id}; Path=/; HttpOnly; SameSite=Lax"
                else:
                    cookie = f"{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie_value(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                continue
            morsel = jar.get(COOKIE_NAME)
            if morsel is not None and morsel.value:
                return morsel.value
    return None
