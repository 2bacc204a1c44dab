"""Tables and block arithmetic as a page shows them: translated headers, separators, percentages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ..core.analysis import analyze, fold_to_blocks
from ..core.config import ResNetConfig
from ..core.memo import bounded_cache
from ..i18n import STRINGS, t
from .phone import phone_only, wide_only
from .session import lang, tr

__all__ = [
    "stage_label",
    "display_frame",
    "show_frame",
    "show_table",
    "PHONE_LAYER_COLUMNS",
    "show_layers",
    "LayersView",
    "layers_view",
    "show_block_arithmetic",
    "show_resnext_arithmetic",
]


def stage_label(stage: str, language: str | None = None) -> str:
    """'layer2' -> 'stage 2 (layer2)' in the current language; stem/head likewise."""
    language = language or lang()
    if stage.startswith("layer"):
        return t("stage.layer", language, n=stage[len("layer") :], name=stage)
    return t(f"stage.{stage}", language)


_COUNT_COLUMNS = ("params", "macs", "branch_params", "shortcut_params", "branch_macs", "shortcut_macs")


def display_frame(df: Any, language: str) -> pd.DataFrame:
    """``df`` as a page shows it (a new frame): row labels translated, kernels as "3×3", no blanks."""
    df = df.drop(columns=[c for c in ("block", "stage") if c in df and "name" in df])
    if "role" in df:
        df["role"] = df["role"].map(lambda r: t(f"role.{r}", language))
    if "kernel" in df:  # "3×3" and "/2" read better than two bare integers; blank where none
        df["kernel"] = df["kernel"].map(lambda k: "" if pd.isna(k) else f"{k}×{k}")
        df["stride"] = df["stride"].map(lambda s: "" if pd.isna(s) else f"/{s}")
    for col in df.columns:
        # The grid prints a missing value as a grey "None" (a stage count on the stem row, say).
        if col not in _COUNT_COLUMNS and df[col].isna().any():
            df[col] = df[col].map(lambda v: "—" if pd.isna(v) else str(v))
    return df


def show_frame(df: pd.DataFrame, height: int | str = "auto") -> None:
    """A :func:`display_frame` in the grid: translated headers, thousands separators, percentages."""
    config = {}
    for i, col in enumerate(df.columns):
        label = tr(f"col.{col}") if f"col.{col}" in STRINGS else col
        if col in _COUNT_COLUMNS:
            config[col] = st.column_config.NumberColumn(label, format="localized")
        elif col.endswith("_share"):
            config[col] = st.column_config.NumberColumn(label, format="percent")
        else:
            # The first column names the row; it stays in view when a wide table scrolls sideways.
            config[col] = st.column_config.Column(label, pinned=i == 0)
    st.dataframe(df, hide_index=True, column_config=config, height=height)


# What a phone's layer table shows: what a layer is called, what it puts out and what it costs, under
# short headers. With every column (or the long headers) the counts would be off a 390 px screen.
_PHONE_HEADERS = {
    "name": "col.name",
    "output_shape": "col.short.output_shape",
    "params": "col.short.params",
    "macs": "col.short.macs",
}
PHONE_LAYER_COLUMNS = tuple(_PHONE_HEADERS)


def show_layers(df: pd.DataFrame, height: int | str = "auto", toggle_box: Any = None) -> None:
    """The Explorer's layer table: every column on a desktop; on a phone the
    :data:`PHONE_LAYER_COLUMNS`, or every column through a toggle that only a phone shows, drawn in
    ``toggle_box`` (the page by default).

    The server cannot tell a phone from a desktop (ui/phone.py), so both grids go to the browser and
    CSS shows one; the phone's gets only its own columns, so the second grid costs less than the first.
    """
    every_column = phone_only("layers_all_columns", toggle_box).toggle(
        tr("layers.all_columns"), key="layers.all_columns", help=tr("layers.all_columns_help")
    )
    if every_column:
        show_frame(df, height)
        return
    with wide_only("layers"):
        show_frame(df, height)
    with phone_only("layers"):
        _phone_frame(df[[c for c in PHONE_LAYER_COLUMNS if c in df]], height)


def _phone_frame(df: pd.DataFrame, height: int | str) -> None:
    # Widths in px for the longest a preset gives ("layer1.0.downsample.0", "64×112×112", "9,437,184",
    # "462M"): 382 in all, within the 390 px the grid has on a phone (ui/phone.py lets it use the
    # screen's margins); left to the grid, it sizes the names by the first rows and cuts later ones.
    config = {
        "name": st.column_config.Column(tr(_PHONE_HEADERS["name"]), width=156, pinned=True),
        "output_shape": st.column_config.Column(tr(_PHONE_HEADERS["output_shape"]), width=90),
        "params": st.column_config.NumberColumn(tr(_PHONE_HEADERS["params"]), width=80, format="localized"),
        # "116M": the exact count, up to eleven digits and commas, would not fit beside the others.
        "macs": st.column_config.NumberColumn(tr(_PHONE_HEADERS["macs"]), width=56, format="compact"),
    }
    st.dataframe(df, hide_index=True, column_config=config, height=height)


def show_table(df: Any, height: int | str = "auto") -> None:
    """A DataFrame with translated headers, thousands separators and percentages."""
    show_frame(display_frame(df, lang()), height)


@dataclass(frozen=True)
class LayersView:
    """The Explorer's layer table for one config, stage filter, fold and language."""

    shown: int  # rows in view
    total: int  # leaf layers in the model
    frame: pd.DataFrame  # display_frame of the rows in view (cached: never mutate it)
    csv: bytes  # the rows in view as the download gives them (untranslated)


