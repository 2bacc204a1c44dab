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
    PRESET_GROUPS,
    PRESETS,
    SHORTCUTS,
    STEMS,
    STRIDE_AT,
    ConfigError,
    ResNetConfig,
    config_diff,
    parse_stages,
    preset_name,
    preset_title,
)
from ..i18n import number, value_range
from .a11y import skip_link
from .phone import close_sidebar_after_change
from .session import config_problem, labels, lang, tr

__all__ = ["config_editor", "editor_base", "model_title"]

_INT_FIELDS = ("width", "num_classes", "in_channels", "input_size")
# The successors' whole-number knobs, two to a row; ResNeXt's two only for bottleneck blocks.
_FAMILY_INT_FIELDS = ("groups", "width_per_group", "stem_width", "se_ratio")


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

    groups = {name: tr(f"preset.group.{group}") for group, names in PRESET_GROUPS.items() for name in names}
    box.selectbox(
        tr("cfg.preset"),
        list(groups),  # ImageNet 2015, CIFAR 2015, the plain twins, the successors: in that order
        format_func=lambda name: f"{groups[name]} › {preset_title(name)}",
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
    outside = [
        name
        for i, name in enumerate(_INT_FIELDS)
        if not _number(rows[i // 2][i % 2], key, name, tr(f"cfg.{name}"), help=tr(f"cfg.{name}_help"))
    ]
    box.toggle(tr("cfg.preact"), key=f"{key}.preact", help=tr("cfg.preact_help"))
    outside += _family_knobs(box, key)

    fields = {
        f.name: st.session_state[f"{key}.{f.name}"]
        for f in dataclasses.fields(ResNetConfig)
        if f.name != "stages"
    }
    # The widget steps by 0.05 in binary floating point: keep the link and the diff readable.
    fields["drop_path"] = round(float(fields["drop_path"]), 4)
    edited = config  # while a box is outside its range (said next to it), the last valid config
    if not outside:
        try:
            edited = ResNetConfig(stages=parse_stages(st.session_state[f"{key}.stages"]), **fields)
        except ConfigError as exc:  # said in the page's language, the value typed shown only as code
            box.error(tr("cfg.invalid", error=config_problem(exc)))
    st.session_state[f"{key}._shown"] = edited

    base = st.session_state[f"{key}._base"]
    diff = config_diff(PRESETS[base], edited)
    if diff:
        changes = tr("cfg.list_sep").join(
            tr("classroom.change", field=tr(f"cfg.{name}"), old=_value(name, old), new=_value(name, new))
            for name, (old, new) in diff.items()
        )
        box.info(tr("cfg.custom", preset=preset_title(base), changes=changes))
    if container is None:  # in the sidebar: on a phone it covers the page the change is for
        close_sidebar_after_change(edited != config)
    return edited


def _number(col: Any, key: str, name: str, label: str, **kwargs: Any) -> bool:
    """A whole-number box for field ``name``; False (and the allowed range said under it) when the
    value typed is outside ``LIMITS``. Streamlit's own min/max would clamp a typed 9000 to 8192 without
    a word, so the box takes any number and the range is checked here."""
    col.number_input(label, step=1, key=f"{key}.{name}", **kwargs)
    value, (lo, hi) = st.session_state[f"{key}.{name}"], LIMITS[name]
    return _in_range(col, value, lo, hi)


def _in_range(col: Any, value: float, lo: float, hi: float) -> bool:
    if lo <= value <= hi:
        return True
    col.caption(
        ":red[:material/error: "
        + tr("classroom.out_of_range", value=number(value), allowed=value_range(lo, hi, lang()))
        + "]"
    )
    return False


def _family_knobs(box: Any, key: str) -> list[str]:
    """The successors' knobs (ResNeXt, Wide ResNet, ResNet-D, SE, stochastic depth), folded away;
    returns the fields whose value is outside its range."""
    bottleneck = st.session_state[f"{key}.block"] == "bottleneck"
    outside = []
    with box.expander(tr("cfg.family"), expanded=False):
        rows = [st.columns(2) for _ in range(len(_FAMILY_INT_FIELDS) // 2)]  # rows, as above
        for i, name in enumerate(_FAMILY_INT_FIELDS):
            off = name in ("groups", "width_per_group") and not bottleneck
            col = rows[i // 2][i % 2]
            if not _number(col, key, name, tr(f"cfg.{name}"), help=tr(f"cfg.{name}_help"), disabled=off):
                outside.append(name)
        st.toggle(tr("cfg.shortcut_pool"), key=f"{key}.shortcut_pool", help=tr("cfg.shortcut_pool_help"))
        drop = st.number_input(
            tr("cfg.drop_path"),
            step=0.05,
            format="%.2f",
            key=f"{key}.drop_path",
            help=tr("cfg.drop_path_help"),
        )
        if not _in_range(st, drop, 0.0, DROP_PATH_MAX):
            outside.append("drop_path")
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
    return outside


# The fields shown by their options' labels in the "differs from" note; the rest are numbers or on/off.
_CHOICE_LABELS = {f: f"cfg.{f}" for f in ("block", "shortcut", "stem", "stride_at", "pad_placement")}


def _value(name: str, value: Any) -> str:
    """A field's value in the reader's words: 'bottleneck' as its label, True as 'on', (3, 4) as '3,4'."""
    if name in _CHOICE_LABELS:
        return labels(_CHOICE_LABELS[name])(value)
    if isinstance(value, bool):
        return tr("classroom.on") if value else tr("classroom.off")
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def model_title(config: ResNetConfig, base: str) -> str:
    """A heading's name for ``config``: the paper's name of its preset ('ResNet-56 · CIFAR'), or
    'custom (from ResNet-50)', never a preset's id."""
    name = preset_name(config)
    return preset_title(name) if name else tr("app.model_custom", preset=preset_title(base))


def editor_base(key: str) -> str:
    """The preset the editor ``key`` started from (what its 'differs from' note compares with)."""
    return st.session_state.get(f"{key}._base", "resnet18")
