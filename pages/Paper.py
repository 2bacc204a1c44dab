"""Paper: He et al.'s tables and the successors' rebuilt by the library, next to the published values."""

import streamlit as st

from resnet_explorer import ui
from resnet_explorer.core import paper
from resnet_explorer.ui import paper as view

ui.page_setup("paper.title", ":material/description:")
tr = ui.translator()

st.title(tr("paper.title"))
st.caption(tr("paper.intro", source=paper.PAPER))


@st.cache_data(show_spinner=False)
def _tables() -> dict:
    # Pure functions of constants: computed once per server, shared read-only by every session.
    return {
        "t1": paper.table1(),
        "t3": paper.table3(),
        "t6": paper.table6(),
        "tv": paper.torchvision_table(),
        "preact": paper.preact_table(),
        "resnext": paper.resnext_table(),
        "wrn": paper.wrn_table(),
    }


with st.spinner(tr("paper.loading")):
    tables = _tables()

st.header(tr("paper.t1.title"))
t1, pairs = view.table1_view(tables["t1"], tr)
view.show_table(t1, "t1", tr)
# The reasons in full under the table (a table cell would cut them off).
for model, why in zip(t1["model"], t1["why"], strict=True):
    if why:
        st.caption(f"**{model}** — {why}")
st.info(
    tr("paper.t1.shortcut_note", pairs=pairs["basic"])
    + "\n\n"
    + tr("paper.t1.stride_note", pairs=pairs["bottleneck"]),
    icon=":material/straighten:",
)

st.header(tr("paper.t3.title"))
view.show_table(view.table3_view(tables["t3"], tr), "t3", tr)
st.caption(tr("paper.t3.caption"))

st.header(tr("paper.t6.title"))
view.show_table(view.with_status(tables["t6"], tr), "t6", tr)
st.caption(tr("paper.t6.caption"))

st.header(tr("paper.tv.title"))
view.show_table(view.with_status(tables["tv"], tr), "tv", tr)
st.caption(tr("paper.tv.caption"))
st.warning(tr("paper.crops"), icon=":material/content_cut:")

view.show_successors(tables, paper.SUCCESSOR_PAPERS, tr)
