"""Streamlit helpers every page shares: page set-up, language, the session's config, the editor.

Pages stay thin: they call :func:`page_setup`, read or edit a config with :func:`config_editor`,
and display what the library computes. State lives in non-widget session keys (``_config``,
``_lang``) because Streamlit forgets a widget's value when the user switches pages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException, StreamlitPageNotFoundError

from .analysis import format_bytes
from .config import (
    BLOCKS,
    LIMITS,
    PRESETS,
    SHORTCUTS,
    STEMS,
    STRIDE_AT,
    ResNetConfig,
    config_diff,
    config_from_query,
    preset_name,
)
from .i18n import LANGUAGES, STRINGS, t

__all__ = ["page_setup", "lang", "tr", "translator", "labels", "current_config", "set_current_config",
           "base_preset", "config_editor", "editor_base", "url_errors", "sync_url", "format_bytes",
           "stage_label", "show_table", "show_block_arithmetic"]

_CONFIG, _BASE, _LANG, _URL_ERRORS = "_config", "_base_preset", "_lang", "_url_errors"


def lang() -> str:
    return st.session_state.get(_LANG, "en")


def translator() -> Callable[..., str]:
    """``tr`` bound to this run's language.

    Streamlit calls a widget's ``format_func`` again outside the script run (to encode the value
    it sends back), where the session's language cannot be read; a bound ``tr`` gives the same
    labels then as during the run. Pages and views take ``tr = ui.translator()``.
    """
    language = lang()
    return lambda key, /, **values: t(key, language, **values)


def labels(prefix: str) -> Any:
    """A ``format_func`` showing option ``v`` as the string ``f"{prefix}.{v}"``.

    The language is fixed when the widget is created, so the function gives the same labels
    whenever Streamlit calls it (it may call it outside the script run).
    """
    tr_run = translator()
    return lambda value: tr_run(f"{prefix}.{value}")


def tr(key: str, /, **values: object) -> str:
    return t(key, lang(), **values)


def _init_state() -> None:
    """Read the URL once per session: the config, its base preset and the language."""
    if _CONFIG in st.session_state:
        return
    query = {k: st.query_params[k] for k in st.query_params}
    config, base, errors = config_from_query(query)
    if query.get("lang") in LANGUAGES:
        st.session_state[_LANG] = query["lang"]
    elif "lang" in query:
        errors.append(f"lang: got {query['lang']!r}; allowed: {', '.join(LANGUAGES)}")
    st.session_state[_CONFIG] = config
    st.session_state[_BASE] = base
    st.session_state[_URL_ERRORS] = errors


def page_setup(title_key: str, icon: str = ":material/account_tree:") -> None:
    """First call of every page: page config, session state, the sidebar language switch."""
    st.set_page_config(page_title=f"{t(title_key, lang())} · ResNet Explorer", page_icon=icon,
                       layout="wide")
    _init_state()
    _navigation()
    st.session_state["lang_select"] = lang()
    st.sidebar.segmented_control(":material/translate:", list(LANGUAGES), format_func=LANGUAGES.get,
                                 key="lang_select", required=True, on_change=_switch_language,
                                 label_visibility="collapsed")


# The app's pages, in sidebar order. Streamlit's automatic navigation is hidden
# (.streamlit/config.toml) because it labels pages by file name, which cannot be translated.
# Material icons ship with Streamlit; emoji depend on the viewer's fonts.
PAGES = (("app.py", "nav.explorer", ":material/account_tree:"),
         ("pages/1_Compare.py", "nav.compare", ":material/compare:"),
         ("pages/2_Paper.py", "nav.paper", ":material/description:"),
         ("pages/3_Classify.py", "nav.classify", ":material/image_search:"),
         ("pages/4_Training_lab.py", "nav.training", ":material/monitoring:"))
_ROOT = Path(__file__).resolve().parents[1]


def _navigation() -> None:
    for path, key, icon in PAGES:
        if (_ROOT / path).exists():
            try:
                st.sidebar.page_link(path, label=tr(key), icon=icon)
            except StreamlitPageNotFoundError:
                # A page run on its own (AppTest.from_file("pages/...")) has no app around it.
                return
    st.sidebar.divider()


def _switch_language() -> None:
    # Streamlit sends a selectbox's value back as its *displayed* label, and labels are translated:
    # after a switch, "C · projection everywhere" would no longer match any option. Re-pin every
    # widget's current Python value (read through last run's formatter) before the labels change.
    # Only choice widgets carry translated labels, and their values are strings (or lists of them).
    # (A widget also given ``default=`` makes Streamlit log a warning for this, in the server log only.)
    for key in list(st.session_state):
        value = st.session_state[key]
        is_choice = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value))
        if key == "lang_select" or str(key).startswith("_") or not is_choice:
            continue
        try:
            st.session_state[key] = value
        except StreamlitAPIException:  # buttons, uploaders: values the API may not set
            pass
    st.session_state[_LANG] = st.session_state["lang_select"]


def current_config() -> ResNetConfig:
    """The config the Explorer shows, shared by every page of this session."""
    _init_state()
    return st.session_state[_CONFIG]


def base_preset() -> str:
    _init_state()
    return st.session_state[_BASE]


def set_current_config(config: ResNetConfig, base: str | None = None) -> None:
    st.session_state[_CONFIG] = config
    if base is not None:
        st.session_state[_BASE] = base


def url_errors() -> list[str]:
    """Problems found in the link this session was opened with (shown once, then cleared)."""
    return st.session_state.pop(_URL_ERRORS, [])


def sync_url(query: dict[str, str]) -> None:
    """Make the address bar hold ``query`` (plus the language), so the link can be shared."""
    wanted = {**query, **({"lang": lang()} if lang() != "en" else {})}
    if {k: st.query_params[k] for k in st.query_params} != wanted:
        st.query_params.from_dict(wanted)


# --- The config editor ---------------------------------------------------------------------------

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


def _parse_stages(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"stages: got {text!r}; expected block counts like 3,4,6,3") from None


def config_editor(key: str, config: ResNetConfig, container: Any = None,
                  base: str | None = None) -> ResNetConfig:
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

    box.selectbox(tr("cfg.preset"), list(PRESETS), key=f"{key}.preset", on_change=_on_preset,
                  args=(key,), help=tr("cfg.preset_help"))
    box.text_input(tr("cfg.stages"), key=f"{key}.stages", help=tr("cfg.stages_help"))
    box.selectbox(tr("cfg.shortcut"), SHORTCUTS, key=f"{key}.shortcut",
                  format_func=labels("cfg.shortcut"), help=tr("cfg.shortcut_help"))
    c1, c2 = box.columns(2)
    c1.selectbox(tr("cfg.block"), BLOCKS, key=f"{key}.block", format_func=labels("cfg.block"))
    c2.selectbox(tr("cfg.stride_at"), STRIDE_AT, key=f"{key}.stride_at",
                 format_func=labels("cfg.stride_at"), help=tr("cfg.stride_at_help"),
                 disabled=st.session_state[f"{key}.block"] != "bottleneck")
    box.selectbox(tr("cfg.stem"), STEMS, key=f"{key}.stem", format_func=labels("cfg.stem"))
    for i, name in enumerate(_INT_FIELDS):
        lo, hi = LIMITS[name]
        (c1 if i % 2 == 0 else c2).number_input(tr(f"cfg.{name}"), min_value=lo, max_value=hi, step=1,
                                                key=f"{key}.{name}", help=tr(f"cfg.{name}_help"))
    box.toggle(tr("cfg.preact"), key=f"{key}.preact", help=tr("cfg.preact_help"))

    fields = {f.name: st.session_state[f"{key}.{f.name}"] for f in dataclasses.fields(ResNetConfig)
              if f.name != "stages"}
    try:
        edited = ResNetConfig(stages=_parse_stages(st.session_state[f"{key}.stages"]), **fields)
    except ValueError as exc:
        box.error(tr("cfg.invalid", error=str(exc)))
        edited = config
    st.session_state[f"{key}._shown"] = edited

    base = st.session_state[f"{key}._base"]
    diff = config_diff(PRESETS[base], edited)
    if diff:
        changes = ", ".join(f"{name}: {_fmt(old)} → {_fmt(new)}" for name, (old, new) in diff.items())
        box.info(tr("cfg.custom", preset=base, changes=changes))
    return edited


def _fmt(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def editor_base(key: str) -> str:
    """The preset the editor ``key`` started from (what its 'differs from' note compares with)."""
    return st.session_state.get(f"{key}._base", "resnet18")


# --- Display helpers ------------------------------------------------------------------------------

def stage_label(stage: str, language: str | None = None) -> str:
    """'layer2' -> 'stage 2 (layer2)' in the current language; stem/head likewise."""
    language = language or lang()
    if stage.startswith("layer"):
        return t("stage.layer", language, n=stage[len("layer"):], name=stage)
    return t(f"stage.{stage}", language)


_COUNT_COLUMNS = ("params", "macs", "branch_params", "shortcut_params", "branch_macs", "shortcut_macs")


def show_table(df: Any, height: int | str = "auto") -> None:
    """A DataFrame with translated headers, thousands separators and percentages."""
    df = df.drop(columns=[c for c in ("block", "stage") if c in df and "name" in df])
    if "role" in df:
        df["role"] = df["role"].map(lambda r: tr(f"role.{r}"))
    if "kernel" in df:  # "3×3" and "/2" read better than two bare integers; blank where none
        df["kernel"] = df["kernel"].map(lambda k: "" if pd.isna(k) else f"{k}×{k}")
        df["stride"] = df["stride"].map(lambda s: "" if pd.isna(s) else f"/{s}")
    config = {}
    for col in df.columns:
        label = tr(f"col.{col}") if f"col.{col}" in STRINGS else col
        if col in _COUNT_COLUMNS:
            config[col] = st.column_config.NumberColumn(label, format="localized")
        elif col.endswith("_share"):
            config[col] = st.column_config.NumberColumn(label, format="percent")
        else:
            config[col] = st.column_config.Column(label)
    st.dataframe(df, hide_index=True, column_config=config, height=height)


def show_block_arithmetic(arith: Any) -> None:
    """The basic-vs-bottleneck comparison (Fig. 5), both pairings, BN parameters apart."""
    w = tr("blocks.weights")
    left, right = st.columns(2)
    with left:
        st.markdown(f"#### {tr('blocks.same_map', c=arith.channels)}")
        st.caption(tr("blocks.same_map_caption", c=arith.channels))
        st.markdown(f"**{tr('blocks.basic')}**  \n`{arith.basic_formula} = {arith.basic_weights:,}` {w}")
        st.markdown(f"**{tr('blocks.bottleneck')}**  \n"
                    f"`{arith.bottleneck_formula} = {arith.bottleneck_weights:,}` {w}")
        st.success(tr("blocks.ratio", ratio=f"{arith.ratio:.2f}"))
    with right:
        st.markdown(f"#### {tr('blocks.fig5')}")
        st.caption(tr("blocks.fig5_caption", m=arith.mid, c=arith.channels))
        st.markdown(f"**{tr('blocks.basic')}** ({arith.mid}-d)  \n"
                    f"`{arith.fig5_basic_formula} = {arith.fig5_basic_weights:,}` {w}")
        st.markdown(f"**{tr('blocks.bottleneck')}** ({arith.channels}-d)  \n"
                    f"`{arith.bottleneck_formula} = {arith.bottleneck_weights:,}` {w}")
        st.info(tr("blocks.ratio", ratio=f"{arith.fig5_ratio:.2f}"))
    st.caption(tr("blocks.bn", basic=f"{arith.basic_bn:,}", bottleneck=f"{arith.bottleneck_bn:,}"))
