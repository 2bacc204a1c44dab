"""The architecture picture's data (``visual.scene``) against outside truths.

torchvision's modules give each stage's parameter count, block count, shortcut kind and output shape;
closed-form arithmetic checks every formula the inspector shows; the layer table must agree for every
preset, since the picture, the table and the inspector are promised to show one set of numbers.
"""

from __future__ import annotations

import math
import re

import pytest
import torch
import torchvision

from resnet_explorer import PRESETS, analyze
from resnet_explorer.formatting import format_shape
from resnet_explorer.ui.archview import parse_view, view_query
from resnet_explorer.visual.scene import scene

TORCHVISION = {
    "resnet18": "resnet18",
    "resnet34": "resnet34",
    "resnet50": "resnet50",
    "resnet101": "resnet101",
    "resnet152": "resnet152",
    "resnext50_32x4d": "resnext50_32x4d",
    "wide_resnet50_2": "wide_resnet50_2",
}


def _numel(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _blocks(group: dict) -> list[dict]:
    """Every block of a stage, unfolded from its runs, as (index, shortcut, params)."""
    return [
        {"index": run["first"] + i, "shortcut": run["shortcut"], "params": run["params"]}
        for run in group["runs"]
        for i in range(run["count"])
    ]


@pytest.mark.parametrize("name", TORCHVISION)
def test_stages_match_torchvision(name: str) -> None:
    with torch.device("meta"):
        tv = getattr(torchvision.models, TORCHVISION[name])(weights=None)
    shapes: dict[str, tuple[int, ...]] = {}
    for stage in ("layer1", "layer2", "layer3", "layer4"):
        getattr(tv, stage).register_forward_hook(
            lambda _m, _i, out, stage=stage: shapes.__setitem__(stage, tuple(out.shape[1:]))
        )
    tv(torch.empty(1, 3, 224, 224, device="meta"))
    groups = {g["id"]: g for g in scene(PRESETS[name], "en")["groups"]}
    assert groups["stem"]["params"] == _numel(tv.conv1) + _numel(tv.bn1)
    assert groups["head"]["params"] == _numel(tv.fc)
    for i, stage in enumerate(("layer1", "layer2", "layer3", "layer4"), start=1):
        g, theirs = groups[stage], getattr(tv, stage)
        assert g["paper"] == f"conv{i + 1}_x" and g["code"] == stage
        assert g["params"] == _numel(theirs), stage
        assert g["count"] == len(theirs), stage
        assert g["out"] == format_shape(shapes[stage]), stage
        blocks = _blocks(g)
        assert [b["index"] for b in blocks] == list(range(len(theirs)))
        for b, tb in zip(blocks, theirs, strict=True):
            assert b["params"] == _numel(tb), f"{stage}.{b['index']}"
            assert b["shortcut"] == ("projection" if tb.downsample is not None else "identity")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_groups_agree_with_the_layer_table(name: str) -> None:
    config = PRESETS[name]
    table = analyze(config).layers
    sc = scene(config, "en")
    by_stage = table.groupby("stage", sort=False)
    assert [g["id"] for g in sc["groups"]] == list(by_stage.groups)
    for g in sc["groups"]:
        rows = by_stage.get_group(g["id"])
        assert g["params"] == rows["params"].sum(), g["id"]
        assert g["macs"] == rows["macs"].sum(), g["id"]
        assert g["out"] == rows["output_shape"].iloc[-1], g["id"]
        if g["kind"] != "stage":
            assert [x["name"] for x in g["layers"]] == list(rows["name"])
            continue
        assert g["count"] == rows["block"].nunique()
        # every block's layers, unfolded from the runs and renamed, are the table's rows in order
        names, params = [], []
        for run in g["runs"]:
            for j in range(run["first"], run["first"] + run["count"]):
                prefix = f"{g['id']}.{j}."
                names += [prefix + x["name"][len(run["prefix"]) :] for x in run["layers"]]
                params += [x["params"] for x in run["layers"]]
        assert names == list(rows["name"]), g["id"]
        assert params == list(rows["params"]), g["id"]
    assert sc["total"]["params"] == table["params"].sum()


def test_cifar_resnet20_total_is_the_papers() -> None:
    # He et al. 2015, Table 6: ResNet-20 (option A) has 0.27M parameters; exactly 269,722.
    assert scene(PRESETS["resnet20"], "en")["total"]["params"] == 269_722


def _product(expr: str) -> int:
    """'3·3·64·64 + 64' -> 36928: the closed-form arithmetic a formula writes, evaluated here."""
    total = 0
    for term in expr.split("+"):
        total += math.prod(int(f.replace(",", "")) for f in term.strip().split("·"))
    return total


def _check(formula: str, expected: int, suffix: str = "") -> None:
    left, right = formula.split(" = ")
    left = left.removesuffix(suffix)
    assert int(right.removesuffix(suffix).replace(",", "")) == expected, formula
    assert _product(left) == expected, formula


@pytest.mark.parametrize(
    "name", ["resnet18", "resnet50", "resnext50_32x4d", "seresnet50", "resnet56", "preact_resnet164"]
)
def test_every_formula_multiplies_out_to_its_count(name: str) -> None:
    sc = scene(PRESETS[name], "en")
    layers = [x for g in sc["groups"] for x in g.get("layers", [])]
    layers += [x for g in sc["groups"] for run in g.get("runs", []) for x in run["layers"]]
    kinds = set()
    for x in layers:
        kinds.add(x["kind"])
        _check(x["f"]["act"], x["act"], " B")
        assert x["act"] == 4 * math.prod(int(v) for v in x["out"].split("×"))
        if "params" in x["f"]:
            _check(x["f"]["params"], x["params"])
        else:
            assert x["params"] == 0, x
        if "macs" in x["f"]:
            _check(x["f"]["macs"], x["macs"])
        else:
            assert x["macs"] == 0, x
    assert {"Conv2d", "BatchNorm2d", "Linear"} <= kinds


def test_a_3x3_conv_formula_is_written_as_the_paper_counts_it() -> None:
    # ResNet-34's conv4_x 3x3 convs: 3·3·256·256 = 589,824 weights, on a 14×14 map.
    conv = next(
        x
        for g in scene(PRESETS["resnet34"], "en")["groups"]
        if g["id"] == "layer3"
        for x in g["runs"][-1]["layers"]
        if x["kind"] == "Conv2d"
    )
    assert conv["f"]["params"] == "3·3·256·256 = 589,824"
    assert conv["f"]["macs"] == "589,824·14·14 = 115,605,504"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_outline_is_one_line_a_group_in_the_readers_language(lang: str) -> None:
    sc = scene(PRESETS["resnet152"], lang)
    lines = sc["outline"]
    assert len(lines) == 1 + len(sc["groups"])  # the input, then every group
    conv4 = lines[4]
    assert "conv4_x" in conv4 and "layer3" in conv4 and "36" in conv4 and "1024×14×14" in conv4
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert bool(cjk.search(" ".join(lines))) == (lang == "zh")


def test_a_knob_changes_what_the_picture_is_given() -> None:
    import dataclasses

    base = PRESETS["resnet50"]
    more = scene(dataclasses.replace(base, stages=(3, 4, 7, 3)), "en")["groups"]
    assert [g.get("count") for g in more[1:-1]] == [3, 4, 7, 3]
    a = scene(dataclasses.replace(PRESETS["resnet34"], shortcut="A"), "en")["groups"]
    b = scene(PRESETS["resnet34"], "en")["groups"]
    assert a[2]["shortcuts"] == {"zero-pad": 1, "identity": 3}
    assert b[2]["shortcuts"] == {"projection": 1, "identity": 3}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"open": ["layer3,layer3.0,layer3/r1"], "sel": ["layer3.0.conv2"], "color": ["macs"]},
        {"open": ["<script>,a b,,layer1" + ",x" * 5000], "sel": ["](http://ev.il)"], "color": ["red"]},
        {"open": ["²,layer²"], "sel": ["layer1." * 40], "color": [""]},
    ],
)
def test_a_view_from_a_link_keeps_only_well_formed_ids(query: dict[str, list[str]]) -> None:
    view = parse_view(query)
    assert view["color"] in ("none", "params", "macs", "act")
    assert len(view["open"]) <= 64
    for part in [*view["open"], view["sel"]]:
        assert part == "" or re.fullmatch(r"[A-Za-z0-9_]+([./][A-Za-z0-9_]+)*", part), part
    assert parse_view({k: [v] for k, v in view_query(view).items()}) == view


