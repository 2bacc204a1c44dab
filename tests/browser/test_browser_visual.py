"""A real browser: the graph (folded and unfolded), the charts, the Compare and Paper pages render.

Screenshots go to artifacts/screenshots/ (see conftest); look at them.
"""

from __future__ import annotations

import pytest

from tests.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

GRAPH = '[data-testid="stGraphVizChart"]'
PLOTLY = '[data-testid="stPlotlyChart"]'
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def _no_errors(page) -> None:
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()


def _tall(page, height: int = 2400) -> None:
    # Streamlit scrolls inside its own container, so a full-page shot needs a tall window.
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(800)


def _open(page, url: str, ready: str) -> None:
    """Load ``url`` and wait until the element ``ready`` shows (the first run can be slow)."""
    page.goto(url)
    page.locator(ready).first.wait_for(timeout=120_000)
    wait_for_app(page)


def _pick(page, name: str) -> None:
    """Click a segmented-control option (Streamlit renders them as radio buttons)."""
    page.get_by_role("radio", name=name, exact=True).click()
    wait_for_app(page)


def _nodes(page, index: int = 0) -> int:
    page.locator(f"{GRAPH} svg g.node").first.wait_for()
    return page.locator(GRAPH).nth(index).locator("svg g.node").count()


def test_explorer_graph_folded_and_unfolded(app_url, page):
    _open(page, f"{app_url}/?preset=resnet152", 'role=radio[name="Graph"]')
    _pick(page, "Graph")
    folded = _nodes(page)
    _no_errors(page)
    assert "×35" in page.locator(GRAPH).first.inner_text()
    _tall(page, 3000)
    screenshot(page, "visual_graph_resnet152_folded")

    page.get_by_text("Fold repeated blocks (×N)").click()
    wait_for_app(page)
    page.wait_for_function(
        f"() => document.querySelectorAll('{GRAPH} svg g.node').length > {folded}", timeout=60_000
    )
    unfolded = _nodes(page)
    # 50 blocks, each a block node and an addition, plus 4 projections, stem, head, input, output.
    assert unfolded == 2 * 50 + 4 + 4
    _no_errors(page)
    screenshot(page, "visual_graph_resnet152_unfolded")


def test_explorer_graph_layers_and_inspector(app_url, page):
    _open(page, f"{app_url}/?preset=resnet20", 'role=radio[name="Graph"]')
    _pick(page, "Graph")
    _pick(page, "layers")
    _pick(page, "→ left to right")
    text = page.locator(GRAPH).first.inner_text()
    assert "zero-pad, /2" in text and "16×32×32" in text
    # The block inspector draws a second graph: Fig. 5's bottleneck at this model's width
    # (16 inside, 64-d map for the CIFAR nets).
    _pick(page, "bottleneck")
    inspector = page.locator(GRAPH).nth(1).inner_text()
    assert "1×1 conv, 16" in inspector and "1×1 conv, 64" in inspector and "64-d" in inspector
    _no_errors(page)
    _tall(page)
    screenshot(page, "visual_graph_resnet20_layers_lr")


def test_explorer_charts(app_url, page):
    _open(page, f"{app_url}/?preset=resnet50", 'role=radio[name="Charts"]')
    _pick(page, "Charts")
    page.locator(f"{PLOTLY} .main-svg").first.wait_for()
    _no_errors(page)
    screenshot(page, "visual_charts_stages")
    for name, shot in (
        ("options A / B / C", "visual_charts_shortcuts"),
        ("depth sweep", "visual_charts_sweep"),
        ("receptive field", "visual_charts_receptive_field"),
    ):
        _pick(page, name)
        # Only the chosen chart is built (the previous one goes once the rerun finishes).
        page.wait_for_function(
            f"() => document.querySelectorAll('{PLOTLY} .main-svg').length > 0"
            f" && document.querySelectorAll('{PLOTLY}').length === 1",
            timeout=60_000,
        )
        _no_errors(page)
        screenshot(page, shot)


def test_compare_page(app_url, page):
    _open(
        page,
        f"{app_url}/Compare?c1=resnet34;shortcut=A&c2=resnet34&c3=resnet34;shortcut=C",
        ".av-root .av-tick",
    )
    assert page.locator(".av-root").count() == 3  # one picture per model
    assert page.locator(PLOTLY).count() == 1
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    _no_errors(page)
    _tall(page, 2600)
    screenshot(page, "visual_compare_abc")


def test_compare_page_bad_link(app_url, page):
    _open(page, f"{app_url}/Compare?c1=nonsense&c2=resnet50;width=0", ".av-root .av-tick")
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() == 2
    assert "nonsense" in warnings.first.inner_text()
    assert page.locator(".av-root").count() == 2
    _no_errors(page)


def test_paper_page(app_url, page):
    _open(page, f"{app_url}/Paper", '[data-testid="stDataFrame"]')
    # Tables 1, 3, 6, torchvision's weights, then the successors' (pre-activation, ResNeXt, Wide ResNet).
    assert page.locator('[data-testid="stDataFrame"]').count() == 7
    _no_errors(page)
    _tall(page, 2600)
    screenshot(page, "visual_paper")
