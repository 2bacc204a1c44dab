"""Chart data against the analysis, closed-form counts, Table 1 and torchvision's metadata."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torchvision.models as tvm

from resnet_explorer import PRESETS, analyze
from resnet_explorer.visual import charts as C


def _trace_values(fig, name: str, xaxis: str = "x") -> list:
    return [list(tr.y) for tr in fig.data if tr.name == name and (tr.xaxis or "x") == xaxis]


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnet110", "plain34"])
def test_stage_figure_draws_the_analysis(name):
    a = analyze(PRESETS[name])
    fig = C.stage_figure(a)
    for axis, metric in (("x", "params"), ("x2", "macs")):
        (branch,) = _trace_values(fig, "residual branch", axis)
        (shortcut,) = _trace_values(fig, "shortcut", axis)
        assert branch == a.stages[f"branch_{metric}"].tolist()
        assert shortcut == a.stages[f"shortcut_{metric}"].tolist()
        # Stacked per-stage bars add up to the model's totals.
        total = a.total_params if metric == "params" else a.total_macs
        assert sum(branch) + sum(shortcut) == total
    assert fig.layout.barmode == "stack"


def test_cumulative_ends_at_the_totals_and_grows():
    for name in ("resnet50", "resnet1202"):
        a = analyze(PRESETS[name])
        df = C.cumulative_data(a)
        assert df["cum_params"].iloc[-1] == a.total_params
        assert df["cum_macs"].iloc[-1] == a.total_macs
        assert df["depth"].iloc[-1] == a.depth
        assert (np.diff(df["cum_params"]) >= 0).all()
        fig = C.cumulative_figure(a)
        assert list(fig.data[0].y)[-1] == a.total_params


def test_receptive_field_closed_form():
    # ResNet-18 by hand, r += (k-1)·jump, jump *= stride: 7×7/2 conv -> 7 (jump 2); 3×3/2 pool -> 11
    # (jump 4); stage 1, four 3×3 -> 43; each later stage: a strided 3×3 adds 2·jump, then jump doubles
    # and three more 3×3 add 2·jump each.
    r, jump = 11, 4
    r += 4 * 2 * jump
    for _ in range(3):
        r += 2 * jump
        jump *= 2
        r += 3 * 2 * jump
    assert r == 435
    rf = C.along_depth_data(analyze(PRESETS["resnet18"]).plan)["receptive_field"].dropna()
    assert rf.iloc[-1] == r
    # CIFAR ResNet-20: 3×3 stem (3), 6 convs at jump 1 (+12), then per stage +2·jump and 5 at 2·jump.
    rf20 = C.along_depth_data(analyze(PRESETS["resnet20"]).plan)["receptive_field"].dropna()
    assert rf20.iloc[-1] == 3 + 12 + (2 + 5 * 4) + (4 + 5 * 8) == 81
    assert rf20.is_monotonic_increasing


def test_feature_maps_follow_table1():
    df = C.along_depth_data(analyze(PRESETS["resnet34"]).plan)
    ends = df.groupby("stage", sort=False).last()
    # Table 1 output sizes: conv1 112, conv2_x 56, conv3_x 28, conv4_x 14, conv5_x 7.
    assert ends.loc["stem", "size"] == 112
    assert ends.loc[["layer1", "layer2", "layer3", "layer4"], "size"].tolist() == [56, 28, 14, 7]
    assert ends.loc[["layer1", "layer2", "layer3", "layer4"], "channels"].tolist() == [64, 128, 256, 512]
    fig = C.feature_map_figure(analyze(PRESETS["resnet34"]))
    assert min(fig.data[0].y) == 7 and max(fig.data[1].y) == 512


def test_depth_sweep_matches_torchvision_and_table6():
    df = C.depth_sweep_data(PRESETS["resnet50"]).set_index("name")
    for depth in (18, 34, 50, 101, 152):
        meta = getattr(tvm, f"ResNet{depth}_Weights").IMAGENET1K_V1.meta
        assert df.loc[f"ResNet-{depth}", "params"] == meta["num_params"]
        assert df.loc[f"ResNet-{depth}", "depth"] == depth
        assert round(df.loc[f"ResNet-{depth}", "macs"] / 1e9, 3) == meta["_ops"]
    assert df.loc["ResNet-20", "params"] == 269_722
    assert round(df.loc["ResNet-1202", "params"] / 1e6, 1) == 19.4
    assert df.loc["ResNet-1202", "depth"] == 1202
    current = C.depth_sweep_data(PRESETS["resnet50"])
    assert current[current["family"] == "current"]["params"].item() == 25_557_032
    fig = C.depth_sweep_figure(PRESETS["resnet20"])
    stars = [tr for tr in fig.data if tr.marker.symbol == "star"]
    assert [list(tr.y) for tr in stars] == [[269_722], [40_551_040]]


def _projection(c_in: int, c_out: int) -> int:
    return c_in * c_out + 2 * c_out  # 1×1 conv weights + BN γ, β


def test_shortcut_options_resnet50_closed_form():
    df = C.shortcut_options_data(PRESETS["resnet50"]).set_index("option")
    # B: a projection where the width changes, the first block of each stage (64->256, 256->512, ...).
    b_extra = sum(_projection(i, o) for i, o in ((64, 256), (256, 512), (512, 1024), (1024, 2048)))
    # C: also every identity shortcut: 2, 3, 5, 2 blocks at 256, 512, 1024, 2048 wide.
    c_extra = b_extra + sum(n * _projection(w, w) for n, w in ((2, 256), (3, 512), (5, 1024), (2, 2048)))
    assert df.loc["A", "params"] == df.loc["none", "params"]  # zero-padding has no parameters
    assert df.loc["B", "params"] == df.loc["A", "params"] + b_extra == 25_557_032
    assert df.loc["C", "params"] == df.loc["A", "params"] + c_extra
    assert round(df.loc["C", "params"] / 1e6, 1) == 40.1  # "nearly doubles" the projection cost
    assert df.loc["B", "current"] and not df.loc["C", "current"]


def test_shortcut_options_resnet34_closed_form():
    df = C.shortcut_options_data(PRESETS["resnet34"]).set_index("option")
    b_extra = sum(_projection(i, o) for i, o in ((64, 128), (128, 256), (256, 512)))
    c_extra = b_extra + sum(n * _projection(w, w) for n, w in ((3, 64), (3, 128), (5, 256), (2, 512)))
    assert df.loc["B", "params"] - df.loc["A", "params"] == b_extra
    assert df.loc["C", "params"] - df.loc["A", "params"] == c_extra
    fig = C.shortcut_options_figure(PRESETS["resnet34"])
    shortcut = [tr for tr in fig.data if tr.name == "shortcut" and (tr.xaxis or "x") == "x"][0]
    assert list(shortcut.y) == [0, 0, b_extra, c_extra]


def test_stage_overlay_draws_each_config():
    a, b = analyze(PRESETS["plain34"]), analyze(PRESETS["resnet34"])
    fig = C.stage_overlay_figure([a, b], ["plain-34", "ResNet-34"], "params")
    assert [list(tr.y) for tr in fig.data] == [a.stages["params"].tolist(), b.stages["params"].tolist()]
    with pytest.raises(ValueError, match="metric: got 'flops'"):
        C.stage_overlay_figure([a], ["x"], "flops")


def test_language_and_theme():
    a = analyze(PRESETS["resnet18"])
    zh = C.stage_figure(a, lang="zh", theme="dark")
    assert "各阶段" in zh.layout.title.text
    assert {tr.name for tr in zh.data} == {"残差分支", "捷径"}
    assert zh.layout.template.layout.paper_bgcolor != C.stage_figure(a).layout.template.layout.paper_bgcolor
    assert "%{y:,}" in zh.data[0].hovertemplate  # exact values with thousands separators
    with pytest.raises(ValueError, match="theme: got 'blue'"):
        C.receptive_field_figure(a, theme="blue")


@pytest.mark.parametrize("chart", ["stage", "cumulative", "feature_map", "receptive_field"])
def test_figures_build_for_odd_configs(chart):
    config = dataclasses.replace(PRESETS["resnet18"], stem="deep", stages=(1, 2), preact=True, input_size=64)
    fig = getattr(C, f"{chart}_figure")(analyze(config), "zh", "light")
    assert fig.data
