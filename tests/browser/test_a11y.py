"""Accessibility in a real browser (WCAG 2.2 AA; issue 24 §1), every page in English and 简体中文.

axe-core is Deque's rule engine (MPL-2.0), as the PyPI package ``axe-playwright-python`` ships it
(pinned in requirements-test.txt; 0.1.8 bundles axe-core 4.12.1 as ``axe.min.js``). Before this test,
axe found per language 1 critical and 15 serious violations over these pages: grey captions at
3.88:1, nine images without alt text on Classify, a chart with an unnamed part on Lesson 1, a code
block on Lesson 5 that the keyboard could not scroll. The keyboard checks measure what a person
pressing Tab meets: from the model controls the Explorer's picture was 29 Tabs away.
"""

from __future__ import annotations

import re

import pytest

from resnet_explorer.i18n import t
from resnet_explorer.lesson import N_STEPS
from resnet_explorer.ui.router import PAGES
from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

LANGS = ("en", "zh")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _states() -> list[str]:
    """Every page's address, each Lesson step as its own page: read from the router, so a new page is
    checked without touching this test."""
    out = []
    for spec in PAGES:
        if spec.url_path == "Lesson":
            out += [f"Lesson?step={n}" for n in range(1, N_STEPS + 1)]
        else:
            out.append(spec.url_path)
    return out


def _open(pg, app_url: str, state: str, lang: str) -> None:
    sep = "&" if "?" in state else "?"
    pg.goto(f"{app_url}/{state}{sep}lang={lang}")
    wait_for_app(pg)


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    yield pg
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_nothing_serious_on_any_page(app_url, desk, lang):
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    for state in _states():
        _open(desk, app_url, state, lang)
        for v in axe.run(desk).response["violations"]:
            if v["impact"] in ("critical", "serious"):
                where = "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
                found.append(f"/{state} ({lang}): {v['id']} ({v['impact']}, {len(v['nodes'])}×) at {where}")
    assert not found, "axe-core:\n" + "\n".join(found)


def _unnamed(pg, lang: str) -> list[str]:
    """Charts and images in the main area without a text alternative in ``lang``."""
    named = pg.evaluate(
        """() => [
            ...[...document.querySelectorAll('[data-testid="stMain"] img')]
                .map(e => ['img ' + e.src.slice(-12), e.getAttribute('alt') || '']),
            ...[...document.querySelectorAll('[data-testid="stMain"] :is([data-testid="stPlotlyChart"],'
                + '[data-testid="stGraphVizChart"], [data-testid="stVegaLiteChart"])')]
                .map(e => [e.dataset.testid, e.getAttribute('aria-label') || '']),
        ]"""
    )
    assert named, "no chart or image on this page: the test no longer looks at what it should"
    want_cjk = lang == "zh"
    return [
        f"{what}: {text!r}" for what, text in named if not text.strip() or bool(CJK.search(text)) != want_cjk
    ]


# Pages with charts or images as they open (the Training lab's gradient and activation charts), and
# the Explorer's two views that draw one.
ALT_STATES = ("Classify", "Compare", "Lesson?step=1", "Lesson?step=2", "Training_lab")


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_and_image_has_a_text_alternative_in_the_readers_language(app_url, desk, lang):
    missing = []
    for state in ALT_STATES:
        _open(desk, app_url, state, lang)
        missing += [f"/{state}: {m}" for m in _unnamed(desk, lang)]
    for view in ("graph", "charts"):
        _open(desk, app_url, "", lang)
        desk.locator('[data-testid="stMain"] button', has_text=t(f"view.{view}", lang)).first.click()
        wait_for_app(desk)
        missing += [f"/ ({view}): {m}" for m in _unnamed(desk, lang)]
    assert not missing, f"without a text alternative in {lang}:\n" + "\n".join(missing)


# The focused element (inside a shadow root too), its widget key, and where it sits: in the sidebar
# measured from the top of the sidebar's content, which scrolls as the focus moves down it.
FOCUSED = """() => {
    let e = document.activeElement;
    while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    const host = document.activeElement;
    const key = host.closest('[class*="st-key-"]');
    const bar = host.closest('[data-testid="stSidebarUserContent"]');
    const r = e.getBoundingClientRect();
    return {
        tag: e.tagName,
        label: e.getAttribute('aria-label') || '',
        key: key ? [...key.classList].find(c => c.startsWith('st-key-')).slice(7) : '',
        sidebar: !!host.closest('[data-testid="stSidebar"]'),
        x: Math.round(r.left),
        y: Math.round(r.top - (bar ? bar.getBoundingClientRect().top : 0)),
    };
}"""


def _tabs(pg, n: int) -> list[dict]:
    seen = []
    for _ in range(n):
        pg.keyboard.press("Tab")
        seen.append(pg.evaluate(FOCUSED))
    return seen


def test_the_picture_is_three_keys_from_the_model_controls(app_url, desk):
    # Preset, the first control: Shift+Tab to its own "?", again to the skip link, Enter (29 Tabs before).
    _open(desk, app_url, "", "en")
    desk.locator(".st-key-cfg-preset input").focus()
    desk.keyboard.press("Shift+Tab")
    desk.keyboard.press("Shift+Tab")
    assert desk.evaluate(FOCUSED)["key"].startswith("re_skip"), (
        f"not at the skip link: {desk.evaluate(FOCUSED)}"
    )
    desk.keyboard.press("Enter")
    desk.wait_for_timeout(300)
    assert desk.evaluate(FOCUSED)["key"] == "arch", (
        f"the skip link left the focus on {desk.evaluate(FOCUSED)}"
    )


def test_the_sidebar_tab_order_follows_its_rows_and_skips_help(app_url, desk):
    _open(desk, app_url, "", "en")
    desk.locator(".st-key-cfg-preset input").focus()
    stops = [desk.evaluate(FOCUSED)]
    stops += _tabs(desk, 12)
    stops = stops[: next(i for i, s in enumerate(stops) if not s["sidebar"])]
    # A help "?" before its control is a stop on the way to every control: 11 of them before.
    befores = [
        a["label"]
        for a, b in zip(stops, stops[1:], strict=False)
        if a["label"].startswith("Help for") and a["key"] == b["key"]
    ]
    assert not befores, f"help buttons in the main path: {befores}"
    controls = [s for s in stops if s["tag"] == "INPUT"]
    for a, b in zip(controls, controls[1:], strict=False):
        same_row = abs(a["y"] - b["y"]) < 12
        assert (same_row and b["x"] > a["x"]) or b["y"] > a["y"] + 12, (
            f"Tab goes from {a['key']} at ({a['x']}, {a['y']}) to {b['key']} at ({b['x']}, {b['y']})"
        )


def test_sidebar_links_show_a_focus_ring(app_url, desk):
    _open(desk, app_url, "Paper", "en")
    desk.keyboard.press("Tab")  # Streamlit's "Skip to main content"
    desk.keyboard.press("Tab")
    ring = desk.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
            return [e.dataset.testid, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert ring[0] == "stSidebarNavLink", f"the second Tab reached {ring[0]}, not the first page link"
    assert ring[1] != "none" and ring[2] >= 2, f"a focused page link has no visible ring: outline {ring[1:]}"
