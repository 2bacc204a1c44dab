"""A browser session's state: the language, the config the Explorer shows, the link it came from.

State lives in non-widget session keys (``_config``, ``_lang``) because Streamlit forgets a
widget's value when the user switches pages. :func:`init_session` reads the URL once per
session; the router (``app.py``) calls it before any page runs. What was wrong with the link
is kept as :class:`~resnet_explorer.core.config.LinkProblem` parts and said in the page's
language by :func:`link_problem`, with the link's own text shown only as code (it is untrusted:
``st.warning`` renders Markdown, so ``[log in](https://evil.example)`` would be a live link).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ..core.config import PRESETS, ConfigError, LinkProblem, ResNetConfig, echo, read_link
from ..i18n import LANGUAGES, config_error, names, number, t, value_range
from ..visual.scene import VIEW_KEYS

__all__ = [
    "init_session",
    "lang",
    "tr",
    "translator",
    "labels",
    "language_switch",
    "current_config",
    "set_current_config",
    "base_preset",
    "url_errors",
    "lang_errors",
    "link_problem",
    "config_problem",
    "as_code",
    "sync_url",
    "keep_lang_in_url",
]

_CONFIG, _BASE, _LANG, _URL_ERRORS = "_config", "_base_preset", "_lang", "_url_errors"
_LANG_READ, _LANG_ERRORS = "_lang_read", "_lang_errors"


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


def _link() -> dict[str, list[str]]:
    # Every value of every key: st.query_params[k] alone gives the last of a repeated key.
    return {k: st.query_params.get_all(k) for k in st.query_params}


def init_lang() -> None:
    """Read the link's ``lang`` once per session (before anything is drawn in that language)."""
    if _LANG_READ in st.session_state:
        return
    st.session_state[_LANG_READ] = True
    values = st.query_params.get_all("lang")
    problems = []
    if len(values) > 1:
        problems.append(LinkProblem("repeated", "lang", ", ".join(values)))
    elif values and values[0] in LANGUAGES:
        st.session_state[_LANG] = values[0]
    elif values:
        problems.append(
            LinkProblem(
                "unknown_lang",
                "lang",
                values[0],
                ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items()),
            )
        )
    st.session_state[_LANG_ERRORS] = problems


def init_session(explorer: bool = True) -> None:
    """Read the link once per session: the language, then the config and its base preset.

    ``explorer``: the session opened on the Explorer, whose link holds a config; there every
    key the link has is checked (a misspelt ``shorcut`` is reported). A session opened on
    another page reads its config quietly (a Compare link's ``c1`` is not the Explorer's).
    """
    init_lang()
    if _CONFIG in st.session_state:
        return
    link = {k: v for k, v in _link().items() if k != "lang"}
    config, base, problems = read_link(link, other_keys=("lang", *VIEW_KEYS) if explorer else None)
    st.session_state[_CONFIG] = config
    st.session_state[_BASE] = base
    st.session_state[_URL_ERRORS] = problems if explorer else []


def language_switch() -> None:
    """The sidebar's English / 简体中文 switch (drawn by each page, not the router: a widget in the
    entry point before ``pg.run()`` lost the first change of the first session after a start)."""
    st.session_state["lang_select"] = lang()
    st.sidebar.segmented_control(
        ":material/translate:",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="lang_select",
        required=True,
        on_change=_switch_language,
        label_visibility="collapsed",
    )


def _switch_language() -> None:
    # Streamlit sends a selectbox's value back as its *displayed* label, and labels are translated:
    # after a switch, "C · projection everywhere" would no longer match any option. Re-pin every
    # widget's current Python value (read through last run's formatter) before the labels change.
    # Choice widgets' values are strings (or lists of them), or whole numbers shown through a label (the
    # graph's stage box: 0 is "whole network"); re-pinning a number box's or a toggle's value is harmless.
    # (A widget also given ``default=`` makes Streamlit log a warning for this, in the server log only.)
    for key in list(st.session_state):
        value = st.session_state[key]
        # (not bool: a button's False is an int too, and Streamlit refuses a button's state being set)
        is_choice = (isinstance(value, (str, int)) and not isinstance(value, bool)) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
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
    """What was wrong with the link this session opened the Explorer with, in this page's language,
    as Markdown-safe sentences (shown once, then cleared)."""
    return [link_problem(p) for p in st.session_state.pop(_URL_ERRORS, [])]