def _view_bytes(view: LayersView) -> int:
    return int(view.frame.memory_usage(deep=True).sum()) + len(view.csv)


# Every student who opens the same link asks for the same table; building it (pandas, one
# translated label per row, the CSV) cost more than the rest of the page's first run (bench_load).
@bounded_cache(max_entries=64, max_bytes=32 * 2**20, size=_view_bytes)
def layers_view(config: ResNetConfig, stage: str, folded: bool, language: str) -> LayersView:
    """The rows of ``stage`` ("all" for every stage), folded to blocks if ``folded``."""
    layers = analyze(config).layers
    table = layers if stage == "all" else layers[layers["stage"] == stage]
    table = fold_to_blocks(table) if folded else table
    return LayersView(
        len(table), len(layers), display_frame(table, language), table.to_csv(index=False).encode()
    )


def _weights(name: str, formula: str, weights: int, unit: str) -> None:
    # The sum in heading type (24 px, proportional), not inline code: it is the number a class
    # reads off the wall (issue 10).
    st.markdown(f"**{name}**")
    st.markdown(f"#### {formula} = {weights:,} {unit}")


def show_block_arithmetic(arith: Any) -> None:
    """The basic-vs-bottleneck comparison (Fig. 5), both pairings, BN parameters apart."""
    w = tr("blocks.weights")
    left, right = st.columns(2)
    with left:
        st.markdown(f"### {tr('blocks.same_map', c=arith.channels)}")
        st.caption(tr("blocks.same_map_caption", c=arith.channels))
        _weights(tr("blocks.basic"), arith.basic_formula, arith.basic_weights, w)
        _weights(tr("blocks.bottleneck"), arith.bottleneck_formula, arith.bottleneck_weights, w)
        st.success(tr("blocks.ratio", ratio=f"{arith.ratio:.2f}"))
    with right:
        st.markdown(f"### {tr('blocks.fig5')}")
        st.caption(tr("blocks.fig5_caption", m=arith.mid, c=arith.channels))
        _weights(
            f"{tr('blocks.basic')} ({arith.mid}-d)", arith.fig5_basic_formula, arith.fig5_basic_weights, w
        )
        _weights(
            f"{tr('blocks.bottleneck')} ({arith.channels}-d)",
            arith.bottleneck_formula,
            arith.bottleneck_weights,
            w,
        )
        st.info(tr("blocks.ratio", ratio=f"{arith.fig5_ratio:.2f}"))
    st.caption(tr("blocks.bn", basic=f"{arith.basic_bn:,}", bottleneck=f"{arith.bottleneck_bn:,}"))


def show_resnext_arithmetic(arith: Any) -> None:
    """ResNeXt's "similar complexity" (Xie et al. 2017, Fig. 1): a bottleneck and a ResNeXt block of
    the same input and output width, formulas written out, the ResNeXt one both ways."""
    w = tr("blocks.weights")
    st.markdown(f"### {tr('blocks.resnext_title', c=arith.channels)}")
    st.caption(
        tr(
            "blocks.resnext_caption",
            c=arith.channels,
            g=arith.cardinality,
            d=arith.group_width,
            inner=arith.inner,
            m=arith.mid,
        )
    )
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('blocks.bottleneck')} ({arith.mid}-d)**")
        st.markdown(f"#### {arith.bottleneck_formula} = {arith.bottleneck_weights:,} {w}")
    with right:
        st.markdown(f"**{tr('blocks.resnext', g=arith.cardinality, d=arith.group_width)}**")
        st.markdown(f"#### {arith.resnext_formula} = {arith.resnext_weights:,} {w}")
        st.markdown(
            tr(
                "blocks.resnext_paths",
                g=arith.cardinality,
                formula=arith.resnext_paths_formula,
                total=f"{arith.resnext_weights:,}",
            )
        )
    st.info(tr("blocks.resnext_ratio", ratio=f"{arith.ratio:.3f}"))
    st.caption(
        tr("blocks.resnext_bn", resnext=f"{arith.resnext_bn:,}", bottleneck=f"{arith.bottleneck_bn:,}")
    )
