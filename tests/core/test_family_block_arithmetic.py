"""ResNeXt's "similar complexity" arithmetic and the family's graphs, against PyTorch modules and the papers.

Outside truths: the weights of PyTorch conv layers built with the same shapes (groups included),
the ResNeXt paper's Fig. 1 (both blocks ~70k weights on a 256-d map), torchvision's resnext50_32x4d
and timm's seresnet50 / resnet50d module trees.
"""

from __future__ import annotations

import pytest
import timm
import torch
import torchvision
from torch import nn

from resnet_explorer import PRESETS
from resnet_explorer.core.analysis import resnext_arithmetic
from resnet_explorer.visual.graph import extract, inspector_block


def _weights(*convs: nn.Conv2d) -> int:
    return sum(c.weight.numel() for c in convs)


@pytest.mark.parametrize("channels", [64, 256, 1024])
def test_resnext_arithmetic_matches_pytorch(channels: int) -> None:
    a = resnext_arithmetic(channels)
    d, inner, m = channels // 64, channels // 2, channels // 4
    with torch.device("meta"):
        grouped = (
            nn.Conv2d(channels, inner, 1, bias=False),
            nn.Conv2d(inner, inner, 3, groups=32, bias=False),
            nn.Conv2d(inner, channels, 1, bias=False),
        )
        path = (
            nn.Conv2d(channels, d, 1, bias=False),
            nn.Conv2d(d, d, 3, bias=False),
            nn.Conv2d(d, channels, 1, bias=False),
        )
        bottleneck = (
            nn.Conv2d(channels, m, 1, bias=False),
            nn.Conv2d(m, m, 3, bias=False),
            nn.Conv2d(m, channels, 1, bias=False),
        )
    assert a.resnext_weights == _weights(*grouped) == 32 * _weights(*path)
    assert a.bottleneck_weights == _weights(*bottleneck)


def test_resnext_paper_fig1_about_70k_each() -> None:
    a = resnext_arithmetic(256)
    assert (a.bottleneck_weights, a.resnext_weights) == (69_632, 70_144)
    assert round(a.bottleneck_weights, -3) == round(a.resnext_weights, -3) == 70_000
    assert a.resnext_paths_formula == "32·(1·1·256·4 + 3·3·4·4 + 1·1·4·256)"


@pytest.mark.parametrize("bad", [32, 258, True, "256"])
def test_resnext_arithmetic_refuses_bad_channels(bad) -> None:
    with pytest.raises(ValueError, match="^channels: "):
        resnext_arithmetic(bad)


def test_resnext_inspector_is_torchvisions_block() -> None:
    _, block = inspector_block("resnext", 64)
    theirs = torchvision.models.resnext50_32x4d().layer1[1]
    assert sum(x.params for x in block.branch) == sum(p.numel() for p in theirs.parameters())


def test_graph_shows_groups_se_branch_and_avg_pool_shortcut() -> None:
    resnext = extract(PRESETS["resnext50_32x4d"], "blocks", fold=False)
    assert any("3×3 conv, 128, 32 groups" in op for n in resnext.by_kind("block") for op in n.ops)
    se = extract(PRESETS["seresnet50"], "blocks", fold=False)
    first = se.by_kind("se")[0]
    assert first.params == sum(p.numel() for p in timm.create_model("seresnet50").layer1[0].se.parameters())
    scale = [e.dst for e in se.edges if e.src == first.id]
    assert [e.kind for e in se.edges if e.src == first.id] == ["se"]
    assert {e.src for e in se.edges if e.dst == scale[0]} == {first.id, "n_layer1_0"}
    d = extract(PRESETS["resnet50d"], "blocks", fold=False)
    proj = {n.id: n.ops for n in d.by_kind("projection")}
    assert proj["n_layer1_0_proj"][0].startswith("1×1 conv")  # stride 1: nothing to pool
    assert proj["n_layer2_0_proj"][0] == "2×2 avg pool, /2"
