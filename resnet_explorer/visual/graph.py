"""Architecture graphs: extraction (plan -> nodes and edges) kept apart from drawing (-> DOT).

As in micrograd's ``trace`` / ``draw_dot``: :func:`extract` turns a :class:`~.plan.Plan` into a
plain :class:`Graph` that tests can inspect, and :func:`to_digraph` returns a ``graphviz.Digraph``
without rendering it (the browser renders DOT; the ``dot`` binary is needed only for SVG files).

Drawing conventions follow the paper's figures: a block is its *residual branch* plus a
*shortcut* that meets it at an addition (Fig. 2). The shortcut's kind is visible at a glance:
identity is a plain edge, option A's zero-padding a dashed edge with a label, a projection
(options B/C) a 1×1 conv + BN node on the way (Sec. 3.3); plain nets have no shortcut at all.
Every edge carries the tensor shape (C×H×W) that flows along it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

import graphviz

from ..core.config import ResNetConfig
from ..core.memo import bounded_cache
from ..core.plan import BlockSpec, LayerSpec, Plan, StageSpec, make_plan
from ..formatting import format_count, format_shape
from ..i18n import t

__all__ = [
    "LEVELS",
    "RANKDIRS",
    "Node",
    "Edge",
    "Cluster",
    "Graph",
    "extract",
    "to_digraph",
    "fold_runs",
    "default_fold",
    "stage_title",
    "has_dot",
    "render_svg",
    "SvgLimitError",
    "SVG_SECONDS",
    "SVG_MAX_BYTES",
    "SVG_MEMORY_BYTES",
    "inspector_block",
    "inspector_graph",
    "INSPECTOR_KINDS",
]

LEVELS = ("network", "blocks", "layers")
RANKDIRS = ("TB", "LR")
INSPECTOR_KINDS = ("basic", "bottleneck", "preact", "resnext")
RESNEXT_MIN_WIDTH = 16  # the ResNeXt inspector's 32 groups need an inner width 2·width of at least 32
# More blocks than this and the graph folds by default (ResNet-101/152, CIFAR ResNet-110/1202):
# 16 keeps ResNet-18/34/50 unfolded, which still fit one screen.
FOLD_ABOVE_BLOCKS = 16

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Node:
    id: str
    # input | output | stem | stage | head | block | projection | add | layer | pad-note
    # | se (a squeeze-and-excitation side branch) | scale (where its gate multiplies the branch)
    kind: str
    title: str  # a module name ("layer2.0"), a stage name, or "" for additions
    ops: tuple[str, ...] = ()  # the operations in order, in the paper's notation ("3×3 conv, 64, /2")
    params: int = 0
    macs: int = 0
    count: int = 1  # blocks folded into this node ("×N")
    cluster: str | None = None  # id of the cluster that holds this node


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    shape: Shape  # the tensor that flows along this edge, (C, H, W) or (features,)
    # main: along the residual branch / main path; identity | zero-pad | projection: a shortcut;
    # se: into and out of a squeeze-and-excitation side branch
    kind: str = "main"
    stride: int = 1  # for zero-pad shortcuts: the subsampling stride


@dataclass(frozen=True)
class Cluster:
    id: str
    title: str
    count: int = 1  # a folded run of blocks drawn once


@dataclass(frozen=True)
class Graph:
    level: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...] = field(default=())
    stage: int | None = None

    def by_kind(self, kind: str) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.kind == kind)

    def edges_of_kind(self, kind: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.kind == kind)


# --- extraction ---------------------------------------------------------------------------------


def _nid(name: str) -> str:
    """A DOT-safe node id from a module name ("layer1.0.conv1" -> "n_layer1_0_conv1")."""
    return "n_" + name.replace(".", "_").replace("-", "_")


def _op(layer: LayerSpec) -> str:
    """One layer in the paper's notation (Fig. 3: "3x3 conv, 128, /2")."""
    stride = f", /{layer.stride}" if layer.stride and layer.stride > 1 else ""
    if layer.kind == "Conv2d":
        # ResNeXt's Table 1 writes the cardinality beside the grouped 3x3 ("3×3, 128, C=32").
        groups = f", {layer.groups} groups" if layer.groups > 1 else ""
        return f"{layer.kernel}×{layer.kernel} conv, {layer.out_shape[0]}{stride}{groups}"
    if layer.kind == "AvgPool2d":  # ResNet-D's shortcut
        return f"{layer.kernel}×{layer.kernel} avg pool{stride}"
    if layer.kind == "SqueezeExcite":
        return f"SE {layer.in_shape[0]}→{layer.groups}→{layer.in_shape[0]}"
    if layer.kind == "BatchNorm2d":
        return "BN"
    if layer.kind == "MaxPool2d":
        return f"{layer.kernel}×{layer.kernel} max pool{stride}"
    if layer.kind == "AdaptiveAvgPool2d":
        return "avg pool"
    if layer.kind == "Linear":
        return f"fc, {layer.out_shape[0]}"
    if layer.kind == "ZeroPadShortcut":
        return f"zero-pad{stride}"
    return layer.kind  # ReLU


