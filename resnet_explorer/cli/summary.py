"""``summary`` and ``blocks``: the Explorer's numbers on the command line.

    python -m resnet_explorer summary --preset resnet50 --stride-at 1x1
    python -m resnet_explorer summary --stages 3,4,6,3 --block bottleneck --json
    python -m resnet_explorer blocks --channels 256

Flags override the preset (``dataclasses.replace``), so a bad value is reported by
:class:`ResNetConfig` itself, naming the field, the value and what is allowed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import unicodedata
from typing import Any

import pandas as pd

from ..core import paper
from ..core.analysis import Analysis, BlockArithmetic, analyze, block_arithmetic
from ..core.config import PRESETS, ResNetConfig, config_diff, parse_stages, preset_name
from ..formatting import format_bytes, format_count, format_shape
from . import say

__all__ = [
    "register",
    "summary_config",
    "summary_dict",
    "summary_text",
    "blocks_dict",
    "blocks_text",
    "macs_sources",
]

# Flag -> ResNetConfig field, for the flags that override a preset.
_OVERRIDES = {
    "stem": "stem",
    "stages": "stages",
    "block": "block",
    "shortcut": "shortcut",
    "stride_at": "stride_at",
    "width": "width",
    "classes": "num_classes",
    "in_channels": "in_channels",
    "input_size": "input_size",
    "preact": "preact",
    "groups": "groups",
    "width_per_group": "width_per_group",
    "stem_width": "stem_width",
    "shortcut_pool": "shortcut_pool",
    "se_ratio": "se_ratio",
    "drop_path": "drop_path",
    "zero_init_residual": "zero_init_residual",
    "pad_placement": "pad_placement",
}


def _stages(raw: str) -> tuple[int, ...]:
    """argparse type for ``--stages 3,4,6,3``; the counts' ranges are ResNetConfig's to check."""
    try:
        return parse_stages(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"got {raw!r}; expected block counts separated by commas, like 3,4,6,3"
        ) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "summary",
        help="layer-by-layer table of a ResNet: shapes, parameters, multiply-adds",
        description="Layer table, per-stage totals and headline numbers of a ResNet config. "
        "Flags override the preset. MACs count convolutions and the FC layer only, "
        "as the paper's Table 1 does.",
    )
    p.add_argument(
        "--preset",
        default="resnet18",
        metavar="NAME",
        help=f"starting config (default resnet18); one of: {', '.join(PRESETS)}",
    )
    p.add_argument("--stem", help="imagenet | cifar | deep")
    p.add_argument("--stages", type=_stages, metavar="N,N,...", help="blocks per stage, e.g. 3,4,6,3")
    p.add_argument("--block", help="basic | bottleneck")
    p.add_argument("--shortcut", help="A (zero-pad) | B (project where needed) | C (project all) | none")
    p.add_argument("--stride-at", dest="stride_at", help="1x1 (paper) | 3x3 (torchvision V1.5)")
    p.add_argument("--width", type=int, metavar="N", help="width of the first stage")
    p.add_argument("--classes", type=int, metavar="N", help="number of classes")
    p.add_argument("--in-channels", dest="in_channels", type=int, metavar="N", help="input channels")
    p.add_argument("--input-size", dest="input_size", type=int, metavar="N", help="input side in pixels")
    p.add_argument(
        "--preact",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="pre-activation blocks (He et al. 2016)",
    )
    p.add_argument(
        "--groups", type=int, metavar="N", help="groups of the bottleneck's 3x3 (ResNeXt cardinality)"
    )
    p.add_argument(
        "--width-per-group",
        dest="width_per_group",
        type=int,
        metavar="N",
        help="channels per group, torchvision's base_width (64 = ResNet, 4 with 32 groups = "
        "ResNeXt 32x4d, 128 = Wide ResNet-50-2)",
    )
    p.add_argument(
        "--stem-width",
        dest="stem_width",
        type=int,
        metavar="N",
        help="stem output channels (0 = the first stage's width; Wide ResNets use 16)",
    )
    p.add_argument(
        "--shortcut-pool",
        dest="shortcut_pool",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="2x2 average pool before the projection (ResNet-D, Bag of Tricks 2019)",
    )
    p.add_argument(
        "--se-ratio",
        dest="se_ratio",
        type=int,
        metavar="R",
        help="squeeze-and-excitation reduction ratio r (Hu et al. 2018; 16 in the paper; 0 = off)",
    )
    p.add_argument(
        "--drop-path",
        dest="drop_path",
        type=float,
        metavar="P",
        help="stochastic depth: the last block's drop probability (Huang et al. 2016; 0 = off)",
    )
    p.add_argument(
        "--zero-init-residual",
        dest="zero_init_residual",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start every residual branch at zero (Goyal et al. 2017)",
    )
    p.add_argument(
        "--pad-placement",
        dest="pad_placement",
        help="option A's zero channels: append (fb.resnet.torch) | both (akamaster CIFAR code)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_run_summary)

    b = subparsers.add_parser(
        "blocks",
        help="weights of a basic vs a bottleneck block (Fig. 5 arithmetic)",
        description="Conv weights of a basic and a bottleneck block for a channel count, with "
        "the formulas written out; BN parameters are listed apart.",
    )
    b.add_argument(
        "--channels",
        type=int,
        default=256,
        metavar="N",
        help="channels of the block's input and output map (multiple of 4; default 256)",
    )
    b.add_argument("--json", action="store_true", help="print JSON instead of text")
    b.set_defaults(func=_run_blocks)


# --- summary ------------------------------------------------------------------------------------


def summary_config(preset: str = "resnet18", **overrides: Any) -> ResNetConfig:
    """The preset with ``overrides`` (CLI flag names) applied; ``None`` values are ignored."""
    if preset not in PRESETS:
        raise ValueError(f"preset: got {preset!r}; allowed: {', '.join(PRESETS)}")
    changes = {_OVERRIDES[k]: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(PRESETS[preset], **changes)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    # to_json turns pandas' NA into null and numpy ints into plain ints.
    return json.loads(df.to_json(orient="records"))


def summary_dict(a: Analysis) -> dict[str, Any]:
    """Everything ``summary --json`` prints, as plain JSON-ready data."""
    config = dataclasses.asdict(a.config)
    config["stages"] = list(a.config.stages)
    return {
        "preset": preset_name(a.config),
        "config": config,
        "input_shape": list(a.plan.input_shape),
        "output_shape": list(a.output_shape),
        "total_params": a.total_params,
        "total_macs": a.total_macs,
        "depth": a.depth,
        "param_bytes": a.param_bytes,
        "activation_bytes": a.activation_bytes,
        "bn_params": a.bn_params,
        "shortcut_params": a.shortcut_params,
        "fits": a.fits,
        "memory_limit_bytes": a.memory_limit,
        "macs_convention": "multiply-adds of convolutions and the FC layer (He et al. 2015, Table 1)",
        # Which published count this total is (None: neither torchvision nor Table 1 has this network).
        "macs_sources": _json_sources(macs_sources(a.config)),
        "stages": _records(a.stages),
        "layers": _records(a.layers),
    }


def _cells(text: str) -> int:
    # Terminal columns: CJK characters (the zh headings) take two.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _cells(text))
    return fill + text if right else text + fill


def _json_sources(src: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if src is None else {k: v for k, v in src.items() if k != "configs"}


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max([_cells(h)] + [_cells(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            _pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), "  ".join("─" * w for w in widths)] + [line(r) for r in rows]


def _kernel(k: Any, s: Any) -> str:
    return "" if pd.isna(k) else f"{k}×{k}/{s}"


def _layout(c: ResNetConfig) -> str:
    """The two settings the paper and torchvision disagree on, in words."""
    if c.block != "bottleneck":
        return say("cli.layout.A") if c.shortcut == "A" else say("cli.layout.other", shortcut=c.shortcut)
    stride = say("cli.layout.stride_1x1") if c.stride_at == "1x1" else say("cli.layout.stride_3x3")
    return say("cli.layout.bottleneck", shortcut=c.shortcut, stride=stride)


def macs_sources(c: ResNetConfig) -> dict[str, Any] | None:
    """Who publishes a multiply-add count for this network, when it is torchvision's resnetN (V1.5,
    option B) or the network behind the paper's Table 1 column N (:func:`paper.table1_config`).

    The two differ for every depth (option A against B for 18/34; the stride's place for 50/101/152),
    so the report must say which count matches which source. ``None`` for any other config.
    """
    for depth, printed in paper.TABLE1_FLOPS.items():
        tv, pp = PRESETS[f"resnet{depth}"], paper.table1_config(depth)
        if c not in (tv, pp):
            continue
        from torchvision.models import get_model_weights  # only here: torchvision's own metadata

        macs_tv, macs_pp = analyze(tv).total_macs, analyze(pp).total_macs
        return {
            "matches": "torchvision" if c == tv else "paper_table1",
            "torchvision": {
                "arch": f"resnet{depth}",
                "shortcut": tv.shortcut,
                "stride_at": tv.stride_at,
                "macs": macs_tv,
                "gflops_published": _tv_gflops(get_model_weights, depth),
            },
            "paper_table1": {
                "model": f"ResNet-{depth}",
                "shortcut": pp.shortcut,
                "stride_at": pp.stride_at,
                "macs": macs_pp,
                "flops_published": printed,
                "reading": paper.status_at_precision(macs_pp / 1e9, printed),
                "rounded": paper.rounded_to(macs_pp / 1e9, printed),
            },
            "configs": {"torchvision": tv, "paper_table1": pp},
        }
    return None


def _tv_gflops(get_model_weights: Any, depth: int) -> float:
    # torchvision's published multiply-adds (its "GFLOPS", _ops) for its V1 ImageNet weights.
    return float(get_model_weights(f"resnet{depth}").IMAGENET1K_V1.meta["_ops"])


def _macs_lines(src: dict[str, Any]) -> list[str]:
    tv, pp = src["torchvision"], src["paper_table1"]
    pp_cfg, tv_cfg = src["configs"]["paper_table1"], src["configs"]["torchvision"]
    g = f"{pp['macs'] / 1e9:.3f}"
    paper_name = say("cli.summary.paper_name", model=pp["model"], layout=_layout(pp_cfg))
    paper_detail = (
        say("cli.summary.paper_detail_truncated", g=g, published=pp["flops_published"], rounded=pp["rounded"])
        if pp["reading"] == "truncated"
        else say("cli.summary.paper_detail", g=g, published=pp["flops_published"])
    )
    tv_name = say("cli.summary.tv_name", arch=tv["arch"], layout=_layout(tv_cfg))
    tv_detail = say("cli.summary.tv_detail", gflops=f"{tv['gflops_published']:.3f}")
    # The flag that turns this network into the other source's (they differ in exactly one setting).
    mine, other = (tv_cfg, pp_cfg) if src["matches"] == "torchvision" else (pp_cfg, tv_cfg)
    flag = (
        f"--shortcut {other.shortcut}"
        if mine.shortcut != other.shortcut
        else f"--stride-at {other.stride_at}"
    )
    if src["matches"] == "torchvision":
        return [
            say("cli.summary.this_is", name=tv_name, detail=tv_detail),
            say(
                "cli.summary.other_is",
                name=paper_name,
                macs=f"{pp['macs']:,}",
                detail=paper_detail,
                flag=flag,
            ),
        ]
    return [
        say("cli.summary.this_is", name=paper_name, detail=paper_detail),
        say("cli.summary.other_is", name=tv_name, macs=f"{tv['macs']:,}", detail=tv_detail, flag=flag),
    ]


def summary_text(a: Analysis, base: str = "resnet18") -> str:
    """The readable report, in the run's language: layer table, per-stage totals, headline totals.

    ``base`` names the preset a custom config started from, to say what differs from it. The title
    names the shortcut option and, for bottlenecks, where the downsampling stride sits; the
    multiply-adds line says which published count (the paper's Table 1, torchvision's) it matches.
    """
    c = a.config
    name = preset_name(c)
    if name is None:
        diff = ", ".join(f"{k}={v[1]}" for k, v in config_diff(PRESETS[base], c).items())
        title = say("cli.summary.custom", base=base, diff=diff)
    else:
        title = say("cli.summary.preset", name=name)
    block = say("cli.summary.basic") if c.block == "basic" else say("cli.summary.bottleneck")
    out = [
        say(
            "cli.summary.title",
            title=title,
            shape=format_shape(a.plan.input_shape),
            classes=c.num_classes,
            block=block,
            layout=_layout(c),
        )
        + (say("cli.summary.preact") if c.preact else ""),
        "",
    ]

    rows = [
        [r.name, r.type, _kernel(r.kernel, r.stride), r.output_shape, f"{r.params:,}", f"{r.macs:,}"]
        for r in a.layers.itertuples()
    ]
    heads = [
        "cli.col.layer",
        "cli.col.type",
        "cli.col.kernel",
        "cli.col.output",
        "cli.col.params",
        "cli.col.macs",
    ]
    out += _table([say(h) for h in heads], rows, {4, 5})
    out.append("")

    rows = [
        [
            r.stage,
            "" if pd.isna(r.blocks) else str(r.blocks),
            r.output_shape,
            f"{r.params:,}",
            f"{r.shortcut_params:,}",
            f"{r.macs:,}",
        ]
        for r in a.stages.itertuples()
    ]
    rows.append(
        [
            say("cli.col.total"),
            str(len(a.plan.blocks)),
            format_shape(a.output_shape),
            f"{a.total_params:,}",
            f"{a.shortcut_params:,}",
            f"{a.total_macs:,}",
        ]
    )
    heads = [
        "cli.col.stage",
        "cli.col.blocks",
        "cli.col.output",
        "cli.col.params",
        "cli.col.of_shortcut",
        "cli.col.macs",
    ]
    out += _table([say(h) for h in heads], rows, {1, 3, 4, 5})
    out.append("")

    fit = say("cli.summary.fits") if a.fits else say("cli.summary.too_large")
    lines = [
        (
            "cli.summary.params",
            say(
                "cli.summary.params_line",
                n=f"{a.total_params:,}",
                short=format_count(a.total_params),
                bn=f"{a.bn_params:,}",
                shortcut=f"{a.shortcut_params:,}",
            ),
        ),
        (
            "cli.summary.macs",
            say("cli.summary.macs_line", n=f"{a.total_macs:,}", short=format_count(a.total_macs)),
        ),
        ("cli.summary.depth", say("cli.summary.depth_line", n=a.depth)),
        ("cli.summary.param_mem", say("cli.summary.param_mem_line", size=format_bytes(a.param_bytes))),
        (
            "cli.summary.act_mem",
            say(
                "cli.summary.act_mem_line",
                size=format_bytes(a.activation_bytes),
                fit=fit,
                limit=format_bytes(a.memory_limit),
            ),
        ),
    ]
    width = max(19, *(_cells(say(k)) + 1 for k, _ in lines))
    for key, value in lines:
        out.append(_pad(say(key), width) + value)
        src = macs_sources(c) if key == "cli.summary.macs" else None
        if src is not None:
            out += [" " * width + line for line in _macs_lines(src)]
    return "\n".join(out)


def _run_summary(args: argparse.Namespace) -> int:
    overrides = {flag: getattr(args, flag) for flag in _OVERRIDES}
    a = analyze(summary_config(args.preset, **overrides))
    if args.json:
        json.dump(summary_dict(a), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(summary_text(a, args.preset))
    return 0


# --- blocks -------------------------------------------------------------------------------------


def blocks_dict(ba: BlockArithmetic) -> dict[str, Any]:
    return {
        "channels": ba.channels,
        "mid": ba.mid,
        "same_width": {
            "basic": {"formula": ba.basic_formula, "weights": ba.basic_weights, "bn_params": ba.basic_bn},
            "bottleneck": {
                "formula": ba.bottleneck_formula,
                "weights": ba.bottleneck_weights,
                "bn_params": ba.bottleneck_bn,
            },
            "ratio": ba.ratio,
        },
        "fig5": {
            "basic": {
                "channels": ba.mid,
                "formula": ba.fig5_basic_formula,
                "weights": ba.fig5_basic_weights,
                "bn_params": ba.fig5_basic_bn,
            },
            "bottleneck": {
                "channels": ba.channels,
                "formula": ba.bottleneck_formula,
                "weights": ba.bottleneck_weights,
                "bn_params": ba.bottleneck_bn,
            },
            "ratio": ba.fig5_ratio,
        },
    }


def blocks_text(ba: BlockArithmetic) -> str:
    c, m = ba.channels, ba.mid
    basic, bottleneck = say("cli.summary.basic"), say("cli.summary.bottleneck")
    w = max(_cells(basic), _cells(bottleneck)) + 2

    def row(label: str, formula: str, weights: int, bn: int) -> str:
        cells = say("cli.blocks.row", formula=formula, weights=f"{weights:,}", bn=f"{bn:,}")
        return "   " + _pad(label, w) + cells

    return "\n".join(
        [
            say("cli.blocks.intro"),
            "",
            say("cli.blocks.same_map", c=c),
            row(basic, ba.basic_formula, ba.basic_weights, ba.basic_bn),
            row(bottleneck, ba.bottleneck_formula, ba.bottleneck_weights, ba.bottleneck_bn),
            say("cli.blocks.ratio", ratio=f"{ba.ratio:.2f}"),
            "",
            say("cli.blocks.fig5", m=m, c=c),
            row(basic, ba.fig5_basic_formula, ba.fig5_basic_weights, ba.fig5_basic_bn),
            row(bottleneck, ba.bottleneck_formula, ba.bottleneck_weights, ba.bottleneck_bn),
            say("cli.blocks.fig5_ratio", ratio=f"{ba.fig5_ratio:.2f}"),
        ]
    )


def _run_blocks(args: argparse.Namespace) -> int:
    ba = block_arithmetic(args.channels)
    if args.json:
        json.dump(blocks_dict(ba), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(blocks_text(ba))
    return 0
