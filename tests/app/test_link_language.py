"""A refused value is said in the page's language throughout (issue 10, "Links and language").

The sentence around a bad link's value was translated, but its details were English: the
allowed range or options ("allowed: 1 to 8192", "'A', 'B', 'C'") and the reasons validation
gives for a value that conflicts with the rest of the model ("needs a projection", "would be 0").
Every way a value is refused and the text reaches a page is opened here in 简体中文 (Explorer and
Compare links, the config editor) and in English, which must read as before.
"""

from __future__ import annotations

import re

import pytest
from helpers import open_app

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
# Latin words a Chinese message may keep outside code: the papers' names, the formula's int()
# and Python's True/False; preset names such as resnet50 are whole words with digits.
KEPT_LATIN = {"ResNet", "ResNeXt", "int", "True", "False"}

# One link per way a value is refused: a value alone (range, whole number, option, float range,
# stage count, blocks per stage) and each cross-field check (the value conflicts with the rest).
BAD_LINKS: dict[str, dict[str, str]] = {
    "range": {"preset": "resnet50", "width": "99999"},
    "whole": {"preset": "resnet50", "width": "abc"},
    "option": {"preset": "resnet50", "shortcut": "X"},
    "float_range": {"preset": "resnet50", "drop_path": "2"},
    "stage_count": {"preset": "resnet50", "stages": "1,1,1,1,1,1,1"},
    "stage_blocks": {"preset": "resnet50", "stages": "3,0,6,3"},
    "pool_needs_projection": {"preset": "resnet50", "shortcut": "A", "shortcut_pool": "1"},
    "basic_groups": {"preset": "resnet18", "groups": "32"},
    "inner_width_zero": {"preset": "resnet50", "width": "1", "width_per_group": "4"},
    "se_squeeze": {"preset": "resnet18", "se_ratio": "100"},
    "plain_drop_path": {"preset": "plain34", "drop_path": "0.3"},
}
# What each warning must show, in either language: the field as code and the allowed numbers.
SHOWN: dict[str, tuple[str, ...]] = {
    "range": ("`width`", "`99999`", "8192"),
    "whole": ("`width`", "`abc`", "8192"),
    "option": ("`shortcut`", "`X`", "`A`", "`B`", "`C`", "`none`"),
    "float_range": ("`drop_path`", "0.95"),
    "stage_count": ("`stages`", "6"),
    "stage_blocks": ("`stages`", "500"),
    "pool_needs_projection": ("`shortcut_pool`", "`shortcut`", "`A`", "`B`", "`C`"),
    "basic_groups": ("`groups`", "`width_per_group`", "32/64", "1/64", "`bottleneck`"),
    "inner_width_zero": ("`width_per_group`", "`width`", "int(1·4/64)·1", "64"),
    "se_squeeze": ("`se_ratio`", "100", "64"),
    "plain_drop_path": ("`drop_path`", "`0.3`", "`A`", "`B`", "`C`"),
}
# The English a warning read before (and must still read).
ENGLISH: dict[str, str] = {
    "range": "allowed: 1 to 8192",
    "whole": "allowed: 1 to 8192",
    "option": "allowed: `A`, `B`, `C`, `none`",
    "float_range": "allowed: 0 to 0.95",
    "stage_count": "allowed: 1 to 6 stages",
    "stage_blocks": "allowed: 1 to 500 blocks per stage",
    "pool_needs_projection": "needs a projection",
    "basic_groups": "basic blocks allow only 1/64",
    "inner_width_zero": "would be 0; allowed: at least 64",
    "se_squeeze": "would squeeze to 0; allowed: 0 (off) or 1 to 64",
    "plain_drop_path": "on a plain net",
}


def _english_left(markdown: str) -> list[str]:
    """Latin words outside code spans (names and values are code; the rest should be Chinese)."""
    outside = CODE_SPAN.sub(" ", markdown)
    return [w for w in re.findall(r"\b[A-Za-z]{2,}\b", outside) if w not in KEPT_LATIN]


def _warnings(query: dict[str, str], page: str | None = None) -> list[str]:
    at = open_app(page, query).run()
    assert not at.exception, [e.value for e in at.exception]
    return [w.value for w in at.warning]


@pytest.mark.parametrize("case", list(BAD_LINKS))
def test_explorer_link_warning_is_chinese_throughout(case: str) -> None:
    (body,) = _warnings({**BAD_LINKS[case], "lang": "zh"})
    assert CJK.search(body), body
    assert not _english_left(body), f"English left in the zh warning: {_english_left(body)} in {body!r}"
    for shown in SHOWN[case]:
        assert shown in body, f"{shown!r} missing from {body!r}"


@pytest.mark.parametrize("case", list(BAD_LINKS))
def test_explorer_link_warning_in_english_reads_as_before(case: str) -> None:
    (body,) = _warnings(BAD_LINKS[case])
    assert not CJK.search(body), body
    assert ENGLISH[case] in body, body
    for shown in SHOWN[case]:
        assert shown in body, f"{shown!r} missing from {body!r}"


def test_compare_link_warnings_are_chinese_throughout() -> None:
    # Five columns (two too many is said too), two of them refusing a value each.
    query = {
        "lang": "zh",
        "c1": "resnet50;width=99999",
        "c2": "resnet18;groups=32",
        "c3": "resnet20",
        "c4": "resnet20",
        "c5": "resnet20",
    }
    warnings = _warnings(query, "pages/Compare.py")
    assert len(warnings) == 3, warnings
    for body in warnings:
        assert CJK.search(body), body
        assert not _english_left(body), f"English left: {_english_left(body)} in {body!r}"
    text = " ".join(warnings)
    for shown in ("`c1`", "`width`", "8192", "`c2`", "`groups`", "1/64", "2 至 4"):
        assert shown in text, f"{shown!r} missing from {warnings}"


@pytest.mark.parametrize(
    ("knob", "value", "shown"),
    [
        ("stages", "2,0,2", ("`stages[2]`", "`0`", "500")),
        ("stages", "two", ("`stages`", "`two`", "3,4,6,3")),
        ("se_ratio", 100, ("`se_ratio`", "100", "64")),
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_editor_refusal_is_in_the_page_language(knob: str, value: object, shown: tuple, lang: str) -> None:
    at = open_app(None, {"lang": lang} if lang != "en" else {}).run()
    widget = at.sidebar.text_input if knob == "stages" else at.sidebar.number_input
    widget(key=f"cfg.{knob}").set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    (body,) = [e.value for e in at.sidebar.error]
    for part in shown:
        assert part in body, f"{part!r} missing from {body!r}"
    if lang == "zh":
        assert CJK.search(body) and not _english_left(body), body
    else:
        assert "got" in body and not CJK.search(body), body


def test_editor_echoes_long_text_cut_and_only_as_code() -> None:
    text = "[log in](https://evil.example/" + "x" * 200 + ")"
    at = open_app(None, {"lang": "zh"}).run()
    at.sidebar.text_input(key="cfg.stages").input(text).run()
    (body,) = [e.value for e in at.sidebar.error]
    outside = CODE_SPAN.sub(" ", body)
    assert "](" not in outside and "evil" not in outside, body
    assert len(body) < 200, body
