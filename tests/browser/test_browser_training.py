"""The Training lab in a real browser: gradient flow on arrival, live curves mid-run, the words at the end."""

from __future__ import annotations

import re

import pytest

from tests.conftest import screenshot, wait_for_app


@pytest.mark.browser
@pytest.mark.slow
def test_training_lab_live_curves_and_result(app_url, page):
    page.goto(f"{app_url}/Training_lab")
    wait_for_app(page)
    page.get_by_text("One forward and backward pass of a fresh plain-56").wait_for(timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
    screenshot(page, "training_lab_gradient_flow")

    epochs = page.get_by_label("Epochs")
    epochs.fill("4")
    epochs.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start training").click()
    # mid-run: the second epoch's points are on the chart and the bar shows time left
    page.get_by_text(re.compile(r"Epoch 3/4 · .* left")).first.wait_for(timeout=600_000)
    page.wait_for_timeout(1500)
    # (Streamlit's own header also has a "Stop" button: pick the page's)
    assert page.locator('[data-testid="stBaseButton-secondary"]', has_text="Stop").is_enabled()
    page.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
    screenshot(page, "training_lab_mid_run")
    page.get_by_text(re.compile(r"Finished in \d+ s")).wait_for(timeout=900_000)
    wait_for_app(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert re.search(r"plain-56 ended at [\d.]+% training error", body), body[-2000:]
    assert "Curves (CSV)" in body and "Use ResNet-56 on the Classify page" in body
    page.get_by_text("Curves (CSV)").scroll_into_view_if_needed()
    screenshot(page, "training_lab_end")
