"""``python -m resnet_explorer``: one entry point, one sub-command module per area.

Each module listed in ``COMMANDS`` defines ``register(subparsers)``, which adds its parsers and
sets ``func(args) -> int`` on them. Errors the user can fix print one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import settings

__all__ = ["main", "CliError"]

COMMANDS = (
    "resnet_explorer.cli.summary",
    "resnet_explorer.cli.train",
    "resnet_explorer.cli.weights",
    "resnet_explorer.cli.demo",
)


class CliError(Exception):
    """A user error: printed as one line, exit status 2, no traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise CliError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m resnet_explorer",
                     description="Explore residual networks (He et al. 2015) from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        settings.validate_all()
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except (CliError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
