"""JSON endpoints: health, the order API, and the fault-injection / reset admin API.

``GET /api/orders/<ref>`` is readable by the customer who placed the order, either via
the session cookie of a signed-in browser or via HTTP Basic auth with the customer's
email and password (what API monitors use). No credentials: 401. Unknown reference, or
an order of another customer: 404 (existence is not revealed).

The admin endpoints (``/__faults``, ``/__reset``) are unauthenticated: this is a demo
shop meant to run on a private network or on localhost.
"""

from __future__ import annotations

import base64
import binascii
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from agent.shop.faults import FaultError
from agent.shop.sessions import current_session
from agent.shop.state import ShopState


class Api:
    def __init__(self, state: ShopState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            Route("/healthz", self.healthz, methods=["GET", "HEAD"]),
            Route("/api/orders/{ref}", self.order, methods=["GET"]),
            Route("/__faults", self.list_faults, methods=["GET"]),
            Route("/__faults", self.add_fault, methods=["POST"]),
            Route("/__faults", self.clear_faults, methods=["DELETE"]),
            Route("/__faults/{fault_id}", self.delete_fault, methods=["DELETE"]),
            Route("/__reset", self.reset, methods=["POST"]),
        ]

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    def _requester(self, request: Request) -> str | None:
        """Email of the caller: Basic auth credentials if sent, else the session's user."""
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                email, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            user = self.state.accounts.authenticate(email, password)
            return user.email if user else None
        user = self.state.user_of(current_session(request, self.state.sessions))
        return user.email if user else None

    async def order(self, request: Request) -> Response:
        email = self._requester(request)
        if email is None:
            return JSONResponse(
                {"error": "authentication required"},
                status_code=401,
                headers={"www-authenticate": 'Basic realm="synth-shop"'},
            )
        ref = str(request.path_params["ref"])
        order = self.state.orders.order(ref)
        if order is None or order.customer_email != email:
            return JSONResponse({"error": f"order {ref} not found"}, status_code=404)
        return JSONResponse(order.to_json())

    async def list_faults(self, request: Request) -> Response:
        return JSONResponse({"faults": [f.to_json() for f in self.state.faults.all()]})

    async def add_fault(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        try:
            fault = self.state.faults.add(body)
        except FaultError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(fault.to_json(), status_code=201)

    async def clear_faults(self, request: Request) -> Response:
        return JSONResponse({"deleted": self.state.faults.clear()})

    async def delete_fault(self, request: Request) -> Response:
        fault_id = str(request.path_params["fault_id"])
        if not self.state.faults.delete(fault_id):
            return JSONResponse({"error": f"no fault with id {fault_id}"}, status_code=404)
        return JSONResponse({"deleted": 1})

    async def reset(self, request: Request) -> Response:
        self.state.reset()
        return JSONResponse({"reset": True})
