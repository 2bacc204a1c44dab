"""The Training lab in a real browser at 1366x768 (a classroom projector), in English and in 简体中文:
Start on the first screen, live curves mid-run, the words at the end."""

from __future__ import annotations

import re

import pytest

from resnet_explorer.i18n import t
from tests.conftest import screenshot, wait_for_app


def shot(page, name: str) -> None:
    """The whole page, and what the projector shows (the 1366x768 viewport) as ``<name>_screen.png``."""
    path = screenshot(page, name)
    page.screenshot(path=str(path.with_name(f"{name}_screen.png")))


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_training_lab_live_curves_and_result(app_url, browser, lang):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{app_url}/Training_lab?lang={lang}")
        wait_for_app(page)
        # Seen on a freshly started server (router, not this page): Streamlit's "Page not found" dialog
        # over the right page. Close it so that it does not hide the page being tested.
        if page.locator('[role="dialog"]').count():
            page.keyboard.press("Escape")
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
        start = page.get_by_role("button", name=t("train.start", lang), exact=True)
        box = start.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, f"Start at {box}: not on the first screen"
        shot(page, f"training_lab_open_{lang}")
        epochs = page.get_by_label(t("train.epochs", lang))
        epochs.fill("3")
        epochs.press("Enter")
        wait_for_app(page)
        start.click()
        # mid-run: the first epoch is on the chart (3 figures: two of gradient flow, the live curves)
        page.get_by_text(re.compile(r"2/3")).first.wait_for(timeout=600_000)
        page.wait_for_timeout(1500)
        assert page.locator(
            '[data-testid="stBaseButton-secondary"]', has_text=t("train.stop", lang)
        ).is_enabled()
        shot(page, f"training_lab_mid_run_{lang}")
        done = t("train.status.done", lang, s="__S__").split("__S__")[0]
        page.get_by_text(done).first.wait_for(timeout=900_000)
        wait_for_app(page)
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert t("train.csv", lang) in body, body[-2000:]
        assert t("train.use_classify", lang, label="ResNet-56") in body, body[-2000:]
        # the conclusions: plain-56 against plain-20, ResNet-56 against plain-56
        assert "plain-56" in body and "ResNet-56" in body and "%" in body
        page.get_by_text(done).first.scroll_into_view_if_needed()
        shot(page, f"training_lab_end_{lang}")
    finally:
        context.close()
