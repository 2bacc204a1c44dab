"""The app's pages and the one place each browser session starts.

``app.py`` calls :func:`run`: page config, the server's settings, the session's state (read from
the link once), then ``st.navigation`` over :data:`PAGES` and the chosen page. Each page file
starts with :func:`page_setup`, which sets its tab title and draws the language switch.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from .. import settings
from ..i18n import t
from .session import init_lang, init_session, keep_lang_in_url, lang, lang_errors, language_switch, tr

__all__ = ["PageSpec", "PAGES", "run", "page_setup"]


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
    st.set_page_config(page_title="ResNet Explorer", page_icon=":material/account_tree:", layout="wide")
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


def page_setup(title_key: str, icon: str = ":material/account_tree:") -> None:
    """First call of every page: its browser-tab title, the sidebar language switch, and ``lang``
    kept in the address (with a warning if the link asked for a language the app lacks)."""
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
        page_icon=icon,
        layout="wide",
    )
    language_switch()
    keep_lang_in_url()
    for problem in lang_errors():
        st.warning(problem, icon=":material/translate:")