def lang_errors() -> list[str]:
    """What was wrong with the link's ``lang`` (any page shows it, once)."""
    return [link_problem(p) for p in st.session_state.pop(_LANG_ERRORS, [])]


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&])")


def _escaped(text: str) -> str:
    """Our own text that may quote a value (a validation message): Markdown punctuation escaped."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def _code(text: str, language: str) -> str:
    """Text from a link as an inline code span: shown as typed, never as a link, image or colour.

    The fence is one backtick longer than any run inside, and padded when the text touches a
    backtick (CommonMark's rule), so the text cannot close the span early. (LinkProblem has
    already cut it to ECHO_MAX characters on one line.)
    """
    text = " ".join(str(text).split())
    if not text:
        return t("link.empty", language)
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def link_problem(problem: LinkProblem, language: str | None = None) -> str:
    """One problem of a link as a sentence in ``language`` (the session's by default), safe to
    pass to ``st.warning``: the link's own text appears only as code."""
    language = language or lang()
    p = problem

    def code(text: str) -> str:
        return _code(text, language)

    # What was allowed and why a value conflicts, in this language: from the problem's parts
    # where it has them (a range, a list of names, a validation's reason), never its English text.
    if p.bounds:
        allowed = value_range(*p.bounds, language)
    elif p.options:
        allowed = names(p.options, language, code)
    else:
        allowed = _escaped(p.allowed)
    values: dict[str, Any] = {
        "field": code(p.field),
        "value": code(p.value),
        "base": p.base or "resnet18",
        "allowed": allowed,
        "n": len(PRESETS),
        "last": number(p.bounds[-1]) if p.bounds else p.allowed.split()[-1] if p.allowed else "",
        "detail": _escaped(p.detail),
    }
    if p.reason:
        values["detail"] = config_error(p.reason[0], dict(p.reason[1]), language, code)
    if p.kind in ("repeated", "unknown_key"):  # several values, or a key: each shown as code
        values["value"] = ", ".join(code(v) for v in p.value.split(", "))
    if p.kind in ("too_many_columns", "too_few_columns"):
        values["value"] = p.value  # a count the app worked out, not text from the link
    text = t(f"link.{p.kind}", language, **values)
    if p.suggestion:
        text += t("link.suggest", language, suggestion=code(p.suggestion))
    if p.kind in _KEEPS_BASE_VALUE and p.field in _FIELD_NAMES:
        text += t("link.kept", language, field=code(p.field), base=values["base"])
    if p.column:
        text = t("link.column", language, column=code(p.column), problem=text)
    return text


def as_code(text: object, language: str | None = None) -> str:
    """Untrusted text (a link's, a text box's) for Markdown: cut as a link's value is, shown as
    code (``(empty)`` in ``language``, the session's by default, when there is none)."""
    return _code(echo(text), language or lang())


def config_problem(error: ConfigError, language: str | None = None) -> str:
    """Why a config was refused (the editor's, a page's), in ``language`` (the session's by
    default), safe for ``st.error``: names and the value given appear only as code, cut as a
    link's are (the editor's text box takes any length)."""
    language = language or lang()

    def code(text: str) -> str:
        return as_code(text, language)

    return config_error(error.kind, error.values, language, code)


_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(ResNetConfig))
# Problems with one field's value: the model keeps the base preset's value for that field.
_KEEPS_BASE_VALUE = frozenset(
    {
        "repeated",
        "not_choice",
        "not_bool",
        "not_whole",
        "not_number",
        "out_of_range",
        "stages_format",
        "stages_count",
        "stage_blocks",
        "conflict",
    }
)


def _query_now() -> dict[str, str]:
    return {k: st.query_params[k] for k in st.query_params}


def sync_url(query: dict[str, str]) -> None:
    """Make the address bar hold ``query`` (plus the language), so the link can be shared."""
    wanted = {**query, **({"lang": lang()} if lang() != "en" else {})}
    if _query_now() != wanted:
        st.query_params.from_dict(wanted)


def keep_lang_in_url() -> None:
    """Keep ``lang`` in the address bar on every page, so any copied link opens in this language.

    English is the default and goes without; other keys in the address are left as they are.
    (Streamlit clears the query string when the user moves to another page.)
    """
    current = st.query_params.get_all("lang")
    if lang() == "en":
        if current:
            del st.query_params["lang"]
    elif current != [lang()]:
        st.query_params["lang"] = lang()