def _totals(layers: tuple[LayerSpec, ...]) -> tuple[int, int]:
    """(parameters, MACs) of a group of layers drawn as one node."""
    return sum(x.params for x in layers), sum(x.macs for x in layers)


def _ops_compact(layers: tuple[LayerSpec, ...]) -> tuple[str, ...]:
    """Layers grouped one conv per line, in forward order, so pre-activation order shows.

    Post-activation: "3×3 conv, 64 → BN → ReLU"; pre-activation: "BN → ReLU → 3×3 conv, 64".
    A line closes after each conv's trailing BN/ReLU (post) or at each conv (pre).
    """
    lines: list[list[str]] = [[]]
    preact = bool(layers) and layers[0].kind == "BatchNorm2d" and any(x.kind == "Conv2d" for x in layers)
    for layer in layers:
        if not preact and layer.kind in ("Conv2d", "MaxPool2d", "AdaptiveAvgPool2d", "Linear") and lines[-1]:
            lines.append([])
        lines[-1].append(_op(layer))
        if preact and layer.kind == "Conv2d":
            lines.append([])
    return tuple(" → ".join(line) for line in lines if line)


def fold_runs(blocks: tuple[BlockSpec, ...]) -> list[tuple[BlockSpec, int]]:
    """Consecutive blocks with equal signatures, as (first block, run length)."""
    runs: list[tuple[BlockSpec, int]] = []
    for b in blocks:
        if runs and runs[-1][0].signature == b.signature:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((b, 1))
    return runs


def default_fold(plan: Plan) -> bool:
    """Fold deep nets by default so ResNet-152 and ResNet-1202 fit the screen."""
    return len(plan.blocks) > FOLD_ABOVE_BLOCKS


def stage_title(stage: StageSpec) -> str:
    """'layer2 · conv3_x': torchvision's module name and the paper's Table 1 name."""
    return f"{stage.name} · conv{stage.index + 1}_x"


