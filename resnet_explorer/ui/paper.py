"""The paper page's tables as Streamlit shows them: columns, their translated headings and formats.

The numbers come from :mod:`resnet_explorer.core.paper`; this module only chooses, labels and formats
columns, so ``pages/Paper.py`` stays a list of sections.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

__all__ = [
    "SUCCESSORS",
    "TABLES",
    "show_successors",
    "show_table",
    "successor_view",
    "table1_view",
    "table3_view",
    "with_status",
]

# column -> (heading id, number format or None for text), in the order shown. The model column
# comes first and is pinned, so a wide table scrolls under it on a 1366 px projector.
TABLES: dict[str, dict[str, tuple[str, str | None]]] = {
    # The comparison first (computed beside published), then torchvision's layout, then the layout columns.
    "t1": {
        "model": ("paper.col.model", None),
        "config": ("paper.col.config", None),
        "gmacs_paper": ("paper.col.gmacs_paper", "%.3f"),
        "flops_published": ("paper.col.flops_published", None),
        "status_text": ("paper.col.status", None),
        "tv_config": ("paper.col.tv_config", None),
        "gmacs_tv": ("paper.col.gmacs_tv", "%.3f"),
        "macs_paper": ("paper.col.macs_paper", "localized"),
        "blocks": ("paper.col.blocks", None),
        "blocks_published": ("paper.col.blocks_published", None),
        "output_sizes": ("paper.col.output_sizes", None),
        "output_sizes_published": ("paper.col.output_sizes_published", None),
    },
    "t3": {
        "model": ("paper.col.model", None),
        "shortcut": ("paper.col.shortcut", None),
        "params": ("paper.col.params", "localized"),
        "params_published": ("paper.col.params_tv", None),
        "status_text": ("paper.col.status", None),
        "macs": ("paper.col.macs", "localized"),
        "top1_err_10crop": ("paper.col.top1_10crop", "%.2f"),
        "top5_err_10crop": ("paper.col.top5_10crop", "%.2f"),
    },
    "t6": {
        "model": ("paper.col.model", None),
        "n": ("", "%d"),
        "layers": ("paper.col.layers", "%d"),
        "params": ("paper.col.params", "localized"),
        "params_m": ("paper.col.params_m", "%.3f"),
        "params_published_m": ("paper.col.params_published_m", None),
        "status_text": ("paper.col.status", None),
        "error_published": ("paper.col.cifar_error", "%.2f"),
    },
    "tv": {
        "model": ("paper.col.model", None),
        "weights": ("paper.col.weights", None),
        "acc1_1crop": ("paper.col.acc1_1crop", "%.3f"),
        "acc5_1crop": ("paper.col.acc5_1crop", "%.3f"),
        "params": ("paper.col.params", "localized"),
        "params_published": ("paper.col.params_tv", "localized"),
        "gmacs": ("paper.col.gmacs_v15", "%.3f"),
        "gmacs_published": ("paper.col.gflops_tv", None),
        "status_text": ("paper.col.status", None),
    },
    # The successors (core/paper.py's preact_table, resnext_table, wrn_table): the count in the printed
    # unit beside the printed figure, then the exact count.
    "preact": {
        "model": ("paper.col.model", None),
        "scaled": ("paper.col.params_m", "%.3f"),
        "published": ("paper.col.params_published", None),
        "status_text": ("paper.col.status", None),
        "scaled_no_bn": ("paper.col.params_no_bn_m", "%.3f"),
        "computed": ("paper.col.params", "localized"),
        "cifar10_error": ("paper.col.cifar10_error", "%.2f"),
        "cifar100_error": ("paper.col.cifar100_error", "%.2f"),
    },
    "resnext": {
        "model": ("paper.col.model", None),
        "quantity_text": ("paper.col.quantity", None),
        "scaled": ("paper.col.computed", "%.3f"),
        "published": ("paper.col.published_t1", None),
        "status_text": ("paper.col.status", None),
        "computed": ("paper.col.computed_exact", "localized"),
    },
    "wrn": {
        "model": ("paper.col.model", None),
        "depth": ("paper.col.depth", "%d"),
        "k": ("paper.col.widen", "%d"),
        "scaled": ("paper.col.params_m", "%.3f"),
        "published": ("paper.col.params_published", None),
        "status_text": ("paper.col.status", None),
        "computed": ("paper.col.params", "localized"),
    },
}
# The successors' tables in page order: (table, heading id, caption id).
SUCCESSORS = (
    ("preact", "paper.preact.title", "paper.preact.caption"),
    ("resnext", "paper.resnext.title", "paper.resnext.caption"),
    ("wrn", "paper.wrn.title", "paper.wrn.caption"),
)
# ResNeXt's rows: which quantity each is, in words.
_QUANTITIES = {
    "params": "paper.resnext.params",
    "macs_3x3": "paper.resnext.macs_3x3",
    "macs_1x1": "paper.resnext.macs_1x1",
}


def with_status(df: pd.DataFrame, tr: Callable[..., str]) -> pd.DataFrame:
    """A copy with ``status_text``: each row's agreement with the paper, in words."""
    out = df.copy()
    out["status_text"] = out["status"].map(lambda s: tr(f"paper.status.{s}"))
    return out


