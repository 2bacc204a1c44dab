"""The seven steps of the Lesson: "Deep Residual Learning" (He et al. 2015) walked through live.

Each ``step_N`` returns a :class:`Step`: the numbers its screen shows (all from :func:`analyze`,
:func:`block_arithmetic`, :data:`PRESETS`, or quoted from :mod:`..core.paper`), the Explorer links
carrying the exact configs, and the questions with their answers computed from those same numbers.
Pure: no Streamlit; the page draws a step, this module decides what it says.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..core import paper
from ..core.analysis import analyze, block_arithmetic
from ..core.config import PRESETS, LinkProblem, ResNetConfig, config_to_query, read_whole
from .questions import Question

__all__ = [
    "STEPS",
    "N_STEPS",
    "BLOCK_WIDTHS",
    "SUCCESSORS",
    "Link",
    "Step",
    "parse_step",
    "step",
    "vgg19_layers",
    "VGG19_CONVS",
    "VGG19_FCS",
    "TABLE4_ERRORS",
    "VGG19_FLOPS",
    "DEMO_RESULTS",
    "demo_results",
]

STEPS = ("degradation", "block", "shortcuts", "bottleneck", "deeper", "thousand", "next")
N_STEPS = len(STEPS)
BLOCK_WIDTHS = (16, 32, 64, 128, 256, 512)  # the CIFAR and ImageNet stage widths of the paper
# Quotations (He et al. 2015) that core/paper.py's tables do not carry, as printed.
# Table 4: ImageNet validation error (%), top-1 / top-5, single models, multi-scale testing.
TABLE4_ERRORS = {
    "ResNet-34 B": ("21.84", "5.71"),
    "ResNet-34 C": ("21.53", "5.60"),
    "ResNet-50": ("20.74", "5.25"),
    "ResNet-101": ("19.87", "4.60"),
    "ResNet-152": ("19.38", "4.49"),
}
# Sec. 3.3 and Fig. 3's caption: VGG-19's multiply-adds ("FLOPs") at 224×224, ×10⁹.
VGG19_FLOPS = "19.6"
# Step 7: the successors (the family presets), each with the name of the text that introduces it.
SUCCESSORS = {
    "preact_resnet164": "Pre-act ResNet-164",
    "resnext50_32x4d": "ResNeXt-50 (32×4d)",
    "wide_resnet50_2": "Wide ResNet-50-2",
    "resnet50d": "ResNet-50-D",
}


@dataclass(frozen=True)
class Link:
    """An "open in the Explorer" link: the exact config, as the Explorer reads it from its address."""

    label: str  # the model's name as the paper or its library prints it (not translated)
    config: ResNetConfig
    base: str  # the preset the query starts from

    @property
    def query(self) -> dict[str, str]:
        return config_to_query(self.config, self.base)

    def href(self, lang: str = "en") -> str:
        """Relative to the Lesson's address, so it works under any base path ("./" is the Explorer)."""
        query = {**self.query, **({"lang": lang} if lang != "en" else {})}
        return "./?" + urlencode(query)


@dataclass(frozen=True)
class Step:
    number: int
    name: str  # STEPS[number - 1]; its texts are lesson.<name>.*
    facts: dict[str, Any] = field(hash=False)  # what the screen shows, computed
    links: tuple[Link, ...]
    questions: tuple[Question, ...]


def parse_step(raw: object) -> tuple[int, LinkProblem | None]:
    """``?step=`` -> (step, problem or None). A missing step is step 1; a bad one is step 1 and
    reported (a :class:`LinkProblem`, which a page words in its language). Never raises."""
    if raw is None or raw == "":
        return 1, None
    number = read_whole("step", raw, 1, N_STEPS)
    return (1, number) if isinstance(number, LinkProblem) else (number, None)


def _link(name: str, label: str, **changes: Any) -> Link:
    return Link(label, dataclasses.replace(PRESETS[name], **changes), name)


def _f(n: float) -> str:
    return f"{n:,}"


def _tuple(values: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in values.items())


# --- 1. Deeper is worse? -------------------------------------------------------------------------


