"""The one translation table is complete in both languages, and the app switches between them."""

import re
import string

import pytest

from resnet_explorer.i18n import LANGUAGES, STRINGS, t

CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_key_is_complete_in_every_language(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == set(LANGUAGES), f"{key}: languages {sorted(entry)}, expected {sorted(LANGUAGES)}"
    for lang, text in entry.items():
        assert text.strip(), f"{key}: empty {lang} text"
    assert _fields(entry["en"]) == _fields(entry["zh"]), (
        f"{key}: placeholders differ: en {_fields(entry['en'])} vs zh {_fields(entry['zh'])}")


def test_chinese_is_actually_chinese() -> None:
    # Short labels may legitimately be the same in both (e.g. "CIFAR 3×3"), but nearly all must differ.
    untranslated = [k for k, e in STRINGS.items() if not CJK.search(e["zh"])]
    assert len(untranslated) <= 0.1 * len(STRINGS), f"zh texts with no Chinese: {untranslated}"


def test_t_fills_placeholders_and_rejects_unknown_keys() -> None:
    assert t("layers.count", "en", shown=3, total=9) == "3 of 9 rows"
    zh = t("layers.count", "zh", shown=3, total=9)
    assert "3" in zh and "9" in zh and CJK.search(zh)
    with pytest.raises(KeyError):
        t("no.such.key", "en")
