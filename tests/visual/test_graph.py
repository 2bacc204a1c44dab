"""Architecture graphs: structure checked against the plan, Table 1 and the paper's shortcut options."""

from __future__ import annotations

import dataclasses
import re

import pytest

from resnet_explorer import PRESETS, ResNetConfig, analyze
from resnet_explorer.core.plan import make_plan
from resnet_explorer.visual.graph import (
    LEVELS,
    default_fold,
    extract,
    fold_runs,
    has_dot,
    inspector_block,
    inspector_graph,
    render_svg,
    to_digraph,
)

R34 = PRESETS["resnet34"]


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnet20", "plain34", "resnet1202"])
def test_network_level_has_one_node_per_stage(name):
    config = PRESETS[name]
    g = extract(config, "network")
    assert len(g.by_kind("stage")) == len(config.stages)
    assert [n.count for n in g.by_kind("stage")] == list(config.stages)
    assert len(g.by_kind("stem")) == len(g.by_kind("head")) == 1
    # Stage nodes carry the stage totals of the analysis.
    stages = analyze(config).stages.set_index("stage")
    for node, stage in zip(g.by_kind("stage"), make_plan(config).stages, strict=True):
        assert node.params == stages.loc[stage.name, "params"]
        assert node.macs == stages.loc[stage.name, "macs"]


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet50", "resnet56", "plain18"])
def test_unfolded_blocks_level_has_one_node_per_block(name):
    config = PRESETS[name]
    g = extract(config, "blocks", fold=False)
    assert [n.title for n in g.by_kind("block")] == [b.name for b in make_plan(config).blocks]
    assert sum(n.params for n in g.nodes) == analyze(config).total_params
    assert sum(n.macs for n in g.nodes) == analyze(config).total_macs


# Table 1: the first block of stages 2-4 halves the map, so it differs from the rest of its stage;
# stage 1 of a basic net keeps 64-d throughout, while a bottleneck's first block widens 64 -> 256.
FOLDED_RUNS = {
    "resnet18": [2, 1, 1, 1, 1, 1, 1],
    "resnet34": [3, 1, 3, 1, 5, 1, 2],
    "resnet50": [1, 2, 1, 3, 1, 5, 1, 2],
    "resnet152": [1, 2, 1, 7, 1, 35, 1, 2],
    "resnet1202": [200, 1, 199, 1, 199],
}


@pytest.mark.parametrize("name", list(FOLDED_RUNS))
def test_folded_runs_carry_the_right_count(name):
    config = PRESETS[name]
    g = extract(config, "blocks", fold=True)
    assert [n.count for n in g.by_kind("block")] == FOLDED_RUNS[name]
    # Folding keeps every number: node totals still equal the analysis.
    a = analyze(config)
    assert sum(n.params for n in g.nodes) == a.total_params
    assert sum(n.macs for n in g.nodes) == a.total_macs
    dot = to_digraph(g).source
    for n in FOLDED_RUNS[name]:
        if n > 1:
            assert f"×{n}" in dot


def test_layers_level_folded_clusters_carry_count():
    g = extract(PRESETS["resnet50"], "layers", fold=True)
    block_clusters = [c for c in g.clusters if c.id.startswith("cluster_layer")]
    assert [c.count for c in block_clusters] == FOLDED_RUNS["resnet50"]
    assert "layer3.1–5  ×5" in to_digraph(g).source


def test_deep_nets_fold_by_default():
    assert default_fold(make_plan(PRESETS["resnet152"]))
    assert default_fold(make_plan(PRESETS["resnet1202"]))
    assert not default_fold(make_plan(PRESETS["resnet18"]))
    assert len(extract(PRESETS["resnet1202"], "blocks").nodes) < 30


def _expected_shortcuts(config: ResNetConfig) -> list[str]:
    """Sec. 3.3 from first principles: a block changes shape when its width or map size changes."""
    kinds, prev = [], config.width  # the stem's output width
    for s, n in enumerate(config.stages, start=1):
        out_c = config.width * 2 ** (s - 1) * config.expansion
        for i in range(n):
            changes = prev != out_c or (s > 1 and i == 0)
            prev = out_c
            if config.shortcut == "none":
                kinds.append("none")
            elif config.shortcut == "C" or (config.shortcut == "B" and changes):
                kinds.append("projection")
            else:
                kinds.append("zero-pad" if changes else "identity")
    return kinds


