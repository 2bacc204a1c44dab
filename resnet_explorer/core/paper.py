"""The paper's tables rebuilt by the library, next to the published values.

Published figures are *quotations*: data with a citation, kept as the strings the source prints
(so their precision is known). Everything in a ``computed`` column comes from the plan of a
config; nothing computed is typed in. Each row says whether the two agree and, if not, why.

Sources: He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", arXiv 1512.03385
(Tables 1, 3, 6); torchvision 0.29's ``ResNet*_Weights`` metadata (read at run time, no download).
The successors' headline tables: He et al. 2016, "Identity Mappings in Deep Residual Networks",
arXiv 1603.05027; Xie et al. 2017, "Aggregated Residual Transformations", arXiv 1611.05431 (Table 1);
Zagoruyko & Komodakis 2016, "Wide Residual Networks", arXiv 1605.07146 (Table 4).
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pandas as pd

from .analysis import Analysis, analyze
from .config import PRESETS, ResNetConfig

__all__ = [
    "PAPER",
    "PREACT_PARAMS",
    "RESNEXT_TABLE1",
    "SUCCESSOR_PAPERS",
    "TABLE1_FLOPS",
    "TABLE1_BLOCKS",
    "TABLE1_OUTPUT_SIZES",
    "TABLE3_ERRORS",
    "TABLE6",
    "WRN_TABLE4",
    "preact_table",
    "resnext_table",
    "rounded_to",
    "status_at_precision",
    "table1",
    "table1_config",
    "table3",
    "table6",
    "torchvision_table",
    "wrn_config",
    "wrn_table",
]

PAPER = "He et al. 2015, arXiv 1512.03385"

# Table 1: FLOPs (multiply-adds) at 224×224, ×10⁹, and blocks per stage.
TABLE1_FLOPS = {18: "1.8", 34: "3.6", 50: "3.8", 101: "7.6", 152: "11.3"}
TABLE1_BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}
# Table 1, "output size" column: conv1, conv2_x, conv3_x, conv4_x, conv5_x.
TABLE1_OUTPUT_SIZES = (112, 56, 28, 14, 7)

# Table 3: ImageNet validation error (%), top-1 / top-5, 10-crop testing.
TABLE3_ERRORS = {
    "plain-34": ("28.54", "10.02"),
    "ResNet-34 A": ("25.03", "7.76"),
    "ResNet-34 B": ("24.52", "7.46"),
    "ResNet-34 C": ("24.19", "7.40"),
    "ResNet-50": ("22.85", "6.71"),
    "ResNet-101": ("21.75", "6.05"),
    "ResNet-152": ("21.43", "5.71"),
}

# Table 6: CIFAR-10, n -> (depth 6n+2, params as printed in millions, test error %).
TABLE6 = {
    3: ("0.27", "8.75"),
    5: ("0.46", "7.51"),
    7: ("0.66", "7.17"),
    9: ("0.85", "6.97"),
    18: ("1.7", "6.43"),
    200: ("19.4", "7.93"),
}


def status_at_precision(computed: float, published: str) -> str:
    """How ``computed`` reads against a figure printed as ``published`` (its digits give the precision).

    'agree': equal after ordinary rounding to the published digits; 'truncated': rounding gives one
    unit more, but cutting ``computed`` off after the last printed digit gives the figure (the source
    truncated); 'last_digit': otherwise one unit off in the last printed digit; 'differs': further apart.
    """
    places = -Decimal(published).as_tuple().exponent
    unit = Decimal(1).scaleb(-places)
    value = Decimal(str(computed))
    if value.quantize(unit, rounding=ROUND_HALF_UP) == Decimal(published):
        return "agree"
    if value.quantize(unit, rounding=ROUND_DOWN) == Decimal(published):
        return "truncated"
    if abs(value - Decimal(published)) < unit:
        return "last_digit"
    return "differs"


def rounded_to(computed: float, published: str, truncate: bool = False) -> str:
    """``computed`` written with ``published``'s digits, rounded half up (or cut off): what the
    page shows beside a 'truncated' row, so the reader sees both readings."""
    unit = Decimal(1).scaleb(Decimal(published).as_tuple().exponent)
    return str(Decimal(str(computed)).quantize(unit, rounding=ROUND_DOWN if truncate else ROUND_HALF_UP))


def table1_config(depth: int) -> ResNetConfig:
    """The network behind Table 1's column for ``depth``, as the paper ran it.

    18 and 34 layers: option A, zero-padding shortcuts (Sec. 4.1: the comparison of Table 2 and Fig. 4
    uses identity shortcuts with zero-padding), whose multiply-adds equal the plain net's.
    50/101/152: option B (Sec. 4.1, "Deeper Bottleneck Architectures") with the downsampling stride on
    the first 1×1 conv, where the paper and its released models put it (torchvision's V1.5 moved it to
    the 3×3; docs/notes.md, "Two bottleneck layouts").
    """
    preset = PRESETS[f"resnet{depth}"]
    if preset.block == "basic":
        return dataclasses.replace(preset, shortcut="A")
    return dataclasses.replace(preset, shortcut="B", stride_at="1x1")


def table1() -> pd.DataFrame:
    """Table 1: blocks, output sizes and multiply-adds of each column, computed as the paper ran it.

    Each row names its configuration (``shortcut``, ``stride_at``; see :func:`table1_config`) and
    carries, beside it, torchvision's layout of the same depth (option B; V1.5 stride for bottlenecks),
    whose counts torchvision publishes: ``macs_tv`` is the number to hold against its metadata.
    """
    rows = []
    for depth, published in TABLE1_FLOPS.items():
        paper = table1_config(depth)
        tv = PRESETS[f"resnet{depth}"]
        a = analyze(paper)
        conv1 = next(x for x in a.plan.stem if x.kind == "Conv2d")
        sizes = (conv1.out_shape[1], *(s.out_shape[1] for s in a.plan.stages))
        macs_paper, macs_tv = a.total_macs, analyze(tv).total_macs
        rows.append(
            {
                "model": f"ResNet-{depth}",
                "block": paper.block,
                "shortcut": paper.shortcut,
                # The stride's place only matters in a bottleneck; a basic block has no 1×1 to put it on.
                "stride_at": paper.stride_at if paper.block == "bottleneck" else None,
                "blocks": ",".join(map(str, paper.stages)),
                "blocks_published": ",".join(map(str, TABLE1_BLOCKS[depth])),
                "output_sizes": " / ".join(map(str, sizes)),
                "output_sizes_published": " / ".join(map(str, TABLE1_OUTPUT_SIZES)),
                "macs_paper": macs_paper,
                "gmacs_paper": macs_paper / 1e9,
                "flops_published": published,
                "status": status_at_precision(macs_paper / 1e9, published)
                if paper.stages == TABLE1_BLOCKS[depth] and sizes == TABLE1_OUTPUT_SIZES
                else "differs",
                "rounded": rounded_to(macs_paper / 1e9, published),
                "truncated": rounded_to(macs_paper / 1e9, published, truncate=True),
                "tv_shortcut": tv.shortcut,
                "tv_stride_at": tv.stride_at if tv.block == "bottleneck" else None,
                "macs_tv": macs_tv,
                "gmacs_tv": macs_tv / 1e9,
            }
        )
    return pd.DataFrame(rows)


def table3() -> pd.DataFrame:
    """Table 3's models with parameters and MACs computed here; errors quoted (10-crop)."""
    r34 = PRESETS["resnet34"]
    models = {
        "plain-34": PRESETS["plain34"],
        "ResNet-34 A": dataclasses.replace(r34, shortcut="A"),
        "ResNet-34 B": r34,
        "ResNet-34 C": dataclasses.replace(r34, shortcut="C"),
        # The paper's 50/101/152 stride on the 1×1; parameters are the same as torchvision's V1.5.
        "ResNet-50": dataclasses.replace(PRESETS["resnet50"], stride_at="1x1"),
        "ResNet-101": dataclasses.replace(PRESETS["resnet101"], stride_at="1x1"),
        "ResNet-152": dataclasses.replace(PRESETS["resnet152"], stride_at="1x1"),
    }
    # Table 3 prints no parameter counts; where torchvision ships the same network (option B) its
    # ``num_params`` is the published count to check against.
    published = _torchvision_params()
    rows = []
    for name, config in models.items():
        top1, top5 = TABLE3_ERRORS[name]
        a = analyze(config)
        params = a.total_params
        tv = published.get(dataclasses.replace(config, stride_at="3x3"))
        rows.append(
            {
                "model": name,
                "shortcut": config.shortcut,
                "params": params,
                "params_published": tv,
                "status": "computed_only" if tv is None else "agree" if tv == params else "differs",
                "macs": a.total_macs,
                "top1_err_10crop": float(top1),
                "top5_err_10crop": float(top5),
            }
        )
    df = pd.DataFrame(rows)
    df["params_published"] = df["params_published"].astype("Int64")
    return df


