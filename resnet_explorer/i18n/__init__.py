"""The one translation table: every UI string, in English and 简体中文.

The table is assembled from the modules of this package (one per area of the app, so each
area's strings live beside each other); a key may be defined only once across them.
Each module defines ``STRINGS: dict[str, dict[str, str]]`` mapping key -> {"en": ..., "zh": ...}.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["LANGUAGES", "STRINGS", "t"]

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}


def _load() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        part = importlib.import_module(f"{__name__}.{info.name}").STRINGS
        clash = table.keys() & part.keys()
        if clash:
            raise RuntimeError(f"i18n keys defined twice ({info.name}): {sorted(clash)}")
        table.update(part)
    return table


STRINGS: dict[str, dict[str, str]] = _load()


def t(key: str, lang: str = "en", /, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    An unknown key raises KeyError: a missing translation should fail a test, not show a key.
    """
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
