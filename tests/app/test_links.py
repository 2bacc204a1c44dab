"""Links under AppTest: a bad field costs only that field, hostile text is never rendered, the
language travels with every page.

A shared link is untrusted input shown to a whole class: ``st.warning`` renders Markdown, so a
value echoed as text becomes a live link, a fetched image or styled text. Each warning's
Markdown body is checked with the link's text removed from inside code spans: nothing of it may
be left outside them.
"""

from __future__ import annotations

import re

import pytest
from helpers import open_app
from known_answers import TORCHVISION_PARAMS

from resnet_explorer.ui.router import PAGES

CJK = re.compile(r"[\u4e00-\u9fff]")
# A code span: a run of backticks, then anything up to the same run (CommonMark, inline code).
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
# ResNet-50 with option C: each block that B leaves as identity gains a 1x1 projection (c·c
# weights) and its BN (2c), Sec. 3.3; 2, 3, 5 and 2 such blocks at widths 256..2048.
R50_C = TORCHVISION_PARAMS["resnet50"] + sum(
    n * (c * c + 2 * c) for n, c in ((2, 256), (3, 512), (5, 1024), (2, 2048))
)

HOSTILE = {
    "link": "[Session expired - log in again](https://evil.example/login)",
    "image": "![](http://evil.example/pixel.png)",
    "style": ":red[**URGENT**] :material/warning:",
    "html": "<img src=x onerror=alert(1)>",
    "backticks": "`` ` ``[x](https://evil.example)",
}


def _run(query: dict, page: str | None = None):
    at = open_app(page, query).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def _outside_code(markdown: str) -> str:
    return CODE_SPAN.sub(" ", markdown)


def _params(at) -> int:
    metric = next(m for m in at.metric if m.label in ("Parameters", "参数量"))
    return int(metric.value.replace(",", ""))


