"""ResNet Explorer — the Explorer page: pick a model, see every layer, shape and count.

Run with ``streamlit run app.py``. All logic lives in ``resnet_explorer``; this page edits a
config and displays what the library computes from it.
"""

import streamlit as st

from resnet_explorer import analyze, block_arithmetic, ui
from resnet_explorer.core.analysis import ARITHMETIC_CHANNELS
from resnet_explorer.core.config import PRESETS, config_to_code, config_to_query, preset_name
from resnet_explorer.formatting import format_bytes, format_count
from resnet_explorer.ui.archview import architecture_view

ui.page_setup("app.title")
tr = ui.translator()

st.sidebar.header(tr("cfg.header"))
config = ui.config_editor("cfg", ui.current_config(), base=ui.base_preset())
base = ui.editor_base("cfg")
ui.set_current_config(config, base)

st.title(tr("app.title"))
st.caption(tr("app.tagline"))
for problem in ui.url_errors():  # translated, the link's own text shown only as code
    st.warning(problem, icon=":material/link_off:")

report = analyze(config)
name = ui.model_title(config, base)  # the paper's name ("ResNet-56 · CIFAR"), never an id
st.subheader(
    tr(
        "app.summary",
        name=name,
        block=tr(f"cfg.block.{config.block}"),
        shortcut=tr(f"cfg.shortcut.{config.shortcut}"),
        stem=tr(f"cfg.stem.{config.stem}"),
        stages="·".join(map(str, config.stages)),
        size=config.input_size,
    )
)
if not report.fits:
    st.warning(
        tr(
            "app.too_big",
            need=format_bytes(report.param_bytes + report.activation_bytes),
            limit=format_bytes(report.memory_limit),
        ),
        icon=":material/memory:",
    )

m = ui.metric_columns(5)  # one row; on a phone two to a row, not one (ui/phone.py)
m[0].metric(
    tr("metric.params"),
    f"{report.total_params:,}",
    help=tr("metric.params_help", bn=f"{report.bn_params:,}", sc=f"{report.shortcut_params:,}"),
)
m[1].metric(
    tr("metric.macs"),
    format_count(report.total_macs),
    help=tr("metric.macs_help", size=config.input_size, exact=f"{report.total_macs:,}"),
)
m[2].metric(tr("metric.depth"), report.depth, help=tr("metric.depth_help"))
m[3].metric(tr("metric.param_mem"), format_bytes(report.param_bytes), help=tr("metric.param_mem_help"))
m[4].metric(tr("metric.act_mem"), format_bytes(report.activation_bytes), help=tr("metric.act_mem_help"))

# The whole network as one picture, on the first screen; what is open is kept in the link.
view_query = architecture_view(config)
ui.sync_url({**config_to_query(config, base), **view_query})

VIEWS = ("layers", "stages", "blocks", "graph", "charts", "code")
# A segmented control, not st.tabs: tabs run every view on each rerun, and the graph and charts
# of ResNet-1202 are too heavy to build unseen.
st.session_state.setdefault("view", "layers")
view = st.segmented_control(
    tr("view.label"),
    VIEWS,
    format_func=ui.labels("view"),
    key="view",
    required=True,
    label_visibility="collapsed",
)

if view == "layers":
    stages = ["stem", *(s.name for s in report.plan.stages), "head"]
    left, right = st.columns([2, 1])
    lang, all_label = ui.lang(), tr("layers.all_stages")
    chosen = left.selectbox(
        tr("layers.stage_filter"),
        ["all", *stages],
        key="layers.stage",
        format_func=lambda s: all_label if s == "all" else ui.stage_label(s, lang),
    )
    folded = right.toggle(tr("layers.fold"), key="layers.fold")
    table = ui.layers_view(config, chosen, folded, lang)  # cached: the same link, the same table
    st.caption(tr("layers.count", shown=table.shown, total=table.total))
    ui.show_layers(table.frame, min(38 * (table.shown + 1), 560), right)  # a phone: 4 columns, or all
    st.download_button(
        tr("layers.csv"),
        table.csv,
        file_name=f"{preset_name(config) or 'custom'}-layers.csv",
        mime="text/csv",
        key="layers.csv",
    )
elif view == "stages":
    stages = report.stages.assign(
        stage=report.stages["stage"].map(ui.stage_label),
        params_share=report.stages["params"] / report.total_params,
        macs_share=report.stages["macs"] / max(report.total_macs, 1),
    )[["stage", "blocks", "output_shape", "params", "params_share", "macs", "macs_share"]]
    ui.show_table(stages)
    st.caption(tr("stages.caption"))
elif view == "blocks":
    low, high = ARITHMETIC_CHANNELS
    # A narrow box, so the sums below start higher on the first screen.
    channels = st.columns([1, 2])[0].number_input(
        tr("blocks.channels"),
        min_value=low,
        max_value=high,
        step=4,
        value=256,
        key="blocks.channels",
        help=tr("blocks.channels_help"),
    )
    try:
        arith = block_arithmetic(int(channels))
    except ValueError:  # typed in: the box's step only guides its +/- buttons
        st.error(
            tr(
                "blocks.bad_channels",
                got=f"{int(channels):,}",
                low=f"{low:,}",
                high=f"{high:,}",
            ),
            icon=":material/error:",
        )
    else:
        ui.show_block_arithmetic(arith)
elif view == "graph":
    from resnet_explorer.ui.visual import render_graph_panel

    render_graph_panel(config, key="graph")
elif view == "charts":
    from resnet_explorer.ui.visual import render_charts_panel

    render_charts_panel(config, key="charts")
else:
    st.caption(tr("code.caption"))
    st.code(config_to_code(config), language="python")

st.sidebar.caption(tr("app.presets_caption", n=len(PRESETS)))
