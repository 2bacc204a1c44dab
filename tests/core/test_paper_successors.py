"""The successors' headline tables on the Paper page, against their papers and outside counts.

Published figures: He et al. 2016, "Identity Mappings in Deep Residual Networks" (arXiv 1603.05027),
Table 4; Xie et al. 2017, "Aggregated Residual Transformations" (arXiv 1611.05431), Table 1; Zagoruyko &
Komodakis 2016, "Wide Residual Networks" (arXiv 1605.07146), Table 4. Each is written out here, not
read from the library. Outside truths: closed-form counts written out below (each architecture as its
authors' code builds it, docs/notes.md "The successors") and torchvision's models, built on the meta
device without weights.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
import torch
import torchvision
from known_answers import TORCHVISION_PARAMS

from resnet_explorer import PRESETS
from resnet_explorer.core import paper

# Identity Mappings, Table 4 (CIFAR): pre-activation ResNet-164 and -1001, "#params" as printed, and the
# test errors (%) on CIFAR-10 and CIFAR-100, quoted beside them.
PREACT_PRINTED = {"ResNet-164": ("1.7", 5.46, 24.33), "ResNet-1001": ("10.2", 4.92, 22.71)}
# ResNeXt, Table 1: "# params." ×10⁶ and "FLOPs" (multiply-adds at 224×224) ×10⁹.
RESNEXT_PRINTED = {"ResNet-50": ("25.5", "4.1"), "ResNeXt-50 (32×4d)": ("25.0", "4.2")}
# Wide Residual Networks, Table 4: "#params" in millions as printed.
WRN_PRINTED = {
    (40, 1): "0.6",
    (40, 2): "2.2",
    (40, 4): "8.9",
    (40, 8): "35.7",
    (28, 10): "36.5",
    (28, 12): "52.5",
    (22, 8): "17.2",
    (22, 10): "26.8",
    (16, 8): "11.0",
    (16, 10): "17.1",
}


def _printed(value: float, like: str, cut: bool = False) -> str:
    """``value`` written with as many decimals as ``like``, rounded half up (as a person reads a table)."""
    unit = Decimal(1).scaleb(Decimal(like).as_tuple().exponent)
    return str(Decimal(str(value)).quantize(unit, rounding=ROUND_DOWN if cut else ROUND_HALF_UP))


def _bn(c: int, counted: bool) -> int:
    return 2 * c if counted else 0  # γ and β; running statistics are buffers, not parameters


def _preact_cifar_params(n: int, bn: bool = True) -> int:
    # resnet-pre-act.lua (KaimingHe/resnet-1k-layers): 3×3 conv 3→16; per stage of inner width m
    # (16, 32, 64) n bottlenecks BN-ReLU-1×1 c_in→m, BN-ReLU-3×3 m→m, BN-ReLU-1×1 m→4m, the first of
    # each stage with a bare 1×1 conv c_in→4m on its shortcut; a final BN-ReLU, FC 256→10 with bias.
    total, c_in = 9 * 3 * 16, 16
    for m in (16, 32, 64):
        for i in range(n):
            total += _bn(c_in, bn) + c_in * m + _bn(m, bn) + 9 * m * m + _bn(m, bn) + m * 4 * m
            total += c_in * 4 * m if i == 0 else 0
            c_in = 4 * m
    return total + _bn(c_in, bn) + c_in * 10 + 10


def _wrn_params(depth: int, k: int, classes: int = 10) -> int:
    # szagoruyko/wide-residual-networks: 3×3 conv 3→16; per stage of width o (16k, 32k, 64k) (d-4)/6
    # blocks BN-ReLU-3×3 c_in→o, BN-ReLU-3×3 o→o, a 1×1 conv c_in→o shortcut where c_in ≠ o; a final
    # BN-ReLU, FC 64k→classes with bias.
    n, total, c_in = (depth - 4) // 6, 9 * 3 * 16, 16
    for o in (16 * k, 32 * k, 64 * k):
        for _ in range(n):
            total += 2 * c_in + 9 * c_in * o + 2 * o + 9 * o * o + (c_in * o if c_in != o else 0)
            c_in = o
    return total + 2 * c_in + c_in * classes + classes


def _bottleneck50_macs(groups: int, width_per_group: int, stride_on_3x3: bool) -> int:
    # ImageNet ResNet-50-style net at 224×224, multiply-adds of convs and FC weights (as Table 1 counts):
    # 7×7/2 conv 3→64 on 112×112; per stage (planes p, blocks n, output side h) bottlenecks 1×1 c_in→m,
    # 3×3 m→m in `groups` groups, 1×1 m→4p with m = p·width_per_group/64·groups; the first block's 1×1
    # projection c_in→4p at h. Stages 2-4 halve the map in their first block: with the stride on the 3×3
    # its first 1×1 still runs on the input side 2h; with the stride on that 1×1 it runs on h.
    total, c_in = 112 * 112 * 7 * 7 * 3 * 64, 64
    for p, n, h in ((64, 3, 56), (128, 4, 28), (256, 6, 14), (512, 3, 7)):
        m = p * width_per_group // 64 * groups
        for i in range(n):
            side = 2 * h if i == 0 and p != 64 and stride_on_3x3 else h
            total += c_in * m * side * side + 9 * m * (m // groups) * h * h + m * 4 * p * h * h
            total += c_in * 4 * p * h * h if i == 0 else 0
            c_in = 4 * p
    return total + 2048 * 1000


def _torchvision_counts(name: str) -> tuple[int, int]:
    """(parameters, BatchNorm parameters) of torchvision's ``name``, built without weights."""
    with torch.device("meta"):  # no memory and no initialisation: only the shapes are needed
        model = getattr(torchvision.models, name)(weights=None)
    bn = sum(
        p.numel() for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d) for p in m.parameters()
    )
    return sum(p.numel() for p in model.parameters()), bn


