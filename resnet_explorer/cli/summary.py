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
from typing import Any

import pandas as pd

from ..core.analysis import Analysis, BlockArithmetic, analyze, block_arithmetic
from ..core.config import PRESETS, ResNetConfig, config_diff, parse_stages, preset_name
from ..formatting import format_bytes, format_count, format_shape

__all__ = ["register", "summary_config", "summary_dict", "summary_text", "blocks_dict", "blocks_text"]

# Flag -> ResNetConfig field, for the flags that override a preset.
_OVERRIDES = {
    "stem": "stem", "stages": "stages", "block": "block", "shortcut": "shortcut",
    "stride_at": "stride_at", "width": "width", "classes": "num_classes",
    "in_channels": "in_channels", "input_size": "input_size", "preact": "preact",
}


def _stages(raw: str) -> tuple[int, ...]:
    """argparse type for ``--stages 3,4,6,3``; the counts' ranges are ResNetConfig's to check."""
    try:
        return parse_stages(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"got {raw!r}; expected block counts separated by commas, like 3,4,6,3") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "summary", help="layer-by-layer table of a ResNet: shapes, parameters, multiply-adds",
        description="Layer table, per-stage totals and headline numbers of a ResNet config. "
                    "Flags override the preset. MACs count convolutions and the FC layer only, "
                    "as the paper's Table 1 does.")
    p.add_argument("--preset", default="resnet18", metavar="NAME",
                   help=f"starting config (default resnet18); one of: {', '.join(PRESETS)}")
    p.add_argument("--stem", help="imagenet | cifar | deep")
    p.add_argument("--stages", type=_stages, metavar="N,N,...", help="blocks per stage, e.g. 3,4,6,3")
    p.add_argument("--block", help="basic | bottleneck")
    p.add_argument("--shortcut", help="A (zero-pad) | B (project where needed) | C (project all) | none")
    p.add_argument("--stride-at", dest="stride_at", help="1x1 (paper) | 3x3 (torchvision V1.5)")
    p.add_argument("--width", type=int, metavar="N", help="width of the first stage")
    p.add_argument("--classes", type=int, metavar="N", help="number of classes")
    p.add_argument("--in-channels", dest="in_channels", type=int, metavar="N", help="input channels")
    p.add_argument("--input-size", dest="input_size", type=int, metavar="N", help="input side in pixels")
    p.add_argument("--preact", action=argparse.BooleanOptionalAction, default=None,
                   help="pre-activation blocks (He et al. 2016)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_run_summary)

    b = subparsers.add_parser(
        "blocks", help="weights of a basic vs a bottleneck block (Fig. 5 arithmetic)",
        description="Conv weights of a basic and a bottleneck block for a channel count, with "
                    "the formulas written out; BN parameters are listed apart.")
    b.add_argument("--channels", type=int, default=256, metavar="N",
                   help="channels of the block's input and output map (multiple of 4; default 256)")
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
        "stages": _records(a.stages),
        "layers": _records(a.layers),
    }


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(headers), "  ".join("─" * w for w in widths)] + [line(r) for r in rows]


def _kernel(k: Any, s: Any) -> str:
    return "" if pd.isna(k) else f"{k}×{k}/{s}"


def summary_text(a: Analysis, base: str = "resnet18") -> str:
    """The readable report: layer table, per-stage totals, headline totals.

    ``base`` names the preset a custom config started from, to say what differs from it.
    """
    c = a.config
    name = preset_name(c)
    if name is None:
        diff = ", ".join(f"{k}={v[1]}" for k, v in config_diff(PRESETS[base], c).items())
        title = f"custom config ({base} with {diff})"
    else:
        title = f"preset {name}"
    out = [f"{title}: input {format_shape(a.plan.input_shape)}, {c.num_classes} classes, "
           f"{c.block} blocks, shortcut {c.shortcut}" + (", pre-activation" if c.preact else ""), ""]

    rows = [[r.name, r.type, _kernel(r.kernel, r.stride), r.output_shape, f"{r.params:,}", f"{r.macs:,}"]
            for r in a.layers.itertuples()]
    out += _table(["layer", "type", "kernel/stride", "output", "params", "MACs"], rows, {4, 5})
    out.append("")

    rows = [[r.stage, "" if pd.isna(r.blocks) else str(r.blocks), r.output_shape, f"{r.params:,}",
             f"{r.shortcut_params:,}", f"{r.macs:,}"] for r in a.stages.itertuples()]
    rows.append(["total", str(len(a.plan.blocks)), format_shape(a.output_shape),
                 f"{a.total_params:,}", f"{a.shortcut_params:,}", f"{a.total_macs:,}"])
    out += _table(["stage", "blocks", "output", "params", "of which shortcut", "MACs"], rows, {1, 3, 4, 5})
    out.append("")

    fit = "fits this server" if a.fits else "too large to build on this server"
    out += [
        f"parameters         {a.total_params:,} ({format_count(a.total_params)}; "
        f"BN {a.bn_params:,}, shortcut projections {a.shortcut_params:,})",
        f"multiply-adds      {a.total_macs:,} ({format_count(a.total_macs)} MACs; conv and FC layers "
        f"only, as in the paper's Table 1)",
        f"depth              {a.depth} weighted layers (convs and FC on the main path)",
        f"parameter memory   {format_bytes(a.param_bytes)} (float32)",
        f"activation memory  {format_bytes(a.activation_bytes)} (every layer's output for one image, "
        f"float32; {fit}: limit {format_bytes(a.memory_limit)})",
    ]
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
            "bottleneck": {"formula": ba.bottleneck_formula, "weights": ba.bottleneck_weights,
                           "bn_params": ba.bottleneck_bn},
            "ratio": ba.ratio,
        },
        "fig5": {
            "basic": {"channels": ba.mid, "formula": ba.fig5_basic_formula,
                      "weights": ba.fig5_basic_weights, "bn_params": ba.fig5_basic_bn},
            "bottleneck": {"channels": ba.channels, "formula": ba.bottleneck_formula,
                           "weights": ba.bottleneck_weights, "bn_params": ba.bottleneck_bn},
            "ratio": ba.fig5_ratio,
        },
    }


def blocks_text(ba: BlockArithmetic) -> str:
    c, m = ba.channels, ba.mid
    return "\n".join([
        "Conv weights of one block (stride 1, identity shortcut); BN γ and β listed apart.",
        "",
        f"1. Both blocks on the same {c}-d map:",
        f"   basic       {ba.basic_formula} = {ba.basic_weights:,}   (+ BN {ba.basic_bn:,})",
        f"   bottleneck  {ba.bottleneck_formula} = {ba.bottleneck_weights:,}   (+ BN {ba.bottleneck_bn:,})",
        f"   the basic block has {ba.ratio:.2f}× the weights of the bottleneck",
        "",
        f"2. The paper's Fig. 5 pairing: a basic block on a {m}-d map beside a bottleneck on a {c}-d map:",
        f"   basic       {ba.fig5_basic_formula} = {ba.fig5_basic_weights:,}   (+ BN {ba.fig5_basic_bn:,})",
        f"   bottleneck  {ba.bottleneck_formula} = {ba.bottleneck_weights:,}   (+ BN {ba.bottleneck_bn:,})",
        f"   ratio {ba.fig5_ratio:.2f}×: similar cost, which is why the paper can go deeper with bottlenecks",
    ])


def _run_blocks(args: argparse.Namespace) -> int:
    ba = block_arithmetic(args.channels)
    if args.json:
        json.dump(blocks_dict(ba), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(blocks_text(ba))
    return 0
