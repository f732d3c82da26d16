"""A small demo web shop following an Odoo eCommerce shop's flow and URLs.

Run it with ``synth shop --host 127.0.0.1 --port 8800`` (:func:`serve`), or in a test with
:class:`ShopServer`. Demo customer: ``demo@example.com`` / ``demo-password-123``
("Demo Customer"). Test cards: ``4242424242424242`` succeeds, ``4000000000000002`` is
declined. Pages: ``/web/login``, ``/shop``, ``/shop/product/<slug>``, ``/shop/cart``,
``/shop/checkout``, ``/shop/payment``, ``/payment/provider/<tx>`` (the payment provider,
which confirms through ``POST /payment/callback``), ``/shop/confirmation``; JSON:
``/api/orders/<ref>``, ``/healthz``; fault injection: ``/__faults`` and ``/__reset`` (see
:mod:`agent.shop.faults`).
"""

from agent.shop.accounts import DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD
from agent.shop.app import create_app
from agent.shop.server import ShopServer, serve

__all__ = ["DEMO_EMAIL", "DEMO_NAME", "DEMO_PASSWORD", "ShopServer", "create_app", "serve"]
