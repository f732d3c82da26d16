"""HTML rendering shared by the page handlers: templates plus the header's context."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from agent.shop.catalog import format_money
from agent.shop.fault_middleware import breaks
from agent.shop.sessions import current_session
from agent.shop.state import ShopState

TEMPLATES_DIR = Path(__file__).parent / "templates"
SHOP_NAME = "Synth Demo Shop"


class Pages:
    def __init__(self, state: ShopState) -> None:
        self.state = state
        self.templates = Jinja2Templates(directory=TEMPLATES_DIR)
        self.templates.env.filters["money"] = format_money

    def render(self, request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
        session = current_session(request, self.state.sessions)
        full: dict[str, Any] = {
            "shop_name": SHOP_NAME,
            "user": self.state.user_of(session),
            "cart_count": session.cart_count if session else 0,
            "breaks": breaks(request),
            "path": request.url.path,
        }
        full.update(context or {})
        response = self.templates.TemplateResponse(request, name, full, status_code=status)
        response.headers["cache-control"] = "no-store"
        return response


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def login_redirect(target: str) -> Response:
    return redirect(f"/web/login?redirect={quote(target, safe='/')}")


def safe_target(target: str | None, default: str = "/shop") -> str:
    """Only same-site absolute paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def form_str(value: object) -> str:
    """A form field as a stripped string (uploads and missing fields become "")."""
    return value.strip() if isinstance(value, str) else ""
