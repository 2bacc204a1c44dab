"""Paper: He et al.'s tables rebuilt by the library, next to the published values."""

import pandas as pd
import streamlit as st

from resnet_explorer import ui
from resnet_explorer.core import paper

ui.page_setup("paper.title", ":material/description:")
tr = ui.translator()
text, number = st.column_config.TextColumn, st.column_config.NumberColumn

st.title(tr("paper.title"))
st.caption(tr("paper.intro", source=paper.PAPER))


@st.cache_data(show_spinner=False)
def _tables() -> dict:
    # Pure functions of constants: computed once per server, shared read-only by every session.
    return {"t1": paper.table1(), "t3": paper.table3(), "t6": paper.table6(), "tv": paper.torchvision_table()}


with st.spinner(tr("paper.loading")):
    tables = _tables()


def _status(status: str) -> str:
    return tr(f"paper.status.{status}")


# --- Table 1 ----------------------------------------------------------------------------------------
st.header(tr("paper.t1.title"))
t1 = tables["t1"].copy()
t1["status_text"] = t1["status"].map(_status)


def _config(shortcut: str, stride_at: str | None) -> str:  # the shortcut option; for bottlenecks, the stride
    label = tr(f"cfg.shortcut.{shortcut}")
    return (
        label
        if pd.isna(stride_at)
        else tr("paper.t1.config_stride", shortcut=label, stride=tr(f"cfg.stride_at.{stride_at}"))
    )


for col, prefix in (("config", ""), ("tv_config", "tv_")):
    t1[col] = [_config(s, a) for s, a in zip(t1[f"{prefix}shortcut"], t1[f"{prefix}stride_at"], strict=True)]
t1["why"] = [
    "" if s == "agree" else tr(f"paper.why.{s}", computed=f"{g:.3f}", published=p, rounded=r)
    for s, g, p, r in zip(t1["status"], t1["gmacs_paper"], t1["flops_published"], t1["rounded"], strict=True)
]
st.dataframe(
    # The comparison first (computed beside published), then torchvision's layout, then the layout columns.
    t1[
        [
            "model",
            "config",
            "gmacs_paper",
            "flops_published",
            "status_text",
            "tv_config",
            "gmacs_tv",
            "macs_paper",
            "blocks",
            "blocks_published",
            "output_sizes",
            "output_sizes_published",
        ]
    ],
    hide_index=True,
    key="paper.t1",
    column_config={
        "model": text(tr("paper.col.model")),
        "config": text(tr("paper.col.config")),
        "blocks": text(tr("paper.col.blocks")),
        "blocks_published": text(tr("paper.col.blocks_published")),
        "output_sizes": text(tr("paper.col.output_sizes")),
        "output_sizes_published": text(tr("paper.col.output_sizes_published")),
        "macs_paper": number(tr("paper.col.macs_paper"), format="localized"),
        "gmacs_paper": number(tr("paper.col.gmacs_paper"), format="%.3f"),
        "flops_published": text(tr("paper.col.flops_published")),
        "status_text": text(tr("paper.col.status")),
        "tv_config": text(tr("paper.col.tv_config")),
        "gmacs_tv": number(tr("paper.col.gmacs_tv"), format="%.3f"),
    },
)
# The reasons in full under the table (a table cell would cut them off).
for model, why in zip(t1["model"], t1["why"], strict=True):
    if why:
        st.caption(f"**{model}** — {why}")
pairs = {
    b: "; ".join(
        f"{m}: {p:.3f} → {v:.3f}"
        for m, p, v in t1[t1["block"] == b][["model", "gmacs_paper", "gmacs_tv"]].itertuples(index=False)
    )
    for b in ("basic", "bottleneck")
}
st.info(
    tr("paper.t1.shortcut_note", pairs=pairs["basic"])
    + "\n\n"
    + tr("paper.t1.stride_note", pairs=pairs["bottleneck"]),
    icon=":material/straighten:",
)

# --- Table 3 ----------------------------------------------------------------------------------------
st.header(tr("paper.t3.title"))
t3 = tables["t3"].copy()
t3["status_text"] = t3["status"].map(_status)
t3["params_published"] = t3["params_published"].map(lambda v: "—" if v is pd.NA else f"{v:,}")
t3["shortcut"] = t3["shortcut"].map(lambda s: tr("chart.option.none") if s == "none" else s)  # the plain net
st.dataframe(
    t3[
        [
            "model",
            "shortcut",
            "params",
            "params_published",
            "status_text",
            "macs",
            "top1_err_10crop",
            "top5_err_10crop",
        ]
    ],
    hide_index=True,
    key="paper.t3",
    column_config={
        "model": text(tr("paper.col.model")),
        "shortcut": text(tr("paper.col.shortcut")),
        "params": number(tr("paper.col.params"), format="localized"),
        "params_published": text(tr("paper.col.params_tv")),
        "status_text": text(tr("paper.col.status")),
        "macs": number(tr("paper.col.macs"), format="localized"),
        "top1_err_10crop": number(tr("paper.col.top1_10crop"), format="%.2f"),
        "top5_err_10crop": number(tr("paper.col.top5_10crop"), format="%.2f"),
    },
)
st.caption(tr("paper.t3.caption"))

# --- Table 6 ----------------------------------------------------------------------------------------
st.header(tr("paper.t6.title"))
t6 = tables["t6"].copy()
t6["status_text"] = t6["status"].map(_status)
st.dataframe(
    t6[
        ["model", "n", "layers", "params", "params_m", "params_published_m", "status_text", "error_published"]
    ],
    hide_index=True,
    key="paper.t6",
    column_config={
        "model": text(tr("paper.col.model")),
        "n": number("n"),
        "layers": number(tr("paper.col.layers")),
        "params": number(tr("paper.col.params"), format="localized"),
        "params_m": number(tr("paper.col.params_m"), format="%.3f"),
        "params_published_m": text(tr("paper.col.params_published_m")),
        "status_text": text(tr("paper.col.status")),
        "error_published": number(tr("paper.col.cifar_error"), format="%.2f"),
    },
)
st.caption(tr("paper.t6.caption"))

# --- torchvision ------------------------------------------------------------------------------------
st.header(tr("paper.tv.title"))
tv = tables["tv"].copy()
tv["status_text"] = tv["status"].map(_status)
st.dataframe(
    tv[
        [
            "model",
            "weights",
            "acc1_1crop",
            "acc5_1crop",
            "params",
            "params_published",
            "gmacs",
            "gmacs_published",
            "status_text",
        ]
    ],
    hide_index=True,
    key="paper.tv",
    column_config={
        "model": text(tr("paper.col.model")),
        "weights": text(tr("paper.col.weights")),
        "acc1_1crop": number(tr("paper.col.acc1_1crop"), format="%.3f"),
        "acc5_1crop": number(tr("paper.col.acc5_1crop"), format="%.3f"),
        "params": number(tr("paper.col.params"), format="localized"),
        "params_published": number(tr("paper.col.params_tv"), format="localized"),
        "gmacs": number(tr("paper.col.gmacs_v15"), format="%.3f"),
        "gmacs_published": text(tr("paper.col.gflops_tv")),
        "status_text": text(tr("paper.col.status")),
    },
)
st.caption(tr("paper.tv.caption"))
st.warning(tr("paper.crops"), icon=":material/content_cut:")