def test_closed_forms_match_the_authors_counts() -> None:
    # docs/notes.md, "The successors": counts checked against torchvision, timm and the authors' code.
    assert _preact_cifar_params(18) == 1_703_258
    assert _wrn_params(28, 10) == 36_479_194
    assert _wrn_params(40, 4) == 8_949_210
    assert _wrn_params(16, 8) == 10_961_370
    # torchvision's weights metadata (meta["_ops"], multiply-adds): ResNet-50 V1.5 4.089, ResNeXt-50 4.23.
    assert round(_bottleneck50_macs(1, 64, True) / 1e9, 3) == 4.089
    assert round(_bottleneck50_macs(32, 4, True) / 1e9, 2) == 4.23


def test_preact_rows() -> None:
    t = paper.preact_table().set_index("model")
    assert list(t.index) == list(PREACT_PRINTED)
    for model, n in (("ResNet-164", 18), ("ResNet-1001", 111)):  # 9n+2 layers
        row, (printed, err10, err100) = t.loc[model], PREACT_PRINTED[model]
        assert row["computed"] == _preact_cifar_params(n), model
        assert row["computed"] - row["bn_params"] == _preact_cifar_params(n, bn=False), model
        assert (row["published"], row["cifar10_error"], row["cifar100_error"]) == (printed, err10, err100)
    assert _printed(_preact_cifar_params(18) / 1e6, "1.7") == "1.7"
    assert t.loc["ResNet-164", "status"] == "agree"
    # ResNet-1001: 10,327,706 with BN's γ and β prints as 10.3 (and cut off, 10.3 too), not the paper's
    # 10.2; without them, 10,178,490, it prints as 10.2. The row must say so rather than agree.
    with_bn, without_bn = _preact_cifar_params(111) / 1e6, _preact_cifar_params(111, bn=False) / 1e6
    assert (_printed(with_bn, "10.2"), _printed(with_bn, "10.2", cut=True)) == ("10.3", "10.3")
    assert _printed(without_bn, "10.2") == "10.2"
    row = t.loc["ResNet-1001"]
    assert (row["status"], row["direct_status"], row["rounded"]) == ("without_bn", "differs", "10.3")
    assert row["scaled_no_bn"] == pytest.approx(without_bn, abs=1e-9)