def step_1() -> Step:
    nets = {"plain-20": "plain20", "plain-56": "plain56", "ResNet-56": "resnet56"}
    reports = {label: analyze(PRESETS[name]) for label, name in nets.items()}
    d20, d56 = reports["plain-20"].depth, reports["plain-56"].depth
    # Sec. 1: a deeper net could copy the shallow one and make its extra layers identity mappings.
    extra = Question(
        "extra_layers",
        "number",
        d56 - d20,
        "lesson.q.extra_layers",
        "lesson.q.extra_layers.hint",
        "lesson.q.extra_layers.working",
        mistakes=((d56, "lesson.q.extra_layers.hint.all"), (d20, "lesson.q.extra_layers.hint.copied")),
        values=_tuple({"deep": d56, "shallow": d20, "extra": d56 - d20}),
    )
    facts = {
        "nets": {
            label: {"preset": nets[label], "depth": r.depth, "params": r.total_params}
            for label, r in reports.items()
        }
    }
    return Step(1, STEPS[0], facts, tuple(_link(n, label) for label, n in nets.items()), (extra,))


# --- 2. The residual block -----------------------------------------------------------------------


def step_2(width: int = 64) -> Step:
    if width not in BLOCK_WIDTHS:
        raise ValueError(f"width: got {width!r}; allowed: {', '.join(map(str, BLOCK_WIDTHS))}")
    config = dataclasses.replace(PRESETS["resnet18"], width=width)
    # layer1.1: stride 1, identity shortcut, width -> width: the block of Fig. 2 with nothing else in it
    block = analyze(config).plan.stages[0].blocks[1]
    conv = sum(s.params for s in block.layers if s.kind == "Conv2d")
    bn = sum(s.params for s in block.layers if s.kind == "BatchNorm2d")
    c = width
    facts = {
        "width": c,
        "block": block.name,
        "conv": conv,
        "bn": bn,
        "params": block.params,
        "shortcut_params": sum(s.params for s in block.shortcut_layers),
        "formula": f"3·3·{c}·{c} + 3·3·{c}·{c} + 2·2·{c}",
    }
    # The question: the same block at twice the width (its own plan, not a formula of this one).
    c2 = 2 * c
    wide = analyze(dataclasses.replace(config, width=c2)).plan.stages[0].blocks[1]
    wide_conv = sum(s.params for s in wide.layers if s.kind == "Conv2d")
    q = Question(
        "double_width",
        "number",
        wide.params,
        "lesson.q.double_width",
        "lesson.q.double_width.hint",
        "lesson.q.double_width.working",
        mistakes=(
            (2 * block.params, "lesson.q.double_width.hint.linear"),
            (wide_conv, "lesson.q.double_width.hint.bn"),
        ),
        values=_tuple(
            {
                "c": c,
                "c2": c2,
                "params": _f(block.params),
                "params2": _f(wide.params),
                "formula2": f"3·3·{c2}·{c2} + 3·3·{c2}·{c2} + 2·2·{c2}",
            }
        ),
    )
    return Step(2, STEPS[1], facts, (Link(f"ResNet-18 (width {c})", config, "resnet18"),), (q,))


# --- 3. When shapes change -----------------------------------------------------------------------


