"""``python -m resnet_explorer``: one entry point, one sub-command module per area.

Each module listed in ``COMMANDS`` defines ``register(subparsers)``, which adds its parsers and
sets ``func(args) -> int`` on them. ``args.lang`` is the language of the run (``--lang``, anywhere on
the line, else the ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` environment, as gettext reads it);
:func:`say` looks a message up in the same catalogues as the app (``locales/*/cli.po``).

Every failure ends the same way: one line on stderr, a non-zero exit, no traceback. Errors the
user can fix (a bad flag, a dataset or a file that is not here) exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Mapping, Sequence

from .. import settings
from ..core.config import ConfigError
from ..i18n import LANGUAGES, config_error, t

__all__ = ["main", "CliError", "cli_language", "language", "say"]

COMMANDS = (
    "resnet_explorer.cli.summary",
    "resnet_explorer.cli.train",
    "resnet_explorer.cli.weights",
    "resnet_explorer.cli.demo",
    "resnet_explorer.cli.serve",
)

# The run's language, set by main() before any parser is built, so that a sub-command module can
# word its messages (``say``) without every register() taking a language argument.
_lang = "en"


class CliError(Exception):
    """A user error: printed as one line, exit status 2, no traceback."""


def language() -> str:
    """The language of the current run ("en" or "zh")."""
    return _lang


def say(key: str, /, **values: object) -> str:
    """The CLI message ``key`` in the run's language (``resnet_explorer.i18n.t``)."""
    return t(key, _lang, **values)


def _from_locale(value: str) -> str | None:
    # "zh_CN.UTF-8", "zh_TW", "zh" -> zh; "en_GB.UTF-8", "C", "POSIX" -> en; anything else: not ours.
    code = value.split(".")[0].split("@")[0].split("_")[0].lower()
    if code in ("c", "posix"):
        return "en"
    return code if code in LANGUAGES else None


def cli_language(argv: Sequence[str], environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """(language, argv without its ``--lang``): the flag wins, then the locale environment.

    ``--lang`` is taken from anywhere on the line so that ``summary --lang zh`` and ``--lang zh
    summary`` both work for every sub-command, including ones added later.
    """
    rest, chosen = [], None
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":  # everything after is an operand, never our flag
            rest += args[i:]
            break
        if arg == "--lang" or arg.startswith("--lang="):
            if "=" in arg:
                value = arg.split("=", 1)[1]
            elif i + 1 < len(args):
                value, i = args[i + 1], i + 1
            else:
                value = ""
            if value not in LANGUAGES:
                allowed = ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())
                # The language is what is wrong, so say it in both.
                raise CliError(
                    " / ".join(
                        t("cli.bad_lang", lang, value=repr(value), allowed=allowed) for lang in LANGUAGES
                    )
                )
            chosen = value
        else:
            rest.append(arg)
        i += 1
    if chosen is None:
        # gettext's order: LC_ALL overrides LC_MESSAGES, which overrides LANG.
        for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
            if environ.get(name):
                chosen = _from_locale(environ[name]) or "en"
                break
    return chosen or "en", rest


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        # argparse words its own part in English; the frame and the hint follow the run's language.
        raise CliError(say("cli.usage", prog=self.prog, message=message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m resnet_explorer", description=say("cli.description"))
    parser.add_argument("--lang", choices=sorted(LANGUAGES), help=say("cli.lang_help"))  # read before parsing
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def _fail(message: str, status: int) -> int:
    # One line: a message that spans lines (an OSError's, a library's) is joined with spaces.
    print(say("cli.error", message=" ".join(str(message).split())), file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    global _lang
    try:
        _lang, rest = cli_language(sys.argv[1:] if argv is None else argv, os.environ)
    except CliError as exc:
        _lang = "en"
        return _fail(str(exc), 2)
    # Imported here, not at the top: the module pulls in torch, and `--lang xx` should fail fast.
    from ..train.data import DatasetUnavailableError

    try:
        settings.validate_all()
        args = build_parser().parse_args(rest)
        args.lang = _lang
        return int(args.func(args) or 0)
    except ConfigError as exc:  # a flag the model refuses: the library's own words in English
        return _fail(str(exc) if _lang == "en" else config_error(exc.kind, exc.values, _lang), 2)
    except (CliError, ValueError, OSError, DatasetUnavailableError) as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return _fail(say("cli.interrupted"), 130)
    except Exception as exc:  # noqa: BLE001 - a bug still ends in one line, naming what broke
        return _fail(say("cli.internal", kind=type(exc).__name__, message=str(exc)), 1)
