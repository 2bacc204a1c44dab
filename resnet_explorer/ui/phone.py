"""What a phone gets instead of the desktop layout (issue 24 §2), chosen in the browser by CSS.

The server cannot know how wide the browser is: Streamlit 1.67's ``st.context`` gives the headers,
cookies, locale, theme, time zone and URL, but no viewport. So a page that needs a different element
on a phone draws both, each in a keyed container, and the media queries of :data:`STYLE` show one:
:func:`wide_only` on a desktop, :func:`phone_only` on a phone. "Phone" is Streamlit's own breakpoint
for stacking ``st.columns`` (:data:`PHONE_MAX_PX`), so the two switch where the columns do.

The same stylesheet lays the Explorer's headline numbers out two to a row on a phone
(:func:`metric_columns`), and :func:`close_sidebar_after_change` folds the sidebar away after a
model change on a screen where it covers the page.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import streamlit as st

__all__ = [
    "PHONE_MAX_PX",
    "SIDEBAR_OVERLAY_PX",
    "STYLE",
    "SIDEBAR_SCRIPT",
    "SIDEBAR_SCRIPT_CSP",
    "METRICS_KEY",
    "phone_style",
    "wide_only",
    "phone_only",
    "metric_columns",
    "close_sidebar_after_change",
]

# Streamlit 1.67 stacks st.columns one per row at this width and below (its "max-width: 640px" rule).
PHONE_MAX_PX = 640
# Below this width Streamlit's sidebar is drawn over the page instead of beside it, and starts
# collapsed ("auto"); it is the theme's md breakpoint, 768 px (the sidebar checks width <= 767.98).
SIDEBAR_OVERLAY_PX = 768

_WIDE, _PHONE = "re_wide_", "re_phone_"  # key prefixes: st.container(key=...) adds class st-key-<key>
METRICS_KEY = "re_metrics"
_CLOSER_KEY = "re_sidebar_closer"
_CHANGES = "_sidebar_changes"


def _hidden(selector: str) -> str:
    # A keyed container sits in a layout wrapper that keeps the page's 1 rem gap: hide both, or a
    # hidden element would still leave an empty row (as router._HIDE_LANG_BOX does).
    return f'{selector}, [data-testid="stLayoutWrapper"]:has(> {selector}) {{ display: none !important; }}'


STYLE = f"""<style>
@media (max-width: {PHONE_MAX_PX}px) {{
  {_hidden(f'[class*="st-key-{_WIDE}"]')}
  /* Five numbers one per row took 444 px of an 844 px screen: two per row, a smaller figure. */
  .st-key-{METRICS_KEY} [data-testid="stHorizontalBlock"] {{ row-gap: 0.5rem; }}
  .st-key-{METRICS_KEY} [data-testid="stColumn"] {{ min-width: calc(50% - 0.5rem); }}
  .st-key-{METRICS_KEY} [data-testid="stMetricValue"] {{ font-size: 1.75rem; }}
  /* Code in a caption is 0.75 of 14 px: 10.5 px, too small to read on a phone without zooming. */
  [data-testid="stCaptionContainer"] code {{ font-size: 0.875em; }}
  /* The phone's layer table spans the screen's 1 rem margins too, so its four columns fit 390 px; its
     resize handle, which stands 9 px out to the right, would then make the page scroll sideways. */
  .st-key-{_PHONE}layers {{
    margin-inline: -1rem; width: calc(100% + 2rem) !important; max-width: none; overflow-x: clip;
  }}
}}
@media not all and (max-width: {PHONE_MAX_PX}px) {{
  {_hidden(f'[class*="st-key-{_PHONE}"]')}
}}
{_hidden(f".st-key-{_CLOSER_KEY}")}
</style>"""

# One fixed text, so that the deployment's CSP can allow it by its hash (deploy/nginx.conf; checked by
# tests/app/test_phone_layout.py); the change count rides in an attribute, which the hash does not
# cover. It clicks Streamlit's own collapse button, so Streamlit's state is as after a tap on it.
SIDEBAR_SCRIPT = (
    f"if (innerWidth < {SIDEBAR_OVERLAY_PX}) document.querySelector("
    """'[data-testid="stSidebar"][data-collapsed="false"] [data-testid="stSidebarCollapseButton"] button'"""
    ")?.click();"
)
SIDEBAR_SCRIPT_CSP = (
    "'sha256-" + base64.b64encode(hashlib.sha256(SIDEBAR_SCRIPT.encode()).digest()).decode() + "'"
)


def phone_style() -> None:
    """Draw :data:`STYLE` (every page, every run: Streamlit drops what a run does not draw). A style-only
    ``st.html`` goes to Streamlit's event container and takes no room on the page."""
    st.html(STYLE)


def wide_only(name: str, box: Any = None) -> Any:
    """A container shown only wider than a phone (``box``: where to put it, the page by default)."""
    return (st if box is None else box).container(key=f"{_WIDE}{name}")


def phone_only(name: str, box: Any = None) -> Any:
    """A container shown only on a phone (:data:`PHONE_MAX_PX` wide or less)."""
    return (st if box is None else box).container(key=f"{_PHONE}{name}")


def metric_columns(n: int) -> list[Any]:
    """``n`` columns for ``st.metric``: one row on a desktop, two to a row on a phone (not one)."""
    return st.container(key=METRICS_KEY).columns(n)


def close_sidebar_after_change(changed: bool) -> None:
    """After a change made in the sidebar, fold it away where it covers the page (a phone), so the
    student sees what the change did; a desktop's sidebar, beside the page, stays open.

    Streamlit 1.67 has no call for it: ``initial_sidebar_state`` sets only the state a page opens
    with, and the sidebar closes by itself only on a tap on the page or, in a mobile browser, on a
    page link. So a run that changed something draws :data:`SIDEBAR_SCRIPT` in a hidden container at
    the end of the sidebar.
    The container is drawn on every run, so the elements around it keep their places; the browser
    runs the script when its element's text changes, hence the count of changes in it.
    """
    count = st.session_state.get(_CHANGES, 0) + int(changed)
    st.session_state[_CHANGES] = count
    with st.sidebar.container(key=_CLOSER_KEY):
        if changed:
            st.html(
                f'<script data-change="{count}">{SIDEBAR_SCRIPT}</script>',
                unsafe_allow_javascript=True,
            )
