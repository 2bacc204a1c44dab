"""A real browser at 1366×768: every step of the Lesson, in English and 简体中文, fits one screen.

Screenshots (the screen as a projector shows it) go to artifacts/screenshots/lesson_<lang>_step<N>.png;
look at them.
"""

from __future__ import annotations

import pytest

from resnet_explorer.lesson import N_STEPS
from tests.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
# Streamlit scrolls inside its main container, not the page: that is what must not need scrolling.
OVERFLOW = """() => { const m = document.querySelector('[data-testid="stMain"]');
                      return m.scrollHeight - m.clientHeight; }"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_step_fits_a_projector(app_url, projector, lang):
    pg = projector
    for n in range(1, N_STEPS + 1):
        pg.goto(f"{app_url}/Lesson?step={n}&lang={lang}")
        pg.locator('[data-testid="stHeading"]').first.wait_for(timeout=120_000)
        wait_for_app(pg)
        if n == 2:  # the block diagram is drawn in the browser after the script has finished
            pg.locator('[data-testid="stGraphVizChart"] svg').first.wait_for()
        pg.wait_for_timeout(500)
        assert pg.locator(ERRORS).count() == 0, pg.locator(ERRORS).first.inner_text()
        title = pg.locator("h1").first.inner_text()
        assert f"{n}/{N_STEPS}" in title, title
        assert ("课堂" in title) == (lang == "zh"), title
        screenshot_path = screenshot(pg, f"lesson_{lang}_step{n}")
        assert screenshot_path.exists()
        overflow = pg.evaluate(OVERFLOW)
        assert overflow <= 0, f"step {n} ({lang}) needs {overflow} px of scrolling at 1366×768"


def test_next_and_previous_change_the_address(app_url, projector):
    pg = projector
    pg.goto(f"{app_url}/Lesson?step=3")
    pg.locator("h1").first.wait_for(timeout=120_000)
    wait_for_app(pg)
    pg.get_by_role("button", name="Next").click()
    pg.wait_for_url("**/Lesson?step=4*")
    wait_for_app(pg)
    assert "4/7" in pg.locator("h1").first.inner_text()
    pg.get_by_role("button", name="Previous").click()
    pg.wait_for_url("**/Lesson?step=3*")
    wait_for_app(pg)
    assert "3/7" in pg.locator("h1").first.inner_text()
