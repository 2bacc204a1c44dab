"""The paper's tables rebuilt by the library, next to the published values.

Published figures are *quotations*: data with a citation, kept as the strings the source prints
(so their precision is known). Everything in a ``computed`` column comes from the plan of a
config; nothing computed is typed in. Each row says whether the two agree and, if not, why.

Sources: He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", arXiv 1512.03385
(Tables 1, 3, 6); torchvision 0.29's ``ResNet*_Weights`` metadata (read at run time, no download).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pandas as pd

from .analysis import analyze
from .config import PRESETS, ResNetConfig

__all__ = ["PAPER", "TABLE1_FLOPS", "TABLE1_BLOCKS", "TABLE1_OUTPUT_SIZES", "TABLE3_ERRORS",
           "TABLE6", "status_at_precision", "table1", "table3", "table6", "torchvision_table"]

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
TABLE6 = {3: ("0.27", "8.75"), 5: ("0.46", "7.51"), 7: ("0.66", "7.17"), 9: ("0.85", "6.97"),
          18: ("1.7", "6.43"), 200: ("19.4", "7.93")}


def status_at_precision(computed: float, published: str) -> str:
    """'agree': equal when rounded to the published digits; 'last_digit': one unit off in the last
    printed digit (rounding or truncation by the source); 'differs': further apart."""
    places = -Decimal(published).as_tuple().exponent
    unit = Decimal(1).scaleb(-places)
    rounded = Decimal(str(round(computed, places)))
    if rounded == Decimal(published):
        return "agree"
    if abs(Decimal(str(computed)) - Decimal(published)) < unit:
        return "last_digit"
    return "differs"


def table1() -> pd.DataFrame:
    """Table 1: blocks, output sizes, and multiply-adds with the paper's and torchvision's stride.

    The paper puts a bottleneck's stride on its first 1×1 conv (``stride_at='1x1'``);
    torchvision's "V1.5" puts it on the 3×3, which costs more MACs for the same parameters.
    Basic-block nets are the same either way.
    """
    rows = []
    for depth, published in TABLE1_FLOPS.items():
        v15 = PRESETS[f"resnet{depth}"]
        paper = dataclasses.replace(v15, stride_at="1x1")
        a = analyze(paper)
        conv1 = next(x for x in a.plan.stem if x.kind == "Conv2d")
        sizes = (conv1.out_shape[1], *(s.out_shape[1] for s in a.plan.stages))
        macs_paper, macs_v15 = a.total_macs, analyze(v15).total_macs
        rows.append({
            "model": f"ResNet-{depth}",
            "block": paper.block,
            "blocks": ",".join(map(str, paper.stages)),
            "blocks_published": ",".join(map(str, TABLE1_BLOCKS[depth])),
            "output_sizes": " / ".join(map(str, sizes)),
            "output_sizes_published": " / ".join(map(str, TABLE1_OUTPUT_SIZES)),
            "macs_paper": macs_paper,
            "gmacs_paper": macs_paper / 1e9,
            "flops_published": published,
            "status": status_at_precision(macs_paper / 1e9, published)
            if paper.stages == TABLE1_BLOCKS[depth] and sizes == TABLE1_OUTPUT_SIZES else "differs",
            "macs_v15": macs_v15,
            "gmacs_v15": macs_v15 / 1e9,
        })
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
        rows.append({"model": name, "shortcut": config.shortcut, "params": params,
                     "params_published": tv,
                     "status": "computed_only" if tv is None else "agree" if tv == params else "differs",
                     "macs": a.total_macs, "top1_err_10crop": float(top1), "top5_err_10crop": float(top5)})
    df = pd.DataFrame(rows)
    df["params_published"] = df["params_published"].astype("Int64")
    return df


def _torchvision_params() -> dict[ResNetConfig, int]:
    import torchvision.models as tvm

    return {PRESETS[f"resnet{d}"]: getattr(tvm, f"ResNet{d}_Weights").IMAGENET1K_V1.meta["num_params"]
            for d in (18, 34, 50, 101, 152)}


def table6() -> pd.DataFrame:
    """Table 6: CIFAR-10 parameter counts computed (option A) against the printed millions."""
    rows = []
    for n, (published, err) in TABLE6.items():
        params = analyze(PRESETS[f"resnet{6 * n + 2}"]).total_params
        rows.append({"model": f"ResNet-{6 * n + 2}", "n": n, "layers": 6 * n + 2, "params": params,
                     "params_m": params / 1e6, "params_published_m": published,
                     "status": status_at_precision(params / 1e6, published), "error_published": float(err)})
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
            rows.append({
                "model": f"resnet{depth}", "weights": weights.name,
                "acc1_1crop": metrics["acc@1"], "acc5_1crop": metrics["acc@5"],
                "params": params, "params_published": meta["num_params"],
                "gmacs": macs / 1e9, "gmacs_published": ops,
                "status": "agree" if params == meta["num_params"] and
                status_at_precision(macs / 1e9, ops) == "agree" else "differs",
            })
    return pd.DataFrame(rows)
