"""A real browser on a real server: the Explorer loads, a control changes, the numbers follow."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _metric(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]', has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text()


def test_explorer_changes_with_a_control(page, app_url: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    assert _metric(page, "Parameters") == "11,689,512"  # torchvision resnet18
    assert page.locator('[data-testid="stDataFrame"]:visible').count() == 1  # the phone's table is hidden
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "explorer-resnet18")

    stages = page.get_by_label("Blocks per stage", exact=True).and_(page.get_by_role("textbox"))
    stages.fill("3,4,6,3")
    stages.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
        ".some(e => e.innerText === '21,797,672')"
    )  # torchvision resnet34
    wait_for_app(page)
    assert "stages=3%2C4%2C6%2C3" in page.url or "stages=3,4,6,3" in page.url
    assert page.locator('[data-testid="stAlert"]', has_text="differs from ResNet-18").count() == 1
    screenshot(page, "explorer-custom-resnet34")

    page.get_by_text("简体中文").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricLabel\"]')]"
        ".some(e => e.innerText.includes('参数量'))"
    )
    wait_for_app(page)
    assert _metric(page, "参数量") == "21,797,672"
    screenshot(page, "explorer-zh")


def test_shared_link_and_bad_link(page, app_url: str) -> None:
    page.goto(f"{app_url}/?preset=resnet50&shortcut=C")
    wait_for_app(page)
    assert _metric(page, "Parameters") == "40,128,552"  # paper: ResNet-50 with option C ≈ 40.1M
    page.goto(f"{app_url}/?preset=resnet50&shortcut=Z")
    wait_for_app(page)
    assert page.locator('[data-testid="stAlert"]', has_text="shortcut").count() >= 1
    assert _metric(page, "Parameters") == "25,557,032"
    screenshot(page, "explorer-bad-link")