class _Extractor:
    def __init__(self, level: str) -> None:
        self.level = level
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.clusters: list[Cluster] = []

    def section(self, name: str, layers: tuple[LayerSpec, ...], src: str) -> str:
        """The stem or the head after ``src``: its layers in a frame, or one summary node."""
        if self.level == "layers":
            self.clusters.append(Cluster(f"cluster_{name}", name))
            return self.chain(layers, src, f"cluster_{name}")
        params, macs = _totals(layers)
        node = self.node(id=name, kind=name, title=name, ops=_ops_compact(layers), params=params, macs=macs)
        self.edge(src, node, layers[0].in_shape)
        return node

    def node(self, **kw) -> str:
        self.nodes.append(Node(**kw))
        return kw["id"]

    def edge(self, src: str, dst: str, shape: Shape, kind: str = "main", stride: int = 1) -> None:
        self.edges.append(Edge(src, dst, shape, kind, stride))

    def chain(
        self,
        layers: tuple[LayerSpec, ...],
        src: str,
        cluster: str | None,
        count: int = 1,
        first_kind: str = "main",
    ) -> str:
        """Each layer a node, linked in order; returns the last node id.

        first_kind: the kind of the edge into the first layer ("projection" for a shortcut).
        """
        kind = first_kind
        for layer in layers:
            if layer.kind == "SqueezeExcite":
                src = self.squeeze_excite(layer, src, cluster, count)
                continue
            nid = self.node(
                id=_nid(layer.name),
                kind="layer",
                title=layer.name,
                ops=(_op(layer),),
                params=layer.params * count,
                macs=layer.macs * count,
                count=count,
                cluster=cluster,
            )
            self.edge(src, nid, layer.in_shape, kind)
            src, kind = nid, "main"
        return src

    def squeeze_excite(self, se: LayerSpec, src: str, cluster: str | None, count: int) -> str:
        """SE as Hu et al. draw it (Fig. 3): a side branch from the residual's output to a gate
        (C×1×1) that scales it channel by channel; returns the scaling node."""
        ch = se.in_shape[0]
        side = self.node(
            id=_nid(se.name),
            kind="se",
            title=se.name,
            ops=(
                f"SE, r = {ch // se.groups}",
                "global avg pool",
                f"1×1 conv, {se.groups} → ReLU",
                f"1×1 conv, {ch} → sigmoid",
            ),
            params=se.params * count,
            macs=se.macs * count,
            count=count,
            cluster=cluster,
        )
        scale = self.node(
            id=_nid(se.name) + "_scale", kind="scale", title="", ops=("×",), count=count, cluster=cluster
        )
        self.edge(src, side, se.in_shape, "se")
        self.edge(src, scale, se.in_shape)
        self.edge(side, scale, (ch, 1, 1), "se")
        return scale

    # A block: residual branch, shortcut, addition (Fig. 2); plain nets skip the last two.
    def block(self, b: BlockSpec, src: str, count: int) -> str:
        cid = "cluster_" + _nid(b.name)[2:]
        name = b.name if count == 1 else f"{b.name}–{b.index + count - 1}"  # "layer1.1–2"
        layered = self.level == "layers"
        if layered:
            self.clusters.append(Cluster(cid, name, count))
        cluster = cid if layered else None
        if layered:
            branch_end = self.chain(b.branch, src, cluster, count)
        else:
            # The post-addition ReLU of a plain net belongs to the block's single node.
            own = b.branch + (b.post if b.shortcut == "none" else ())
            se = [x for x in own if x.kind == "SqueezeExcite"]
            own = tuple(x for x in own if x.kind != "SqueezeExcite")
            params, macs = _totals(own)
            branch_end = self.node(
                id=_nid(b.name),
                kind="block",
                title=name,
                ops=_ops_compact(own),
                params=params * count,
                macs=macs * count,
                count=count,
            )
            self.edge(src, branch_end, b.in_shape)
            if se:
                branch_end = self.squeeze_excite(se[0], branch_end, None, count)
        if b.shortcut == "none":
            if layered and b.post:
                return self.chain(b.post, branch_end, cluster, count)
            return branch_end
        # At block level the ReLU after the addition (Fig. 2) is drawn on the addition node.
        add_ops = ("+", "ReLU") if b.post and not layered else ("+",)
        add = self.node(
            id=_nid(b.name) + "_add", kind="add", title="", ops=add_ops, count=count, cluster=cluster
        )
        self.edge(branch_end, add, b.out_shape)
        if b.shortcut == "projection":
            proj_layers = b.shortcut_layers
            if layered:
                proj_end = self.chain(proj_layers, src, cluster, count, first_kind="projection")
            else:
                params, macs = _totals(proj_layers)
                proj_end = self.node(
                    id=_nid(b.name) + "_proj",
                    kind="projection",
                    title="",
                    ops=_ops_compact(proj_layers),
                    params=params * count,
                    macs=macs * count,
                    count=count,
                )
                self.edge(src, proj_end, proj_layers[0].in_shape, "projection")
            self.edge(proj_end, add, b.out_shape, "projection")
        elif b.shortcut == "zero-pad":
            self.edge(src, add, b.in_shape, "zero-pad", b.stride)
        else:
            self.edge(src, add, b.in_shape, "identity")
        if layered and b.post:
            return self.chain(b.post, add, cluster, count)
        return add


