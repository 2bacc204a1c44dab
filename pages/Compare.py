"""Compare: two to four configurations side by side; the whole comparison lives in the URL."""

import streamlit as st

from resnet_explorer import analyze, ui
from resnet_explorer.core import compare
from resnet_explorer.core.config import nearest_preset
from resnet_explorer.formatting import format_bytes
from resnet_explorer.ui.archview import architecture_view
from resnet_explorer.ui.session import link_problem  # the link's text shown as code, translated
from resnet_explorer.ui.visual import theme
from resnet_explorer.visual import charts
from resnet_explorer.visual.scene import diff_marks

ui.page_setup("compare.title", ":material/compare:")
tr = ui.translator()
STATE = "cmp.configs"

st.title(tr("compare.title"))
st.caption(tr("compare.intro"))

if STATE not in st.session_state:
    # A link with c1..c4 opens that comparison; otherwise the default (plain-34 vs ResNet-34).
    query = {k: st.query_params.get_all(k) for k in st.query_params}  # a repeated c1 is reported
    configs, errors = compare.comparison_from_query(query)
    st.session_state[STATE] = configs
    for error in errors:
        st.warning(tr("compare.url_problem", error=link_problem(error)), icon=":material/link:")


def _use(name: str) -> None:
    st.session_state[STATE] = list(compare.COMPARISONS[name])


def _add() -> None:
    configs = st.session_state[STATE]
    st.session_state[STATE] = [*configs, configs[-1]]


def _remove(i: int) -> None:
    configs = st.session_state[STATE]
    st.session_state[STATE] = configs[:i] + configs[i + 1 :]


buttons = st.columns(len(compare.COMPARISONS) + 1)
for col, name in zip(buttons, compare.COMPARISONS, strict=False):
    col.button(
        tr(f"compare.preset.{name}"), key=f"cmp.use.{name}", on_click=_use, args=(name,), width="stretch"
    )
buttons[-1].button(
    tr("compare.add"),
    key="cmp.add",
    on_click=_add,
    icon=":material/add:",
    width="stretch",
    disabled=len(st.session_state[STATE]) >= compare.MAX_COLUMNS,
)

# The comparison comes first, on a projector's first screen (1366×768); the editors fold away
# below it. The totals are drawn after the editors have run, into this slot, so they show this
# run's edit.
totals = st.container()
configs = list(st.session_state[STATE])
with st.expander(tr("compare.edit"), icon=":material/tune:"):
    columns = st.columns(len(configs), border=True)
for i, (col, config) in enumerate(zip(columns, configs, strict=True)):
    # Filled after the editor: labelled from the config before this run's edit, the heading
    # lagged one interaction behind the knobs under it.
    heading = col.empty()
    configs[i] = ui.config_editor(f"cmp{i + 1}", config, container=col, base=nearest_preset(config))
    heading.markdown(f"**{compare.column_label(i + 1, configs[i])}**")
    col.button(
        tr("compare.remove"),
        key=f"cmp.remove.{i + 1}",
        on_click=_remove,
        args=(i,),
        icon=":material/close:",
        disabled=len(configs) <= compare.MIN_COLUMNS,
    )
st.session_state[STATE] = configs
ui.sync_url(compare.comparison_to_query(configs))

with totals:
    st.subheader(tr("compare.totals"))
    table = compare.totals_table(configs)
    # The same binary units as the Explorer's metrics (MiB), not the browser's decimal "MB".
    table["param_bytes"] = table["param_bytes"].map(format_bytes)
    table["activation_bytes"] = table["activation_bytes"].map(format_bytes)
    number = st.column_config.NumberColumn
    # Eleven columns are wider than a 1366 px screen: the model's name stays pinned while it scrolls.
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "model": st.column_config.TextColumn(tr("compare.col.model"), pinned=True),
            "params": number(tr("compare.col.params"), format="localized"),
            "params_diff": number(tr("compare.col.params_diff"), format="localized"),
            "params_diff_pct": number(tr("compare.col.params_diff_pct"), format="percent"),
            "macs": number(tr("compare.col.macs"), format="localized"),
            "macs_diff": number(tr("compare.col.macs_diff"), format="localized"),
            "macs_diff_pct": number(tr("compare.col.macs_diff_pct"), format="percent"),
            "depth": number(tr("compare.col.depth")),
            "shortcut_params": number(tr("compare.col.shortcut_params"), format="localized"),
            "param_bytes": st.column_config.TextColumn(tr("compare.col.param_bytes")),
            "activation_bytes": st.column_config.TextColumn(tr("compare.col.activation_bytes")),
        },
        key="cmp.table",
    )
    st.caption(tr("compare.totals_caption"))

names = [compare.column_label(i + 1, c) for i, c in enumerate(configs)]
st.subheader(tr("compare.per_stage"))
metric = st.segmented_control(
    tr("compare.metric"),
    ("params", "macs"),
    default="params",
    required=True,
    format_func=lambda m: tr(f"compare.metric.{m}"),
    key="cmp.metric",
)
overlay = charts.stage_overlay_figure([analyze(c) for c in configs], names, metric, ui.lang(), theme())
overlay_alt = tr(
    "alt.compare.overlay", metric=tr(f"compare.metric.{metric}"), models=tr("cfg.list_sep").join(names)
)
st.plotly_chart(overlay, theme=None, key="cmp.overlay", config={"displaylogo": False}, alt=overlay_alt)

st.subheader(tr("compare.graphs"))
st.caption(tr("compare.graphs_caption"))
# One picture per model, top to bottom at one scale, each block a tick: what differs from column 1
# (blocks added, shortcuts, widths, block kinds) is marked on the very blocks that differ.
marks = diff_marks(configs, ui.lang())
most = max(max(c.stages) for c in configs)
for i, (col, config) in enumerate(zip(st.columns(len(configs)), configs, strict=True)):
    with col:
        st.markdown(f"**{names[i]}**")
        architecture_view(config, f"cmp.arch{i + 1}", diff=marks[i], column=True, max_count=max(8, most))
