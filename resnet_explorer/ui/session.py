"""A browser session's state: the language, the config the Explorer shows, the link it came from.

State lives in non-widget session keys (``_config``, ``_lang``) because Streamlit forgets a
widget's value when the user switches pages. :func:`init_session` reads the URL once per
session; the router (``app.py``) calls it before any page runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ..core.config import ResNetConfig, config_from_query
from ..i18n import LANGUAGES, t

__all__ = ["init_session", "lang", "tr", "translator", "labels", "language_switch", "current_config",
           "set_current_config", "base_preset", "url_errors", "sync_url"]

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


def init_session() -> None:
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


def language_switch() -> None:
    """The sidebar's English / 简体中文 switch (drawn by each page, not the router: a widget in the
    entry point before ``pg.run()`` lost the first change of the first session after a start)."""
    st.session_state["lang_select"] = lang()
    st.sidebar.segmented_control(":material/translate:", list(LANGUAGES), format_func=LANGUAGES.get,
                                 key="lang_select", required=True, on_change=_switch_language,
                                 label_visibility="collapsed")


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
    init_session()
    return st.session_state[_CONFIG]


def base_preset() -> str:
    init_session()
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
