"""The `synth` command line. Each sub-command lives in its own module and
provides `add_parser(subparsers)`; its handler returns the exit code.

Exit codes: 0 all passed, 1 a journey failed or timed out, 2 usage or
configuration error, 3 infrastructure error (no browser, storage refused).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from agent import __version__
from agent.errors import EXIT_CONFIG, SynthError

COMMAND_MODULES = (
    "agent.cli.run",
    "agent.cli.journeys",
    "agent.cli.shop",
    "agent.cli.agent",
    "agent.cli.check",
    "agent.cli.spool",
    "agent.cli.report",
    "agent.cli.demo",
)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the argument, exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
        sys.exit(EXIT_CONFIG)


def build_parser() -> Parser:
    parser = Parser(prog="synth", description="Synthetic transaction monitoring with Python Playwright.")
    parser.add_argument("--version", action="version", version=f"synth {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        command_parser = _subparsers(parser).get(args.command, parser)
        command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.handler(args))
    except SynthError as exc:
        print(f"synth {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