def step_3() -> Step:
    rows = {}
    for option in "ABC":
        config = dataclasses.replace(PRESETS["resnet34"], shortcut=option)
        a = analyze(config)
        top1, top5 = paper.TABLE3_ERRORS[f"ResNet-34 {option}"]
        rows[option] = {
            "config": config,
            "params": a.total_params,
            "shortcut_params": a.shortcut_params,
            "macs": a.total_macs,
            "top1": top1,
            "top5": top5,
        }
    for option in "ABC":
        rows[option]["extra"] = rows[option]["params"] - rows["A"]["params"]
    b_extra = rows["B"]["extra"]
    plan_b = analyze(rows["B"]["config"]).plan
    projections = sum(1 for blk in plan_b.blocks if blk.shortcut == "projection")
    # The table prints B's total; the question asks for one projection of it, conv5_x's (256 -> 512),
    # read from the plan: a 1x1 conv and its BN.
    last = plan_b.stages[-1].blocks[0]
    c_in, c_out = last.shortcut_layers[0].in_shape[0], last.shortcut_layers[0].out_shape[0]
    one = sum(s.params for s in last.shortcut_layers)
    q = Question(
        "last_projection",
        "number",
        one,
        "lesson.q.last_projection",
        "lesson.q.last_projection.hint",
        "lesson.q.last_projection.working",
        mistakes=(
            (c_in * c_out, "lesson.q.last_projection.hint.bn"),
            (9 * c_in * c_out + 2 * c_out, "lesson.q.last_projection.hint.kernel"),
            (b_extra, "lesson.q.last_projection.hint.total"),
        ),
        values=_tuple(
            {
                "c_in": c_in,
                "c_out": c_out,
                "one": _f(one),
                "b_extra": _f(b_extra),
                "share": f"{one / b_extra:.0%}",
            }
        ),
    )
    links = tuple(Link(f"ResNet-34 {o}", rows[o]["config"], "resnet34") for o in "ABC")
    return Step(3, STEPS[2], {"rows": rows, "projections": projections}, links, (q,))


# --- 4. The bottleneck ---------------------------------------------------------------------------


