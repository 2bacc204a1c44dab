"""Offline, no page asks another host for anything (issue 24).

A school's server may have no way out. Streamlit drew a ``:material/…:`` tab icon from
fonts.gstatic.com: offline that was 2–5 console errors per page and an empty tab icon. Each page,
in each language, is opened in a fresh session and every request the page makes is recorded;
any whose host is not the app's own fails the test, listed. (conftest's Chromium flags stop the
browser's own background traffic, not the page's requests.)
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from resnet_explorer.ui.router import PAGES
from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

LANGS = ("en", "zh")
# Requests that can come late, after the script run: the tab icon, lazily loaded fonts and images.
SETTLE_MS = 1500


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url_path", [spec.url_path for spec in PAGES], ids=lambda p: p or "explorer")
def test_page_fetches_nothing_from_outside(browser, app_url: str, url_path: str, lang: str) -> None:
    own_host = urlsplit(app_url).hostname
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        outside: list[str] = []

        def record(request) -> None:
            url = urlsplit(request.url)
            if url.scheme not in ("data", "blob") and url.hostname != own_host:
                outside.append(request.url)

        pg.on("request", record)
        pg.goto(f"{app_url}/{url_path}?lang={lang}")
        wait_for_app(pg)
        pg.wait_for_timeout(SETTLE_MS)
        assert not outside, f"/{url_path}?lang={lang} fetched from other hosts:\n" + "\n".join(outside)
        # The tab icon is the app's own (a data: URL), not Streamlit's default or a font host's.
        icon = pg.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\")?.href ?? ''")
        assert icon.startswith("data:image/png;base64,"), f"tab icon: {icon[:100]!r}"
    finally:
        context.close()
