"""Browsing pages: sign in/out, catalogue, product pages and the cart."""

from __future__ import annotations

from decimal import Decimal

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent.shop.pages import Pages, form_str, redirect, safe_target
from agent.shop.sessions import current_session, drop_session, ensure_session, rotate_session
from agent.shop.state import MAX_LINE_QTY, ShopState

WRONG_LOGIN = "Wrong login/password"


class Storefront:
    def __init__(self, state: ShopState, pages: Pages) -> None:
        self.state = state
        self.pages = pages

    def routes(self) -> list[Route]:
        return [
            Route("/", self.home),
            Route("/web/login", self.login_form, methods=["GET"]),
            Route("/web/login", self.login, methods=["POST"]),
            Route("/web/session/logout", self.logout, methods=["GET", "POST"]),
            Route("/shop", self.catalogue),
            Route("/shop/product/{slug}", self.product),
            Route("/shop/cart", self.cart),
            Route("/shop/cart/update", self.cart_update, methods=["POST"]),
        ]

    async def home(self, request: Request) -> Response:
        return redirect("/shop")

    async def login_form(self, request: Request) -> Response:
        target = safe_target(request.query_params.get("redirect"))
        return self.pages.render(request, "login.html", {"redirect_to": target, "login": "", "error": None})

    async def login(self, request: Request) -> Response:
        form = await request.form()
        email, password = form_str(form.get("login")), form_str(form.get("password"))
        target = safe_target(form_str(form.get("redirect")))
        user = self.state.accounts.authenticate(email, password) if email and password else None
        if user is None:
            context = {"redirect_to": target, "login": email, "error": WRONG_LOGIN}
            return self.pages.render(request, "login.html", context)
        session = rotate_session(request, self.state.sessions)
        self.state.sessions.set_user(session.id, user.email)
        return redirect(target)

    async def logout(self, request: Request) -> Response:
        drop_session(request, self.state.sessions)
        return redirect(safe_target(request.query_params.get("redirect")))

    async def catalogue(self, request: Request) -> Response:
        context = {"products": self.state.catalog.products(), "stock": self.state.catalog.stock_levels()}
        return self.pages.render(request, "shop.html", context)

    async def product(self, request: Request) -> Response:
        return self._product_page(request, str(request.path_params["slug"]))

    def _product_page(self, request: Request, slug: str, error: str | None = None) -> Response:
        product = self.state.catalog.get(slug)
        if product is None:
            raise HTTPException(404, f"There is no product called '{slug}'.")
        context = {
            "product": product,
            "stock": self.state.catalog.stock(slug),
            "max_qty": MAX_LINE_QTY,
            "error": error,
        }
        return self.pages.render(request, "product.html", context, status=400 if error else 200)

    async def cart(self, request: Request) -> Response:
        lines = self.state.cart_lines(current_session(request, self.state.sessions))
        total = sum((line.subtotal for line in lines), Decimal("0"))
        return self.pages.render(request, "cart.html", {"lines": lines, "total": total})

    async def cart_update(self, request: Request) -> Response:
        """Odoo-style ``/shop/cart/update``: ``add_qty`` adds to a line, ``set_qty`` replaces it."""
        form = await request.form()
        slug = form_str(form.get("product_id"))
        if self.state.catalog.get(slug) is None:
            raise HTTPException(404, f"There is no product called '{slug}'.")
        set_qty = form_str(form.get("set_qty"))
        raw = set_qty or form_str(form.get("add_qty")) or "1"
        lowest = 0 if set_qty else 1
        try:
            qty = int(raw)
        except ValueError:
            qty = -1
        if not lowest <= qty <= MAX_LINE_QTY:
            message = f"Quantity must be a whole number between {lowest} and {MAX_LINE_QTY}."
            return self._product_page(request, slug, error=message)
        session = ensure_session(request, self.state.sessions)
        if set_qty:
            self.state.sessions.set_cart_qty(session.id, slug, qty)
        else:
            self.state.sessions.add_to_cart(session.id, slug, qty, max_qty=MAX_LINE_QTY)
        return redirect("/shop/cart")