def test_resnext_parameters_against_torchvision() -> None:
    t = paper.resnext_table()
    params = t[t["quantity"] == "params"].set_index("model")
    for model, name in (("ResNet-50", "resnet50"), ("ResNeXt-50 (32×4d)", "resnext50_32x4d")):
        total, bn = _torchvision_counts(name)
        assert total == TORCHVISION_PARAMS[name]
        assert (params.loc[model, "computed"], params.loc[model, "bn_params"]) == (total, bn), model
        assert params.loc[model, "published"] == RESNEXT_PRINTED[model][0]
    # ResNeXt-50: 25,028,904 prints as 25.0, the paper's figure.
    assert _printed(TORCHVISION_PARAMS["resnext50_32x4d"] / 1e6, "25.0") == "25.0"
    assert params.loc["ResNeXt-50 (32×4d)", "status"] == "agree"
    # ResNet-50: 25,557,032 rounds to 25.6; the paper's 25.5 is that count cut off, or the count less
    # BN's 53,120 γ and β (25,503,912) rounded. The row names the second and its text the first.
    total, bn = _torchvision_counts("resnet50")
    assert (_printed(total / 1e6, "25.5"), _printed(total / 1e6, "25.5", cut=True)) == ("25.6", "25.5")
    assert (bn, _printed((total - bn) / 1e6, "25.5")) == (53_120, "25.5")
    assert (params.loc["ResNet-50", "status"], params.loc["ResNet-50", "direct_status"]) == (
        "without_bn",
        "truncated",
    )


def test_resnext_flops_need_the_stride_on_the_3x3() -> None:
    t = paper.resnext_table().set_index(["model", "quantity"])
    for model, (groups, wpg) in (("ResNet-50", (1, 64)), ("ResNeXt-50 (32×4d)", (32, 4))):
        printed = RESNEXT_PRINTED[model][1]
        on_3x3, on_1x1 = (_bottleneck50_macs(groups, wpg, s) for s in (True, False))
        assert t.loc[(model, "macs_3x3"), "computed"] == on_3x3, model
        assert t.loc[(model, "macs_1x1"), "computed"] == on_1x1, model
        # fb.resnet.torch's layout (stride on the 3×3) gives the printed FLOPs; the 2015 layout falls short.
        assert _printed(on_3x3 / 1e9, printed) == printed, f"{model}: {on_3x3 / 1e9:.3f}"
        assert _printed(on_1x1 / 1e9, printed) != printed, f"{model}: {on_1x1 / 1e9:.3f}"
        assert t.loc[(model, "macs_3x3"), "status"] == "agree"
        assert t.loc[(model, "macs_1x1"), "status"] == "other_layout"
    assert round(t.loc[("ResNet-50", "macs_1x1"), "scaled"], 3) == 3.858  # docs/notes.md
    assert t.loc[("ResNeXt-50 (32×4d)", "macs_1x1"), "rounded"] == "3.8"


@pytest.mark.parametrize(("depth", "k"), list(WRN_PRINTED))
def test_wrn_rows(depth: int, k: int) -> None:
    t = paper.wrn_table().set_index("model")
    row, printed = t.loc[f"WRN-{depth}-{k}"], WRN_PRINTED[(depth, k)]
    assert row["computed"] == _wrn_params(depth, k)
    assert row["published"] == printed
    assert _printed(_wrn_params(depth, k) / 1e6, printed) == printed, f"{_wrn_params(depth, k):,}"
    assert row["status"] == "agree"


def test_wrn_configs_are_the_presets() -> None:
    assert paper.wrn_table()["model"].tolist() == [f"WRN-{d}-{k}" for d, k in WRN_PRINTED]
    for (d, k), name in (((28, 10), "wrn28_10"), ((40, 4), "wrn40_4"), ((16, 8), "wrn16_8")):
        assert paper.wrn_config(d, k) == PRESETS[name]


def test_wrn_table4_counts_the_10_class_head() -> None:
    # The page's caption: Table 4 prints one count per network, and it is CIFAR-10's. With CIFAR-100's
    # 100-way head (64k·90 + 90 more) WRN-40-2 and WRN-40-4 would print 2.3 and 9.0.
    for (d, k), hundred in (((40, 2), "2.3"), ((40, 4), "9.0")):
        assert _wrn_params(d, k, 100) - _wrn_params(d, k) == 64 * k * 90 + 90
        assert _printed(_wrn_params(d, k, 100) / 1e6, WRN_PRINTED[(d, k)]) == hundred