@pytest.mark.parametrize("where", ["preset", "shortcut", "key"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_link_text_is_shown_only_as_code(name: str, where: str) -> None:
    text = HOSTILE[name]
    query = {"preset": "resnet50", **({text: "1"} if where == "key" else {where: text})}
    at = _run(query)
    warnings = _warnings(at)
    assert warnings, "the bad link is reported"
    for body in warnings:
        outside = _outside_code(body)
        for fragment in ("](", "http", "evil", ":red[", "**", "<img", "onerror", ":material/warning:"):
            assert fragment not in outside, f"{fragment!r} rendered as Markdown in {body!r}"
    # The reader still sees what the link said (cut if long), as code.
    shown = " ".join(m.group(2) for w in warnings for m in CODE_SPAN.finditer(w))
    assert text.strip("` ")[:20] in shown or where == "key" and "evil" in shown, warnings


def test_a_long_value_is_cut() -> None:
    at = _run({"preset": "resnet50", "width": "9" * 5000})
    (body,) = _warnings(at)
    assert "`width`" in body
    assert len(body) < 400, len(body)
    assert _params(at) == TORCHVISION_PARAMS["resnet50"]


def test_zh_warning_is_chinese_and_still_safe() -> None:
    at = _run({"preset": "resnet50", "width": HOSTILE["link"], "lang": "zh"})
    (body,) = _warnings(at)
    assert CJK.search(body) and "`width`" in body
    outside = _outside_code(body)
    assert "](" not in outside and "got" not in outside and "allowed" not in outside, body


def test_a_bad_field_costs_only_that_field() -> None:
    at = _run({"preset": "resnet50", "shortcut": "C", "width": "abc"})
    assert at.sidebar.selectbox(key="cfg.preset").value == "resnet50"
    assert at.sidebar.selectbox(key="cfg.shortcut").value == "C"
    assert _params(at) == R50_C == 40_128_552
    (body,) = _warnings(at)
    assert "`width`" in body and "`abc`" in body and "1 to 8192" in body, body
    # The address now holds what is shown: the bad field dropped, the good ones kept.
    assert at.query_params == {"preset": "resnet50", "shortcut": "C"}


def test_preset_names_are_case_insensitive() -> None:
    at = _run({"preset": "ResNet50"})
    assert not _warnings(at)
    assert at.sidebar.selectbox(key="cfg.preset").value == "resnet50"
    assert _params(at) == TORCHVISION_PARAMS["resnet50"]
    assert at.query_params == {"preset": "resnet50"}


def test_unknown_preset_says_so_and_suggests() -> None:
    at = _run({"preset": "resnt50"})
    (body,) = _warnings(at)
    assert "`resnt50`" in body and "resnet18" in body and "`resnet50`" in body, body


def test_misspelt_key_is_reported_with_a_suggestion() -> None:
    at = _run({"preset": "resnet34", "shorcut": "A"})
    (body,) = _warnings(at)
    assert "`shorcut`" in body and "Did you mean `shortcut`?" in body, body
    assert at.sidebar.selectbox(key="cfg.shortcut").value == "B"  # ignored, not guessed
    assert _params(at) == TORCHVISION_PARAMS["resnet34"]


def test_repeated_key_is_reported_not_last_wins() -> None:
    at = _run({"preset": "resnet50", "shortcut": ["A", "C"]})
    (body,) = _warnings(at)
    assert "`shortcut`" in body and "`A`" in body and "`C`" in body and "more than once" in body, body
    assert at.sidebar.selectbox(key="cfg.shortcut").value == "B"
    assert _params(at) == TORCHVISION_PARAMS["resnet50"]


def test_unknown_language_says_so() -> None:
    at = _run({"preset": "resnet50", "lang": "fr"})
    (body,) = _warnings(at)
    assert "`fr`" in body and "language" in body and "zh" in body, body
    assert "instead" not in body and "resnet18" not in body, body
    assert at.title[0].value == "ResNet Explorer"  # English, the default
    assert _params(at) == TORCHVISION_PARAMS["resnet50"]  # the rest of the link still opens
    assert "lang" not in at.query_params


def test_unknown_language_is_reported_on_any_page() -> None:
    at = _run({"lang": "fr"}, "pages/Paper.py")
    assert any("`fr`" in w for w in _warnings(at)), _warnings(at)


def test_compare_link_text_is_shown_only_as_code() -> None:
    at = _run({"c1": f"resnet34;shortcut={HOSTILE['link']}", "c2": HOSTILE["image"]}, "pages/Compare.py")
    warnings = _warnings(at)
    assert len(warnings) == 2, warnings
    for body in warnings:
        outside = _outside_code(body)
        assert "](" not in outside and "http" not in outside, body
    assert any("`c1`" in w and "`shortcut`" in w for w in warnings), warnings


# Issue 26: links that crashed the Lesson and Compare (str.isdigit() is true for "²", which int()
# refuses; int() refuses more than 4,300 digits) or drew a live link or image in their warning.
BAD_STEPS = {
    "superscript": "²",
    "digits_5000": "1" * 5000,
    "zeros_5000": "0" * 5000 + "9",
    "arabic_indic": "٣",
    "link": "\n\n[Log in](https://ev.il/x)",
    "image": "\n\n![x](https://ev.il/i.png)",
}
BAD_COLUMNS = {
    "superscript": {"c²": "resnet50"},
    "space": {"c1 ": ""},
    "minus": {"c-1": ""},
    "zeros_5000": {"c1": "resnet18;width=" + "0" * 5000 + "9999", "c2": "resnet34"},
    "link": {"c1": "resnet18", "c2": "\n\n![x](https://ev.il/i.png)", "c³": "\n\n[Log in](https://ev.il/x)"},
}


def _only_code(warnings: list[str], lang: str) -> None:
    """Each warning is in ``lang`` and shows the link's text only inside code spans."""
    assert warnings, "the bad link is reported"
    for body in warnings:
        # A code span cannot cross a blank line (CommonMark): each paragraph has its own spans.
        outside = " ".join(_outside_code(part) for part in re.split(r"\n[ \t]*\n", body))
        for fragment in ("](", "http", "ev.il", "<img"):
            assert fragment not in outside, f"{fragment!r} rendered as Markdown in {body!r}"
        if lang == "zh":
            assert CJK.search(body) and "got" not in outside and "allowed" not in outside, body


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(BAD_STEPS))
def test_a_bad_lesson_step_is_said_as_code(name: str, lang: str) -> None:
    at = _run({"step": BAD_STEPS[name], "lang": lang}, "pages/Lesson.py")
    warnings = _warnings(at)
    _only_code(warnings, lang)
    assert any("`step`" in w for w in warnings), warnings
    assert "1/7" in at.title[0].value  # step 1 instead
    assert at.query_params.get("step") == "1"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(BAD_COLUMNS))
def test_a_bad_compare_link_is_said_as_code(name: str, lang: str) -> None:
    at = _run({**BAD_COLUMNS[name], "lang": lang}, "pages/Compare.py")
    _only_code(_warnings(at), lang)
    # The comparison drawn is one the address can hold again: two to four readable columns.
    columns = [k for k in at.query_params if k != "lang"]
    assert 2 <= len(columns) <= 4 and all(k in ("c1", "c2", "c3", "c4") for k in columns), at.query_params


@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_lang_stays_in_the_address_on_every_page(page: str) -> None:
    at = _run({"lang": "zh"}, page)
    assert at.query_params.get("lang") == "zh", at.query_params
    assert CJK.search(at.title[0].value), at.title[0].value


@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_switching_language_puts_it_in_the_address(page: str) -> None:
    at = _run({}, page)
    assert "lang" not in at.query_params
    at.sidebar.segmented_control(key="lang_select").set_value("zh").run()
    assert at.query_params.get("lang") == "zh", at.query_params
    at.sidebar.segmented_control(key="lang_select").set_value("en").run()
    assert "lang" not in at.query_params


@pytest.mark.parametrize("page", [p.path for p in PAGES[1:]])
def test_moving_to_another_page_keeps_lang(page: str) -> None:
    at = _run({"lang": "zh", "preset": "resnet50"})
    # The browser drops the query string when the user picks another page in the sidebar.
    at.query_params.clear()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params.get("lang") == "zh", at.query_params
    assert CJK.search(at.title[0].value), at.title[0].value
