"""A real browser opens hostile links (issue 26): each page warns, draws no link or image from the
link's text, and does not crash.

AppTest sees the Markdown a warning is given; only a browser shows what it renders to: an ``<a>``
a student could click, an ``<img>`` that reaches an outside server.
"""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

LINKS = [
    "/Lesson?step=%0A%0A[Log in](https://ev.il/x)",  # drew a live link in the Lesson's warning
    "/Lesson?step=%0A%0A![x](https://ev.il/i.png)",  # loaded an outside image
    "/Compare?c%C2%B2=1",  # "c²": str.isdigit() then int() crashed Compare
]


@pytest.mark.parametrize("link", LINKS)
def test_a_hostile_link_is_warned_about_not_drawn(app_url, page, link):
    page.goto(app_url + link)
    # A crash may come before the page's title: wait for either.
    page.locator('[data-testid="stHeading"], [data-testid="stException"]').first.wait_for(timeout=120_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator("body").inner_text()
    warning = page.locator('[data-testid="stAlertContentWarning"]')
    assert warning.count() >= 1, page.locator("body").inner_text()
    assert page.locator('a[href*="ev.il"]').count() == 0, warning.first.inner_html()
    assert page.locator('img[src*="ev.il"]').count() == 0, warning.first.inner_html()
    # What the link said is still there to read, as code.
    if "ev.il" in link:
        assert "ev.il" in " ".join(warning.locator("code").all_inner_texts()), warning.first.inner_html()
