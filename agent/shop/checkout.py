"""Checkout: shipping address, card payment, the provider's callback and the confirmation."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent.shop.catalog import InsufficientStock
from agent.shop.forms import COUNTRIES, validate_address, validate_card
from agent.shop.orders import RESULTS, OrderLine
from agent.shop.pages import Pages, form_str, login_redirect, redirect
from agent.shop.sessions import Session, current_session
from agent.shop.state import ShopState

DECLINED = "Payment declined"


def _quantities(lines: tuple[OrderLine, ...]) -> dict[str, int]:
    return {line.slug: line.quantity for line in lines}


def _total(lines: tuple[OrderLine, ...]) -> Decimal:
    return sum((line.subtotal for line in lines), Decimal("0"))


class Checkout:
    def __init__(self, state: ShopState, pages: Pages) -> None:
        self.state = state
        self.pages = pages

    def routes(self) -> list[Route]:
        return [
            Route("/shop/checkout", self.checkout, methods=["GET", "POST"]),
            Route("/shop/payment", self.payment, methods=["GET", "POST"]),
            Route("/payment/provider/{tx}", self.provider, methods=["GET"]),
            Route("/payment/callback", self.callback, methods=["POST"]),
            Route("/shop/confirmation", self.confirmation, methods=["GET"]),
        ]

    def _customer(self, request: Request) -> tuple[Session | None, str | None]:
        session = current_session(request, self.state.sessions)
        user = self.state.user_of(session)
        return session, (user.email if user else None)

    def _stock_errors(self, lines: tuple[OrderLine, ...]) -> list[str]:
        try:
            self.state.catalog.check_available(_quantities(lines))
        except InsufficientStock as exc:
            return [str(exc)]
        return []

    async def checkout(self, request: Request) -> Response:
        session, email = self._customer(request)
        if session is None or email is None:
            return login_redirect("/shop/checkout")
        lines = self.state.cart_lines(session)
        if not lines:
            return redirect("/shop/cart")
        user = self.state.user_of(session)
        fields: dict[str, str] = {"full_name": user.name if user else ""}
        if session.address is not None:
            fields = asdict(session.address)
        errors = self._stock_errors(lines)
        status = 409 if errors else 200
        if request.method == "POST":
            form = await request.form()
            fields = {k: form_str(form.get(k)) for k in ("full_name", "street", "city", "zip", "country")}
            address, problems = validate_address(fields)
            if problems:
                errors, status = problems + errors, 400
            elif not errors and address is not None:
                self.state.sessions.set_address(session.id, address)
                return redirect("/shop/payment")
        context = {"address": fields, "countries": COUNTRIES, "errors": errors, "lines": lines, "total": _total(lines)}
        return self.pages.render(request, "checkout.html", context, status=status)

    async def payment(self, request: Request) -> Response:
        session, email = self._customer(request)
        if session is None or email is None:
            return login_redirect("/shop/checkout")
        lines = self.state.cart_lines(session)
        if not lines:
            return redirect("/shop/cart")
        if session.address is None:
            return redirect("/shop/checkout")
        errors: list[str] = []
        status = 200
        tx_id = request.query_params.get("tx")
        previous = self.state.orders.transaction(tx_id) if tx_id else None
        if previous is not None and previous.customer_email == email:
            if previous.state == "declined":
                errors, status = [f"{DECLINED} by your card issuer. Please use another card."], 402
            elif previous.state == "failed":
                errors, status = [f"Payment failed: {previous.error}"], 409
        if request.method == "POST":
            form = await request.form()
            card, errors = validate_card(
                form_str(form.get("card_number")), form_str(form.get("expiry")), form_str(form.get("cvc"))
            )
            status = 400
            stock_errors = self._stock_errors(lines)
            if stock_errors:
                errors, status = errors + stock_errors, 409
            elif card is not None:
                tx = self.state.orders.open_transaction(
                    session_id=session.id,
                    customer_email=email,
                    lines=lines,
                    address=session.address,
                    card_last4=card.last4,
                    result=card.result,
                )
                self.state.sessions.set_last_tx(session.id, tx.id)
                return redirect(f"/payment/provider/{tx.id}")
        context = {"errors": errors, "lines": lines, "total": _total(lines), "address": session.address}
        return self.pages.render(request, "payment.html", context, status=status)

    async def provider(self, request: Request) -> Response:
        """The payment provider's page (in real life on another site): reports back via the callback."""
        tx = self.state.orders.transaction(str(request.path_params["tx"]))
        if tx is None:
            raise HTTPException(404, "Unknown payment transaction.")
        context = {"tx": tx, "amount": tx.total, "signature": self.state.orders.sign(tx.id, tx.result)}
        return self.pages.render(request, "provider.html", context)

    async def callback(self, request: Request) -> Response:
        """Provider -> shop notification: ``{"tx", "result", "signature"}`` as JSON or a form."""
        is_json = request.headers.get("content-type", "").startswith("application/json")
        data: dict[str, Any]
        if is_json:
            try:
                body = json.loads(await request.body())
            except ValueError:
                return JSONResponse({"error": "the body must be JSON"}, status_code=400)
            data = body if isinstance(body, dict) else {}
        else:
            data = dict((await request.form()).items())
        tx_id, result, signature = (form_str(data.get(k)) for k in ("tx", "result", "signature"))
        tx = self.state.orders.transaction(tx_id)
        if tx is None:
            return JSONResponse({"error": "unknown transaction"}, status_code=404)
        if result not in RESULTS or not self.state.orders.verify(tx_id, result, signature):
            return JSONResponse({"error": "invalid signature"}, status_code=403)
        tx = self.state.orders.complete(tx_id, "authorized" if result == "authorized" else "declined")
        if tx.state == "confirmed":
            self.state.sessions.clear_cart(tx.session_id)
            target = f"/shop/confirmation?tx={tx.id}"
        else:
            target = f"/shop/payment?tx={tx.id}"
        if not is_json:
            return redirect(target)
        return JSONResponse({"tx": tx.id, "state": tx.state, "order_ref": tx.order_ref, "redirect": target})

    async def confirmation(self, request: Request) -> Response:
        session, email = self._customer(request)
        if session is None or email is None:
            query = f"?{request.url.query}" if request.url.query else ""
            return login_redirect(f"{request.url.path}{query}")
        tx_id = request.query_params.get("tx") or session.last_tx or ""
        tx = self.state.orders.transaction(tx_id)
        if tx is None or tx.customer_email != email:
            raise HTTPException(404, "We could not find that order.")
        if tx.state == "pending":
            return self.pages.render(request, "pending.html", status=202)
        order = self.state.orders.order(tx.order_ref) if tx.order_ref else None
        if tx.state != "confirmed" or order is None:
            return redirect(f"/shop/payment?tx={tx.id}")
        return self.pages.render(request, "confirmation.html", {"order": order})