@pytest.mark.parametrize("shortcut", ["A", "B", "C", "none"])
@pytest.mark.parametrize("block", ["basic", "bottleneck"])
@pytest.mark.parametrize("level", ["blocks", "layers"])
def test_shortcut_edges_match_the_option(shortcut, block, level):
    config = dataclasses.replace(R34, shortcut=shortcut, block=block)
    expected = _expected_shortcuts(config)
    g = extract(config, level, fold=False)
    zero_pad = g.edges_of_kind("zero-pad")
    identity = g.edges_of_kind("identity")
    # A projection is drawn as a path in -> 1x1 conv (-> BN) -> addition: its edges are "projection".
    proj_in = [e for e in g.edges_of_kind("projection") if not e.dst.endswith("_add")]
    proj_out = [e for e in g.edges_of_kind("projection") if e.dst.endswith("_add")]
    assert len(zero_pad) == expected.count("zero-pad")
    assert len(identity) == expected.count("identity")
    assert len(proj_in) == len(proj_out) == expected.count("projection")
    assert len(g.by_kind("add")) == (0 if shortcut == "none" else len(expected))
    if level == "blocks":
        assert len(g.by_kind("projection")) == expected.count("projection")
        assert all(n.ops[0].startswith("1×1 conv") for n in g.by_kind("projection"))
    dot = to_digraph(g).source
    assert ("style=dashed" in dot) == (expected.count("zero-pad") > 0)
    assert ("zero-pad, /2" in dot) == (expected.count("zero-pad") > 0)


def test_shortcut_expectation_is_sane():
    # ResNet-34 option A: three zero-pad shortcuts (stages 2-4), 13 identities (Fig. 3 dotted lines).
    kinds = _expected_shortcuts(dataclasses.replace(R34, shortcut="A"))
    assert kinds.count("zero-pad") == 3 and kinds.count("identity") == 13
    kinds = _expected_shortcuts(PRESETS["resnet50"])
    assert kinds.count("projection") == 4


def _shape(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("×"))


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnet20"])
def test_edge_shapes_equal_the_analysis(name):
    config = PRESETS[name]
    layers = analyze(config).layers.set_index("name")
    g = extract(config, "layers", fold=False)
    nodes = {n.id: n for n in g.nodes}
    checked = 0
    for e in g.edges:
        dst = nodes[e.dst]
        if dst.kind == "layer":
            # The edge into a layer carries that layer's input shape.
            assert e.shape == _shape(layers.loc[dst.title, "input_shape"]), (e, dst.title)
            checked += 1
        src = nodes[e.src]
        if src.kind == "layer" and e.kind == "main":
            out = _shape(layers.loc[src.title, "output_shape"])
            if src.title == "avgpool":  # torch.flatten(x, 1) sits between the pool and the FC layer
                out = (out[0],)
            assert e.shape == out, (e, src.title)
    assert checked == len(layers) - (layers["type"] == "ZeroPadShortcut").sum()
    out = g.by_kind("output")[0]
    assert [e.shape for e in g.edges if e.dst == out.id] == [_shape(layers["output_shape"].iloc[-1])]


def test_every_edge_has_a_shape_label():
    dot = to_digraph(extract(PRESETS["resnet50"], "blocks", fold=False)).source
    edge_lines = [line for line in dot.splitlines() if "->" in line]
    assert edge_lines and all(re.search(r"label=\"?(\d+×)*\d+\"?[ \]]", line) for line in edge_lines)


def test_stage_focus_draws_only_that_stage():
    g = extract(R34, "blocks", fold=False, stage=3)
    assert [n.title for n in g.by_kind("block")] == [f"layer3.{i}" for i in range(6)]
    assert not g.by_kind("stem") and not g.by_kind("head")
    plan = make_plan(R34)
    assert g.edges[0].shape == plan.stages[2].in_shape
    assert g.edges[-1].shape == plan.stages[2].out_shape


