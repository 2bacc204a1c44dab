"""The config editor every page shares: a preset picker plus every knob of :class:`ResNetConfig`."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from ..core.config import (
    BLOCKS,
    DROP_PATH_MAX,
    LIMITS,
    PAD_PLACEMENTS,
    PRESETS,
    SHORTCUTS,
    STEMS,
    STRIDE_AT,
    ConfigError,
    ResNetConfig,
    config_diff,
    parse_stages,
    preset_name,
)
from .a11y import skip_link
from .session import config_problem, labels, tr

__all__ = ["config_editor", "editor_base"]

_INT_FIELDS = ("width", "num_classes", "in_channels", "input_size")


def _widget_values(config: ResNetConfig, base: str) -> dict[str, Any]:
    values = {f.name: getattr(config, f.name) for f in dataclasses.fields(ResNetConfig)}
    values["stages"] = ",".join(map(str, config.stages))
    values["preset"] = base
    return values


def _load_into_widgets(key: str, config: ResNetConfig, base: str) -> None:
    for name, value in _widget_values(config, base).items():
        st.session_state[f"{key}.{name}"] = value


def _on_preset(key: str) -> None:
    base = st.session_state[f"{key}.preset"]
    _load_into_widgets(key, PRESETS[base], base)
    st.session_state[f"{key}._base"] = base


def config_editor(
    key: str, config: ResNetConfig, container: Any = None, base: str | None = None
) -> ResNetConfig:
    """Preset picker plus every knob of the config; returns the edited (valid) config.

    Widgets are keyed ``f"{key}.<field>"``. A value the config rejects is shown as an error
    next to the knobs and the last valid config is returned, so nothing the user typed is lost.
    """
    box = container if container is not None else st.sidebar
    base = base or preset_name(config) or "resnet18"
    if f"{key}.preset" not in st.session_state or st.session_state.get(f"{key}._shown") != config:
        # First render, or the config was changed elsewhere (URL, another page, a button).
        _load_into_widgets(key, config, base)
        st.session_state[f"{key}._base"] = base

    if container is None:  # the Explorer's sidebar: its picture (key "arch") one Enter away (ui/a11y.py)
        with box:
            skip_link("arch", tr("a11y.skip_picture"))

    box.selectbox(
        tr("cfg.preset"),
        list(PRESETS),
        key=f"{key}.preset",
        on_change=_on_preset,
        args=(key,),
        help=tr("cfg.preset_help"),
    )
    box.text_input(tr("cfg.stages"), key=f"{key}.stages", help=tr("cfg.stages_help"))
    box.selectbox(
        tr("cfg.shortcut"),
        SHORTCUTS,
        key=f"{key}.shortcut",
        format_func=labels("cfg.shortcut"),
        help=tr("cfg.shortcut_help"),
    )
    c1, c2 = box.columns(2)
    c1.selectbox(tr("cfg.block"), BLOCKS, key=f"{key}.block", format_func=labels("cfg.block"))
    c2.selectbox(
        tr("cfg.stride_at"),
        STRIDE_AT,
        key=f"{key}.stride_at",
        format_func=labels("cfg.stride_at"),
        help=tr("cfg.stride_at_help"),
        disabled=st.session_state[f"{key}.block"] != "bottleneck",
    )
    # One st.columns per row, not two columns filled top to bottom: the tab order (the page's order)
    # then follows the rows a reader sees.
    rows = [box.columns(2) for _ in range(len(_INT_FIELDS) // 2)]
    box.selectbox(tr("cfg.stem"), STEMS, key=f"{key}.stem", format_func=labels("cfg.stem"))
    for i, name in enumerate(_INT_FIELDS):
        lo, hi = LIMITS[name]
        rows[i // 2][i % 2].number_input(
            tr(f"cfg.{name}"),
            min_value=lo,
            max_value=hi,
            step=1,
            key=f"{key}.{name}",
            help=tr(f"cfg.{name}_help"),
        )
    box.toggle(tr("cfg.preact"), key=f"{key}.preact", help=tr("cfg.preact_help"))
    _family_knobs(box, key)

    fields = {
        f.name: st.session_state[f"{key}.{f.name}"]
        for f in dataclasses.fields(ResNetConfig)
        if f.name != "stages"
    }
    # The widget steps by 0.05 in binary floating point: keep the link and the diff readable.
    fields["drop_path"] = round(float(fields["drop_path"]), 4)
    try:
        edited = ResNetConfig(stages=parse_stages(st.session_state[f"{key}.stages"]), **fields)
    except ConfigError as exc:  # said in the page's language, the value typed shown only as code
        box.error(tr("cfg.invalid", error=config_problem(exc)))
        edited = config
    st.session_state[f"{key}._shown"] = edited

    base = st.session_state[f"{key}._base"]
    diff = config_diff(PRESETS[base], edited)
    if diff:
        changes = ", ".join(f"{name}: {_fmt(old)} → {_fmt(new)}" for name, (old, new) in diff.items())
        box.info(tr("cfg.custom", preset=base, changes=changes))
    return edited


def _family_knobs(box: Any, key: str) -> None:
    """The successors' knobs (ResNeXt, Wide ResNet, ResNet-D, SE, stochastic depth), folded away."""
    bottleneck = st.session_state[f"{key}.block"] == "bottleneck"
    with box.expander(tr("cfg.family"), expanded=False):
        c1, c2 = st.columns(2)
        lo, hi = LIMITS["groups"]
        c1.number_input(
            tr("cfg.groups"),
            min_value=lo,
            max_value=hi,
            step=1,
            key=f"{key}.groups",
            help=tr("cfg.groups_help"),
            disabled=not bottleneck,
        )
        lo, hi = LIMITS["width_per_group"]
        c2.number_input(
            tr("cfg.width_per_group"),
            min_value=lo,
            max_value=hi,
            step=1,
            key=f"{key}.width_per_group",
            help=tr("cfg.width_per_group_help"),
            disabled=not bottleneck,
        )
        c1, c2 = st.columns(2)  # a second row, as above
        lo, hi = LIMITS["stem_width"]
        c1.number_input(
            tr("cfg.stem_width"),
            min_value=lo,
            max_value=hi,
            step=1,
            key=f"{key}.stem_width",
            help=tr("cfg.stem_width_help"),
        )
        lo, hi = LIMITS["se_ratio"]
        c2.number_input(
            tr("cfg.se_ratio"),
            min_value=lo,
            max_value=hi,
            step=1,
            key=f"{key}.se_ratio",
            help=tr("cfg.se_ratio_help"),
        )
        st.toggle(tr("cfg.shortcut_pool"), key=f"{key}.shortcut_pool", help=tr("cfg.shortcut_pool_help"))
        st.number_input(
            tr("cfg.drop_path"),
            min_value=0.0,
            max_value=DROP_PATH_MAX,
            step=0.05,
            format="%.2f",
            key=f"{key}.drop_path",
            help=tr("cfg.drop_path_help"),
        )
        st.toggle(
            tr("cfg.zero_init_residual"),
            key=f"{key}.zero_init_residual",
            help=tr("cfg.zero_init_residual_help"),
        )
        st.selectbox(
            tr("cfg.pad_placement"),
            PAD_PLACEMENTS,
            key=f"{key}.pad_placement",
            format_func=labels("cfg.pad_placement"),
            help=tr("cfg.pad_placement_help"),
            disabled=st.session_state[f"{key}.shortcut"] != "A",
        )


def _fmt(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def editor_base(key: str) -> str:
    """The preset the editor ``key`` started from (what its 'differs from' note compares with)."""
    return st.session_state.get(f"{key}._base", "resnet18")
