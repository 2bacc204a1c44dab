"""What a student reads is words in their language, not a library's text (issue 24 §3).

The decompression-bomb refusal, the Training lab's stop and offline sentences, and 简体中文's
typography: no ASCII space after a full-width 。 or ！, no Markdown italic on Chinese characters
(a browser slants CJK by shearing it: CJK fonts have no italic).
"""

from __future__ import annotations

import re

import pytest

from resnet_explorer.classify.images import ImageInputError, load_image
from resnet_explorer.i18n import LANGUAGES, STRINGS, sentences, t
from resnet_explorer.train.runs import STOP_REASONS
from tests.helpers import png_header_only

CJK = re.compile(r"[\u4e00-\u9fff]")
# CommonMark emphasis with one * : an opener followed by a non-space, a closer preceded by one.
ITALIC = re.compile(r"(?<![*\\])\*(?=[^\s*])([^*]*?[^\s*])\*(?!\*)")


@pytest.mark.parametrize("side", [9_500, 50_000])  # past Pillow's warning, and past its error
def test_a_decompression_bomb_is_refused_in_words(side: int) -> None:
    with pytest.raises(ImageInputError) as info:
        load_image(png_header_only(side, side))
    message = str(info.value)
    assert info.value.code == "bomb"
    assert "DOS attack" not in message and "Image size" not in message, message
    assert "40,000,000 pixels" in message, message


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("reason", STOP_REASONS)
def test_a_stopped_run_says_stop_once(lang: str, reason: str) -> None:
    said = t("train.status.stopped", lang, message=t(f"train.reason.{reason}", lang))
    stop = {"en": r"\bstopped\b", "zh": "停止"}[lang]
    assert len(re.findall(stop, said, flags=re.IGNORECASE)) == 1, said


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_cifar_offline_is_said_without_the_socket_error(lang: str) -> None:
    detail = "https://www.cs.toronto.edu/: gaierror: [Errno -3] Temporary failure in name resolution"
    said = t("train.cifar.offline", lang, detail=detail)
    assert "gaierror" not in said and "Errno" not in said, said


def test_chinese_puts_no_ascii_space_after_a_full_stop_or_exclamation() -> None:
    spaced = {k: v["zh"] for k, v in STRINGS.items() if re.search(r"[。！？] ", v["zh"])}
    assert not spaced, spaced
    assert sentences("zh", "正确！", "3·3 = 9。") == "正确！3·3 = 9。"
    assert sentences("en", "Right!", "3·3 = 9.") == "Right! 3·3 = 9."


def test_chinese_has_no_italic_on_chinese_characters() -> None:
    slanted = {
        k: m.group(0)
        for k, v in STRINGS.items()
        for m in ITALIC.finditer(v["zh"].replace("**", "\0\0"))
        if CJK.search(m.group(1))
    }
    assert not slanted, slanted
