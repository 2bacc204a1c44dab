"""The Lesson's drawing of a basic block, y = F(x) + x (the paper's Fig. 2), as a ``graphviz.Digraph``.

Returned, not rendered (the page hands it to ``st.graphviz_chart``). Drawn left to right so that it
fits a projector's width next to its numbers, or top to bottom for a phone, where left to right it
would shrink to unreadable type; counts come from the step's plan, not from here.
"""

from __future__ import annotations

import graphviz

from ..i18n import t

__all__ = ["block_diagram"]

_BRANCH = "#1f77b4"
_SHORTCUT = "#2ca02c"


def block_diagram(facts: dict, lang: str = "en", vertical: bool = False) -> graphviz.Digraph:
    """The basic block of ``step(2)``: two 3×3 convs with BN, the identity shortcut, the addition;
    ``vertical``: top to bottom, for a phone."""
    c = facts["width"]
    conv = facts["conv"] // 2
    dot = graphviz.Digraph("block")
    rank = ("TB", "0.2") if vertical else ("LR", "0.3")
    dot.attr(rankdir=rank[0], bgcolor="transparent", nodesep="0.3", ranksep=rank[1])
    dot.attr(
        "node",
        shape="box",
        style="rounded,filled",
        fillcolor="#eef4fb",
        color=_BRANCH,
        fontname="Noto Sans CJK SC, Helvetica, Arial, sans-serif",
        fontsize="16",
    )
    dot.attr(
        "edge", color="#444444", fontname="Noto Sans CJK SC, Helvetica, Arial, sans-serif", fontsize="15"
    )
    dot.node("x", "x", shape="plaintext", style="", fontsize="20")
    # Each weight layer with the BN (and ReLU) after it in one box, as Fig. 2 draws "weight layer": five
    # boxes in a row, not seven, so that at a 1366 px projector's width no label is drawn under 14 px.
    conv1 = t("lesson.block.conv", lang, c=c, weights=f"{conv:,}")
    dot.node("conv1", conv1 + "\n" + t("lesson.block.bn_relu", lang, bn=f"{2 * c:,}"))
    dot.node("conv2", conv1 + "\n" + t("lesson.block.bn", lang, bn=f"{2 * c:,}"))
    dot.node("add", "+", shape="circle", style="filled", fillcolor="#ffffff", fontsize="22", width="0.45")
    dot.node("relu2", "ReLU")
    dot.node("y", "y = F(x) + x", shape="plaintext", style="", fontsize="18")
    dot.edge("x", "conv1", label=f" {c}")
    dot.edge("conv1", "conv2")
    dot.edge("conv2", "add", label=" F(x)", color=_BRANCH, fontcolor=_BRANCH)
    # the shortcut: the same x, added unchanged (no parameters), drawn below the branch; an xlabel,
    # placed after the layout, so that its words do not widen the gap between two ranks
    dot.edge(
        "x",
        "add",
        xlabel=t("lesson.block.identity", lang),
        color=_SHORTCUT,
        fontcolor=_SHORTCUT,
        style="bold",
        constraint="false",
    )
    dot.edge("add", "relu2")
    dot.edge("relu2", "y")
    return dot
