"""Every page's link reader against any text: it never raises, and what it returns is in range.

A link is typed, pasted and forged by anyone, and each page reads its own (the Explorer a config,
Compare its columns, the Lesson its step). Hypothesis feeds them arbitrary keys and values, with
Unicode digits ("²", "٣"), numbers far past what ``int()`` reads (it refuses more than 4,300
digits), empty keys and keys with spaces; the issue's own links are pinned as examples.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from resnet_explorer.core import compare
from resnet_explorer.core.config import (
    LIMITS,
    LINK_PROBLEMS,
    PRESETS,
    LinkProblem,
    ResNetConfig,
    read_link,
    read_whole,
)
from resnet_explorer.i18n import LANGUAGES
from resnet_explorer.lesson import N_STEPS, parse_step
from resnet_explorer.ui.session import link_problem

# No deadline: the first call of a reader also imports and warms what it uses.
SETTINGS = settings(max_examples=150, deadline=None)

# Characters str.isdigit() or int() take that a link's ASCII number does not: superscripts,
# Arabic-Indic, Devanagari and full-width digits, circled numbers, an underscore.
ODD_DIGITS = "²³¹⁰٣٤०१２３①_"
digits = st.text(alphabet="0123456789" + ODD_DIGITS, max_size=12)
# Past int()'s 4,300-digit limit, with leading zeros too (int() counts them).
huge = st.builds(
    lambda zeros, n, sign: sign + "0" * zeros + "9" * n,
    st.integers(0, 5000),
    st.integers(0, 5000),
    st.sampled_from(["", "-", "+", " "]),
)
hostile = st.sampled_from(
    [
        "\n\n[Log in](https://ev.il/x)",
        "\n\n![x](https://ev.il/i.png)",
        "`` ` ``[x](https://ev.il)",
        "<img src=x onerror=alert(1)>",
        "nan",
        "inf",
        "1e999",
        " 3 ",
        "",
    ]
)
value = st.one_of(st.text(), digits, huge, hostile)
values = st.one_of(value, st.lists(value, max_size=3))  # a repeated key's values
# Column keys and their near misses ("c²", "c-1", "c1 "), the Explorer's fields, anything.
FIELDS = [f.name for f in dataclasses.fields(ResNetConfig)]
key = st.one_of(
    st.builds(
        lambda c, d, pad: c + d + pad,
        st.sampled_from(["c", "C", " c", "c-"]),
        digits,
        st.sampled_from(["", " "]),
    ),
    st.sampled_from(["", " ", "step", "lang", "preset", *FIELDS]),
    st.text(max_size=12),
)
queries = st.dictionaries(key, values, max_size=6)


def _said_in_every_language(problems: list[LinkProblem]) -> None:
    """Each problem is one the catalogues word, and is worded without raising."""
    for p in problems:
        assert isinstance(p, LinkProblem) and p.kind in LINK_PROBLEMS, p
        for language in LANGUAGES:
            assert link_problem(p, language).strip()


@SETTINGS
@given(st.one_of(value, st.none()))
@example("²")
@example("1" * 5000)
@example("0" * 5000 + "3")
@example("٣")
@example("\n\n[Log in](https://ev.il/x)")
def test_lesson_step_reader(raw: str | None) -> None:
    number, problem = parse_step(raw)
    assert type(number) is int and 1 <= number <= N_STEPS
    if problem is None:  # nothing asked, or the step written in ASCII digits
        assert raw in (None, "") or str(raw).strip().lstrip("+").lstrip("0") == str(number)
    else:
        assert number == 1 and problem.field == "step"
        _said_in_every_language([problem])


@SETTINGS
@given(queries)
@example({"c²": "1"})
@example({"c1 ": ""})
@example({"c-1": ""})
@example({"c" + "1" * 5000: "1"})
@example({"c1": "resnet18;width=" + "0" * 5000 + "5", "c2": "resnet34"})
def test_compare_reader(query: dict[str, str | list[str]]) -> None:
    configs, problems = compare.comparison_from_query(query)
    assert compare.MIN_COLUMNS <= len(configs) <= compare.MAX_COLUMNS
    assert all(isinstance(c, ResNetConfig) for c in configs)
    _said_in_every_language(problems)


@SETTINGS
@given(queries, st.sampled_from([("lang",), None]))
@example({"width": "0" * 5000 + "5"}, ("lang",))
@example({"stages": "0" * 5000 + "1,2"}, None)
@example({"drop_path": "٠.٥"}, None)
def test_explorer_reader(query: dict[str, str | list[str]], other_keys: tuple[str, ...] | None) -> None:
    config, base, problems = read_link(query, other_keys=other_keys)
    assert isinstance(config, ResNetConfig) and base in PRESETS
    # In range: ResNetConfig validates itself, and these are the link-facing bounds.
    for name in ("width", "num_classes", "in_channels", "input_size", "groups", "se_ratio"):
        lo, hi = LIMITS[name]
        assert lo <= getattr(config, name) <= hi
    assert all(LIMITS["blocks"][0] <= n <= LIMITS["blocks"][1] for n in config.stages)
    _said_in_every_language(problems)


@SETTINGS
@given(st.one_of(value, st.integers().map(str)), st.integers(-10_000, 10_000), st.integers(0, 10_000))
def test_read_whole_takes_only_ascii_whole_numbers_in_range(raw: str, lo: int, span: int) -> None:
    hi = lo + span
    number = read_whole("n", raw, lo, hi)
    if isinstance(number, LinkProblem):
        assert number.kind in ("not_whole", "out_of_range") and number.bounds == (lo, hi)
    else:  # exactly the number written: a sign, then ASCII digits
        assert type(number) is int and lo <= number <= hi
        text = raw.strip()
        sign, magnitude = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
        assert magnitude.isascii() and magnitude.isdigit()
        assert str(abs(number)) == (magnitude.lstrip("0") or "0")
        assert (number < 0) == (sign == "-" and number != 0)


@pytest.mark.parametrize("raw", ["²", "٣", "３", "1_0", "①", "", " ", "+", "-", "1.0", "0x1"])
def test_read_whole_refuses_what_is_not_ascii_digits(raw: str) -> None:
    assert read_whole("n", raw, 0, 10).kind == "not_whole"


def test_read_whole_bounds_the_length_not_int() -> None:
    assert read_whole("n", "0" * 5000 + "7", 1, 10) == 7  # int() would refuse these 5,001 digits
    assert read_whole("n", "9" * 5000, 1, 10).kind == "out_of_range"
    assert read_whole("n", " -0003 ", -5, 5) == -3
