"""Plotly figures built from the plan and the analysis: pure functions, no Streamlit.

Each builder has a data function beside it (``*_data``) returning a DataFrame, so tests can check
the numbers a chart draws against the analysis and against closed-form counts; the figure
builder only styles that data. Every figure takes ``lang`` (labels through the i18n table) and
``theme`` ("light" | "dark"); hovering shows exact values with thousands separators.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..core.analysis import Analysis, analyze
from ..core.config import PRESETS, ResNetConfig
from ..core.plan import Plan
from ..formatting import format_count
from ..i18n import t

__all__ = [
    "CHARTS",
    "THEMES",
    "stage_figure",
    "cumulative_data",
    "cumulative_figure",
    "along_depth_data",
    "feature_map_figure",
    "receptive_field_figure",
    "depth_sweep_data",
    "depth_sweep_figure",
    "shortcut_options_data",
    "shortcut_options_figure",
    "stage_overlay_figure",
    "SWEEP_FAMILIES",
]

CHARTS = ("stages", "cumulative", "feature_maps", "receptive_field", "depth_sweep", "shortcut_options")
THEMES = ("light", "dark")

_COLORS = {
    "light": {
        "branch": "#0969da",
        "shortcut": "#e16f24",
        "line2": "#8250df",
        "marker": "#cf222e",
        "series": ["#0969da", "#e16f24", "#1a7f37", "#8250df"],
    },
    "dark": {
        "branch": "#58a6ff",
        "shortcut": "#ffa657",
        "line2": "#d2a8ff",
        "marker": "#ff7b72",
        "series": ["#58a6ff", "#ffa657", "#3fb950", "#d2a8ff"],
    },
}


def _check(lang: str, theme: str) -> dict:
    if theme not in THEMES:
        raise ValueError(f"theme: got {theme!r}; allowed: 'light', 'dark'")
    return _COLORS[theme]


# Sizes in CSS px for a projector's back row (issue 10): ticks, legend and labels at 16 px at least.
FONT_SIZE = 16
TITLE_SIZE = 20
# The legend sits at the foot of the figure (in the figure's own coordinates), below the x-axis
# ticks and title; the bottom margin holds all three, so none overlaps another.
LEGEND_ROW = 32
_AXIS_BLOCK = 70  # x tick labels + the x-axis title, each one line at FONT_SIZE


def _style(fig: go.Figure, theme: str, title: str, height: int = 420, legend_rows: int = 1) -> go.Figure:
    fig.update_layout(
        template="plotly_dark" if theme == "dark" else "plotly_white",
        font={"size": FONT_SIZE},
        title={"text": title, "x": 0.01, "font": {"size": TITLE_SIZE}},
        height=height + LEGEND_ROW * legend_rows,
        margin={"l": 70, "r": 30, "t": 90, "b": _AXIS_BLOCK + LEGEND_ROW * legend_rows},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
            "font": {"size": FONT_SIZE},
        },
        hoverlabel={"font": {"size": FONT_SIZE}},
        hovermode="closest",
        separators=".,",
    )
    # Subplot titles and reference-line labels are annotations; Plotly draws them at 12-16 px.
    fig.update_annotations(font_size=FONT_SIZE + 1)
    # SI prefixes (k, M, G) as the paper and the app write them; Plotly's default says "B" for 10⁹.
    fig.update_xaxes(exponentformat="SI", automargin=True, tickfont={"size": FONT_SIZE})
    fig.update_yaxes(exponentformat="SI", automargin=True, tickfont={"size": FONT_SIZE})
    # Log axes: one labelled tick per decade (10, 100, 1,000), not Plotly's "2 5 10 2 5" under each.
    fig.update_xaxes(dtick=1, minor={"showgrid": False}, selector={"type": "log"})
    fig.update_yaxes(dtick=1, selector={"type": "log"})
    return fig


# --- parameters and MACs per stage ---------------------------------------------------------------


def _stage_axis(stages: pd.Series, lang: str) -> list[str]:
    """Stage names for an axis: "stem" and "head" in the reader's language, layerN as torchvision names it."""
    return [t(f"stage.{s}", lang) if s in ("stem", "head") else s for s in stages]