# A graph holds ~220-290 B per node or edge (tracemalloc, ResNet-18 to ResNet-1202, every level; its
# strings are shared with the plan); 320 B is the estimate: 64 MiB keeps ~23 unfolded ResNet-1202s.
def _graph_bytes(g: Graph) -> int:
    return 320 * (len(g.nodes) + len(g.edges) + len(g.clusters))


@bounded_cache(max_entries=128, max_bytes=64 * 2**20, size=_graph_bytes)
def extract(
    config: ResNetConfig, level: str = "blocks", fold: bool | None = None, stage: int | None = None
) -> Graph:
    """Nodes and edges of ``config`` at a level of detail.

    level: "network" (stem → stages → head), "blocks" (one node per block, shortcuts drawn) or
    "layers" (one node per leaf layer, blocks as clusters). fold: runs of identical blocks
    become one "×N" node (None: fold deep nets, see :func:`default_fold`). stage: draw only
    that stage (1-based), between its input and output tensors.
    """
    if level not in LEVELS:
        raise ValueError(f"level: got {level!r}; allowed: {', '.join(map(repr, LEVELS))}")
    plan = make_plan(config)
    if stage is not None and (
        isinstance(stage, bool) or not isinstance(stage, int) or not 1 <= stage <= len(plan.stages)
    ):
        raise ValueError(f"stage: got {stage!r}; allowed: 1 to {len(plan.stages)} or None for all")
    fold = default_fold(plan) if fold is None else bool(fold)
    ex = _Extractor(level)

    stages = plan.stages if stage is None else (plan.stages[stage - 1],)
    if stage is None:
        src = ex.section("stem", plan.stem, ex.node(id="input", kind="input", title=""))
    else:
        src = ex.node(id="input", kind="input", title=stages[0].name)

    for s in stages:
        if level == "network":
            kinds = sorted({b.shortcut for b in s.blocks})
            params, macs = _totals(s.layers)
            nid = ex.node(
                id=_nid(s.name),
                kind="stage",
                title=stage_title(s),
                ops=(f"{len(s.blocks)} × {_block_name(plan.config)}", *kinds),
                params=params,
                macs=macs,
                count=len(s.blocks),
            )
            ex.edge(src, nid, s.in_shape)
            src = nid
            continue
        runs = fold_runs(s.blocks) if fold else [(b, 1) for b in s.blocks]
        for b, count in runs:
            src = ex.block(b, src, count)

    if stage is None:
        src = ex.section("head", plan.head, src)
        out = ex.node(id="output", kind="output", title="")
        ex.edge(src, out, plan.output_shape)
    else:
        out = ex.node(id="output", kind="output", title=stages[0].name)
        ex.edge(src, out, stages[0].out_shape)
    return Graph(level, tuple(ex.nodes), tuple(ex.edges), tuple(ex.clusters), stage)


def _block_name(config: ResNetConfig) -> str:
    name = ("pre-act " if config.preact else "") + config.block
    if config.block == "bottleneck" and (config.groups > 1 or config.width_per_group != 64):
        d = config.inner_width(1) // config.groups  # ResNeXt's "32x4d": groups × width of each
        name += f" {config.groups}×{d}d"
    return name + (f" + SE/{config.se_ratio}" if config.se_ratio else "")


