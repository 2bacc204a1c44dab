"""What several test files share: the repository's paths and opening the app at a page's address."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from resnet_explorer.ui.router import PAGES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_app(page: str | None = None, query: dict[str, str] | None = None, timeout: float = 120) -> AppTest:
    """A new session opened at ``page``'s address (``pages/Compare.py`` -> ``/Compare``) with ``query``.

    Through the router, as a browser reaches it. ``AppTest.switch_page`` resolves a custom
    ``url_path`` only after a first run, and a first run on the Explorer would rewrite the link, so
    the session starts on the page's hash, which is what a browser opening that address asks for.
    Call ``.run()`` on the result.
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query or {})
    if page is not None:
        spec = next(p for p in PAGES if p.path == page)
        at._page_hash = calc_hash(spec.url_path)
    return at
