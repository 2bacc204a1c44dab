"""The architecture picture's data: a plan turned into plain, JSON-ready groups, runs and layers.

The Explorer's picture (``ui/archview.py`` and its script) draws what this module returns and nothing
else, so the picture, the layer table and the inspector show one set of numbers, all read off the
same :class:`~resnet_explorer.core.plan.Plan`. The network is described as the paper's Table 1 reads:
input → stem → one group per stage (conv2_x … conv5_x, torchvision's layer1 … layer4) → head.

A stage's blocks are kept as *runs* of blocks with equal signatures (``graph.fold_runs``): ResNet-152's
conv4_x is two runs, its projection block and 35 identical identity blocks, so ResNet-1202 costs no
more to send than ResNet-56. Block ``j`` of a run has the layers of the run's first block, renamed
(``layer3.0.conv1`` → ``layer3.j.conv1``): equal signatures mean equal shapes and counts.

Every layer carries the arithmetic behind its numbers (``3·3·64·64 = 36,864``), written from the
layer's own kernel and shapes; a test checks that each formula's terms multiply out to the count.
Activation memory is the layer's output for one image in float32, as the Explorer's headline
``activations`` figure counts it (``core.model.estimate_bytes``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..core.config import ResNetConfig
from ..core.memo import bounded_cache
from ..core.plan import BlockSpec, LayerSpec, Plan, StageSpec, make_plan
from ..formatting import format_count, format_shape
from ..i18n import t
from .graph import _localised_op, _op, fold_runs

__all__ = [
    "diff_marks",
    "DIFF_REASONS",
    "scene",
    "outline",
    "layer_formulas",
    "paper_stage_name",
    "ACT_BYTES",
    "SHORTCUT_KINDS",
    "VIEW_KEYS",
]

ACT_BYTES = 4  # float32, as the headline activation figure
SHORTCUT_KINDS = ("identity", "zero-pad", "projection", "none")
# The link keys of the picture's view (what is open, picked, coloured): the Explorer's link reader
# accepts them beside the config's fields.
VIEW_KEYS = ("open", "sel", "color")


def layer_formulas(layer: LayerSpec) -> dict[str, str]:
    """The closed-form arithmetic behind a layer's parameters, MACs and activation memory."""
    n = f"{layer.params:,}"
    out = layer.out_shape
    act = ACT_BYTES * math.prod(out)
    f: dict[str, str] = {"act": f"{'·'.join(map(str, out))}·{ACT_BYTES} B = {act:,} B"}
    if layer.kind == "Conv2d":
        k, c_in, c_out = layer.kernel, layer.in_shape[0] // layer.groups, out[0]
        f["params"] = f"{k}·{k}·{c_in}·{c_out} = {n}"
        f["macs"] = f"{layer.params:,}·{out[1]}·{out[2]} = {layer.macs:,}"
    elif layer.kind == "BatchNorm2d":
        f["params"] = f"2·{out[0]} = {n}"  # γ and β; the running statistics are buffers
    elif layer.kind == "Linear":
        c_in, c_out = layer.in_shape[0], out[0]
        f["params"] = f"{c_in}·{c_out} + {c_out} = {n}"
        f["macs"] = f"{c_in}·{c_out} = {layer.macs:,}"
    elif layer.kind == "SqueezeExcite":  # two 1x1 convs with bias: C -> C/r -> C
        c, r = out[0], layer.groups
        f["params"] = f"2·{c}·{r} + {r} + {c} = {n}"
        f["macs"] = f"2·{c}·{r} = {layer.macs:,}"
    return f


def _layer(layer: LayerSpec, lang: str) -> dict[str, Any]:
    return {
        "name": layer.name,
        "kind": layer.kind,
        "op": _localised_op(_op(layer), lang),
        "role": layer.role,
        "kernel": layer.kernel,
        "stride": layer.stride,
        "in": format_shape(layer.in_shape),
        "out": format_shape(layer.out_shape),
        "params": layer.params,
        "macs": layer.macs,
        "act": ACT_BYTES * math.prod(layer.out_shape),
        "f": layer_formulas(layer),
    }


def _totals(layers: tuple[LayerSpec, ...]) -> dict[str, int]:
    return {
        "params": sum(x.params for x in layers),
        "macs": sum(x.macs for x in layers),
        "act": sum(ACT_BYTES * math.prod(x.out_shape) for x in layers),
    }


