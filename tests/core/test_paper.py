"""The paper's own numbers (He et al. 2015, arXiv 1512.03385) and torchvision's published metadata.

Every expected value here comes from outside the library: the paper's Table 1 and Table 6,
torchvision's ``WeightsEnum.meta`` (read from the installed package, nothing downloads), or a
closed-form count written out in the test.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import torchvision

from resnet_explorer import PRESETS, analyze
from resnet_explorer.core.plan import make_plan

# Table 1, "FLOPs" row (multiply-adds at 224x224), in units of 10^9.
TABLE1_GMACS = {"resnet18": 1.8, "resnet34": 3.6, "resnet50": 3.8, "resnet101": 7.6, "resnet152": 11.3}
TABLE1_DEPTH = {"resnet18": 18, "resnet34": 34, "resnet50": 50, "resnet101": 101, "resnet152": 152}
# torchvision's weights enums carry num_params and "_ops" (GFLOPS = multiply-adds, 3 decimals).
TORCHVISION_WEIGHTS = {
    "resnet18": torchvision.models.ResNet18_Weights.IMAGENET1K_V1,
    "resnet34": torchvision.models.ResNet34_Weights.IMAGENET1K_V1,
    "resnet50": torchvision.models.ResNet50_Weights.IMAGENET1K_V1,
    "resnet101": torchvision.models.ResNet101_Weights.IMAGENET1K_V1,
    "resnet152": torchvision.models.ResNet152_Weights.IMAGENET1K_V1,
}
# Table 6 (CIFAR-10), parameters in millions as printed; 6n+2 layers.
TABLE6_MPARAMS = {"resnet20": 0.27, "resnet32": 0.46, "resnet44": 0.66, "resnet56": 0.85,
                  "resnet110": 1.7, "resnet1202": 19.4}


def _paper_style(name: str):
    # The paper strides the first 1x1 of a bottleneck (torchvision's V1.5 moved it to the 3x3).
    return dataclasses.replace(PRESETS[name], stride_at="1x1")


@pytest.mark.parametrize("name", TABLE1_GMACS)
def test_table1_macs_paper_stride(name: str) -> None:
    gmacs = analyze(_paper_style(name)).total_macs / 1e9
    # Table 1 prints one decimal; for 34 (3.66) and 50 (3.86) it truncates rather than rounds,
    # so accept either reading of the printed digit, and nothing further away.
    readings = {round(gmacs, 1), math.floor(gmacs * 10) / 10}
    assert TABLE1_GMACS[name] in readings, f"{name}: {gmacs:.3f} G MACs vs Table 1's {TABLE1_GMACS[name]}"


@pytest.mark.parametrize("name", TORCHVISION_WEIGHTS)
def test_v15_macs_match_torchvision_metadata(name: str) -> None:
    meta = TORCHVISION_WEIGHTS[name].meta
    a = analyze(PRESETS[name])
    assert round(a.total_macs / 1e9, 3) == pytest.approx(meta["_ops"], abs=1e-9)
    assert a.total_params == meta["num_params"]


@pytest.mark.parametrize(("name", "paper", "v15"), [
    ("resnet50", 3.86, 4.09), ("resnet101", 7.57, 7.80), ("resnet152", 11.28, 11.51),
])
def test_stride_placement_changes_macs_not_params(name: str, paper: float, v15: float) -> None:
    a_paper, a_v15 = analyze(_paper_style(name)), analyze(PRESETS[name])
    assert round(a_paper.total_macs / 1e9, 2) == paper
    assert round(a_v15.total_macs / 1e9, 2) == v15
    assert a_paper.total_params == a_v15.total_params


@pytest.mark.parametrize("name", ["resnet18", "resnet34"])
def test_stride_placement_does_not_touch_basic_blocks(name: str) -> None:
    assert analyze(_paper_style(name)).total_macs == analyze(PRESETS[name]).total_macs


@pytest.mark.parametrize("name", TABLE1_DEPTH)
def test_table1_depth_and_output_sizes(name: str) -> None:
    a = analyze(PRESETS[name])
    assert a.depth == TABLE1_DEPTH[name]
    plan = make_plan(PRESETS[name])
    # Table 1 "output size": conv1 112x112, conv2_x 56x56, conv3_x 28, conv4_x 14, conv5_x 7.
    assert plan.stem[0].out_shape[1:] == (112, 112)
    assert [s.out_shape[1:] for s in plan.stages] == [(56, 56), (28, 28), (14, 14), (7, 7)]
    expansion = 4 if TABLE1_DEPTH[name] >= 50 else 1
    assert [s.out_shape[0] for s in plan.stages] == [64 * expansion * 2**i for i in range(4)]


@pytest.mark.parametrize("name", TABLE6_MPARAMS)
def test_table6_params(name: str) -> None:
    a = analyze(PRESETS[name])
    printed = TABLE6_MPARAMS[name]
    decimals = len(str(printed).split(".")[1])
    assert round(a.total_params / 1e6, decimals) == printed
    n = (int(name.removeprefix("resnet")) - 2) // 6
    assert a.depth == 6 * n + 2  # Sec. 4.2: 6n+2 weighted layers


def test_resnet20_exact_params() -> None:
    # Closed form, option A (no shortcut weights): 3x3 stem conv 3->16 + BN; per stage of width w
    # with input width w_in: first block 9*w_in*w + 9*w*w, then (n-1) blocks of 2*9*w*w, each conv
    # followed by a BN (2w); FC 64*10 + 10.
    n, widths = 3, (16, 32, 64)
    total = 9 * 3 * 16 + 2 * 16
    w_in = 16
    for w in widths:
        total += 9 * w_in * w + 9 * w * w + (n - 1) * 2 * 9 * w * w + n * 2 * (2 * w)
        w_in = w
    total += 64 * 10 + 10
    assert total == 269_722
    assert analyze(PRESETS["resnet20"]).total_params == 269_722
    # The plain net differs only in having no shortcuts: option A adds no parameters.
    assert analyze(PRESETS["plain20"]).total_params == 269_722


def test_resnet50_option_c_params() -> None:
    # Option C adds a 1x1 projection (+ BN) on every block that option B leaves as identity:
    # stages of output width 256/512/1024/2048 with 3/4/6/3 blocks, the first already projected.
    extra = sum((n - 1) * (c * c + 2 * c) for n, c in zip((3, 4, 6, 3), (256, 512, 1024, 2048), strict=True))
    a = analyze(dataclasses.replace(PRESETS["resnet50"], shortcut="C"))
    assert a.total_params == 25_557_032 + extra
    assert round(a.total_params / 1e6, 1) == 40.1


def test_option_a_has_no_shortcut_params() -> None:
    # ResNet-34 A (Table 3) has exactly the parameters of plain-34: zero-padding has no weights.
    a = analyze(dataclasses.replace(PRESETS["resnet34"], shortcut="A"))
    assert a.shortcut_params == 0
    assert a.total_params == analyze(PRESETS["plain34"]).total_params
    # Option B adds the three 1x1 projections + BN where the width doubles (64->128->256->512).
    b = analyze(PRESETS["resnet34"])
    projections = sum(ci * co + 2 * co for ci, co in ((64, 128), (128, 256), (256, 512)))
    assert b.total_params - a.total_params == projections == b.shortcut_params