def test_preactivation_order_is_visible():
    post = extract(PRESETS["resnet18"], "blocks", fold=False).by_kind("block")[0]
    pre = extract(dataclasses.replace(PRESETS["resnet18"], preact=True), "blocks", fold=False).by_kind(
        "block"
    )[0]
    assert post.ops == ("3×3 conv, 64 → BN → ReLU", "3×3 conv, 64 → BN")
    assert pre.ops == ("BN → ReLU → 3×3 conv, 64", "BN → ReLU → 3×3 conv, 64")
    add_post = extract(PRESETS["resnet18"], "blocks", fold=False).by_kind("add")[0]
    add_pre = extract(dataclasses.replace(PRESETS["resnet18"], preact=True), "blocks", fold=False).by_kind(
        "add"
    )[0]
    assert add_post.ops == ("+", "ReLU") and add_pre.ops == ("+",)  # nothing after the addition


def test_counts_toggle_and_direction_and_language():
    g = extract(PRESETS["resnet18"], "blocks")
    with_counts = to_digraph(g, counts=True).source
    without = to_digraph(g, counts=False).source
    assert "params 73.98 K" in with_counts and "params" not in without.split("tooltip")[0]
    assert "rankdir=LR" in to_digraph(g, rankdir="LR").source
    zh = to_digraph(extract(PRESETS["resnet20"], "blocks"), lang="zh").source
    assert "补零" in zh and "参数" in zh and "zero-pad" not in zh


def test_bad_arguments_name_the_field():
    with pytest.raises(ValueError, match="level: got 'everything'"):
        extract(R34, "everything")
    with pytest.raises(ValueError, match="stage: got 5; allowed: 1 to 4"):
        extract(R34, "blocks", stage=5)
    with pytest.raises(ValueError, match="rankdir"):
        to_digraph(extract(R34), rankdir="BT")
    with pytest.raises(ValueError, match="kind: got 'wide'"):
        inspector_block("wide")


def test_inspector_blocks_match_fig5():
    # Fig. 5: a 64-d basic block (3·3·64·64·2 = 73,728 weights) beside a 256-d bottleneck (69,632).
    _, basic = inspector_block("basic", 64)
    _, bottleneck = inspector_block("bottleneck", 64)
    weights = lambda b: sum(x.params for x in b.branch if x.kind == "Conv2d")  # noqa: E731
    assert weights(basic) == 3 * 3 * 64 * 64 * 2 == 73_728
    assert weights(bottleneck) == 256 * 64 + 9 * 64 * 64 + 64 * 256 == 69_632
    assert (basic.in_channels, basic.shortcut) == (64, "identity")
    assert (bottleneck.in_channels, bottleneck.out_channels, bottleneck.shortcut) == (256, 256, "identity")
    dot = to_digraph(inspector_graph("bottleneck"), shapes="channels").source
    for text in ("1×1 conv, 64", "3×3 conv, 64", "1×1 conv, 256", "256-d", "identity"):
        assert text in dot
    pre = [n.ops[0] for n in inspector_graph("preact").nodes if n.kind == "layer"]
    assert pre == ["BN", "ReLU", "3×3 conv, 64", "BN", "ReLU", "3×3 conv, 64"]


@pytest.mark.parametrize("level", LEVELS)
def test_dot_is_well_formed(level):
    src = to_digraph(extract(PRESETS["resnet152"], level), theme="dark").source
    assert src.count("{") == src.count("}")
    assert src.startswith("digraph")


@pytest.mark.skipif(not has_dot(), reason="Graphviz's dot binary is not installed (apt-get install graphviz)")
def test_svg_renders_when_dot_exists():
    assert render_svg(to_digraph(extract(PRESETS["resnet18"]))).lstrip().startswith(b"<")


def test_fold_runs_groups_only_consecutive_equal_blocks():
    runs = fold_runs(make_plan(PRESETS["resnet101"]).stages[2].blocks)
    assert [n for _, n in runs] == [1, 22]


def test_resnext_group_count_follows_the_language():
    # torchvision's ResNeXt-50 32x4d splits every 3x3 into 32 groups (Xie et al. 2017, Table 1, "C=32").
    from torchvision.models import resnext50_32x4d

    groups = resnext50_32x4d().layer1[0].conv2.groups
    g = extract(PRESETS["resnext50_32x4d"], "blocks", True)
    en = to_digraph(g, lang="en").source
    zh = to_digraph(g, lang="zh").source
    assert f"3×3 conv, 128, {groups} groups" in en
    assert f"3×3 conv, 128, {groups} 组" in zh and "groups" not in zh