def _run(block: BlockSpec, count: int, lang: str) -> dict[str, Any]:
    return {
        "first": block.index,
        "count": count,
        "prefix": f"{block.name}.",
        "shortcut": block.shortcut,
        "stride": block.stride,
        "in": format_shape(block.in_shape),
        "out": format_shape(block.out_shape),
        "mid": block.mid_channels,
        "groups": block.groups,
        **_totals(block.layers),  # of one block of the run
        "layers": [_layer(x, lang) for x in block.layers],
    }


def _block_word(config: ResNetConfig, lang: str) -> str:
    """'bottleneck', 'pre-act basic', 'bottleneck 32×4d', '+ SE' — what a stage's blocks are."""
    word = t("arch.block.bottleneck" if config.block == "bottleneck" else "arch.block.basic", lang)
    if config.preact:
        word = t("arch.block.preact", lang, block=word)
    if config.block == "bottleneck" and (config.groups > 1 or config.width_per_group != 64):
        word += f" {config.groups}×{config.inner_width(1) // config.groups}d"  # ResNeXt's "32x4d"
    if config.se_ratio:
        word += " + SE"
    return word


def paper_stage_name(stage: StageSpec) -> str:
    """The paper's Table 1 name of a stage: torchvision's layer1 is conv2_x."""
    return f"conv{stage.index + 1}_x"


def _stage(stage: StageSpec, config: ResNetConfig, lang: str) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for b in stage.blocks:
        kinds[b.shortcut] = kinds.get(b.shortcut, 0) + 1
    return {
        "id": stage.name,
        "kind": "stage",
        "paper": paper_stage_name(stage),
        "code": stage.name,
        "block": _block_word(config, lang),
        "count": len(stage.blocks),
        "in": format_shape(stage.in_shape),
        "out": format_shape(stage.out_shape),
        "stride": stage.blocks[0].stride,
        "shortcuts": kinds,
        **_totals(stage.layers),
        "runs": [_run(b, n, lang) for b, n in fold_runs(stage.blocks)],
    }


def _end(kind: str, layers: tuple[LayerSpec, ...], lang: str, paper: str, shape_in: str) -> dict[str, Any]:
    return {
        "id": kind,
        "kind": kind,
        "paper": paper,
        "code": ", ".join(x.name for x in layers if x.kind not in ("BatchNorm2d", "ReLU")),
        "in": shape_in,
        "out": format_shape(layers[-1].out_shape),
        **_totals(layers),
        "layers": [_layer(x, lang) for x in layers],
    }


def outline(plan: Plan, lang: str) -> list[str]:
    """The picture as text, one line a group, for screen readers and for the page's text view."""
    c = plan.config
    lines = [t("arch.outline.input", lang, shape=format_shape(plan.input_shape))]
    stem = plan.stem
    lines.append(
        t(
            "arch.outline.stem",
            lang,
            ops=", ".join(_localised_op(_op(x), lang) for x in stem if x.kind not in ("BatchNorm2d", "ReLU")),
            shape=format_shape(stem[-1].out_shape),
            params=format_count(sum(x.params for x in stem)),
            macs=format_count(sum(x.macs for x in stem)),
        )
    )
    for s in plan.stages:
        kinds = {}
        for b in s.blocks:
            kinds[b.shortcut] = kinds.get(b.shortcut, 0) + 1
        shortcuts = ", ".join(f"{t(f'graph.shortcut.{k}', lang)} ×{n}" for k, n in kinds.items())
        lines.append(
            t(
                "arch.outline.stage",
                lang,
                paper=paper_stage_name(s),
                code=s.name,
                n=len(s.blocks),
                block=_block_word(c, lang),
                shape=format_shape(s.out_shape),
                stride=s.blocks[0].stride,
                shortcuts=shortcuts,
                params=format_count(sum(x.params for x in s.layers)),
                macs=format_count(sum(x.macs for x in s.layers)),
            )
        )
    head = plan.head
    lines.append(
        t(
            "arch.outline.head",
            lang,
            ops=", ".join(_localised_op(_op(x), lang) for x in head if x.kind not in ("BatchNorm2d", "ReLU")),
            shape=format_shape(plan.output_shape),
            params=format_count(sum(x.params for x in head)),
        )
    )
    return lines


