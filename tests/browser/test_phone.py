"""A phone, 390×844 (issue 24 §2): the model controls open and close, the Explorer's numbers take at most
half a screen, its layer table fits the width, and the Lesson and Classify read without zooming.

Each check holds a bounding box or a computed size against the 390×844 viewport, in both languages where
a page's words change its layout. Screenshots of what the phone shows go to
artifacts/screenshots/phone_*.png (see conftest); look at them. The desktop's side of each change (the
same first screen as before) is tests/browser/test_first_screen.py's and test_archview.py's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from resnet_explorer.i18n import t
from tests.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
LANGS = ("en", "zh")
SIDEBAR = '[data-testid="stSidebar"]'

# How far the page scrolls sideways: the document, or Streamlit's main area (which scrolls, not the
# document). A grid that scrolls inside its own box does not count here; the layer table's check does.
SIDEWAYS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return Math.max(document.documentElement.scrollWidth, main ? main.scrollWidth : 0)
         - document.documentElement.clientWidth; }"""
# The smallest text the main area draws, as the eye gets it: an SVG's text scaled by its drawing
# (a wide figure shrunk to the screen), other text at its computed size. Only text that is drawn.
SMALLEST_TEXT = """() => {
    let smallest = {size: Infinity, text: ''};
    const walker = document.createTreeWalker(
        document.querySelector('[data-testid="stMain"]'), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, e = node.parentElement;
        if (!node.textContent.trim() || !e) continue;
        const box = e.getBoundingClientRect();
        if (!box.width || !box.height || getComputedStyle(e).visibility === 'hidden') continue;
        let size = parseFloat(getComputedStyle(e).fontSize);
        if (e instanceof SVGElement) { const m = e.getScreenCTM(); size *= Math.hypot(m.a, m.b); }
        const text = e.tagName + ': ' + node.textContent.trim().slice(0, 40);
        if (size < smallest.size) smallest = {size, text};
    }
    return smallest; }"""
# The grid the page shows (a phone's and a desktop's are both sent; CSS hides one): its headers, its
# first row and whether it scrolls sideways inside its box. Glide draws on a canvas and keeps an
# accessible table of the cells in view, which is what a reader of the page gets.
SHOWN_GRID = """() => {
    const grid = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .find(e => e.getBoundingClientRect().width > 0);
    const box = grid.getBoundingClientRect(), scroller = grid.querySelector('.dvn-scroller');
    const table = grid.querySelector('table');
    return {
        left: box.left, right: box.right,
        headers: [...table.querySelectorAll('thead th')].map(th => th.textContent),
        first: [...table.querySelectorAll('tbody tr:first-child td')].map(td => td.textContent),
        overflow: scroller.scrollWidth - scroller.clientWidth,
    }; }"""
MIN_TEXT_PX = 12  # the smallest text a phone reads without zooming (Lighthouse's "legible font sizes")


@pytest.fixture
def phone(browser) -> Iterator:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    yield pg
    context.close()


def _open(pg, url: str) -> None:
    pg.goto(url)
    wait_for_app(pg)
    pg.wait_for_timeout(500)  # the last layout pass (fonts, the grid's column widths)


def _no_sideways_scroll(pg, what: str) -> None:
    overflow = pg.evaluate(SIDEWAYS)
    assert overflow <= 0, f"{what}: the page scrolls {overflow} px sideways at {WIDTH} px"


def _readable(pg, what: str) -> None:
    smallest = pg.evaluate(SMALLEST_TEXT)
    assert smallest["size"] >= MIN_TEXT_PX, (
        f"{what}: text drawn at {smallest['size']:.1f} px ({smallest['text']!r}); a phone needs zooming"
    )


def _scroll_to(locator) -> None:
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    locator.page.wait_for_timeout(400)


