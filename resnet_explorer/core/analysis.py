"""Numbers about a config, computed from its plan alone: no weights are allocated.

Pure functions returning data (dataclasses, DataFrames); nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..formatting import format_shape
from .config import ResNetConfig
from .model import estimate_bytes, memory_limit_bytes
from .plan import Plan, make_plan

__all__ = [
    "ARITHMETIC_CHANNELS",
    "Analysis",
    "analyze",
    "BlockArithmetic",
    "block_arithmetic",
    "ResNeXtArithmetic",
    "resnext_arithmetic",
    "fold_to_blocks",
]

BYTES_PER_PARAM = 4  # float32


@dataclass(frozen=True)
class Analysis:
    config: ResNetConfig
    plan: Plan
    total_params: int
    total_macs: int
    depth: int  # weighted layers on the main path, as the paper counts them
    param_bytes: int
    activation_bytes: int  # every layer's output for one image, float32
    bn_params: int
    shortcut_params: int
    memory_limit: int
    fits: bool  # weights + one forward pass within the server's limit

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.plan.output_shape

    # The tables are views of the plan, built on first use: the totals above are all that a CLI
    # call, a chart or a comparison needs, and pandas costs more than the arithmetic.
    @cached_property
    def layers(self) -> pd.DataFrame:
        """One row per leaf layer, in forward order."""
        rows = [
            (
                s.name,
                s.stage,
                s.block,
                s.role,
                s.kind,
                s.kernel,
                s.stride,
                format_shape(s.in_shape),
                format_shape(s.out_shape),
                s.params,
                s.macs,
            )
            for s in self.plan.layers
        ]
        layers = pd.DataFrame(rows, columns=LAYER_COLUMNS)
        for col in ("block", "kernel", "stride"):
            layers[col] = layers[col].astype("Int64")
        return layers

    @cached_property
    def stages(self) -> pd.DataFrame:
        """One row each for the stem, every stage and the head, split into branch and shortcut."""
        plan = self.plan
        groups = [("stem", plan.stem, None, plan.stem[-1].out_shape)]
        groups += [(s.name, s.layers, len(s.blocks), s.out_shape) for s in plan.stages]
        groups += [("head", plan.head, None, plan.output_shape)]
        rows = []
        for name, specs, n_blocks, out_shape in groups:
            rows.append(
                {
                    "stage": name,
                    "blocks": n_blocks,
                    "output_shape": format_shape(out_shape),
                    "params": sum(s.params for s in specs),
                    "branch_params": sum(s.params for s in specs if s.role != "shortcut"),
                    "shortcut_params": sum(s.params for s in specs if s.role == "shortcut"),
                    "macs": sum(s.macs for s in specs),
                    "branch_macs": sum(s.macs for s in specs if s.role != "shortcut"),
                    "shortcut_macs": sum(s.macs for s in specs if s.role == "shortcut"),
                }
            )
        stages = pd.DataFrame(rows)
        stages["blocks"] = stages["blocks"].astype("Int64")
        return stages


LAYER_COLUMNS = [
    "name",
    "stage",
    "block",
    "role",
    "type",
    "kernel",
    "stride",
    "input_shape",
    "output_shape",
    "params",
    "macs",
]


def analyze(config: ResNetConfig) -> Analysis:
    """Parameters, multiply-adds, depth, memory and per-layer / per-stage tables of ``config``."""
    plan = make_plan(config)
    layers = plan.layers
    total_params = sum(s.params for s in layers)
    need = estimate_bytes(plan)
    limit = memory_limit_bytes()
    return Analysis(
        config=config,
        plan=plan,
        total_params=total_params,
        total_macs=sum(s.macs for s in layers),
        depth=sum(1 for s in layers if s.weighted and s.role != "shortcut"),
        param_bytes=BYTES_PER_PARAM * total_params,
        activation_bytes=need - BYTES_PER_PARAM * total_params,
        bn_params=sum(s.params for s in layers if s.kind == "BatchNorm2d"),
        shortcut_params=sum(s.params for s in layers if s.role == "shortcut"),
        memory_limit=limit,
        fits=need <= limit,
    )


def fold_to_blocks(layers: pd.DataFrame) -> pd.DataFrame:
    """One row per block (and one each for the stem and head layers) instead of per layer."""
    key = layers["stage"] + layers["block"].map(lambda b: "" if pd.isna(b) else f".{b}")
    key = key.where(layers["block"].notna(), layers["name"])
    grouped = layers.assign(unit=key).groupby("unit", sort=False)
    return pd.DataFrame(
        {
            "name": grouped["unit"].first(),
            "stage": grouped["stage"].first(),
            "layers": grouped.size(),
            "input_shape": grouped["input_shape"].first(),
            "output_shape": grouped["output_shape"].last(),
            "params": grouped["params"].sum(),
            "macs": grouped["macs"].sum(),
        }
    ).reset_index(drop=True)


# --- Block arithmetic (Fig. 5) -----------------------------------------------------------------


@dataclass(frozen=True)
class BlockArithmetic:
    """Weights of a basic and a bottleneck block on a ``channels``-d map (stride 1, no shortcut)."""

    channels: int
    mid: int  # the bottleneck's inner width: channels / 4
    basic_weights: int
    basic_formula: str
    bottleneck_weights: int
    bottleneck_formula: str
    basic_bn: int  # BN parameters (γ, β) kept apart from conv weights
    bottleneck_bn: int
    # The paper's own Fig. 5 pairing: a basic block on a (channels/4)-d map.
    fig5_basic_weights: int
    fig5_basic_formula: str
    fig5_basic_bn: int

    @property
    def ratio(self) -> float:
        return self.basic_weights / self.bottleneck_weights

    @property
    def fig5_ratio(self) -> float:
        return self.fig5_basic_weights / self.bottleneck_weights


# The channel counts block_arithmetic takes (a multiple of 4: the bottleneck's inner width is d/4).
ARITHMETIC_CHANNELS = (4, 65536)


def block_arithmetic(channels: int = 256) -> BlockArithmetic:
    """Conv weights of both block types for any channel count, with the formula written out."""
    low, high = ARITHMETIC_CHANNELS
    if (
        isinstance(channels, bool)
        or not isinstance(channels, int)
        or not low <= channels <= high
        or channels % 4
    ):
        raise ValueError(f"channels: got {channels!r}; allowed: a multiple of 4 from {low} to {high}")
    c, m = channels, channels // 4
    return BlockArithmetic(
        channels=c,
        mid=m,
        basic_weights=3 * 3 * c * c * 2,
        basic_formula=f"3·3·{c}·{c}·2",
        bottleneck_weights=c * m + 9 * m * m + m * c,
        bottleneck_formula=f"1·1·{c}·{m} + 3·3·{m}·{m} + 1·1·{m}·{c}",
        basic_bn=2 * (2 * c),
        bottleneck_bn=2 * (m + m + c),
        fig5_basic_weights=3 * 3 * m * m * 2,
        fig5_basic_formula=f"3·3·{m}·{m}·2",
        fig5_basic_bn=2 * (2 * m),
    )


# --- ResNeXt's "similar complexity" (Xie et al. 2017, arXiv 1611.05431, Fig. 1 and Sec. 3.3) ----------


@dataclass(frozen=True)
class ResNeXtArithmetic:
    """Weights of a bottleneck and a ResNeXt block with the same ``channels``-d input and output.

    The ResNeXt block aggregates ``cardinality`` paths of width ``group_width`` (Fig. 1 right);
    as one layer it is a 1x1 to cardinality·group_width channels, a 3x3 in ``cardinality`` groups
    and a 1x1 back (Fig. 3c): the same weights, written two ways.
    """

    channels: int
    cardinality: int
    group_width: int  # d: channels per path (4 in ResNeXt-50 32x4d's first stage)
    inner: int  # cardinality · d
    mid: int  # the bottleneck's inner width: channels / 4
    bottleneck_weights: int
    bottleneck_formula: str
    resnext_weights: int
    resnext_formula: str  # the grouped form, as the built module holds it
    resnext_paths_formula: str  # the paper's form: cardinality · (one path)
    bottleneck_bn: int
    resnext_bn: int

    @property
    def ratio(self) -> float:
        return self.resnext_weights / self.bottleneck_weights


def resnext_arithmetic(
    channels: int = 256, cardinality: int = 32, group_width: int | None = None
) -> ResNeXtArithmetic:
    """The ResNeXt paper's comparison for any width: ``group_width`` defaults to channels/64 (4 at 256,
    the template of ResNeXt-50 32x4d), so the ResNeXt block is twice as wide inside as the bottleneck."""
    if (
        isinstance(channels, bool)
        or not isinstance(channels, int)
        or not 64 <= channels <= 65536
        or channels % 4
    ):
        raise ValueError(f"channels: got {channels!r}; allowed: a multiple of 4 from 64 to 65536")
    if isinstance(cardinality, bool) or not isinstance(cardinality, int) or not 1 <= cardinality <= 1024:
        raise ValueError(f"cardinality: got {cardinality!r}; allowed: 1 to 1024")
    d = channels // 64 if group_width is None else group_width
    if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 8192:
        raise ValueError(f"group_width: got {d!r}; allowed: 1 to 8192")
    c, g, m, inner = channels, cardinality, channels // 4, cardinality * d
    return ResNeXtArithmetic(
        channels=c,
        cardinality=g,
        group_width=d,
        inner=inner,
        mid=m,
        bottleneck_weights=c * m + 9 * m * m + m * c,
        bottleneck_formula=f"1·1·{c}·{m} + 3·3·{m}·{m} + 1·1·{m}·{c}",
        # A grouped 3x3 sees inner/g = d input channels per output channel.
        resnext_weights=c * inner + 9 * d * inner + inner * c,
        resnext_formula=f"1·1·{c}·{inner} + 3·3·{d}·{inner} + 1·1·{inner}·{c}",
        resnext_paths_formula=f"{g}·(1·1·{c}·{d} + 3·3·{d}·{d} + 1·1·{d}·{c})",
        bottleneck_bn=2 * (m + m + c),
        resnext_bn=2 * (inner + inner + c),
    )