def _torchvision_params() -> dict[ResNetConfig, int]:
    import torchvision.models as tvm

    return {
        PRESETS[f"resnet{d}"]: getattr(tvm, f"ResNet{d}_Weights").IMAGENET1K_V1.meta["num_params"]
        for d in (18, 34, 50, 101, 152)
    }


def table6() -> pd.DataFrame:
    """Table 6: CIFAR-10 parameter counts computed (option A) against the printed millions."""
    rows = []
    for n, (published, err) in TABLE6.items():
        params = analyze(PRESETS[f"resnet{6 * n + 2}"]).total_params
        rows.append(
            {
                "model": f"ResNet-{6 * n + 2}",
                "n": n,
                "layers": 6 * n + 2,
                "params": params,
                "params_m": params / 1e6,
                "params_published_m": published,
                "status": status_at_precision(params / 1e6, published),
                "error_published": float(err),
            }
        )
    return pd.DataFrame(rows)


def torchvision_table() -> pd.DataFrame:
    """torchvision's published ImageNet weights (1-crop accuracies) next to our counts.

    Read from ``ResNet*_Weights.*.meta`` (shipped inside torchvision; nothing is downloaded):
    ``num_params`` against our parameter count, ``_ops`` (GFLOPS, i.e. multiply-adds) against our
    MACs of the V1.5 preset.
    """
    import torchvision.models as tvm  # imported here: the paper page should not pay for it at import

    rows = []
    for depth in (18, 34, 50, 101, 152):
        a = analyze(PRESETS[f"resnet{depth}"])
        params, macs = a.total_params, a.total_macs
        for weights in getattr(tvm, f"ResNet{depth}_Weights"):
            meta = weights.meta
            metrics = meta["_metrics"]["ImageNet-1K"]
            ops = f"{meta['_ops']:.3f}"
            rows.append(
                {
                    "model": f"resnet{depth}",
                    "weights": weights.name,
                    "acc1_1crop": metrics["acc@1"],
                    "acc5_1crop": metrics["acc@5"],
                    "params": params,
                    "params_published": meta["num_params"],
                    "gmacs": macs / 1e9,
                    "gmacs_published": ops,
                    "status": "agree"
                    if params == meta["num_params"] and status_at_precision(macs / 1e9, ops) == "agree"
                    else "differs",
                }
            )
    return pd.DataFrame(rows)