# --- drawing ------------------------------------------------------------------------------------

_PALETTE = {
    "light": {
        "fg": "#1f2328",
        "edge": "#57606a",
        "bg": "transparent",
        "cluster": "#d0d7de",
        "input": "#eaeef2",
        "output": "#eaeef2",
        "stem": "#ddf4ff",
        "head": "#ddf4ff",
        "stage": "#dafbe1",
        "block": "#dafbe1",
        "layer": "#ffffff",
        "projection": "#fff1e5",
        "add": "#fbefff",
        "conv": "#dafbe1",
        "bn": "#fff8c5",
        "relu": "#ffebe9",
        "zero-pad": "#bc4c00",
        "identity": "#57606a",
        "projection_edge": "#bc4c00",
        "se": "#f6e8ff",
        "scale": "#fbefff",
        "se_edge": "#8250df",
    },
    "dark": {
        "fg": "#e6edf3",
        "edge": "#8b949e",
        "bg": "transparent",
        "cluster": "#484f58",
        "input": "#30363d",
        "output": "#30363d",
        "stem": "#0c2d6b",
        "head": "#0c2d6b",
        "stage": "#033a16",
        "block": "#033a16",
        "layer": "#161b22",
        "projection": "#5a1e02",
        "add": "#3c1e70",
        "conv": "#033a16",
        "bn": "#4b3a00",
        "relu": "#67060c",
        "zero-pad": "#ffa657",
        "identity": "#8b949e",
        "projection_edge": "#ffa657",
        "se": "#3c1e70",
        "scale": "#3c1e70",
        "se_edge": "#d2a8ff",
    },
}


def _fill(node: Node, pal: dict[str, str]) -> str:
    if node.kind != "layer":
        return pal[node.kind]
    op = node.ops[0]
    if "conv" in op:
        return pal["conv"]
    return pal["bn"] if op == "BN" else pal["relu"] if op == "ReLU" else pal["layer"]


_GROUPS = re.compile(r", (\d+) groups\b")


def _localised_op(op: str, lang: str) -> str:
    """The paper's notation stays as written (conv, BN, ReLU are the names students meet in code);
    only the one English word in it, ResNeXt's group count, follows the reader's language."""
    return _GROUPS.sub(lambda m: ", " + t("graph.op.groups", lang, g=m.group(1)), op)


def _label(node: Node, lang: str, counts: bool) -> str:
    lines: list[str] = []
    if node.kind in ("input", "output"):
        lines.append(t(f"graph.node.{node.kind}", lang) + (f" ({node.title})" if node.title else ""))
    elif node.kind == "add":
        lines.append(" → ".join(node.ops).replace("+", "⊕"))
    else:
        title = {
            "stem": t("graph.node.stem", lang),
            "head": t("graph.node.head", lang),
            "projection": t("graph.node.projection", lang),
        }.get(node.kind, node.title)
        if node.kind == "stage" and node.ops[1:]:
            shortcuts = ", ".join(t(f"graph.shortcut.{k}", lang) for k in node.ops[1:])
            body = [node.ops[0], t("graph.shortcuts", lang, kinds=shortcuts)]
        else:
            body = [_localised_op(op, lang) for op in node.ops]
        if node.count > 1 and node.kind in ("block", "projection"):
            title = f"{title}  ×{node.count}" if title else f"×{node.count}"
        if node.kind == "layer" and node.count > 1:
            body = [f"{body[0]}  ×{node.count}"]
        lines += ([title] if title and node.kind not in ("layer", "se") else []) + body
    if counts and (node.params or node.macs):
        # Zero counts are left out: BN has no MACs here, pooling no parameters.
        parts = [
            t(f"graph.counts.{what}", lang, n=format_count(n))
            for what, n in (("params", node.params), ("macs", node.macs))
            if n
        ]
        lines.append(" · ".join(parts))
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