def stage_figure(analysis: Analysis, lang: str = "en", theme: str = "light") -> go.Figure:
    """Parameters and MACs per stage, stacked: residual branch vs shortcut (Analysis.stages)."""
    colors = _check(lang, theme)
    df = analysis.stages
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("chart.params", lang), t("chart.macs", lang)))
    for col, metric in ((1, "params"), (2, "macs")):
        for part in ("branch", "shortcut"):
            fig.add_trace(
                go.Bar(
                    x=_stage_axis(df["stage"], lang),
                    y=df[f"{part}_{metric}"],
                    name=t(f"chart.part.{part}", lang),
                    marker_color=colors[part],
                    legendgroup=part,
                    showlegend=col == 1,
                    customdata=df[metric],
                    hovertemplate=f"%{{x}}<br>{t(f'chart.part.{part}', lang)}: %{{y:,}}"
                    f"<br>{t('chart.stage_total', lang)}: %{{customdata:,}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_layout(barmode="stack")
    return _style(fig, theme, t("chart.title.stages", lang))


def stage_overlay_figure(
    analyses: list[Analysis], names: list[str], metric: str = "params", lang: str = "en", theme: str = "light"
) -> go.Figure:
    """One bar per configuration and stage, side by side (the Compare page)."""
    colors = _check(lang, theme)
    if metric not in ("params", "macs"):
        raise ValueError(f"metric: got {metric!r}; allowed: 'params', 'macs'")
    fig = go.Figure()
    for i, (a, name) in enumerate(zip(analyses, names, strict=True)):
        df = a.stages
        fig.add_trace(
            go.Bar(
                x=_stage_axis(df["stage"], lang),
                y=df[metric],
                name=name,
                marker_color=colors["series"][i % 4],
                customdata=df[["branch_" + metric, "shortcut_" + metric]],
                hovertemplate=f"{name} · %{{x}}: %{{y:,}}"
                f"<br>{t('chart.part.branch', lang)}: %{{customdata[0]:,}}"
                f"<br>{t('chart.part.shortcut', lang)}: %{{customdata[1]:,}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", yaxis_title=t(f"chart.{metric}", lang))
    return _style(fig, theme, t(f"chart.title.overlay_{metric}", lang))


# --- along depth ---------------------------------------------------------------------------------


def along_depth_data(plan: Plan) -> pd.DataFrame:
    """One row per weighted layer on the main path (x = the paper's depth count).

    Receptive field of the main path (the residual branches, which see the most): walking every
    conv and pool with ``r += (k - 1) * jump; jump *= stride`` from r = jump = 1. Cumulative
    parameters and MACs include everything before the row, shortcuts too, so the last row equals
    the totals.
    """
    rows = []
    r, jump, depth, cum_p, cum_m = 1, 1, 0, 0, 0
    for x in plan.layers:
        cum_p += x.params
        cum_m += x.macs
        if x.role == "shortcut":
            continue
        if x.kernel is not None and x.kind in ("Conv2d", "MaxPool2d"):
            r += (x.kernel - 1) * jump
            jump *= x.stride or 1
        if x.weighted:
            depth += 1
            spatial = x.out_shape[1] if len(x.out_shape) == 3 else None
            rows.append(
                {
                    "depth": depth,
                    "name": x.name,
                    "stage": x.stage,
                    "channels": x.out_shape[0],
                    "size": spatial,
                    "receptive_field": r if x.kind == "Conv2d" else None,
                    "jump": jump,
                    "params": x.params,
                    "macs": x.macs,
                    "cum_params": cum_p,
                    "cum_macs": cum_m,
                }
            )
    df = pd.DataFrame(rows)
    df["size"] = df["size"].astype("Int64")
    df["receptive_field"] = df["receptive_field"].astype("Int64")
    return df


def cumulative_data(analysis: Analysis) -> pd.DataFrame:
    return along_depth_data(analysis.plan)


def cumulative_figure(analysis: Analysis, lang: str = "en", theme: str = "light") -> go.Figure:
    """Cumulative parameters and MACs along depth: where the model's size and cost accumulate."""
    colors = _check(lang, theme)
    df = cumulative_data(analysis)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=(t("chart.cum_params", lang), t("chart.cum_macs", lang)),
    )
    for row, (col, color) in enumerate((("cum_params", "branch"), ("cum_macs", "shortcut")), start=1):
        fig.add_trace(
            go.Scatter(
                x=df["depth"],
                y=df[col],
                mode="lines+markers",
                marker={"size": 4},
                line={"color": colors[color]},
                name=t(f"chart.{col}", lang),
                customdata=df[["name", col.removeprefix("cum_")]],
                hovertemplate=f"%{{customdata[0]}} (#%{{x}})<br>{t(f'chart.{col}', lang)}: %{{y:,}}"
                f"<br>{t('chart.this_layer', lang)}: %{{customdata[1]:,}}<extra></extra>",
            ),
            row=row,
            col=1,
        )
    fig.update_xaxes(title_text=t("chart.depth", lang), row=2, col=1)
    return _style(fig, theme, t("chart.title.cumulative", lang), height=520)


def feature_map_figure(analysis: Analysis, lang: str = "en", theme: str = "light") -> go.Figure:
    """Feature-map size and channel count after each weighted layer: Table 1's halve-and-double."""
    colors = _check(lang, theme)
    df = along_depth_data(analysis.plan)
    df = df[df["size"].notna()]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=(t("chart.size", lang), t("chart.channels", lang)),
    )
    for row, (col, color) in enumerate((("size", "branch"), ("channels", "line2")), start=1):
        fig.add_trace(
            go.Scatter(
                x=df["depth"],
                y=df[col].astype(int),
                mode="lines",
                line={"shape": "hv", "color": colors[color]},
                name=t(f"chart.{col}", lang),
                customdata=df[["name"]],
                hovertemplate=f"%{{customdata[0]}} (#%{{x}})<br>{t(f'chart.{col}', lang)}: %{{y:,}}"
                "<extra></extra>",
            ),
            row=row,
            col=1,
        )
    fig.update_xaxes(title_text=t("chart.depth", lang), row=2, col=1)
    fig = _style(fig, theme, t("chart.title.feature_maps", lang), height=560)
    # Log axes: each stage halves the map and doubles the width, so the steps are even; the ticks
    # are the values the net has (56, 28, 14, 7), which decades (10, 100) would not show.
    for row, col in ((1, "size"), (2, "channels")):
        values = sorted(set(df[col].astype(int)))
        fig.update_yaxes(
            type="log", tickmode="array", tickvals=values, ticktext=[f"{v:,}" for v in values], row=row, col=1
        )
    return fig


def receptive_field_figure(analysis: Analysis, lang: str = "en", theme: str = "light") -> go.Figure:
    """Receptive field of the main path along depth, with the input size for scale."""
    colors = _check(lang, theme)
    df = along_depth_data(analysis.plan)
    df = df[df["receptive_field"].notna()]
    fig = go.Figure(
        go.Scatter(
            x=df["depth"],
            y=df["receptive_field"].astype(int),
            mode="lines+markers",
            marker={"size": 4},
            line={"color": colors["branch"]},
            name=t("chart.receptive_field", lang),
            customdata=df[["name", "jump"]],
            hovertemplate=f"%{{customdata[0]}} (#%{{x}})<br>{t('chart.receptive_field', lang)}: %{{y:,}} px"
            f"<br>{t('chart.jump', lang)}: %{{customdata[1]}} px<extra></extra>",
        )
    )
    size = analysis.config.input_size
    fig.add_hline(
        y=size,
        line_dash="dot",
        line_color=colors["marker"],
        annotation_text=t("chart.input_size", lang, size=size),
        annotation_position="top left",
    )
    fig.update_layout(xaxis_title=t("chart.depth", lang), yaxis_title=t("chart.receptive_field_px", lang))
    return _style(fig, theme, t("chart.title.receptive_field", lang))


# --- depth sweep ---------------------------------------------------------------------------------


def _bottleneck(stages: tuple[int, ...]) -> ResNetConfig:
    return dataclasses.replace(PRESETS["resnet50"], stages=stages)


# The paper's families: basic blocks (Table 1: 18, 34; ResNet-10 is the smallest of the kind),
# bottlenecks (Table 1: 50, 101, 152; ResNet-200 from arXiv 1603.05027), CIFAR 6n+2 (Sec. 4.2).
SWEEP_FAMILIES: dict[str, dict[str, ResNetConfig]] = {
    "basic": {
        "ResNet-10": dataclasses.replace(PRESETS["resnet18"], stages=(1, 1, 1, 1)),
        "ResNet-18": PRESETS["resnet18"],
        "ResNet-34": PRESETS["resnet34"],
    },
    "bottleneck": {
        "ResNet-50": PRESETS["resnet50"],
        "ResNet-101": PRESETS["resnet101"],
        "ResNet-152": PRESETS["resnet152"],
        "ResNet-200": _bottleneck((3, 24, 36, 3)),
    },
    "cifar": {f"ResNet-{6 * n + 2}": PRESETS[f"resnet{6 * n + 2}"] for n in (3, 5, 7, 9, 18, 200)},
}


def depth_sweep_data(config: ResNetConfig) -> pd.DataFrame:
    """Depth, parameters and MACs of each family member, plus the current model ("current")."""
    rows = []
    for family, members in SWEEP_FAMILIES.items():
        for name, cfg in members.items():
            rows.append(_sweep_row(family, name, cfg, cfg == config))
    rows.append(_sweep_row("current", "", config, True))
    return pd.DataFrame(rows)


def _sweep_row(family: str, name: str, config: ResNetConfig, current: bool) -> dict:
    a = analyze(config)
    return {
        "family": family,
        "name": name,
        "depth": a.depth,
        "params": a.total_params,
        "macs": a.total_macs,
        "current": current,
    }


def depth_sweep_figure(config: ResNetConfig, lang: str = "en", theme: str = "light") -> go.Figure:
    """Parameters and MACs against depth (log–log) for the three families; the current model marked."""
    colors = _check(lang, theme)
    df = depth_sweep_data(config)
    # One panel above the other, each the page's full width: side by side, the bottleneck family's
    # names (ResNet-101, -152, -200) ran into each other.
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=(t("chart.params", lang), t("chart.macs", lang)),
    )
    for i, family in enumerate(("basic", "bottleneck", "cifar")):
        part = df[df["family"] == family]
        # Names alternate above-left and below-right of a rising line, so neighbours do not collide;
        # the bottlenecks start below, clear of ResNet-34's name just left of ResNet-50.
        start = 1 if family == "bottleneck" else 0
        positions = ["top left" if (k + start) % 2 == 0 else "bottom right" for k in range(len(part))]
        for row, metric in ((1, "params"), (2, "macs")):
            fig.add_trace(
                go.Scatter(
                    x=part["depth"],
                    y=part[metric],
                    mode="lines+markers+text",
                    text=part["name"],
                    textposition=positions,
                    textfont={"size": FONT_SIZE - 1},
                    cliponaxis=False,
                    line={"color": colors["series"][i]},
                    name=t(f"chart.family.{family}", lang),
                    legendgroup=family,
                    showlegend=row == 1,
                    hovertemplate=f"%{{text}}<br>{t('chart.depth', lang)}: %{{x}}"
                    f"<br>{t(f'chart.{metric}', lang)}: %{{y:,}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
    cur = df[df["family"] == "current"]
    for row, metric in ((1, "params"), (2, "macs")):
        fig.add_trace(
            go.Scatter(
                x=cur["depth"],
                y=cur[metric],
                mode="markers",
                marker={"symbol": "star", "size": 18, "color": colors["marker"], "line": {"width": 1}},
                name=t("chart.current", lang),
                legendgroup="current",
                showlegend=row == 1,
                hovertemplate=f"{t('chart.current', lang)}<br>{t('chart.depth', lang)}: %{{x}}"
                f"<br>{t(f'chart.{metric}', lang)}: %{{y:,}}<extra></extra>",
            ),
            row=row,
            col=1,
        )
    fig.update_xaxes(title_text=t("chart.depth", lang), row=2, col=1)
    fig = _style(fig, theme, t("chart.title.depth_sweep", lang), height=720, legend_rows=2)
    # Depth reads "1,000", not "1k"; the range leaves room for the outermost names (ResNet-1202).
    depths = df["depth"]
    fig.update_xaxes(
        type="log",
        exponentformat="none",
        dtick=1,
        range=[math.log10(depths.min()) - 0.3, math.log10(depths.max()) + 0.4],
    )
    for row, metric in ((1, "params"), (2, "macs")):
        fig.update_yaxes(
            type="log",
            dtick=1,
            range=[math.log10(df[metric].min()) - 0.3, math.log10(df[metric].max()) + 0.3],
            row=row,
            col=1,
        )
    return fig


# --- shortcut options A / B / C --------------------------------------------------------------------


def shortcut_options_data(config: ResNetConfig) -> pd.DataFrame:
    """The current config with each shortcut option (Sec. 3.3), plus the plain net for reference."""
    rows = []
    for option in ("none", "A", "B", "C"):
        a = analyze(config.with_shortcut(option))
        rows.append(
            {
                "option": option,
                "params": a.total_params,
                "macs": a.total_macs,
                "shortcut_params": a.shortcut_params,
                # Analysis keeps no MAC total for shortcuts alone (only per stage, in a table).
                "shortcut_macs": sum(x.macs for x in a.plan.layers if x.role == "shortcut"),
                "current": option == config.shortcut,
            }
        )
    df = pd.DataFrame(rows)
    df["branch_params"] = df["params"] - df["shortcut_params"]
    df["branch_macs"] = df["macs"] - df["shortcut_macs"]
    return df


def shortcut_options_figure(config: ResNetConfig, lang: str = "en", theme: str = "light") -> go.Figure:
    """Parameters and MACs with options A, B, C (and no shortcut), stacked branch vs shortcut."""
    colors = _check(lang, theme)
    df = shortcut_options_data(config)
    # "B: project where needed" on two lines ("B:" above), so the four names stand level, unrotated.
    labels = [
        t(f"chart.option.{o}", lang).replace(": ", ":<br>", 1).replace("：", "：<br>", 1)
        + (" ★" if cur else "")
        for o, cur in zip(df["option"], df["current"], strict=True)
    ]
    # One panel above the other, each the page's full width, so the names fit without turning.
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(t("chart.params", lang), t("chart.macs", lang)),
    )
    for row, metric in ((1, "params"), (2, "macs")):
        for part in ("branch", "shortcut"):
            fig.add_trace(
                go.Bar(
                    x=labels,
                    y=df[f"{part}_{metric}"],
                    name=t(f"chart.part.{part}", lang),
                    marker_color=colors[part],
                    legendgroup=part,
                    showlegend=row == 1,
                    # The total sits on top of the stack, on the upper (shortcut) segment.
                    customdata=df[metric],
                    text=[format_count(v) if part == "shortcut" else "" for v in df[metric]],
                    textposition="outside",
                    cliponaxis=False,
                    textfont={"size": FONT_SIZE},
                    hovertemplate=f"%{{x}}<br>{t(f'chart.part.{part}', lang)}: %{{y:,}}"
                    f"<br>{t('chart.total', lang)}: %{{customdata:,}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        # Headroom for the total printed above the tallest bar.
        fig.update_yaxes(range=[0, 1.2 * df[metric].max()], row=row, col=1)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickangle=0)
    return _style(fig, theme, t("chart.title.shortcut_options", lang), height=640)
