"""Plotly figures and plain-words results for the Training lab (pure: no Streamlit).

Curves follow the paper's Fig. 6: training error as thin dashed lines, test error bold, one colour
per network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from ..core.analysis import analyze
from ..core.config import ResNetConfig
from ..i18n import t
from .loop import EpochRecord, GradientFlow

__all__ = ["model_colours", "curves_figure", "gradient_figures", "result_sentences"]

# Plain nets warm, residual nets cool, as the eye reads "problem" and "fix".
_PLAIN = ("#d62728", "#ff7f0e", "#8c564b", "#e377c2")
_RESIDUAL = ("#1f77b4", "#17becf", "#2ca02c", "#9467bd")


def model_colours(models: Mapping[str, ResNetConfig]) -> dict[str, str]:
    """Plain nets in warm colours, the deepest in red; residual nets in cool colours."""
    colours: dict[str, str] = {}
    plain = sorted((k for k, c in models.items() if c.is_plain), key=lambda k: -analyze(models[k]).depth)
    res = [k for k, c in models.items() if not c.is_plain]
    for i, label in enumerate(plain):
        colours[label] = _PLAIN[i % len(_PLAIN)]
    for i, label in enumerate(res):
        colours[label] = _RESIDUAL[i % len(_RESIDUAL)]
    return {label: colours[label] for label in models}


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        height=height,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
        font={"size": 14},
    )
    return fig


def curves_figure(
    history: Sequence[EpochRecord], models: Mapping[str, ResNetConfig], epochs: int, lang: str = "en"
) -> go.Figure:
    """Training (thin, dashed) and test (bold) error in % per epoch, for every model."""
    colours = model_colours(models)
    fig = go.Figure()
    for label in models:
        rows = [r for r in history if r.label == label]
        x = [r.epoch for r in rows]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[100 * r.train_error for r in rows],
                mode="lines+markers",
                name=t("train.train_error", lang, label=label),
                line={"color": colours[label], "width": 1.5, "dash": "dash"},
                marker={"size": 5},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[100 * r.test_error for r in rows],
                mode="lines+markers",
                name=t("train.test_error", lang, label=label),
                line={"color": colours[label], "width": 4},
                marker={"size": 7},
            )
        )
    _layout(fig, t("train.curves_title", lang), t("train.epoch_axis", lang), t("train.error_axis", lang), 460)
    fig.update_xaxes(range=[0.7, max(epochs, 1) + 0.3], dtick=1 if epochs <= 20 else None)
    fig.update_yaxes(range=[0, 100])
    return fig


def gradient_figures(
    flows: Mapping[str, GradientFlow], models: Mapping[str, ResNetConfig], lang: str = "en"
) -> tuple[go.Figure, go.Figure]:
    """(gradient norm per weighted layer, log scale; activation std after the stem and each block)."""
    colours = model_colours(models)
    grads, acts = go.Figure(), go.Figure()
    for label, flow in flows.items():
        style = {"color": colours[label], "width": 3, "dash": "dot" if models[label].is_plain else "solid"}
        grads.add_trace(
            go.Scatter(
                x=flow.layers["depth"],
                y=flow.layers["grad_norm"],
                mode="lines",
                name=label,
                line=style,
                customdata=flow.layers["name"],
                hovertemplate="%{customdata}<br>%{y:.3g}<extra>" + label + "</extra>",
            )
        )
        acts.add_trace(
            go.Scatter(
                x=flow.activations["depth"],
                y=flow.activations["std"],
                mode="lines",
                name=label,
                line=style,
                customdata=flow.activations["name"],
                hovertemplate="%{customdata}<br>%{y:.3f}<extra>" + label + "</extra>",
            )
        )
    _layout(grads, t("train.grad.norm_title", lang), t("train.grad.layer", lang), t("train.grad.norm", lang))
    grads.update_yaxes(type="log", exponentformat="power")
    _layout(acts, t("train.grad.act_title", lang), t("train.grad.block", lang), t("train.grad.std", lang))
    acts.update_yaxes(rangemode="tozero")
    return grads, acts


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def result_sentences(
    history: Sequence[EpochRecord], models: Mapping[str, ResNetConfig], lang: str = "en"
) -> list[str]:
    """The run's outcome in words, computed from the final epoch of each curve.

    Deepest plain net against the shallowest (degradation, Fig. 1), and each residual net against
    the plain net with the same layers (the shortcuts' effect, Fig. 6).
    """
    final: dict[str, EpochRecord] = {}
    for r in history:
        final[r.label] = r
    done = {label: c for label, c in models.items() if label in final}
    out: list[str] = []
    plain = sorted((label for label, c in done.items() if c.is_plain), key=lambda k: analyze(done[k]).depth)
    if len(plain) >= 2 and analyze(done[plain[0]]).depth < analyze(done[plain[-1]]).depth:
        shallow, deep = plain[0], plain[-1]
        key = (
            "train.result.degradation"
            if final[deep].train_error > final[shallow].train_error
            else "train.result.no_degradation"
        )
        out.append(
            t(
                key,
                lang,
                deep=deep,
                deep_err=_pct(final[deep].train_error),
                shallow=shallow,
                shallow_err=_pct(final[shallow].train_error),
            )
        )
    for res, rc in done.items():
        if rc.is_plain:
            continue
        twin = rc.with_shortcut("none")
        for p in plain:
            if done[p] == twin:
                key = (
                    "train.result.shortcuts_help"
                    if final[res].train_error < final[p].train_error
                    else "train.result.shortcuts_no_help"
                )
                out.append(
                    t(
                        key,
                        lang,
                        res=res,
                        res_err=_pct(final[res].train_error),
                        plain=p,
                        plain_err=_pct(final[p].train_error),
                    )
                )
    if final:
        items = ", ".join(f"{label} {_pct(final[label].test_error)}%" for label in done)
        out.append(t("train.result.test", lang, items=items))
    return out
