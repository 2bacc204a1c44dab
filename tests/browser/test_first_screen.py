"""A projector's first screen (1366×768, no scrolling) holds each page's result, in both languages.

Issue 10: a teacher opens a page on the wall and the class reads the answer without anyone
scrolling. Each check takes an element's bounding box in the browser and holds it against the
768 px viewport; the page must not scroll sideways either. Screenshots of exactly what the wall
shows go to artifacts/screenshots/first_screen_<page>_<lang>.png (see conftest); look at them.
"""

from __future__ import annotations

import pytest

from resnet_explorer.i18n import t
from resnet_explorer.ui.router import PAGES
from tests.conftest import SCREENSHOTS, wait_for_app

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1366, 768
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
LANGS = ("en", "zh")


@pytest.fixture
def wall(browser):
    """A page the size of a 1366×768 projector."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    yield pg
    context.close()


def _open(pg, url: str, ready: str) -> None:
    pg.goto(url)
    pg.locator(ready).first.wait_for(timeout=120_000)
    wait_for_app(pg)
    pg.wait_for_timeout(500)  # the last layout pass (fonts, the grid's column widths)


def _shot(pg, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOTS / f"first_screen_{name}.png"))  # the viewport only


def _on_first_screen(pg, locator, what: str) -> None:
    """The element is drawn and lies wholly inside the 1366×768 viewport, unscrolled."""
    box = locator.bounding_box()
    assert box is not None, f"{what} is not drawn"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (
        f"{what} spans y = {box['y']:.0f}..{box['y'] + box['height']:.0f} px; the first screen ends at "
        f"{HEIGHT}"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (
        f"{what} spans x = {box['x']:.0f}..{box['x'] + box['width']:.0f} px; the screen is {WIDTH} wide"
    )


def _no_errors_nor_sideways_scroll(pg) -> None:
    assert pg.locator(ERRORS).count() == 0, pg.locator(ERRORS).first.inner_text()
    # Wide tables scroll inside their own grid; the page itself must not.
    overflow = pg.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return Math.max(document.documentElement.scrollWidth, main ? main.scrollWidth : 0)
             - document.documentElement.clientWidth; }""")
    assert overflow <= 0, f"the page scrolls {overflow} px sideways at {WIDTH} px"


@pytest.mark.parametrize("lang", LANGS)
def test_explorer_metrics_on_first_screen(app_url, wall, lang):
    _open(wall, f"{app_url}/?preset=resnet50&lang={lang}", '[data-testid="stMetric"]')
    metrics = wall.locator('[data-testid="stMetric"]')
    assert metrics.count() == 5
    # ResNet-50 has 25,557,032 parameters (torchvision's resnet50 meta["num_params"]).
    assert "25,557,032" in metrics.first.inner_text()
    for i in range(5):
        _on_first_screen(wall, metrics.nth(i), f"Explorer metric {i + 1} ({lang})")
    _no_errors_nor_sideways_scroll(wall)
    _shot(wall, f"explorer_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_explorer_block_arithmetic_in_readable_type(app_url, wall, lang):
    _open(wall, f"{app_url}/?preset=resnet50&lang={lang}", '[data-testid="stMetric"]')
    wall.get_by_role("radio", name=t("view.blocks", lang), exact=True).click()
    wait_for_app(wall)
    # 3·3·256·256·2 and 1·1·256·64 + 3·3·64·64 + 1·1·64·256, worked out by hand.
    for number in (f"{3 * 3 * 256 * 256 * 2:,}", f"{256 * 64 + 9 * 64 * 64 + 64 * 256:,}"):
        cell = wall.get_by_text(number, exact=False).first
        style = cell.evaluate("""e => { const s = getComputedStyle(e);
            return {size: parseFloat(s.fontSize), family: s.fontFamily}; }""")
        assert style["size"] >= 20, f"{number} is set at {style['size']} px"
        assert "mono" not in style["family"].lower(), f"{number} is set in {style['family']}"
    # The first screen is the architecture picture's (issue 20); the arithmetic is the next screen,
    # right under the view picker: scrolled to the picker, the sum is in view.
    wall.get_by_role("radio", name=t("view.blocks", lang), exact=True).evaluate(
        "e => e.scrollIntoView({block: 'start'})"
    )
    wall.wait_for_timeout(300)
    _on_first_screen(
        wall,
        wall.get_by_text(f"{3 * 3 * 256 * 256 * 2:,}", exact=False).first,
        f"the basic block's 1,179,648, one screen down ({lang})",
    )
    _no_errors_nor_sideways_scroll(wall)
    _shot(wall, f"explorer_blocks_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_compare_totals_on_first_screen(app_url, wall, lang):
    _open(
        wall,
        f"{app_url}/Compare?c1=resnet34;shortcut=A&c2=resnet34&c3=resnet34;shortcut=C&lang={lang}",
        '[data-testid="stDataFrame"]',
    )
    totals = wall.locator('[data-testid="stDataFrame"]').first
    _on_first_screen(wall, totals, f"Compare's totals table ({lang})")
    # The totals come before the column editors, which are folded away.
    editors = wall.locator('[data-testid="stExpander"]').first
    assert totals.bounding_box()["y"] < editors.bounding_box()["y"]
    assert not wall.locator('[data-testid="stExpander"] details').first.evaluate("e => e.open")
    _no_errors_nor_sideways_scroll(wall)
    _shot(wall, f"compare_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_paper_first_table_on_first_screen(app_url, wall, lang):
    _open(wall, f"{app_url}/Paper?lang={lang}", '[data-testid="stDataFrame"]')
    _on_first_screen(wall, wall.locator('[data-testid="stDataFrame"]').first, f"Table 1 ({lang})")
    _no_errors_nor_sideways_scroll(wall)
    _shot(wall, f"paper_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_training_lab_start_on_first_screen(app_url, wall, lang):
    _open(wall, f"{app_url}/Training_lab?lang={lang}", '[data-testid="stButton"]')
    start = wall.get_by_role("button", name=t("train.start", lang), exact=True)
    _on_first_screen(wall, start, f"the Training lab's Start button ({lang})")
    _no_errors_nor_sideways_scroll(wall)
    _shot(wall, f"training_lab_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_every_other_page_opens_at_projector_size(app_url, wall, lang):
    """Classify and any later page (the Lesson): open cleanly, title on screen, no sideways scroll."""
    checked = {"", "Compare", "Paper", "Training_lab"}
    for spec in PAGES:
        if spec.url_path in checked:
            continue
        _open(wall, f"{app_url}/{spec.url_path}?lang={lang}", "h1")
        title = wall.locator('[data-testid="stMain"] h1').first
        assert title.inner_text().strip(), f"the {spec.url_path} page has an empty title"
        _on_first_screen(wall, title, f"the {spec.url_path} page's title ({lang})")
        _no_errors_nor_sideways_scroll(wall)
        _shot(wall, f"{spec.url_path.lower()}_{lang}")
