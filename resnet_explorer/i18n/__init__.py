"""Every string the app and the CLI show, in English and 简体中文, from gettext catalogues.

The text lives in ``locales/<language>/<area>.po`` (one catalogue per area of the app, so a
translator opens one file in Poedit or any gettext tool). Each entry's ``msgctxt`` is the id the
code looks up (``"metric.params"``), its ``msgid`` the English source and its ``msgstr`` that
language's text; in ``en`` msgstr repeats msgid. Where code builds an id from a value
(``f"cfg.block.{config.block}"``), every variant is listed in the catalogue and a test checks them
against the values the code can produce (``tests/test_i18n.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from babel.messages.pofile import read_po

__all__ = [
    "LANGUAGES",
    "STRINGS",
    "CATALOGUES",
    "t",
    "number",
    "value_range",
    "names",
    "sentences",
    "config_error",
]

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
CATALOGUES = Path(__file__).with_name("locales")


def _load() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    seen: dict[str, str] = {}
    for lang in LANGUAGES:
        for path in sorted((CATALOGUES / lang).glob("*.po")):
            with open(path, "rb") as f:
                catalog = read_po(f, locale=lang, abort_invalid=True)
            for message in catalog:
                key = message.context
                if not message.id or key is None:
                    continue  # the header
                if seen.setdefault(f"{lang}:{key}", path.stem) != path.stem:
                    raise RuntimeError(f"i18n id {key!r} defined in two {lang} catalogues")
                table.setdefault(key, {})[lang] = message.string
    return table


STRINGS: dict[str, dict[str, str]] = _load()


def t(key: str, lang: str = "en", /, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    An unknown key raises KeyError: a missing translation should fail a test, not show a key.
    """
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def number(value: object) -> str:
    """A bound or count as a reader writes it: ``8192``, ``0.95`` (never ``0.95000001`` or ``8192.0``)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def value_range(lo: object, hi: object, lang: str = "en", /) -> str:
    """ "1 to 8192" in ``lang`` (what a range of allowed values reads as)."""
    return t("cfg.range", lang, lo=number(lo), hi=number(hi))


def names(options: Iterable[str], lang: str = "en", /, code: Callable[[str], str] = str) -> str:
    """Accepted names, each through ``code``, joined as ``lang`` lists them ("A, B" / "A、B")."""
    return t("cfg.list_sep", lang).join(code(o) for o in options)


# Languages written without spaces between sentences: a full-width 。 or ！ carries its own space.
_UNSPACED = frozenset({"zh"})


def sentences(lang: str, /, *parts: str) -> str:
    """Sentences one after another as ``lang`` writes them: "Right! 3·3·…" but "正确！3·3·…"."""
    return ("" if lang in _UNSPACED else " ").join(p for p in parts if p)


# Parts of a ConfigError that are names or what the user gave, so shown through ``code``.
_CODE_PARTS = frozenset({"field", "other", "value", "shortcut", "block"})


def config_error(
    kind: str, values: Mapping[str, object], lang: str = "en", /, code: Callable[[str], str] = str
) -> str:
    """A refused config value (``core.config.ConfigError``'s ``kind`` and ``values``) in ``lang``.

    Names and the value given go through ``code`` (a Markdown code span on a page, which also
    keeps a user's text from rendering; unchanged in the CLI), the accepted names as a list,
    numbers as numbers. The catalogue's ids are ``cfg.error.<kind>``.
    """
    shown: dict[str, str] = {}
    for key, value in values.items():
        if key == "options":
            shown[key] = names(map(str, value), lang, code)  # type: ignore[call-overload]
        elif key in _CODE_PARTS:
            shown[key] = code(",".join(map(str, value)) if isinstance(value, tuple) else str(value))
        else:
            shown[key] = number(value)
    return t(f"cfg.error.{kind}", lang, **shown)
