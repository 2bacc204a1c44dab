"""The app's pages and the one place each browser session starts.

``app.py`` calls :func:`run`: page config, the server's settings, the session's state (read from
the link once), then ``st.navigation`` over :data:`PAGES` and the chosen page. Each page file
starts with :func:`page_setup`, which sets its tab title and icon, draws the language switch and
declares the page's language on ``<html lang>``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from .. import settings
from ..i18n import t
from .a11y import a11y_style
from .phone import phone_style
from .session import init_lang, init_session, keep_lang_in_url, lang, lang_errors, language_switch, tr

__all__ = [
    "PageSpec",
    "PAGES",
    "run",
    "page_setup",
    "APP_ICON",
    "favicon",
    "declare_lang",
    "HTML_LANG",
    "LANG_SCRIPT",
    "LANG_SCRIPT_CSP",
]

APP_ICON = ":material/account_tree:"
# Tab icons, one PNG per Material Symbol a page names (rendered from the Material Symbols Rounded
# font Streamlit ships; docs/notes.md). Streamlit would draw a ``:material/…:`` page icon from
# fonts.gstatic.com: offline that is a console error per page and an empty tab icon.
_ICONS = Path(__file__).resolve().parents[1] / "assets" / "icons"

# <html lang> per session language, as BCP 47 tags: plain "zh" names no script, so screen readers
# and the browser's font fallback could pick Traditional forms; zh-CN is Simplified Chinese.
HTML_LANG: dict[str, str] = {"en": "en", "zh": "zh-CN"}
# Streamlit's index.html says lang="en" whatever the page's language and has no setting for it, so
# the page sets it itself. One fixed text for every language (the tag rides in data-lang), because
# deploy/nginx.conf allows an inline script only by the SHA-256 of its text: LANG_SCRIPT_CSP.
LANG_SCRIPT = "document.documentElement.lang = document.currentScript.dataset.lang;"
LANG_SCRIPT_CSP = "'sha256-" + base64.b64encode(hashlib.sha256(LANG_SCRIPT.encode()).digest()).decode() + "'"
# st.html with a script is an element of the page, and every element adds the page's gap (1 rem)
# above the next one. It sits in a keyed container that this style hides (display: none takes it
# out of the layout; its script runs all the same). A style-only st.html goes to Streamlit's event
# container and takes no space itself. (A browser without :has(), Firefox before 121, keeps the
# container's empty wrapper: a 1 rem gap, nothing worse.)
_LANG_BOX = "re_html_lang"
_HIDE_LANG_BOX = (
    f'<style>[data-testid="stLayoutWrapper"]:has(> .st-key-{_LANG_BOX}), .st-key-{_LANG_BOX}'
    " { display: none !important; }</style>"
)


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to app.py
    title_key: str
    icon: str  # Material icons ship with Streamlit; emoji depend on the viewer's fonts
    url_path: str  # the address users bookmark: kept from the file names of the first release


# Sidebar order. The Explorer is the default page, at the app's root address. Each other file is named
# as its address (pages/Classify.py -> /Classify), so that Streamlit's legacy pages/ mode, which runs the
# first session after a server start, finds the page instead of showing "Page not found"; page_setup
# then hands that session to the router (docs/notes.md).
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/explorer.py", "nav.explorer", ":material/account_tree:", ""),
    PageSpec("pages/Compare.py", "nav.compare", ":material/compare:", "Compare"),
    PageSpec("pages/Paper.py", "nav.paper", ":material/description:", "Paper"),
    PageSpec("pages/Classify.py", "nav.classify", ":material/image_search:", "Classify"),
    PageSpec("pages/Training_lab.py", "nav.training", ":material/monitoring:", "Training_lab"),
    PageSpec("pages/Lesson.py", "nav.lesson", ":material/school:", "Lesson"),
)


def run() -> None:
    """Start this run of the app: settings, session state, navigation, then the page itself."""
    st.set_page_config(page_title="ResNet Explorer", page_icon=favicon(APP_ICON), layout="wide")
    try:
        settings.validate_all()
    except settings.SettingsError as exc:
        # A wrong limit must be fixed by whoever runs the server, before anyone relies on it.
        st.error(tr("app.bad_setting"), icon=":material/settings_alert:")
        st.code(str(exc), language=None, wrap_lines=True)
        st.stop()
    init_lang()  # the page titles below are in the link's language
    pages = [
        st.Page(
            spec.path,
            title=tr(spec.title_key),
            icon=spec.icon,
            url_path=spec.url_path or None,
            default=spec.url_path == "",
        )
        for spec in PAGES
    ]
    page = st.navigation(pages)
    init_session(explorer=page.url_path == "")
    page.run()


def page_setup(title_key: str, icon: str = APP_ICON) -> None:
    """First call of every page: its browser-tab title and icon (``icon``: a ``:material/…:`` name
    with a PNG in assets/icons/), the sidebar language switch, ``lang`` kept in the address (with a
    warning if the link asked for a language the app lacks) and on ``<html lang>``."""
    if PagesManager.uses_pages_directory:
        # Streamlit's legacy pages/ mode ran this file alone, without the router: it does so for the
        # first session after a server start that opens a page's own address (/Classify), and for
        # every AppTest run. Run the router here instead (st.navigation ends that mode and runs this
        # page again, as every other session gets it), then stop this outer copy. No rerun: a
        # button's click, which lives for one run, reaches the page.
        run()
        st.stop()
    title = t(title_key, lang())
    st.set_page_config(
        page_title=title if "ResNet Explorer" in title else f"{title} · ResNet Explorer",
        page_icon=favicon(icon),
        layout="wide",
    )
    language_switch()
    keep_lang_in_url()
    declare_lang()
    a11y_style()  # contrast and keyboard rules (ui/a11y.py), on every page
    phone_style()  # the phone's layout rules (ui/phone.py), on every page
    for problem in lang_errors():
        st.warning(problem, icon=":material/translate:")


@functools.cache
def favicon(icon: str) -> str:
    """The tab icon for a ``:material/name:`` icon: the shipped PNG as a ``data:`` URL.

    A data URL, not the file's path: Streamlit would copy a path into each session's media files and
    the browser would fetch it again per session; a data URL needs no request, and the deployment's
    CSP already allows ``img-src data:``. A name without a shipped PNG gets the app's icon (never
    Google's: tests/app/test_page_head.py checks that every page's icon is shipped).
    """
    name = icon.removeprefix(":material/").removesuffix(":")
    path = _ICONS / f"{name}.png"
    if not path.is_file():
        path = _ICONS / "account_tree.png"
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def declare_lang() -> None:
    """Set ``<html lang>`` to the session's language, on every run of every page.

    Drawn on every run because Streamlit removes what a run does not draw. The browser runs the
    script again only when its text changes (a language switch) or the element is drawn afresh (a
    new page, a reload); a rerun in the same language leaves ``<html lang>`` as it was set.
    """
    st.html(_HIDE_LANG_BOX)
    with st.container(key=_LANG_BOX):
        st.html(
            f'<script data-lang="{HTML_LANG.get(lang(), "en")}">{LANG_SCRIPT}</script>',
            unsafe_allow_javascript=True,
        )
