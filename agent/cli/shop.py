"""`synth shop`: serve the demo storefront."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("shop", help="serve the demo storefront (Odoo-like flow, fault injection)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8800, help="port (default 8800)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from agent.shop import serve

    serve(args.host, args.port)
    return 0
