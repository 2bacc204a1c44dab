"""The Lesson's numbers and questions against outside truths: torchvision, timm, the paper, closed forms."""

from __future__ import annotations

import pytest
from known_answers import (
    BASIC_256_WEIGHTS,
    BOTTLENECK_256_WEIGHTS,
    PAPER_TABLE6,
    PAPER_VGG19_GMACS,
    TIMM_PARAMS,
    TORCHVISION_PARAMS,
)

from resnet_explorer.core.config import config_from_query
from resnet_explorer.lesson import N_STEPS, check, parse_number, parse_step, step
from resnet_explorer.lesson.steps import BLOCK_WIDTHS, VGG19_CONVS, vgg19_layers

# Outside truths for every Explorer link of the lesson (parameter counts).
# ResNet-34 A = torchvision's B minus its three projections (1x1 conv + BN): 64->128, 128->256, 256->512.
R34_PROJECTIONS = (64 * 128 + 2 * 128) + (128 * 256 + 2 * 256) + (256 * 512 + 2 * 512)
# ResNet-34 C = B plus a projection on each of its 13 identity shortcuts:
# 3 at 64, 3 at 128, 5 at 256, 2 at 512.
R34_C_EXTRA = sum(n * (c * c + 2 * c) for n, c in ((3, 64), (3, 128), (5, 256), (2, 512)))
LINK_TRUTH = {
    "resnet34&shortcut=A": TORCHVISION_PARAMS["resnet34"] - R34_PROJECTIONS,
    "resnet34": TORCHVISION_PARAMS["resnet34"],
    "resnet34&shortcut=C": TORCHVISION_PARAMS["resnet34"] + R34_C_EXTRA,
    "resnet18": TORCHVISION_PARAMS["resnet18"],
    "resnet50": TORCHVISION_PARAMS["resnet50"],
    "resnet50&stride_at=1x1": TORCHVISION_PARAMS["resnet50"],
    "resnet101&stride_at=1x1": TORCHVISION_PARAMS["resnet101"],
    "resnet152&stride_at=1x1": TORCHVISION_PARAMS["resnet152"],
    "resnext50_32x4d": TORCHVISION_PARAMS["resnext50_32x4d"],
    "wide_resnet50_2": TORCHVISION_PARAMS["wide_resnet50_2"],
    "resnet50d": TIMM_PARAMS["resnet50d"],
    "preact_resnet164": 1_703_258,  # the authors' resnet-pre-act.lua, counted (docs/notes.md)
}
VGG19_TORCHVISION_PARAMS = 143_667_240  # torchvision VGG19_Weights.IMAGENET1K_V1.meta["num_params"]


def links() -> list[tuple[int, str]]:
    return [(n, link.href()[len("./?preset=") :]) for n in range(1, N_STEPS + 1) for link in step(n).links]


@pytest.mark.parametrize(("number", "query"), links())
def test_every_link_parses_to_a_valid_config(number: int, query: str) -> None:
    link = next(x for x in step(number).links if x.href().endswith(query))
    config, _, errors = config_from_query(link.query)
    assert not errors, errors
    assert config == link.config


def test_shortcut_options_and_bottleneck_against_closed_forms() -> None:
    rows = step(3).facts["rows"]
    assert rows["A"]["params"] == LINK_TRUTH["resnet34&shortcut=A"]
    assert rows["C"]["params"] == LINK_TRUTH["resnet34&shortcut=C"]
    assert step(3).questions[0].answer == 256 * 512 + 2 * 512  # conv5_x's projection: a 1×1 conv and its BN
    basic, bottleneck = step(4).questions
    assert (basic.answer, bottleneck.answer) == (BASIC_256_WEIGHTS, BOTTLENECK_256_WEIGHTS)


@pytest.mark.parametrize("c", BLOCK_WIDTHS)
def test_block_count_is_the_closed_form(c: int) -> None:
    f = step(2, c).facts
    assert f["params"] == 2 * 9 * c * c + 2 * 2 * c
    assert step(2, c).questions[0].answer == 2 * 9 * (2 * c) ** 2 + 2 * 2 * (2 * c)


def test_vgg19_is_the_paper_and_torchvision() -> None:
    rows = vgg19_layers()
    macs, params = sum(r["macs"] for r in rows), sum(r["params"] for r in rows)
    assert round(macs / 1e9, 1) == PAPER_VGG19_GMACS
    assert params == VGG19_TORCHVISION_PARAMS
    assert sum(len(convs) for _, convs in VGG19_CONVS) == 16


def test_table6_params_round_to_the_paper() -> None:
    rows = step(6).facts["rows"]
    for name, (millions, _) in PAPER_TABLE6.items():
        assert f"{rows[name]['params'] / 1e6:.{len(str(millions).split('.')[1])}f}" == str(millions), name
    assert step(6).facts["best"] == "resnet110"  # Table 6's lowest error: 6.43 %
    assert step(6).questions[0].answer == 6 * 12 + 2  # Sec. 4.2: 6n + 2 layers, for an n the table lacks
    assert (
        step(7).questions[0].answer == 3 * 3 * 4 * 128
    )  # ResNeXt-50's first 3×3: 32 groups of 4 (Xie et al.)


def test_every_question_takes_its_answer_and_refuses_a_wrong_one_with_a_hint() -> None:
    for n in range(1, N_STEPS + 1):
        for q in step(n).questions:
            assert check(q, str(q.answer)).right, q.id
            wrong = (
                next(c for c in q.choices if c != q.answer)
                if q.kind == "choice"
                else str(float(q.answer) * 3 + 7)
            )
            verdict = check(q, wrong)
            assert verdict.status == "wrong" and verdict.hint, q.id
            for mistake, hint in q.mistakes:
                assert check(q, str(mistake)).hint == hint, (q.id, mistake)


def test_numbers_are_read_as_students_type_them() -> None:
    assert parse_number("1,179,648") == parse_number("1 179 648") == parse_number("１１７９６４８") == 1179648
    assert parse_number("1.7") == 1.7
    assert parse_number("1,7") is None and parse_number("abc") is None and parse_number("nan") is None


def test_step_from_the_address() -> None:
    assert parse_step(None) == (1, None) and parse_step("3") == (3, None)
    for bad in ("0", "8", "x", "-1"):
        number, problem = parse_step(bad)
        assert number == 1 and "1 to 7" in problem
