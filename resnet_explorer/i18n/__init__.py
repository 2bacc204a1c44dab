"""Every string the app and the CLI show, in English and 简体中文, from gettext catalogues.

The text lives in ``locales/<language>/<area>.po`` (one catalogue per area of the app, so a
translator opens one file in Poedit or any gettext tool). Each entry's ``msgctxt`` is the id the
code looks up (``"metric.params"``), its ``msgid`` the English source and its ``msgstr`` that
language's text; in ``en`` msgstr repeats msgid. Where code builds an id from a value
(``f"cfg.block.{config.block}"``), every variant is listed in the catalogue and a test checks them
against the values the code can produce (``tests/test_i18n.py``).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

__all__ = ["LANGUAGES", "STRINGS", "CATALOGUES", "t"]

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