def show_table(df: pd.DataFrame, table: str, tr: Callable[..., str]) -> None:
    columns = TABLES[table]
    config = {}
    for col, (heading, fmt) in columns.items():
        label = tr(heading) if heading else col
        pinned = col == "model"
        if fmt is None:
            config[col] = st.column_config.TextColumn(label, pinned=pinned)
        else:
            config[col] = st.column_config.NumberColumn(label, format=fmt, pinned=pinned)
    st.dataframe(df[list(columns)], hide_index=True, key=f"paper.{table}", column_config=config)


def _config(tr: Callable[..., str], shortcut: str, stride_at: str | None) -> str:
    """The shortcut option and, for bottlenecks, where the stride sits."""
    label = tr(f"cfg.shortcut.{shortcut}")
    if pd.isna(stride_at):
        return label
    return tr("paper.t1.config_stride", shortcut=label, stride=tr(f"cfg.stride_at.{stride_at}"))


def table1_view(t1: pd.DataFrame, tr: Callable[..., str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Table 1 with its configurations and reasons in words, and the per-block MAC pairs for the note."""
    t1 = with_status(t1, tr)
    for col, prefix in (("config", ""), ("tv_config", "tv_")):
        t1[col] = [
            _config(tr, s, a) for s, a in zip(t1[f"{prefix}shortcut"], t1[f"{prefix}stride_at"], strict=True)
        ]
    t1["why"] = [
        "" if s == "agree" else tr(f"paper.why.{s}", computed=f"{g:.3f}", published=p, rounded=r)
        for s, g, p, r in zip(
            t1["status"], t1["gmacs_paper"], t1["flops_published"], t1["rounded"], strict=True
        )
    ]
    pairs = {
        b: "; ".join(
            f"{m}: {p:.3f} → {v:.3f}"
            for m, p, v in t1[t1["block"] == b][["model", "gmacs_paper", "gmacs_tv"]].itertuples(index=False)
        )
        for b in ("basic", "bottleneck")
    }
    return t1, pairs


def table3_view(t3: pd.DataFrame, tr: Callable[..., str]) -> pd.DataFrame:
    t3 = with_status(t3, tr)
    t3["params_published"] = t3["params_published"].map(lambda v: "—" if v is pd.NA else f"{v:,}")
    t3["shortcut"] = t3["shortcut"].map(
        lambda s: tr("chart.option.none") if s == "none" else s
    )  # the plain net
    return t3


def _why(row: pd.Series, tr: Callable[..., str]) -> str:
    """Why a successor's row is not a plain agreement, with the numbers that show it ('' if it agrees)."""
    if row["status"] == "agree":
        return ""
    computed = f"{row['scaled']:.3f}"
    values = {"computed": computed, "published": row["published"], "rounded": row["rounded"]}
    if row["status"] == "without_bn":
        values |= {"bn": f"{row['bn_params']:,}", "without": f"{row['scaled_no_bn']:.3f}"}
    why = tr(f"paper.why.{row['status']}", **values)
    # The full count cut off gives the printed figure too: both readings fit, and the page says so.
    if row["status"] == "without_bn" and row["direct_status"] == "truncated":
        # (The sentence brings its own leading space where its language puts one between sentences.)
        why += tr("paper.why.also_truncated", computed=computed, published=row["published"])
    return why


def successor_view(df: pd.DataFrame, tr: Callable[..., str]) -> pd.DataFrame:
    """A successor's table with its statuses, ResNeXt's quantities and each row's reason in words.

    ``label`` names the row in its reason (the model, and for ResNeXt the quantity too).
    """
    out = with_status(df, tr)
    out["label"] = out["model"]
    if "quantity" in out:
        out["quantity_text"] = out["quantity"].map(lambda q: tr(_QUANTITIES[q]))
        out["label"] = out["model"] + ", " + out["quantity_text"]
    out["why"] = [_why(row, tr) for _, row in out.iterrows()]
    return out


def show_successors(tables: dict[str, pd.DataFrame], sources: dict[str, str], tr: Callable[..., str]) -> None:
    """The successors' section: each paper's table, the reasons of the rows that do not simply agree,
    and what the table counts. ``sources`` cites each paper (core/paper.py's SUCCESSOR_PAPERS)."""
    st.header(tr("paper.succ.title"))
    st.caption(tr("paper.succ.intro"))
    for table, title, caption in SUCCESSORS:
        st.subheader(tr(title, source=sources[table]))
        view = successor_view(tables[table], tr)
        show_table(view, table, tr)
        for label, why in zip(view["label"], view["why"], strict=True):
            if why:
                st.caption(f"**{label}** — {why}")
        st.caption(tr(caption))
