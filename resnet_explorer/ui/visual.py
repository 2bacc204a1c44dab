"""Streamlit panels for the architecture graph and the charts (called by the Explorer and Compare).

Thin: the graph comes from :mod:`resnet_explorer.visual.graph`, the figures from
:mod:`resnet_explorer.visual.charts`; this module only lays out controls and displays what they return.
"""

from __future__ import annotations

import streamlit as st

from .. import ui
from ..core.analysis import analyze, block_arithmetic, resnext_arithmetic
from ..core.config import ResNetConfig, preset_name
from ..core.plan import make_plan
from ..formatting import format_bytes
from ..visual import charts, graph

__all__ = [
    "render_graph_panel",
    "render_charts_panel",
    "theme",
    "show_graph",
    "svg_download",
    "MAX_DRAWN_NODES",
]

# Above this many nodes the browser's layout takes seconds and the picture is unreadable:
# ask before drawing (an unfolded ResNet-1202 at layer level has about 4,200 nodes).
MAX_DRAWN_NODES = 400
# The browser scales a graph to the page width: a left-to-right chain longer than this shrinks
# until its labels are unreadable (about 16 boxes of a 14 pt label fill the ~900 px of a 1366 px
# screen beside the sidebar), so a longer one is drawn top to bottom instead of as a sliver.
LR_READABLE_NODES = 16


def theme() -> str:
    """The app's theme type ("light" | "dark"); light until the browser has reported it."""
    kind = getattr(getattr(st.context, "theme", None), "type", None)
    return kind if kind in charts.THEMES else "light"


def show_graph(
    g: graph.Graph, key: str, rankdir: str = "TB", counts: bool = True, stretch: bool = False
) -> str:
    """Draw ``g`` (asking first when it is huge); returns its DOT source."""
    tr = ui.translator()
    if rankdir == "LR" and len(g.nodes) > LR_READABLE_NODES:
        st.info(tr("graph.lr_sliver", n=f"{len(g.nodes):,}"), icon=":material/swap_vert:")
        rankdir = "TB"
    dot = graph.to_digraph(g, rankdir=rankdir, counts=counts, lang=ui.lang(), theme=theme())
    if len(g.nodes) > MAX_DRAWN_NODES and not st.checkbox(
        tr("graph.big.confirm", n=f"{len(g.nodes):,}"), key=f"{key}.big", value=False
    ):
        st.info(
            tr("graph.big.info", n=f"{len(g.nodes):,}", limit=MAX_DRAWN_NODES),
            icon=":material/hourglass_top:",
        )
        return dot.source
    alt = tr("alt.graph", n=f"{len(g.nodes):,}")
    st.graphviz_chart(dot, width="stretch" if stretch else "content", alt=alt)
    return dot.source


def render_graph_panel(config: ResNetConfig, key: str) -> None:
    """Level / fold / stage / direction / counts controls, the graph, downloads, block inspector."""
    tr = ui.translator()
    plan = make_plan(config)
    deep = graph.default_fold(plan)
    c = st.columns([3, 3, 3])
    level = c[0].segmented_control(
        tr("graph.level"),
        graph.LEVELS,
        default="blocks",
        required=True,
        format_func=lambda v: tr(f"graph.level.{v}"),
        key=f"{key}.level",
    )
    rankdir = c[1].segmented_control(
        tr("graph.direction"),
        graph.RANKDIRS,
        default="TB",
        required=True,
        format_func=lambda v: tr(f"graph.direction.{v}"),
        key=f"{key}.dir",
    )
    stage_options = [0, *range(1, len(plan.stages) + 1)]
    stage = c[2].selectbox(
        tr("graph.stage"),
        stage_options,
        key=f"{key}.stage.{len(plan.stages)}",
        format_func=lambda s: tr("graph.stage.all") if s == 0 else graph.stage_title(plan.stages[s - 1]),
        disabled=level == "network",
    )
    t1, t2, _ = st.columns([3, 3, 3])
    # Deep and shallow nets keep separate fold switches, so moving to ResNet-1202 starts folded.
    fold = t1.toggle(
        tr("graph.fold"),
        value=deep,
        key=f"{key}.fold.{'deep' if deep else 'shallow'}",
        help=tr("graph.fold_help"),
        disabled=level == "network",
    )
    counts = t2.toggle(tr("graph.counts"), value=True, key=f"{key}.counts")

    g = graph.extract(config, level, fold, None if level == "network" or stage == 0 else stage)
    st.caption(tr("graph.legend"))
    source = show_graph(g, key, rankdir, counts)

    name = preset_name(config) or "custom"
    d1, d2, _ = st.columns([1, 1, 3])
    d1.download_button(
        tr("graph.download_dot"),
        source.encode(),
        file_name=f"{name}-{level}.dot",
        mime="text/vnd.graphviz",
        key=f"{key}.dl_dot",
    )
    if graph.has_dot():
        # Drawn on click, not on every rerun, by a bounded ``dot`` process (``graph.render_svg``): ~0.4 s
        # for ResNet-152 at layer level, past the time cap for an unfolded ResNet-1202. A click draws,
        # offers the file in this run only (nothing kept in the session) or says which cap stopped it.
        if d2.button(
            tr("svg.prepare"),
            key=f"{key}.svg",
            icon=":material/draw:",
            help=tr("svg.prepare_help", seconds=graph.SVG_SECONDS, size=format_bytes(graph.SVG_MAX_BYTES)),
        ):
            svg_download(g, rankdir, counts, f"{name}-{level}.svg", f"{key}.dl_svg")
    else:
        d2.caption(tr("graph.no_dot"))

    st.divider()
    _render_inspector(config, key)