# Every word the picture's script shows (arch.ui.<word> in the catalogue).
UI_WORDS = (
    "zoom_in",
    "zoom_out",
    "reset",
    "expand_all",
    "collapse_all",
    "overlay",
    "overlay.none",
    "overlay.params",
    "overlay.macs",
    "overlay.act",
    "export_svg",
    "export_png",
    "input",
    "output",
    "stem",
    "head",
    "block",
    "params",
    "macs",
    "act",
    "shape",
    "kernel",
    "stride",
    "shortcut",
    "layers",
    "formula",
    "inspector",
    "inspector.empty",
    "outline",
    "help",
    "picture",
    "low",
    "high",
    "add",
    "fold",
    "expand",
    "collapse",
    "diff",
)


def _labels(lang: str) -> dict[str, str]:
    """Every word the picture's script shows, in the reader's language."""
    words = {k: t(f"arch.ui.{k}", lang) for k in UI_WORDS}
    words |= {f"shortcut.{k}": t(f"graph.shortcut.{k}", lang) for k in SHORTCUT_KINDS}
    words |= {f"role.{r}": t(f"role.{r}", lang) for r in ("stem", "branch", "shortcut", "post", "head")}
    return words


def _scene_bytes(s: dict[str, Any]) -> int:
    return len(json.dumps(s))  # measured once, when a scene enters the cache


@bounded_cache(max_entries=256, max_bytes=32 * 2**20, size=_scene_bytes)
def scene(config: ResNetConfig, lang: str = "en") -> dict[str, Any]:
    """The picture of ``config`` as plain data (JSON-ready), in ``lang``. Cached: never mutate it."""
    plan = make_plan(config)
    stem = _end("stem", plan.stem, lang, "conv1", format_shape(plan.input_shape))
    head_in = format_shape(plan.stages[-1].out_shape) if plan.stages else stem["out"]
    head = _end("head", plan.head, lang, "avg pool, fc", head_in)
    groups = [stem, *(_stage(s, config, lang) for s in plan.stages), head]
    return {
        "lang": lang,
        "input": format_shape(plan.input_shape),
        "groups": groups,
        "total": _totals(plan.layers),
        "plain": config.is_plain,
        "labels": _labels(lang),
        "outline": outline(plan, lang),
    }


# What a comparison marks, per block, against the first model (Compare's column 1).
DIFF_REASONS = ("added", "shortcut", "width", "kind")


def _block_key(b: BlockSpec) -> tuple:
    return (b.in_channels, b.mid_channels, b.out_channels, b.stride, b.groups)


def diff_marks(configs: list[ResNetConfig], lang: str = "en") -> list[dict[str, Any]]:
    """For each model, the blocks that differ from the first model's, and why, stage by stage.

    Block ``j`` of stage ``i`` is compared with block ``j`` of the first model's stage ``i``: it is
    *added* where the first has no such block, its *shortcut* changed (identity, zero-pad, projection
    or none), its *width* (channels in, inside, out, stride, groups) or its *kind* (the layers it is
    made of: basic, bottleneck, pre-activation, SE). Blocks the first model has and this one lacks are
    counted on the stage (``removed``). The first model marks nothing: it is what the others are read
    against.
    """
    plans = [make_plan(c) for c in configs]
    ref = plans[0]
    out: list[dict[str, Any]] = []
    for plan in plans:
        blocks: dict[str, list[str]] = {}
        stages: dict[str, list[str]] = {}
        for i, stage in enumerate(plan.stages):
            theirs = ref.stages[i].blocks if i < len(ref.stages) else ()
            counts = dict.fromkeys(DIFF_REASONS, 0)
            for j, b in enumerate(stage.blocks):
                if plan is ref:
                    break
                why = []
                if j >= len(theirs):
                    why.append("added")
                else:
                    r = theirs[j]
                    if b.shortcut != r.shortcut:
                        why.append("shortcut")
                    if _block_key(b) != _block_key(r):
                        why.append("width")
                    if tuple(x.kind for x in b.branch) != tuple(x.kind for x in r.branch):
                        why.append("kind")
                if why:
                    blocks[b.name] = why
                    for w in why:
                        counts[w] += 1
            removed = 0 if plan is ref else max(0, len(theirs) - len(stage.blocks))
            words = [t(f"arch.diff.{w}", lang, n=n) for w, n in counts.items() if n]
            if removed:
                words.append(t("arch.diff.removed", lang, n=removed))
            if words:
                stages[stage.name] = words
        out.append({"blocks": blocks, "stages": stages})
    return out