# --- the Explorer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_explorers_numbers_take_at_most_half_a_phone_screen(app_url, phone, lang: str) -> None:
    _open(phone, f"{app_url}/?preset=resnet50&lang={lang}")
    metrics = phone.locator('[data-testid="stMetric"]')
    assert metrics.count() == 5
    boxes = [metrics.nth(i).bounding_box() for i in range(5)]
    top = min(b["y"] for b in boxes)
    height = max(b["y"] + b["height"] for b in boxes) - top
    assert height <= HEIGHT / 2, f"the five numbers take {height:.0f} px of the {HEIGHT} px screen"
    for i, box in enumerate(boxes):
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"metric {i + 1} at {box}"
    # Still whole numbers (no ellipsis), still st.metric with its help.
    cut = phone.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricValue"] p')]
        .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent)""")
    assert cut == [], f"cut short: {cut}"
    assert "25,557,032" in metrics.first.inner_text()  # torchvision's resnet50 num_params
    assert phone.locator('[data-testid="stMetric"] [data-testid="stTooltipIcon"]').count() == 5
    _no_sideways_scroll(phone, f"Explorer ({lang})")
    _readable(phone, f"Explorer ({lang})")
    screenshot(phone, f"phone_explorer_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_phones_layer_table_shows_name_output_params_and_macs(app_url, phone, lang: str) -> None:
    _open(phone, f"{app_url}/?preset=resnet50&lang={lang}")
    _scroll_to(phone.locator('[data-testid="stDataFrame"]:visible'))
    grid = phone.evaluate(SHOWN_GRID)
    assert grid["left"] >= 0 and grid["right"] <= WIDTH, grid
    assert grid["overflow"] <= 0, f"the table scrolls {grid['overflow']} px sideways: {grid['headers']}"
    wanted = [
        (t("col.name", lang),),
        (t("col.output_shape", lang), t("col.short.output_shape", lang)),
        (t("col.params", lang), t("col.short.params", lang)),
        (t("col.macs", lang), t("col.short.macs", lang)),
    ]
    for names in wanted:
        assert any(n in grid["headers"] for n in names), f"no {names[0]!r} column in view: {grid['headers']}"
    # ResNet-50's stem conv: 64×7×7×3 = 9,408 weights, to a 64×112×112 map.
    assert grid["first"][:3] == ["conv1", "64×112×112", "9408"], grid["first"]
    _no_sideways_scroll(phone, f"Explorer's layer table ({lang})")
    screenshot(phone, f"phone_explorer_layers_{lang}")


def test_a_phone_shows_every_column_on_demand(app_url, phone) -> None:
    _open(phone, f"{app_url}/?preset=resnet50")
    toggle = phone.get_by_text(t("layers.all_columns", "en"), exact=True)
    _scroll_to(toggle)
    toggle.click()
    wait_for_app(phone)
    phone.wait_for_timeout(500)
    grid = phone.evaluate(SHOWN_GRID)
    assert t("col.kernel", "en") in grid["headers"], grid["headers"]
    assert grid["overflow"] > 0, "every column on a phone: the table itself scrolls sideways"
    _no_sideways_scroll(phone, "Explorer, every column")  # the page still does not


# --- the Lesson and Classify ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "lang"), [*((n, "en") for n in range(1, 8)), (2, "zh"), (3, "zh")], ids=lambda v: str(v)
)
def test_a_lesson_step_reads_on_a_phone_without_zooming(app_url, phone, step: int, lang: str) -> None:
    _open(phone, f"{app_url}/Lesson?step={step}&lang={lang}")
    if step == 2:  # the block diagram is drawn in the browser after the script has finished
        phone.locator('[data-testid="stGraphVizChart"] svg text:visible').first.wait_for()
    heading = t("lesson.heading", lang, n=step, total=7, title="").strip(" ·")
    assert heading in phone.locator("h1").first.inner_text()
    _no_sideways_scroll(phone, f"Lesson step {step} ({lang})")
    _readable(phone, f"Lesson step {step} ({lang})")
    if step in (2, 3):
        screenshot(phone, f"phone_lesson_{step}_{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_classify_reads_on_a_phone(app_url, phone, lang: str) -> None:
    _open(phone, f"{app_url}/Classify?lang={lang}")
    assert t("classify.title", lang) in phone.locator("h1").first.inner_text()
    _no_sideways_scroll(phone, f"Classify ({lang})")
    _readable(phone, f"Classify ({lang})")
    screenshot(phone, f"phone_classify_{lang}")


# --- the sidebar, which holds the model ------------------------------------------------------------
# The script that folds it is allowed by the deployment's CSP by its hash, which
# tests/app/test_phone_layout.py checks against the text the page draws. (Pages under that CSP are
# test_html_lang's; its Chromium cannot start while conftest's runs, so these use conftest's.)


def _sidebar_open(pg) -> bool:
    box = pg.locator(SIDEBAR).bounding_box()
    return box is not None and box["x"] + box["width"] > 0


def _pick(pg, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar's selectbox ``label``."""
    pg.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').filter(has_text=label).click()
    pg.get_by_role("option", name=option, exact=True).click()


@pytest.mark.parametrize("lang", LANGS)
def test_the_model_opens_from_a_phone_and_closes_after_each_change(app_url, phone, lang: str) -> None:
    pg = phone
    _open(pg, f"{app_url}/?preset=resnet50&lang={lang}")
    assert not _sidebar_open(pg), "a phone opens on the page, the sidebar folded away"
    expand = pg.get_by_test_id("stExpandSidebarButton")
    box = expand.bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= WIDTH and box["y"] >= 0

    for shortcut in ("C", "B"):  # twice: the second change must close it too
        expand.click()
        pg.wait_for_function(f"() => document.querySelector('{SIDEBAR}').getBoundingClientRect().left >= 0")
        preset = pg.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').first.bounding_box()
        assert preset["x"] >= 0 and preset["x"] + preset["width"] <= WIDTH, preset
        if shortcut == "C":
            screenshot(pg, f"phone_explorer_sidebar_{lang}")
        _pick(pg, t("cfg.shortcut", lang), t(f"cfg.shortcut.{shortcut}", lang))
        wait_for_app(pg)
        try:
            pg.wait_for_function(
                f"() => document.querySelector('{SIDEBAR}').getBoundingClientRect().right <= 0",
                timeout=15_000,
            )
        except Exception:
            pytest.fail(f"the sidebar still covers the page after changing the shortcut to {shortcut}")
        summary = pg.locator('[data-testid="stMain"] h3').first.inner_text()  # the model in words
        assert t(f"cfg.shortcut.{shortcut}", lang) in summary, summary
    screenshot(pg, f"phone_explorer_after_change_{lang}")


def test_a_desktop_sidebar_stays_open_after_a_change(app_url, browser) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    try:
        _open(pg, f"{app_url}/?preset=resnet50")
        assert _sidebar_open(pg)
        _pick(pg, t("cfg.shortcut", "en"), t("cfg.shortcut.C", "en"))
        wait_for_app(pg)
        pg.wait_for_timeout(1000)
        assert _sidebar_open(pg), "beside the page, the sidebar has no reason to close"
    finally:
        context.close()