# --- The successors ---------------------------------------------------------------------------------
# Each successor's headline table, rebuilt from the library's presets and marked like the 2015 tables:
# at the precision its paper prints. Keys are the page's tables; values the paper each quotes.
SUCCESSOR_PAPERS = {
    "preact": "He et al. 2016, arXiv 1603.05027",
    "resnext": "Xie et al. 2017, arXiv 1611.05431",
    "wrn": "Zagoruyko & Komodakis 2016, arXiv 1605.07146",
}

# Identity Mappings (arXiv 1603.05027), CIFAR with pre-activation bottleneck units: preset ->
# (parameters as printed, millions; test error %, CIFAR-10; CIFAR-100), Table 4 (errors also in Table 3).
PREACT_PARAMS = {
    "preact_resnet164": ("1.7", "5.46", "24.33"),
    "preact_resnet1001": ("10.2", "4.92", "22.71"),
}

# Aggregated Residual Transformations (arXiv 1611.05431), Table 1: preset -> (model as printed,
# "# params." ×10⁶, "FLOPs" ×10⁹). The FLOPs are multiply-adds at 224×224, as in He et al. 2015.
RESNEXT_TABLE1 = {
    "resnet50": ("ResNet-50", "25.5", "4.1"),
    "resnext50_32x4d": ("ResNeXt-50 (32×4d)", "25.0", "4.2"),
}

