"""Edges an outside fuzz found (issue 24 §4): option A that would crop, and where pre-activation
shortcuts split off.

Outside truths: the paper's option A pads and never crops (Sec. 3.3, "zero entries padded for
increasing dimensions"), and two reference codes for pre-activation units, written out here by hand
with ``torch.nn.functional`` on the built module's own weights (never through the library's forward):

- the authors' ``resnet-pre-act.lua`` (KaimingHe/resnet-1k-layers): a unit that changes the shape
  applies a "common BN, ReLU" before the split, so its shortcut (B's projection; A's zero-pad, the
  same split) reads BN-ReLU(x); an identity shortcut reads x;
- fb.resnet.torch's ``models/preresnet.lua``, the only reference with option C: the first unit of each
  stage is "both_preact" (the projection reads BN-ReLU(x)), every other unit's projection reads x.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from resnet_explorer import PRESETS, ResNetConfig, build_model
from resnet_explorer.core.config import ConfigError, read_link
from resnet_explorer.core.model import ZeroPadShortcut
from resnet_explorer.core.plan import make_plan
from resnet_explorer.i18n import config_error
from resnet_explorer.visual.charts import shortcut_options_data

# --- option A never crops ----------------------------------------------------------------------

FUZZ = dict(stem="cifar", stages=(1, 1), width=4, stem_width=16, shortcut="A", input_size=8, num_classes=3)


def test_the_fuzzed_config_is_refused_naming_the_fields_and_what_is_allowed() -> None:
    with pytest.raises(ConfigError) as info:
        ResNetConfig(**FUZZ)
    error = info.value
    assert error.kind == "pad_narrows"
    assert str(error) == (
        "stem_width: got 16 with shortcut 'A'; option A pads a shortcut with zero channels and cannot "
        "drop any, and the stem's 16 channels are more than the 4 the first stage puts out (width 4 × 1): "
        "allowed: stem_width 0 to 4, width at least 16, or shortcut 'B' or 'C'"
    )
    # Each way out it names is indeed allowed, and builds a net whose first shortcut does not crop.
    for fix in ({"stem_width": 4}, {"stem_width": 0}, {"width": 16}, {"shortcut": "B"}, {"shortcut": "C"}):
        config = ResNetConfig(**{**FUZZ, **fix})
        first = make_plan(config).blocks[0]
        assert first.out_channels >= first.in_channels or first.shortcut == "projection", fix
        assert build_model(config)(torch.randn(2, 3, 8, 8)).shape == (2, 3)
    # Both languages word it with every part filled in.
    for lang in ("en", "zh"):
        text = config_error(error.kind, error.values, lang)
        assert "{" not in text and "16" in text and "stem_width" in text and "shortcut" in text, text


@pytest.mark.parametrize(
    ("block", "width", "stem_width", "refused"),
    [
        ("basic", 4, 4, False),  # as wide as stage 1: an identity shortcut
        ("basic", 4, 5, True),
        ("basic", 8, 4, False),  # narrower: zero-padded to stage 1's width
        ("bottleneck", 4, 16, False),  # a bottleneck puts out 4 x width
        ("bottleneck", 4, 17, True),
    ],
)
def test_option_a_allows_a_stem_up_to_the_first_stages_output(
    block: str, width: int, stem_width: int, refused: bool
) -> None:
    fields = dict(FUZZ, block=block, width=width, stem_width=stem_width)
    if refused:
        with pytest.raises(ConfigError, match="pad_narrows|cannot drop any") as info:
            ResNetConfig(**fields)
        assert info.value.kind == "pad_narrows" and info.value.values["channels"] == width * (
            4 if block == "bottleneck" else 1
        )
    else:
        assert ResNetConfig(**fields).stem_width == stem_width


def test_zero_pad_module_refuses_to_crop() -> None:
    # What the fuzz saw: F.pad with a negative pad quietly returned x[:, :4].
    with pytest.raises(ValueError, match="cannot crop"):
        ZeroPadShortcut(4, 1)(torch.randn(1, 16, 2, 2))


def test_a_link_asking_for_the_combination_reports_a_conflict() -> None:
    config, _, problems = read_link({"preset": "resnet20", "stem_width": "32"})
    assert config.stem_width == 0
    assert [(p.kind, p.field, p.reason[0]) for p in problems] == [("conflict", "stem_width", "pad_narrows")]


def test_switching_to_option_a_narrows_a_wide_stem_and_the_options_chart_draws() -> None:
    config = ResNetConfig(**{**FUZZ, "shortcut": "B"})
    assert config.with_shortcut("A").stem_width == 4
    assert config.with_shortcut("C").stem_width == 16 and config.with_shortcut("none").stem_width == 16
    df = shortcut_options_data(config).set_index("option")
    assert df.loc["A", "shortcut_params"] == 0 and bool(df.loc["B", "current"])


# --- pre-activation shortcuts, against a forward written from the references ---------------------


def _randomise_bns(model: nn.Module, seed: int) -> None:
    """Running statistics and affine parameters away from identity, so BN-ReLU(x) is far from x."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.5)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.5)


def _bn_relu(x: torch.Tensor, bn: nn.BatchNorm2d) -> torch.Tensor:
    return F.relu(F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps))