def _tooltip(node: Node, lang: str) -> str:
    parts = [node.title or _label(node, lang, False).replace("\\n", " ")]
    if node.count > 1:
        parts.append(t("graph.tooltip.folded", lang, n=node.count))
    if node.params or node.macs:
        parts.append(t("graph.tooltip.counts", lang, params=f"{node.params:,}", macs=f"{node.macs:,}"))
    return " | ".join(parts)


# Font sizes of the drawing, in points.
FONT_PT = {"node": "14", "edge": "12", "cluster": "13"}


def to_digraph(
    graph: Graph,
    *,
    rankdir: str = "TB",
    counts: bool = True,
    lang: str = "en",
    theme: str = "light",
    shapes: str = "full",
) -> graphviz.Digraph:
    """A ``graphviz.Digraph`` of ``graph`` (returned, not rendered).

    counts: parameters and MACs on every node; shapes: "full" (C×H×W on every edge) or
    "channels" ("64-d", as the paper's Fig. 5 labels its block diagrams).
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir: got {rankdir!r}; allowed: {', '.join(map(repr, RANKDIRS))}")
    if theme not in _PALETTE:
        raise ValueError(f"theme: got {theme!r}; allowed: 'light', 'dark'")
    if shapes not in ("full", "channels"):
        raise ValueError(f"shapes: got {shapes!r}; allowed: 'full', 'channels'")
    pal = _PALETTE[theme]
    dot = graphviz.Digraph("resnet")
    dot.attr(rankdir=rankdir, bgcolor=pal["bg"], fontname="Helvetica", nodesep="0.25", ranksep="0.3")
    # Sizes in points (1 pt = 4/3 px unscaled): 14 pt boxes are ~19 px, still 16 px when the browser
    # shrinks a graph to 86 % of its width (issue 10); edge labels 12 pt = 16 px, read second.
    dot.attr(
        "node",
        shape="box",
        style="rounded,filled",
        fontname="Helvetica",
        fontsize=FONT_PT["node"],
        color=pal["edge"],
        fontcolor=pal["fg"],
        margin="0.12,0.05",
    )
    dot.attr(
        "edge",
        fontname="Helvetica",
        fontsize=FONT_PT["edge"],
        color=pal["edge"],
        fontcolor=pal["fg"],
        arrowsize="0.6",
    )

    def add_node(target: graphviz.Digraph, node: Node) -> None:
        extra = (
            {"shape": "ellipse", "margin": "0.04,0.02", "width": "0.3", "height": "0.3"}
            if node.kind in ("add", "scale")
            else {}
        )
        if node.kind in ("input", "output"):
            extra = {"shape": "box", "style": "rounded,filled,dashed"}
        if node.count > 1 and node.kind in ("block", "projection"):
            extra["peripheries"] = "2"  # a stack of identical blocks
        target.node(
            node.id,
            label=_label(node, lang, counts),
            fillcolor=_fill(node, pal),
            tooltip=_tooltip(node, lang),
            **extra,
        )

    for node in graph.nodes:
        if node.cluster is None:
            add_node(dot, node)
    for cluster in graph.clusters:
        with dot.subgraph(name=cluster.id) as sub:
            title = {"stem": t("graph.node.stem", lang), "head": t("graph.node.head", lang)}.get(
                cluster.title, cluster.title
            )
            if cluster.count > 1:
                title = f"{title}  ×{cluster.count}"
            sub.attr(
                label=title,
                style="rounded,dashed",
                color=pal["cluster"],
                fontcolor=pal["fg"],
                fontsize=FONT_PT["cluster"],
                penwidth="2" if cluster.count > 1 else "1",
            )
            for node in graph.nodes:
                if node.cluster == cluster.id:
                    add_node(sub, node)

    for e in graph.edges:
        label = format_shape(e.shape) if shapes == "full" else f"{e.shape[0]}-d"
        attrs: dict[str, str] = {}
        if e.kind == "zero-pad":
            pad = t("graph.shortcut.zero-pad", lang) + (f", /{e.stride}" if e.stride > 1 else "")
            attrs = {
                "style": "dashed",
                "color": pal["zero-pad"],
                "fontcolor": pal["zero-pad"],
                "penwidth": "1.5",
            }
            label = f"{pad}\\n{label}"
        elif e.kind == "identity":
            attrs = {"color": pal["identity"], "penwidth": "1.5"}
            label = f"{t('graph.shortcut.identity', lang)}\\n{label}" if shapes == "channels" else label
        elif e.kind == "projection":
            attrs = {"color": pal["projection_edge"], "penwidth": "1.5"}
        elif e.kind == "se":  # the squeeze-and-excitation side branch and its gate
            attrs = {
                "style": "dotted",
                "color": pal["se_edge"],
                "fontcolor": pal["se_edge"],
                "penwidth": "1.5",
            }
        if e.kind != "main":
            attrs["constraint"] = "false" if graph.level == "blocks" and e.kind == "identity" else "true"
        dot.edge(e.src, e.dst, label=label, **attrs)
    return dot


def has_dot() -> bool:
    """True when Graphviz's ``dot`` binary is installed (Debian: ``apt-get install graphviz``)."""
    return shutil.which("dot") is not None


