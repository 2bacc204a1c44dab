"""What only a browser shows of the classroom details (issue 24 §3): sizes as drawn, labels after a switch.

At a projector's 1366×768: the Lesson's block diagram has no label under 14 px, and step 5's VGG-19
working fits its box without a scroll bar. After a language switch, the graph's Stage box speaks the new
language. Screenshots go to artifacts/screenshots/classroom_*.png.
"""

from __future__ import annotations

import pytest

from tests.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

# Each visible label of the drawing: its font size as computed, times the SVG's scale on screen.
LABEL_PX = """() => [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg text')]
    .filter(t => t.getClientRects().length && t.getBoundingClientRect().width > 0)
    .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])"""
CODE_OVERFLOW = """() => [...document.querySelectorAll('[data-testid="stCode"] pre')]
    .map(p => p.scrollWidth - p.clientWidth)"""


def _open(pg, url: str) -> None:
    pg.goto(url)
    pg.locator('[data-testid="stHeading"]').first.wait_for(timeout=120_000)
    wait_for_app(pg)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_block_diagram_labels_are_at_least_14_px_on_a_projector(app_url, projector, lang) -> None:
    pg = projector
    _open(pg, f"{app_url}/Lesson?step=2&lang={lang}")
    for width in ("64", "512"):
        if width == "512":  # the widest labels: 2,359,296 weights
            pg.get_by_role("slider").first.focus()
            pg.keyboard.press("End")
            wait_for_app(pg)
        pg.locator('[data-testid="stGraphVizChart"] svg text').first.wait_for()
        pg.wait_for_timeout(500)
        labels = pg.evaluate(LABEL_PX)
        assert labels, "no label drawn"
        small = [(text, round(px, 1)) for text, px in labels if px < 14]
        assert not small, f"width {width} ({lang}): labels under 14 px: {small}"
        screenshot(pg, f"classroom_lesson2_{lang}_{width}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_vgg19_working_fits_its_box(app_url, projector, lang) -> None:
    pg = projector
    _open(pg, f"{app_url}/Lesson?step=5&lang={lang}")
    overflow = pg.evaluate(CODE_OVERFLOW)
    screenshot(pg, f"classroom_lesson5_{lang}")
    assert overflow and max(overflow) <= 0, f"the working needs {overflow} px of sideways scrolling"


def test_the_graph_stage_box_follows_a_language_switch(app_url, projector) -> None:
    pg = projector
    _open(pg, f"{app_url}/?preset=resnet50")
    pg.get_by_role("button", name="Graph").or_(pg.get_by_role("radio", name="Graph")).first.click()
    wait_for_app(pg)
    stage = pg.locator('[data-testid="stSelectbox"]').filter(has_text="Stage").locator("input")
    assert stage.input_value() == "whole network"  # the box shows its choice in its search field
    pg.get_by_text("简体中文").first.click()
    pg.wait_for_timeout(1000)
    wait_for_app(pg)
    stage = pg.locator('[data-testid="stSelectbox"]').filter(has_text="阶段").locator("input")
    screenshot(pg, "classroom_graph_stage_zh")
    assert stage.input_value() == "整个网络"