# Wide Residual Networks (arXiv 1605.07146), Table 4 (CIFAR): (depth d, widening factor k) -> "#params"
# as printed, millions. The table gives one count per network for CIFAR-10 and CIFAR-100.
WRN_TABLE4 = {
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


def _params_reading(a: Analysis, published: str) -> dict:
    """A parameter count against a figure printed in millions, with BatchNorm's γ and β and without.

    torchvision (and this library) count BN's γ and β as parameters; a paper that counted only the conv
    and FC weights prints a smaller figure. 'without_bn' says the printed figure disagrees with the
    full count but agrees, at its precision, with the count less the BN parameters.
    """
    with_bn = status_at_precision(a.total_params / 1e6, published)
    no_bn = (a.total_params - a.bn_params) / 1e6
    return {
        "computed": a.total_params,
        "scaled": a.total_params / 1e6,
        "scaled_no_bn": no_bn,
        "bn_params": a.bn_params,
        "published": published,
        "status": "without_bn"
        if with_bn != "agree" and status_at_precision(no_bn, published) == "agree"
        else with_bn,
        # The full count's own reading, before any explanation: the page says both.
        "direct_status": with_bn,
        "rounded": rounded_to(a.total_params / 1e6, published),
    }


def preact_table() -> pd.DataFrame:
    """Pre-activation ResNet-164 and -1001 on CIFAR-10: parameters computed; errors quoted."""
    rows = []
    for preset, (published, err10, err100) in PREACT_PARAMS.items():
        a = analyze(PRESETS[preset])
        rows.append(
            {
                "model": f"ResNet-{a.depth}",
                "preset": preset,
                **_params_reading(a, published),
                "cifar10_error": float(err10),
                "cifar100_error": float(err100),
            }
        )
    return pd.DataFrame(rows)


def resnext_table() -> pd.DataFrame:
    """ResNeXt's Table 1: one row per model and quantity, the FLOPs with the stride at each place.

    ResNeXt's code is built on fb.resnet.torch, which strides a bottleneck's 3×3 (as torchvision's
    V1.5 does); He et al. 2015 stride the first 1×1. Both are computed: 'other_layout' marks the
    placement whose count misses the printed figure when the other placement's count agrees.
    """
    rows = []
    for preset, (name, params, flops) in RESNEXT_TABLE1.items():
        config = PRESETS[preset]
        rows.append({"model": name, "quantity": "params", **_params_reading(analyze(config), params)})
        macs = {at: analyze(dataclasses.replace(config, stride_at=at)).total_macs for at in ("3x3", "1x1")}
        for at, other in (("3x3", "1x1"), ("1x1", "3x3")):
            status = status_at_precision(macs[at] / 1e9, flops)
            rows.append(
                {
                    "model": name,
                    "quantity": f"macs_{at}",
                    "computed": macs[at],
                    "scaled": macs[at] / 1e9,
                    "published": flops,
                    "status": "other_layout"
                    if status != "agree" and status_at_precision(macs[other] / 1e9, flops) == "agree"
                    else status,
                    "direct_status": status,
                    "rounded": rounded_to(macs[at] / 1e9, flops),
                }
            )
    df = pd.DataFrame(rows)
    df["bn_params"] = df["bn_params"].astype("Int64")  # MAC rows have none
    return df


def wrn_config(depth: int, k: int) -> ResNetConfig:
    """WRN-``depth``-``k`` on CIFAR-10: the WRN presets' fields with (d-4)/6 blocks a stage, 16k wide.

    arXiv 1605.07146, Table 1: a 16-wide stem, then three stages of (d-4)/6 pre-activation basic blocks
    at widths 16k, 32k, 64k; everything else is as in the library's ``wrn28_10`` preset.
    """
    n = (depth - 4) // 6
    return dataclasses.replace(PRESETS["wrn28_10"], stages=(n, n, n), width=16 * k)


def wrn_table() -> pd.DataFrame:
    """Wide ResNet's Table 4: parameters of each depth and width, computed against the printed millions."""
    rows = []
    for (depth, k), published in WRN_TABLE4.items():
        rows.append(
            {
                "model": f"WRN-{depth}-{k}",
                "depth": depth,
                "k": k,
                **_params_reading(analyze(wrn_config(depth, k)), published),
            }
        )
    return pd.DataFrame(rows)