# ``dot`` is the one piece of heavy work a click can start that is not ours to bound from inside: an
# unfolded ResNet-1202 at layer level took 85 s and 1.24 GB per click on the classroom server (issue 11).
# So it runs as its own process, one at a time for the whole server, at low priority, and is stopped
# at any of these caps. ResNet-152 at layer level needs ~0.4 s, ~60 MB and writes ~1 MB.
SVG_SECONDS = 20.0
SVG_MAX_BYTES = 32 * 2**20
SVG_MEMORY_BYTES = 1024 * 2**20
_SVG_SLOTS = threading.BoundedSemaphore(1)


class SvgLimitError(RuntimeError):
    """``dot`` was stopped at a cap; ``reason`` is "seconds" | "bytes" | "memory" | "busy"."""

    def __init__(self, reason: str, limit: float) -> None:
        super().__init__(f"dot stopped: {reason} cap {limit:g}")
        self.reason = reason
        self.limit = limit


def render_svg(
    dot: graphviz.Digraph,
    *,
    seconds: float | None = None,
    max_bytes: int | None = None,
    memory_bytes: int | None = None,
) -> bytes:
    """SVG bytes of ``dot``, drawn by a bounded ``dot`` process (check :func:`has_dot` first).

    Raises :class:`SvgLimitError` when the drawing takes longer than ``seconds``, writes more than
    ``max_bytes``, needs more than ``memory_bytes`` of address space, or another SVG is being drawn
    on this server right now; the process is killed and nothing is kept. The caps default to
    :data:`SVG_SECONDS`, :data:`SVG_MAX_BYTES` and :data:`SVG_MEMORY_BYTES`, read at each call.
    """
    if not _SVG_SLOTS.acquire(blocking=False):
        raise SvgLimitError("busy", 1)
    try:
        return _run_dot(
            dot.source,
            SVG_SECONDS if seconds is None else seconds,
            SVG_MAX_BYTES if max_bytes is None else max_bytes,
            SVG_MEMORY_BYTES if memory_bytes is None else memory_bytes,
        )
    finally:
        _SVG_SLOTS.release()