def _reference_unit(
    block: nn.Module, x: torch.Tensor, convs: list[tuple[int, int]], kind: str, reads_preact: bool
) -> torch.Tensor:
    """A pre-activation unit (arXiv 1603.05027, Fig. 1b): each conv i as BN-ReLU then conv (kernel, stride
    from ``convs``, padding k // 2), plus the shortcut per the rule under test on x or on BN-ReLU(x)."""
    pre = _bn_relu(x, block.bn1)
    h, stride = x, 1
    for i, (k, s) in enumerate(convs, start=1):
        a = pre if i == 1 else _bn_relu(h, getattr(block, f"bn{i}"))
        h = F.conv2d(a, getattr(block, f"conv{i}").weight, None, s, k // 2)
        stride *= s
    source = pre if reads_preact else x
    if kind == "identity":
        shortcut = source
    elif kind == "zero-pad":  # every stride-th pixel, zero channels appended (fb.resnet.torch)
        kept = source[:, :, ::stride, ::stride]
        zeros = kept.new_zeros(kept.shape[0], h.shape[1] - kept.shape[1], *kept.shape[2:])
        shortcut = torch.cat([kept, zeros], dim=1)
    else:  # a bare strided 1x1 conv: no BN on pre-activation projections (resnet-pre-act.lua)
        shortcut = F.conv2d(source, block.downsample[0].weight, None, stride)
    return h + shortcut


TINY = dict(stem="cifar", width=4, preact=True, input_size=8, num_classes=3)
BASIC = [(3, 1), (3, 1)]
BASIC_STRIDED = [(3, 2), (3, 1)]
# (case, config, stage, unit, its convs, shortcut kind, reads BN-ReLU(x)), each expectation from the rules.
UNITS = [
    ("A grows and halves", dict(TINY, stages=(1, 2), shortcut="A"), 2, 0, BASIC_STRIDED, "zero-pad", True),
    (
        "A grows from a narrow stem",
        dict(TINY, stages=(1,), shortcut="A", stem_width=2),
        1,
        0,
        BASIC,
        "zero-pad",
        True,
    ),
    ("A identity", dict(TINY, stages=(1, 2), shortcut="A"), 2, 1, BASIC, "identity", False),
    ("A identity, stage 1", dict(TINY, stages=(1, 2), shortcut="A"), 1, 0, BASIC, "identity", False),
    ("C first unit, stage 1", dict(TINY, stages=(2, 2), shortcut="C"), 1, 0, BASIC, "projection", True),
    ("C later unit, stage 1", dict(TINY, stages=(2, 2), shortcut="C"), 1, 1, BASIC, "projection", False),
    (
        "C first unit, stage 2",
        dict(TINY, stages=(2, 2), shortcut="C"),
        2,
        0,
        BASIC_STRIDED,
        "projection",
        True,
    ),
    ("C later unit, stage 2", dict(TINY, stages=(2, 2), shortcut="C"), 2, 1, BASIC, "projection", False),
    (
        "C bottleneck, later unit",
        dict(TINY, stages=(2, 2), shortcut="C", block="bottleneck", stride_at="1x1"),
        2,
        1,
        [(1, 1), (3, 1), (1, 1)],
        "projection",
        False,
    ),
    (
        "C bottleneck, first unit",
        dict(TINY, stages=(2, 2), shortcut="C", block="bottleneck", stride_at="3x3"),
        2,
        0,
        [(1, 1), (3, 2), (1, 1)],
        "projection",
        True,
    ),
    ("B projection", dict(TINY, stages=(1, 2), shortcut="B"), 2, 0, BASIC_STRIDED, "projection", True),
    ("B identity", dict(TINY, stages=(1, 2), shortcut="B"), 2, 1, BASIC, "identity", False),
]


@pytest.mark.parametrize(
    ("fields", "stage", "unit", "convs", "kind", "reads_preact"),
    [case[1:] for case in UNITS],
    ids=[case[0] for case in UNITS],
)
def test_preact_unit_matches_the_reference_forward(
    fields: dict, stage: int, unit: int, convs: list[tuple[int, int]], kind: str, reads_preact: bool
) -> None:
    config = ResNetConfig(**fields)
    spec = make_plan(config).stages[stage - 1].blocks[unit]
    assert (spec.shortcut, spec.shortcut_preact) == (kind, reads_preact)
    if spec.shortcut_layers:  # BN-ReLU keeps the shape: the shortcut reads a map of the block's input shape
        assert spec.shortcut_layers[0].in_shape == spec.in_shape
    model = build_model(config).eval()
    _randomise_bns(model, seed=stage * 10 + unit)
    block = getattr(model, f"layer{stage}")[unit]
    x = torch.randn(2, *spec.in_shape, generator=torch.Generator().manual_seed(unit))
    with torch.no_grad():
        ours, theirs = block(x.clone()), _reference_unit(block, x, convs, kind, reads_preact)
        other = _reference_unit(block, x, convs, kind, not reads_preact)
    assert ours.shape == (2, *spec.out_shape)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)
    if kind != "identity":  # the test can tell the two inputs apart
        assert (ours - other).abs().max() > 1e-2


def test_post_activation_shortcuts_read_x() -> None:
    plan = make_plan(dataclasses.replace(PRESETS["resnet20"], shortcut="C"))
    assert not any(b.shortcut_preact for b in plan.blocks)


def test_option_c_preact_folds_the_first_unit_apart() -> None:
    # Equal signatures are drawn as one run: a unit whose projection reads BN-ReLU(x) is not its
    # neighbours' twin even where the shapes agree (ResNet-18's stage 1: 64 -> 64 throughout).
    blocks = make_plan(dataclasses.replace(PRESETS["resnet18"], shortcut="C", preact=True)).stages[0].blocks
    assert blocks[0].signature != blocks[1].signature
    assert [b.shortcut_preact for b in blocks] == [True, False]