# --- Compare's diff: exactly the blocks that differ ---------------------------------------------------


def _all_blocks(name: str) -> list[tuple[int, int]]:
    """(stage, index) of every block of a torchvision model, with a projection where it has one."""
    with torch.device("meta"):
        tv = getattr(torchvision.models, name)(weights=None)
    return [
        (i, j, tb.downsample is not None)
        for i, stage in enumerate((tv.layer1, tv.layer2, tv.layer3, tv.layer4), start=1)
        for j, tb in enumerate(stage)
    ]


def test_plain34_vs_resnet34_marks_every_block_shortcut_only() -> None:
    from resnet_explorer.visual.scene import diff_marks

    ref, res = diff_marks([PRESETS["plain34"], PRESETS["resnet34"]], "en")
    assert ref == {"blocks": {}, "stages": {}}  # column 1 is what the others are read against
    every = {f"layer{i}.{j}" for i, j, _ in _all_blocks("resnet34")}
    assert set(res["blocks"]) == every and len(every) == 16
    assert all(why == ["shortcut"] for why in res["blocks"].values())
    assert res["stages"]["layer3"] == ["6 shortcuts differ"]


def test_resnet50_b_vs_c_marks_the_blocks_torchvision_builds_without_projection() -> None:
    import dataclasses

    from resnet_explorer.visual.scene import diff_marks

    b, c = PRESETS["resnet50"], dataclasses.replace(PRESETS["resnet50"], shortcut="C")
    _, marks = diff_marks([b, c], "zh")
    # option C projects every shortcut; B only where torchvision's resnet50 has a downsample module
    expected = {f"layer{i}.{j}" for i, j, projected in _all_blocks("resnet50") if not projected}
    assert set(marks["blocks"]) == expected and len(expected) == 12
    assert all(why == ["shortcut"] for why in marks["blocks"].values())


def test_added_blocks_and_widths_are_marked_as_such() -> None:
    import dataclasses

    from resnet_explorer.visual.scene import diff_marks

    base = PRESETS["resnet50"]
    _, deeper = diff_marks([base, dataclasses.replace(base, stages=(3, 4, 8, 3))], "en")
    assert deeper["blocks"] == {"layer3.6": ["added"], "layer3.7": ["added"]}
    _, shallower = diff_marks([base, dataclasses.replace(base, stages=(3, 4, 5, 3))], "en")
    assert shallower["blocks"] == {} and shallower["stages"] == {"layer3": ["−1 blocks"]}
    _, wider = diff_marks([base, PRESETS["wide_resnet50_2"]], "en")
    assert len(wider["blocks"]) == 16 and all("width" in w for w in wider["blocks"].values())