def _run_dot(source: str, seconds: float, max_bytes: int, memory_bytes: int) -> bytes:
    with tempfile.TemporaryFile() as err:  # stderr: dot's own complaints, never read back
        proc = subprocess.Popen(
            [shutil.which("dot") or "dot", "-Tsvg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err
        )
        try:
            # dot waits on its stdin, so the caps are in place before it reads or lays out anything.
            if hasattr(resource, "prlimit"):
                resource.prlimit(proc.pid, resource.RLIMIT_AS, (memory_bytes, memory_bytes))
                cpu = max(1, math.ceil(seconds)) + 1
                resource.prlimit(proc.pid, resource.RLIMIT_CPU, (cpu, cpu))
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, proc.pid, 10)  # students' own clicks go first
            writer = threading.Thread(target=_feed, args=(proc, source.encode()), daemon=True)
            writer.start()
            out, reason = _read_capped(proc, time.monotonic() + seconds, max_bytes)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    pipe.close()  # type: ignore[union-attr]
    if reason is not None:
        raise SvgLimitError(reason, seconds if reason == "seconds" else max_bytes)
    if proc.returncode != 0:
        # Past RLIMIT_CPU the kernel ends dot with SIGXCPU/SIGKILL; a refused allocation under
        # RLIMIT_AS makes it exit with an error (or abort). The input is our own DOT, which dot parses.
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise SvgLimitError("seconds", seconds)
        raise SvgLimitError("memory", memory_bytes)
    return out


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    with contextlib.suppress(OSError):  # BrokenPipe: dot was stopped at a cap
        proc.stdin.write(data)  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]


def _read_capped(proc: subprocess.Popen, deadline: float, max_bytes: int) -> tuple[bytes, str | None]:
    """Read ``proc``'s stdout until EOF, the deadline or ``max_bytes``; returns (bytes, reason or None)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", "seconds"
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            proc.wait()
            return b"".join(chunks), None
        size += len(chunk)
        if size > max_bytes:
            return b"", "bytes"
        chunks.append(chunk)


# --- block inspector (paper Fig. 2 / Fig. 5) ------------------------------------------------------


def inspector_block(kind: str, width: int = 64) -> tuple[ResNetConfig, BlockSpec]:
    """A stride-1 identity block of ``kind`` as the paper draws it, with its config.

    basic: two 3×3 convs on a ``width``-d map (Fig. 2 / Fig. 5 left); bottleneck: 1×1 reduce to
    ``width``, 3×3, 1×1 expand to 4·``width`` on a 4·``width``-d map (Fig. 5 right); preact: the
    basic block in pre-activation order (arXiv 1603.05027, Fig. 1b); resnext: the bottleneck's
    template with 32 groups of width/16 channels in the 3×3 (ResNeXt-50 32×4d at width 64, Fig. 3c).
    """
    if kind not in INSPECTOR_KINDS:
        raise ValueError(f"kind: got {kind!r}; allowed: {', '.join(map(repr, INSPECTOR_KINDS))}")
    if kind == "resnext" and width < RESNEXT_MIN_WIDTH:
        raise ValueError(
            f"width: got {width}; the ResNeXt block (32 groups) needs at least {RESNEXT_MIN_WIDTH}"
        )
    block = "bottleneck" if kind in ("bottleneck", "resnext") else "basic"
    grouped = dict(groups=32, width_per_group=4) if kind == "resnext" else {}
    # Two blocks on one small stage: the second is an identity block on the full-width map.
    config = ResNetConfig(
        stem="cifar",
        stages=(2,),
        block=block,
        shortcut="B",
        width=width,
        preact=kind == "preact",
        num_classes=10,
        input_size=8,
        **grouped,
    )
    return config, make_plan(config).stages[0].blocks[1]


def inspector_graph(kind: str, width: int = 64) -> Graph:
    """One block at layer level, between its input and output tensors."""
    _, b = inspector_block(kind, width)
    ex = _Extractor("layers")
    src = ex.node(id="input", kind="input", title="")
    end = ex.block(b, src, 1)
    out = ex.node(id="output", kind="output", title="")
    ex.edge(end, out, b.out_shape)
    # One block alone needs no cluster frame around it.
    nodes = tuple(dataclasses.replace(n, cluster=None) for n in ex.nodes)
    return Graph("layers", nodes, tuple(ex.edges), (), None)