def step_4() -> Step:
    a = block_arithmetic(256)
    c, m = a.channels, a.mid
    basic = Question(
        "basic256",
        "number",
        a.basic_weights,
        "lesson.q.basic256",
        "lesson.q.basic256.hint",
        "lesson.q.basic256.working",
        mistakes=(
            (a.basic_weights // 2, "lesson.q.basic256.hint.two"),
            (a.fig5_basic_weights, "lesson.q.basic256.hint.map"),
        ),
        values=_tuple({"c": c, "formula": a.basic_formula, "weights": _f(a.basic_weights)}),
    )
    bottleneck = Question(
        "bottleneck256",
        "number",
        a.bottleneck_weights,
        "lesson.q.bottleneck256",
        "lesson.q.bottleneck256.hint",
        "lesson.q.bottleneck256.working",
        mistakes=(
            (9 * m * m, "lesson.q.bottleneck256.hint.ones"),
            (a.bottleneck_weights - 9 * m * m, "lesson.q.bottleneck256.hint.three"),
        ),
        values=_tuple({"c": c, "m": m, "formula": a.bottleneck_formula, "weights": _f(a.bottleneck_weights)}),
    )
    facts = {"arith": a}
    return Step(4, STEPS[3], facts, (_link("resnet50", "ResNet-50"),), (basic, bottleneck))


# --- 5. Going deeper -----------------------------------------------------------------------------

# VGG-19 (Simonyan & Zisserman 2015, configuration E): 3×3 convs, stride 1, padding 1, with 2×2 max
# pools halving the map after each group; then three fully connected layers. Not a ResNet, so its
# cost is written out here layer by layer rather than planned: (map side, [(in, out), ...]).
VGG19_CONVS: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = (
    (224, ((3, 64), (64, 64))),
    (112, ((64, 128), (128, 128))),
    (56, ((128, 256), (256, 256), (256, 256), (256, 256))),
    (28, ((256, 512), (512, 512), (512, 512), (512, 512))),
    (14, ((512, 512), (512, 512), (512, 512), (512, 512))),
)
VGG19_FCS: tuple[tuple[int, int], ...] = ((7 * 7 * 512, 4096), (4096, 4096), (4096, 1000))


def vgg19_layers() -> list[dict[str, Any]]:
    """VGG-19's multiply-adds and parameters at 224×224, one row per group, with the arithmetic."""
    rows = []
    for i, (side, convs) in enumerate(VGG19_CONVS, start=1):
        # Repeated convs counted once with their number ("3·512·512"), so each line fits the Lesson's box.
        counts = dict.fromkeys(convs, 0)
        for pair in convs:
            counts[pair] += 1
        pairs = " + ".join(f"{n}·{a}·{b}" if n > 1 else f"{a}·{b}" for (a, b), n in counts.items())
        rows.append(
            {
                "group": f"conv{i} ×{len(convs)}",
                "formula": f"{side}²·3·3·({pairs})",
                "macs": side * side * 9 * sum(a * b for a, b in convs),
                "params": sum(9 * a * b + b for a, b in convs),
            }
        )  # weights + biases
    # The three layers share a side of 4096: written once, "4096·(25088 + 4096 + 1000)".
    (shared,) = set.intersection(*(set(pair) for pair in VGG19_FCS))
    others = [a if b == shared else b for a, b in VGG19_FCS]
    rows.append(
        {
            "group": "fc ×3",
            "formula": f"{shared}·({' + '.join(map(str, others))})",
            "macs": sum(a * b for a, b in VGG19_FCS),
            "params": sum(a * b + b for a, b in VGG19_FCS),
        }
    )
    return rows


def step_5() -> Step:
    rows = {}
    for depth in (50, 101, 152):
        # The paper's layout: the stride on the first 1×1 (Table 1's FLOPs); torchvision's V1.5 costs more.
        config = dataclasses.replace(PRESETS[f"resnet{depth}"], stride_at="1x1")
        a = analyze(config)
        top1, top5 = TABLE4_ERRORS[f"ResNet-{depth}"]
        rows[f"ResNet-{depth}"] = {
            "config": config,
            "depth": a.depth,
            "params": a.total_params,
            "macs": a.total_macs,
            "published": paper.TABLE1_FLOPS[depth],
            "top1": top1,
            "top5": top5,
        }
    vgg = vgg19_layers()
    vgg_macs, vgg_params = sum(r["macs"] for r in vgg), sum(r["params"] for r in vgg)
    r152 = rows["ResNet-152"]["macs"]
    ratio = vgg_macs / r152
    q = Question(
        "vgg_ratio",
        "number",
        ratio,
        "lesson.q.vgg_ratio",
        "lesson.q.vgg_ratio.hint",
        "lesson.q.vgg_ratio.working",
        tolerance=0.05,
        mistakes=((r152 / vgg_macs, "lesson.q.vgg_ratio.hint.inverse"),),
        values=_tuple({"vgg": f"{vgg_macs / 1e9:.2f}", "r152": f"{r152 / 1e9:.2f}", "ratio": f"{ratio:.2f}"}),
    )
    facts = {
        "rows": rows,
        "vgg": vgg,
        "vgg_macs": vgg_macs,
        "vgg_params": vgg_params,
        "vgg_published": VGG19_FLOPS,
    }
    links = tuple(Link(label, r["config"], f"resnet{label.split('-')[1]}") for label, r in rows.items())
    return Step(5, STEPS[4], facts, links, (q,))


# --- 6. A thousand layers ------------------------------------------------------------------------


def step_6() -> Step:
    rows = {}
    for n, (published, error) in paper.TABLE6.items():
        name = f"resnet{6 * n + 2}"
        a = analyze(PRESETS[name])
        rows[name] = {
            "label": f"ResNet-{6 * n + 2}",
            "n": n,
            "depth": a.depth,
            "params": a.total_params,
            "published": published,
            "error": error,
        }
    best = min(rows, key=lambda k: float(rows[k]["error"]))
    # The table pairs each n with its depth; the question asks for an n it does not print (Sec. 4.2's
    # 6n + 2), its answer counted by the library from that net's plan.
    n = 12
    depth = analyze(dataclasses.replace(PRESETS["resnet20"], stages=(n, n, n))).depth
    layers = Question(
        "depth_of_n",
        "number",
        depth,
        "lesson.q.depth_of_n",
        "lesson.q.depth_of_n.hint",
        "lesson.q.depth_of_n.working",
        mistakes=(
            (6 * n, "lesson.q.depth_of_n.hint.ends"),
            (3 * n + 2, "lesson.q.depth_of_n.hint.two"),
            (2 * n + 2, "lesson.q.depth_of_n.hint.stages"),
        ),
        values=_tuple({"n": n, "depth": depth, "blocks": 3 * n}),
    )
    p110, p1202 = rows["resnet110"]["params"], rows["resnet1202"]["params"]
    d110, d1202 = rows["resnet110"]["depth"], rows["resnet1202"]["depth"]
    ratio = p1202 / p110
    growth = Question(
        "params_ratio",
        "number",
        ratio,
        "lesson.q.params_ratio",
        "lesson.q.params_ratio.hint",
        "lesson.q.params_ratio.working",
        tolerance=0.05,
        mistakes=((d1202 / d110, "lesson.q.params_ratio.hint.depth"),),
        values=_tuple(
            {
                "p110": _f(p110),
                "p1202": _f(p1202),
                "ratio": f"{ratio:.2f}",
                "n110": rows["resnet110"]["n"],
                "n1202": rows["resnet1202"]["n"],
            }
        ),
    )
    links = (_link("resnet110", "ResNet-110"), _link("resnet1202", "ResNet-1202"))
    return Step(6, STEPS[5], {"rows": rows, "best": best}, links, (layers, growth))


# --- 7. What came next ---------------------------------------------------------------------------


def step_7() -> Step:
    names = [n for n in SUCCESSORS if n in PRESETS]  # the family presets (arXiv 1603.05027, ...)
    rows = {}
    for name in names:
        a = analyze(PRESETS[name])
        rows[name] = {"params": a.total_params, "macs": a.total_macs, "depth": a.depth}
    r50 = analyze(PRESETS["resnet50"])
    facts = {"rows": rows, "resnet50": {"params": r50.total_params, "macs": r50.total_macs}}
    questions: tuple[Question, ...] = ()
    if "resnext50_32x4d" in rows:
        # The cards print each net's total; the question asks what ResNeXt's groups do to one conv,
        # conv2_x's first 3x3, read from both plans (ResNet-50's beside it).
        grouped = _first_3x3(PRESETS["resnext50_32x4d"])
        plain = _first_3x3(PRESETS["resnet50"])
        width, groups = grouped.in_shape[0], grouped.groups
        questions = (
            Question(
                "grouped_conv",
                "number",
                grouped.params,
                "lesson.q.grouped_conv",
                "lesson.q.grouped_conv.hint",
                "lesson.q.grouped_conv.working",
                mistakes=(
                    (9 * width * width, "lesson.q.grouped_conv.hint.groups"),
                    (plain.params, "lesson.q.grouped_conv.hint.r50"),
                ),
                values=_tuple(
                    {
                        "c": width,
                        "g": groups,
                        "per": width // groups,
                        "weights": _f(grouped.params),
                        "full": _f(9 * width * width),
                        "r50": _f(plain.params),
                        "r50_c": plain.in_shape[0],
                    }
                ),
            ),
        )
    return Step(7, STEPS[6], facts, tuple(Link(SUCCESSORS[n], PRESETS[n], n) for n in names), questions)


def _first_3x3(config: ResNetConfig) -> Any:
    """conv2_x's first 3x3 conv (a ``LayerSpec``): where ResNeXt puts its groups."""
    return next(
        s for s in analyze(config).plan.stages[0].blocks[0].layers if s.kind == "Conv2d" and s.kernel == 3
    )


# The degradation demonstration's results, shipped beside the digits model (made by
# ``python -m resnet_explorer demo``; the file records the command).
DEMO_RESULTS = Path(__file__).resolve().parents[1] / "assets" / "demo_results.json"


def demo_results(path: Path = DEMO_RESULTS) -> dict[str, Any] | None:
    """The shipped demonstration's results, or None when none are shipped (the page says so)."""
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


_BUILDERS: dict[int, Callable[..., Step]] = {
    1: step_1,
    2: step_2,
    3: step_3,
    4: step_4,
    5: step_5,
    6: step_6,
    7: step_7,
}


@lru_cache(maxsize=32)
def step(number: int, width: int = 64) -> Step:
    """Step ``number`` (1 to 7); ``width`` is step 2's block width. Cached: the numbers never change."""
    if number not in _BUILDERS:
        raise ValueError(f"step: got {number!r}; allowed: a whole number from 1 to {N_STEPS}")
    return _BUILDERS[number](width) if number == 2 else _BUILDERS[number]()