_SVG_LIMITS = {
    "seconds": "svg.limit.seconds",
    "bytes": "svg.limit.bytes",
    "memory": "svg.limit.memory",
    "busy": "svg.limit.busy",
}


def svg_download(g: graph.Graph, rankdir: str, counts: bool, file_name: str, key: str) -> None:
    """Draw ``g`` as SVG within the server's caps and offer it, or say (en/zh) which cap stopped it."""
    tr = ui.translator()
    try:
        with st.spinner(tr("svg.drawing", seconds=graph.SVG_SECONDS)):
            svg = graph.render_svg(
                graph.to_digraph(g, rankdir=rankdir, counts=counts, lang=ui.lang(), theme="light")
            )
    except graph.SvgLimitError as exc:
        limit = exc.limit if exc.reason == "seconds" else format_bytes(int(exc.limit))
        st.warning(tr(_SVG_LIMITS[exc.reason], limit=limit), icon=":material/timer_off:")
        return
    st.download_button(
        tr("graph.download_svg"),
        svg,
        file_name=file_name,
        mime="image/svg+xml",
        key=key,
        on_click="ignore",
        type="primary",
        icon=":material/download:",
    )


def _render_inspector(config: ResNetConfig, key: str) -> None:
    """One block drawn as the paper's Fig. 2 / Fig. 5 do, beside its weight arithmetic."""
    tr = ui.translator()
    st.subheader(tr("graph.inspector"))
    width = config.width
    # The ResNeXt block needs 32 groups of at least one channel (graph.RESNEXT_MIN_WIDTH).
    kinds = [k for k in graph.INSPECTOR_KINDS if k != "resnext" or width >= graph.RESNEXT_MIN_WIDTH]
    default = (
        "preact" if config.preact else "resnext" if config.groups > 1 and "resnext" in kinds else config.block
    )
    kind = st.segmented_control(
        tr("graph.inspector.kind"),
        kinds,
        required=True,
        default=default,
        key=f"{key}.inspect",
        format_func=lambda v: tr(f"graph.inspector.{v}"),
    )
    _, block = graph.inspector_block(kind, width)
    left, right = st.columns([2, 3])
    with left:
        st.caption(tr(f"graph.inspector.{kind}_caption", c=block.in_channels, m=block.mid_channels))
        dot = graph.to_digraph(
            graph.inspector_graph(kind, width), counts=False, lang=ui.lang(), theme=theme(), shapes="channels"
        )
        st.graphviz_chart(dot, alt=tr("alt.inspector"))
    with right:
        convs = [x for x in block.branch if x.kind == "Conv2d"]
        terms = " + ".join(f"{x.kernel}·{x.kernel}·{x.in_shape[0]}·{x.out_shape[0]}" for x in convs)
        weights = sum(x.params for x in convs)
        bn = sum(x.params for x in block.branch if x.kind == "BatchNorm2d")
        st.markdown(tr("graph.inspector.weights", terms=terms, total=f"{weights:,}"))
        st.caption(tr("graph.inspector.bn", bn=f"{bn:,}"))
        channels = 4 * width
        try:
            if kind == "resnext":  # the ResNeXt paper's point: the same cost as the bottleneck
                ui.show_resnext_arithmetic(resnext_arithmetic(channels))
            else:
                ui.show_block_arithmetic(block_arithmetic(channels))
        except ValueError as exc:  # a width whose 4× is out of the arithmetic's range
            st.warning(str(exc))


def render_charts_panel(config: ResNetConfig, key: str) -> None:
    """A chart picker; only the chosen chart is built (ResNet-1202's are not free)."""
    tr = ui.translator()
    chosen = st.segmented_control(
        tr("chart.pick"),
        charts.CHARTS,
        default="stages",
        required=True,
        format_func=lambda v: tr(f"chart.pick.{v}"),
        key=f"{key}.pick",
    )
    lang, th = ui.lang(), theme()
    if chosen in ("depth_sweep", "shortcut_options"):
        fig = getattr(charts, f"{chosen}_figure")(config, lang, th)
    else:
        builder = {
            "stages": charts.stage_figure,
            "cumulative": charts.cumulative_figure,
            "feature_maps": charts.feature_map_figure,
            "receptive_field": charts.receptive_field_figure,
        }[chosen]
        fig = builder(analyze(config), lang, th)
    alt = tr(f"alt.chart.{chosen}")
    st.plotly_chart(fig, theme=None, key=f"{key}.fig.{chosen}", config={"displaylogo": False}, alt=alt)
    st.caption(tr(f"chart.caption.{chosen}"))
