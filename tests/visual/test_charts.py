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


# --- readable on a projector (issue 10): type size, legends, log ticks, whole labels ---------------

# What a back row reads: 16 CSS px is the browser's default body text, the smallest size the
# issue allows for a chart's words and numbers.
MIN_PX = 16


def _figures(lang: str) -> dict:
    a = analyze(PRESETS["resnet50"])
    figs = {
        name: getattr(C, f"{name}_figure")(a, lang)
        for name in ("stage", "cumulative", "feature_map", "receptive_field")
    }
    figs["depth_sweep"] = C.depth_sweep_figure(PRESETS["resnet1202"], lang)
    figs["shortcut_options"] = C.shortcut_options_figure(PRESETS["resnet50"], lang)
    figs["overlay"] = C.stage_overlay_figure(
        [a, analyze(PRESETS["resnet34"])], ["1 · resnet50", "2 · resnet34"], "params", lang
    )
    return figs


def _axes(fig) -> list:
    return [fig.layout[k] for k in fig.layout if k.startswith(("xaxis", "yaxis"))]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_word_on_a_chart_is_at_least_16_px(lang):
    for name, fig in _figures(lang).items():
        lay = fig.layout
        assert lay.font.size >= MIN_PX, name
        assert lay.title.font.size >= MIN_PX, name
        assert lay.legend.font.size >= MIN_PX, name
        assert lay.hoverlabel.font.size >= MIN_PX, name
        # Subplot titles and the receptive field's "input 224 px" line are annotations.
        for note in lay.annotations:
            assert note.font.size >= MIN_PX, (name, note.text)
        for axis in _axes(fig):
            assert axis.tickfont.size >= MIN_PX, (name, axis.plotly_name)
        # Text printed on the marks (totals over bars, model names beside points).
        for trace in fig.data:
            if trace.text is not None and any(trace.text):
                assert (trace.textfont.size or lay.font.size) >= MIN_PX - 1, (name, trace.name)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_legends_sit_below_the_x_axis(lang):
    for name, fig in _figures(lang).items():
        lay = fig.layout
        # The legend is anchored at the foot of the whole figure, not at a fraction of the plot
        # (Plotly's y = -0.18 of a 300 px plot is 54 px: onto the x-axis title).
        assert (lay.legend.yref, lay.legend.yanchor, lay.legend.y, lay.legend.orientation) == (
            "container",
            "bottom",
            0,
            "h",
        ), name
        # Below the plot, the margin holds one line of tick labels and one of axis title (each
        # 1.2 lines of 16 px, with Plotly's 10 px gap) above the legend's rows (1.5 lines each).
        axis_block = 2 * (1.2 * MIN_PX) + 10
        rows = 2 if name in ("depth_sweep",) else 1
        assert lay.margin.b >= axis_block + rows * 1.5 * MIN_PX, (name, lay.margin.b)


def test_log_axes_have_readable_ticks():
    figs = _figures("en")
    for name, fig in figs.items():
        for axis in _axes(fig):
            if axis.type == "log":
                # One tick per decade, or ticks at the values drawn; never Plotly's "2 5" minor labels.
                assert axis.dtick == 1 or axis.tickmode == "array", (name, axis.plotly_name)
    # The feature-map chart's ticks are Table 1's sizes and widths for ResNet-50 (He et al. 2015):
    # maps 112, 56, 28, 14, 7 px; conv widths 64 ... 2048.
    fm = figs["feature_map"].layout
    assert list(fm.yaxis.tickvals) == [7, 14, 28, 56, 112]
    assert list(fm.yaxis2.tickvals) == [64, 128, 256, 512, 1024, 2048]
    assert list(fm.yaxis2.ticktext)[-1] == "2,048"
    # Depth reads 10, 100, 1000 (not "1k"); parameters keep SI prefixes (10M).
    sweep = figs["depth_sweep"].layout
    assert sweep.xaxis2.exponentformat == "none" and sweep.yaxis.exponentformat == "SI"


def test_depth_sweep_names_are_whole_and_inside_the_figure():
    fig = C.depth_sweep_figure(PRESETS["resnet1202"])
    names = [n for tr in fig.data if tr.text is not None for n in tr.text]
    assert "ResNet-1202" in names and "ResNet-200" in names
    for tr in fig.data:
        if tr.text is not None:
            assert tr.cliponaxis is False  # a name at the plot's edge is not cut ("ResNet-120")
    # ResNet-1202 is the right-most point; its name is drawn beside it, to the right or left. At
    # the narrowest width the Explorer gives a chart (~900 px at 1366 px beside the sidebar), the
    # room between that point and the axis end must hold the name: about 0.6 em a character.
    lay = fig.layout
    x0, x1 = lay.xaxis.range
    plot_px = 900 - lay.margin.l - lay.margin.r
    room_px = (x1 - np.log10(1202)) / (x1 - x0) * plot_px
    cifar = next(tr for tr in fig.data if tr.text is not None and "ResNet-1202" in tr.text)
    if cifar.textposition[list(cifar.text).index("ResNet-1202")].endswith("right"):
        assert room_px >= 0.6 * cifar.textfont.size * len("ResNet-1202"), room_px
    left_room = (np.log10(10) - x0) / (x1 - x0) * plot_px  # ResNet-10, the left-most, labelled top left
    assert left_room >= 0.6 * cifar.textfont.size * len("ResNet-10") / 2, left_room


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_shortcut_option_names_are_whole_and_level(lang):
    fig = C.shortcut_options_figure(PRESETS["resnet50"], lang)
    shown = [label.replace("<br>", " ").replace("：<br>", "：").replace(" ★", "") for label in fig.data[0].x]
    from resnet_explorer.i18n import t

    for option, label in zip(("none", "A", "B", "C"), shown, strict=True):
        assert label.replace("： ", "：") == t(f"chart.option.{option}", lang)
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.xaxis2.tickangle == 0
    # Room above the tallest stack for its printed total (option C: 40.1 M parameters, Table 3).
    assert fig.layout.yaxis.range[1] >= 1.15 * C.shortcut_options_data(PRESETS["resnet50"])["params"].max()


def test_graph_text_is_projector_size():
    from resnet_explorer.visual import graph as G

    dot = G.to_digraph(G.extract(PRESETS["resnet50"], "blocks", True)).source
    # DOT sizes are points (1 pt = 4/3 px): edge labels at 16 px, boxes big enough to read 16 px
    # when the browser shrinks a graph to 86 % of its width.
    node = float(
        next(line for line in dot.splitlines() if line.strip().startswith("node ["))
        .split("fontsize=")[1]
        .split()[0]
        .strip('"]')
    )
    edge = float(
        next(line for line in dot.splitlines() if line.strip().startswith("edge ["))
        .split("fontsize=")[1]
        .split()[0]
        .strip('"]')
    )
    assert node * 4 / 3 * 0.86 >= MIN_PX and edge * 4 / 3 >= MIN_PX, (node, edge)
