"""Wires the demo shop's state, middleware and routes into a Starlette application."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agent.shop.api import Api
from agent.shop.checkout import Checkout
from agent.shop.fault_middleware import FaultMiddleware
from agent.shop.pages import Pages
from agent.shop.sessions import SessionMiddleware
from agent.shop.state import ShopState
from agent.shop.storefront import Storefront

_JSON_PREFIXES = ("/api/", "/__", "/payment/callback")


def create_app(*, seed: int | None = None, restock_every_s: float | None = None) -> Starlette:
    """Build a fresh shop with its own in-memory state.

    ``seed`` makes the sampling of flaky faults (``rate``) reproducible.
    ``restock_every_s`` puts the stock back to its initial levels this often (off by
    default so tests see exact stock numbers; ``serve()`` restocks hourly).
    The state is reachable as ``app.state.shop`` (a :class:`ShopState`).
    """
    state = ShopState.create(seed=seed, restock_every_s=restock_every_s)
    pages = Pages(state)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith(_JSON_PREFIXES):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        title = "Page not found" if exc.status_code == 404 else f"Error {exc.status_code}"
        message = exc.detail if exc.status_code == 404 else "Something went wrong."
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = "The page you are looking for does not exist."
        context = {"title": title, "message": message}
        return pages.render(request, "error.html", context, status=exc.status_code)

    routes = [*Storefront(state, pages).routes(), *Checkout(state, pages).routes(), *Api(state).routes()]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, registry=state.faults), Middleware(SessionMiddleware)],
        exception_handlers={HTTPException: http_error},
    )
    app.state.shop = state
    return app
