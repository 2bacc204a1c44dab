"""The architecture picture on a page: the scene from the plan, drawn by a small script of our own.

``visual.scene`` turns the config's plan into plain data; ``archview.js`` (shipped beside this file,
no outside library, nothing fetched) lays it out as an SVG with zoom, pan, open/close and an
inspector, all in the browser: opening a stage needs no rerun to be drawn. What is open, picked and
coloured comes back as the component's state, so it survives reruns and is kept in the link
(``open``, ``sel``, ``color``): a teacher's link opens the same view.

Streamlit's components v2 load inline script as a module from a ``blob:`` address; the deployment's
Content-Security-Policy allows exactly that (deploy/nginx.conf).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from ..core.config import ResNetConfig, preset_name
from ..visual.scene import VIEW_KEYS, scene
from .session import lang

__all__ = ["architecture_view", "VIEW_KEYS", "view_query", "parse_view"]

COLORS = ("none", "params", "macs", "act")
_HERE = Path(__file__).parent
# An id names a stage, a run, a block or a layer: "layer3", "layer3/r1", "layer3.5", "layer3.5.conv1".
_ID = re.compile(r"[A-Za-z0-9_]{1,24}(?:[./][A-Za-z0-9_]{1,24}){0,4}")
_MAX_OPEN = 64  # ids kept from a link: more than any view a person opens by hand
_STATE = "_arch_view"


@cache
def _component() -> Any:
    return st.components.v2.component(
        "resnet_explorer_archview",
        html='<div class="av-host"></div>',
        css=(_HERE / "archview.css").read_text(encoding="utf-8"),
        js=(_HERE / "archview.js").read_text(encoding="utf-8"),
    )


def parse_view(query: dict[str, list[str]]) -> dict[str, Any]:
    """The link's view keys as a view; anything malformed is left out (the view is only how it looks)."""
    opened: list[str] = []
    for value in query.get("open", [])[:1]:
        for part in value.split(",")[:_MAX_OPEN]:
            if _ID.fullmatch(part) and part not in opened:
                opened.append(part)
    sel = next((v for v in query.get("sel", [])[:1] if _ID.fullmatch(v)), "")
    color = next((v for v in query.get("color", [])[:1] if v in COLORS), "none")
    return {"open": opened, "sel": sel, "color": color}


def view_query(view: dict[str, Any]) -> dict[str, str]:
    """The view as link keys; the default view adds none."""
    q: dict[str, str] = {}
    if view.get("open"):
        q["open"] = ",".join(view["open"])
    if view.get("sel"):
        q["sel"] = view["sel"]
    if view.get("color", "none") != "none":
        q["color"] = view["color"]
    return q


def _current_view(key: str, from_link: bool) -> dict[str, Any]:
    state = f"{_STATE}.{key}"
    if state not in st.session_state:  # first run of the session: the link's view, or the default
        link = {k: st.query_params.get_all(k) for k in VIEW_KEYS} if from_link else {}
        st.session_state[state] = parse_view(link)
    return st.session_state[state]


def architecture_view(
    config: ResNetConfig,
    key: str = "arch",
    *,
    diff: dict[str, Any] | None = None,
    column: bool = False,
    max_count: int | None = None,
) -> dict[str, str]:
    """Draw ``config``'s picture; returns the view as link keys for the page to keep in its address.

    The Explorer's picture (``key="arch"``) starts from the link's view. Compare passes ``column``
    (every model drawn top to bottom), one ``max_count`` for all its pictures (one block, one tick of
    the same width: the same scale) and ``diff``, what ``visual.scene.diff_marks`` found.
    """
    view = _current_view(key, from_link=key == "arch")
    language = lang()
    data = {
        "key": key,
        "name": preset_name(config) or "resnet",
        "scene": scene(config, language),
        "view": view,
        "layout": "column" if column else "row",
        "max_count": max_count,
        "diff": diff,
    }
    result = _component()(key=key, data=data, default={"view": view}, on_view_change=lambda: None)
    reported = getattr(result, "view", None)
    if isinstance(reported, dict):
        # what the browser reports is checked as a link is: the same ids, the same bounds
        view = parse_view(
            {
                "open": [",".join(map(str, reported.get("open") or []))],
                "sel": [str(reported.get("sel") or "")],
                "color": [str(reported.get("color") or "none")],
            }
        )
        st.session_state[f"{_STATE}.{key}"] = view
    return view_query(view)
