"""``analyze`` (plan arithmetic, no modules) against ``torchinfo.summary`` of the built module.

torchinfo runs a real forward pass with hooks, so it is an independent measurement of what the
builder actually made. Each test summarises a FRESH model built on the ``meta`` device: exact
shapes and counts without allocating weights, and no model shared between threads (torchinfo
on a shared model gives wrong numbers under concurrency, see docs/notes.md).

Conventions differ in two places, on purpose: torchinfo counts a BatchNorm's parameters as its
"mult-adds" and a Linear layer's bias as one multiply-add per output; we count multiply-adds of
convolutions and the FC weights only, as the paper's Table 1 and torchvision's metadata do. So
MACs are compared for Conv2d exactly and for Linear after removing the bias term.
"""

from __future__ import annotations

import dataclasses

import pytest
from torchinfo import summary

from resnet_explorer import PRESETS, ResNetConfig, analyze, build_model

CASES: dict[str, ResNetConfig] = {
    "resnet18": PRESETS["resnet18"],
    "resnet50": PRESETS["resnet50"],
    "resnet101": PRESETS["resnet101"],
    "plain34": PRESETS["plain34"],
    "resnet20": PRESETS["resnet20"],
    "plain20": PRESETS["plain20"],
    "resnet50-preact": dataclasses.replace(PRESETS["resnet50"], preact=True),
    "resnet20-preact": dataclasses.replace(PRESETS["resnet20"], preact=True),
    "resnet18-deep-stem": dataclasses.replace(PRESETS["resnet18"], stem="deep"),
    "resnet50-deep-stem-C": dataclasses.replace(PRESETS["resnet50"], stem="deep", shortcut="C"),
    "resnet34-option-A": dataclasses.replace(PRESETS["resnet34"], shortcut="A"),
    "resnet18-option-C-preact": dataclasses.replace(PRESETS["resnet18"], shortcut="C", preact=True),
    "resnet50-stride-1x1": dataclasses.replace(PRESETS["resnet50"], stride_at="1x1"),
    "resnet50-stride-1x1-odd-225": dataclasses.replace(PRESETS["resnet50"], stride_at="1x1", input_size=225),
    "resnet18-odd-97": dataclasses.replace(PRESETS["resnet18"], input_size=97),
    "resnet56-odd-33": dataclasses.replace(PRESETS["resnet56"], input_size=33),
    "deep-stem-odd-63": dataclasses.replace(PRESETS["resnet34"], stem="deep", input_size=63),
    "bottleneck-cifar-option-A": ResNetConfig(
        stem="cifar",
        stages=(2, 2, 2),
        block="bottleneck",
        shortcut="A",
        width=16,
        num_classes=10,
        input_size=32,
    ),
    "plain-bottleneck": dataclasses.replace(PRESETS["resnet50"], shortcut="none", input_size=128),
    "six-stages-grey-7-classes": ResNetConfig(
        stages=(1, 1, 1, 1, 1, 1), width=8, in_channels=1, num_classes=7, input_size=256
    ),
    "one-stage-wide": ResNetConfig(stages=(3,), width=96, input_size=64, shortcut="C"),
}


def _torchinfo_leaves(config: ResNetConfig):
    """(qualified name, type, input shape, output shape, params, macs) for every leaf call."""
    model = build_model(config, "meta")
    names = {id(m): n for n, m in model.named_modules()}
    stats = summary(
        model,
        input_size=(1, config.in_channels, config.input_size, config.input_size),
        device="meta",
        depth=100,
        verbose=0,
    )
    rows = []
    for info in stats.summary_list:
        if not info.is_leaf_layer:
            continue
        rows.append(
            (
                names[id(info.module)],
                info.class_name,
                tuple(info.input_size[1:]),
                tuple(info.output_size[1:]),
                info.num_params,
                info.macs,
            )
        )
    return stats, rows


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request):
    config = CASES[request.param]
    stats, rows = _torchinfo_leaves(config)
    return config, analyze(config), stats, rows


def _shape(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split("×"))


def test_layers_match_torchinfo_one_by_one(case) -> None:
    _, a, _, rows = case
    ours = [
        (r.name, r.type, _shape(r.input_shape), _shape(r.output_shape), r.params)
        for r in a.layers.itertuples()
    ]
    theirs = [row[:5] for row in rows]
    assert len(ours) == len(theirs), "different number of leaf layers (or a module called twice)"
    for mine, info in zip(ours, theirs, strict=True):
        assert mine == info, f"ours {mine} != torchinfo {info}"


def test_conv_and_fc_macs_match_torchinfo(case) -> None:
    _, a, _, rows = case
    for r, (name, kind, _, out_shape, _params, macs) in zip(a.layers.itertuples(), rows, strict=True):
        if kind == "Conv2d":
            assert r.macs == macs, name
        elif kind == "Linear":
            assert r.macs == macs - out_shape[0], f"{name}: FC multiply-adds without the bias adds"
        else:
            assert r.macs == 0, f"{name}: only conv and FC layers carry multiply-adds here"


def test_totals_match_torchinfo(case) -> None:
    config, a, stats, rows = case
    assert a.total_params == stats.total_params
    assert a.total_params == sum(p.numel() for p in build_model(config, "meta").parameters())
    conv_fc = sum(
        macs - (out[0] if kind == "Linear" else 0)
        for _, kind, _, out, _, macs in rows
        if kind in ("Conv2d", "Linear")
    )
    assert a.total_macs == conv_fc
    bn = sum(params for _, kind, _, _, params, _ in rows if kind == "BatchNorm2d")
    assert a.bn_params == bn
    assert a.output_shape == (config.num_classes,)


def test_per_stage_sums_equal_totals(case) -> None:
    _, a, _, rows = case
    st = a.stages
    assert int(st["params"].sum()) == a.total_params
    assert int(st["macs"].sum()) == a.total_macs
    assert (st["branch_params"] + st["shortcut_params"] == st["params"]).all()
    assert (st["branch_macs"] + st["shortcut_macs"] == st["macs"]).all()
    assert int(st["shortcut_params"].sum()) == a.shortcut_params
    # Each stage row equals torchinfo's leaves under that stage's module.
    for row in st.itertuples():
        prefix = {"stem": None, "head": None}.get(row.stage, row.stage + ".")
        if prefix is None:
            continue
        theirs = sum(p for name, *_, p, _ in rows if name.startswith(prefix))
        assert row.params == theirs, row.stage
    assert list(st["stage"]) == ["stem", *(f"layer{i}" for i in range(1, len(a.config.stages) + 1)), "head"]


def test_memory_figures(case) -> None:
    _, a, _, rows = case
    assert a.param_bytes == 4 * a.total_params
    # One image's activations: every leaf's output, float32, as torchinfo's hooks saw them.
    numel = 0
    for *_, out, _, _ in rows:
        n = 1
        for d in out:
            n *= d
        numel += n
    assert a.activation_bytes == 4 * numel
