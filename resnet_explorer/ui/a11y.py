"""Keyboard and contrast rules every page shares (WCAG 2.2 AA; issue 24 §1), as one stylesheet.

Colours are the theme's (``.streamlit/config.toml``); what a theme cannot say lives here. Text
alternatives of charts and images are written where each is drawn, in the reader's language (the
``alt.*`` ids of ``locales/*/a11y.po``).
"""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st

__all__ = ["STYLE", "a11y_style", "skip_link"]

_HELP = '[data-testid="stWidgetLabel"] [data-testid="stTooltipIcon"]'
_WIDGET = '[data-testid="stElementContainer"]'
_SKIP = "re_skip"

STYLE = f"""<style>
/* The skip link (skip_link) takes no room until it has the focus; then it pushes the controls down
   rather than cover the language switch. */
[data-testid="stLayoutWrapper"]:has(> .st-key-{_SKIP}), .st-key-{_SKIP} {{ position: absolute; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-{_SKIP}:focus-within), .st-key-{_SKIP}:focus-within {{
  position: static;
}}
/* A disabled widget's label is drawn at 40 % of the text colour (2.6:1 on the sidebar), and axe
   cannot tell it is disabled (the label has no "for"). At 60 %, as a caption, it reads 4.7:1. */
label[data-testid="stWidgetLabel"][disabled] {{ color: inherit; opacity: 0.6; }}
/* Streamlit marks a focused page link only by the faint tint it gives on hover. */
[data-testid="stSidebarNav"] a:focus-visible {{ outline: 2px solid currentColor; outline-offset: -2px; }}
/* The "?" of a widget's help came before its control in the tab order: 11 of the Explorer's 29 Tabs
   from the model controls to the picture. Hidden (so out of the tab order) until the widget is
   pointed at or holds the focus: Shift+Tab from a control reaches its own "?". Where there is no
   pointer to hover with (a phone), they stay shown. */
@media (hover: hover) {{
  {_WIDGET} {_HELP} {{ visibility: hidden; }}
  {_WIDGET}:hover {_HELP}, {_WIDGET}:focus-within {_HELP} {{ visibility: visible; }}
}}
/* A heading's "link to this heading" shows only on hover; in the tab order it was two more stops
   between the controls and the picture. */
[data-testid="stHeaderActionElements"] {{ visibility: hidden; }}
h1:hover [data-testid="stHeaderActionElements"], h2:hover [data-testid="stHeaderActionElements"],
h3:hover [data-testid="stHeaderActionElements"] {{ visibility: visible; }}
</style>"""


def a11y_style() -> None:
    """Draw :data:`STYLE` (every page, every run). A style-only ``st.html`` takes no room on the page."""
    st.html(STYLE)


# A link drawn as a components-v2 element (its script loads from a blob: address, which the deployment's
# Content-Security-Policy allows for the architecture picture already): a plain "#id" link cannot
# reach the picture, which has no id and draws inside a shadow root. Hidden until it has the focus.
_SKIP_CSS = """
a { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
a:focus { position: static; width: auto; height: auto; clip-path: none; display: inline-block; z-index: 10;
  padding: 0.25rem 0.5rem; background: #fff; color: inherit; outline: 2px solid currentColor; }
"""
_SKIP_JS = """
export default function ({ parentElement, data }) {
  const link = parentElement.querySelector("a");
  link.textContent = data.label;
  link.onclick = (event) => {
    event.preventDefault();
    const box = document.querySelector(`.st-key-${CSS.escape(data.target)}`);
    if (!box) return;
    const host = [...box.querySelectorAll("*")].find((node) => node.shadowRoot);
    const into = (host && host.shadowRoot.querySelector("[tabindex]")) || box.querySelector("[tabindex]");
    if (into) {
      into.focus();
      into.scrollIntoView({ block: "nearest" });
    }
  };
}
"""


@functools.cache
def _skip_component() -> Any:
    return st.components.v2.component(
        "resnet_explorer_skip", html='<a href="#"></a>', css=_SKIP_CSS, js=_SKIP_JS
    )


def skip_link(target: str, label: str) -> None:
    """A link, shown when a Tab reaches it, that moves the focus into the element keyed ``target``
    (``st.container(key=...)`` or a component's key): the Explorer's picture from the model controls,
    which were 29 Tabs away."""
    with st.container(key=_SKIP):
        _skip_component()(key=f"{_SKIP}_{target}", data={"label": label, "target": target})
