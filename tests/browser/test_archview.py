"""The architecture picture in a real browser (issue 20): the whole network on the first screen, the
wheel zooms it, a click opens a stage and a block, the inspector shows torchvision's numbers, the view
lives in the link, a knob change reshapes and marks the picture, and a phone gets it at its width."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
import torch
import torchvision

from resnet_explorer import PRESETS
from resnet_explorer.i18n import t
from resnet_explorer.visual.scene import scene
from tests.conftest import screenshot, wait_for_app

SCROLLER = '[data-testid="stMain"]'  # Streamlit's main area scrolls, not the document


def _open(browser, url: str, width: int = 1366, height: int = 768):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    wait_for_app(page)
    page.locator(".av-frame").wait_for()
    page.wait_for_timeout(500)
    return context, page


def _inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "preset",
    ["resnet152", "resnet1202", "resnet18", "resnet50", "resnet56", "resnext50_32x4d", "preact_resnet164"],
)
def test_the_whole_network_is_on_the_first_screen(app_url, browser, preset: str, lang: str) -> None:
    context, page = _open(browser, f"{app_url}/?preset={preset}&lang={lang}")
    try:
        frame = page.locator(".av-frame").bounding_box()
        screen = {"x": 0, "y": 0, "width": 1366, "height": 768}
        assert frame is not None and _inside(frame, screen), f"the picture at {frame}, off the first screen"
        for group in scene(PRESETS[preset], lang)["groups"]:
            node = page.locator(f'[data-id="{group["id"]}"]')
            box = node.bounding_box()
            assert box is not None and _inside(box, frame), f"{group['id']} at {box}, outside {frame}"
            text = node.text_content()
            assert group["out"] in text, (group["id"], text)
            if group["kind"] == "stage":
                # the paper's name, the code's name, the block kind and its count on the box
                for part in (group["paper"], group["code"], f"{group['block']} ×{group['count']}"):
                    assert part in text, (part, text)
        screenshot(page, f"archview_{preset}_{lang}_1366")
    finally:
        context.close()


def _zoom(page) -> float:
    return float(page.locator(".av-svg").get_attribute("data-zoom"))


@pytest.mark.browser
def test_wheel_and_keys_zoom_the_picture_not_the_page(app_url, browser) -> None:
    context, page = _open(browser, f"{app_url}/?preset=resnet50")
    try:
        frame = page.locator(".av-frame")
        box = frame.bounding_box()
        before, scrolled = _zoom(page), page.eval_on_selector(SCROLLER, "e => e.scrollTop")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(300)
        assert _zoom(page) > before * 1.3, (before, _zoom(page))
        assert page.eval_on_selector(SCROLLER, "e => e.scrollTop") == scrolled, "the wheel scrolled the page"
        frame.focus()
        page.keyboard.press("0")
        assert abs(_zoom(page) - before) < 1e-3
        page.keyboard.press("+")
        assert _zoom(page) > before
        page.keyboard.press("-")
        page.keyboard.press("-")
        assert _zoom(page) < before
        # a drag pans (the transform moves), and is not taken for a click that opens a stage
        page.keyboard.press("0")
        transform = page.locator(".av-viewport").get_attribute("transform")
        page.mouse.move(box["x"] + 200, box["y"] + 60)
        page.mouse.down()
        page.mouse.move(box["x"] + 120, box["y"] + 90, steps=6)
        page.mouse.up()
        assert page.locator(".av-viewport").get_attribute("transform") != transform
    finally:
        context.close()


def _block_params(name: str, stage: str, index: int) -> int:
    with torch.device("meta"):
        tv = getattr(torchvision.models, name)(weights=None)
    return sum(p.numel() for p in getattr(tv, stage)[index].parameters())


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_click_opens_a_stage_a_block_and_fills_the_inspector(app_url, browser, lang: str) -> None:
    context, page = _open(browser, f"{app_url}/?preset=resnet152&lang={lang}")
    try:
        stage = page.locator('[data-id="layer3"]')
        assert stage.get_attribute("aria-expanded") == "false"
        stage.click()
        page.locator('[data-id="layer3.0"]').wait_for()
        assert page.locator('[data-id="layer3"]').get_attribute("aria-expanded") == "true"
        # 35 identical identity blocks stay one box until it is opened
        assert page.locator('[data-id="layer3/r1"]').count() == 1
        assert page.locator('[data-id="layer3.20"]').count() == 0
        page.locator('[data-id="layer3.0"]').click()
        page.locator('[data-id="layer3.0.conv2"]').wait_for()
        inspector = page.locator(".av-inspector")
        expected = _block_params("resnet152", "layer3", 0)
        assert f"{expected:,}" in inspector.inner_text(), inspector.inner_text()
        # a layer: its count and the arithmetic behind it (3·3·256·256 for conv4_x's 3x3 conv)
        page.locator('[data-id="layer3.0.conv2"]').click()
        text = inspector.inner_text()
        assert "3·3·256·256 = 589,824" in text and "589,824·14·14" in text, text
        assert t("arch.ui.macs", lang) in text
        screenshot(page, f"archview_open_block_{lang}_1366")
        # the view is in the link: the page keeps it there after its rerun
        page.wait_for_function(
            "() => location.search.includes('sel=layer3.0.conv2')"
        )  # the last click's rerun
        query = parse_qs(urlparse(page.url).query)
        assert set(query["open"][0].split(",")) == {"layer3", "layer3.0"}, query
        assert query["sel"] == ["layer3.0.conv2"]
        # and a teacher's link opens the same view
        page.goto(page.url)
        wait_for_app(page)
        page.locator('[data-id="layer3.0.conv2"]').wait_for()
        assert "589,824" in page.locator(".av-inspector").inner_text()
    finally:
        context.close()


@pytest.mark.browser
def test_a_knob_change_reshapes_and_marks_the_stage(app_url, browser) -> None:
    context, page = _open(browser, f"{app_url}/?preset=resnet50")
    try:
        box = page.get_by_label(t("cfg.stages", "en"), exact=True)
        box.fill("3,4,9,3")
        box.press("Enter")
        node = page.locator('[data-id="layer3"]')
        node.locator("text=×9").first.wait_for(timeout=60_000)
        assert node.get_attribute("data-changed") == "true"  # marked (and outlined for a moment)
        assert page.locator('[data-id="layer2"]').get_attribute("data-changed") is None
        assert page.locator('[data-id="layer3"] .av-tick').count() == 9  # a tick per block
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_phone_gets_the_picture_at_its_width_within_two_screens(app_url, browser, lang: str) -> None:
    context, page = _open(browser, f"{app_url}/?preset=resnet50&lang={lang}", 390, 844)
    try:
        frame = page.locator(".av-frame")
        box = frame.bounding_box()
        assert box["width"] <= 390, box
        top = page.eval_on_selector(
            ".av-frame",
            f"e => e.getBoundingClientRect().top + document.querySelector('{SCROLLER}').scrollTop",
        )
        assert top <= 2 * 844, f"the picture starts {top:.0f} px down: more than two screens"
        for group in scene(PRESETS["resnet50"], lang)["groups"]:
            node = page.locator(f'[data-id="{group["id"]}"]').bounding_box()
            assert node["x"] >= box["x"] - 1 and node["x"] + node["width"] <= box["x"] + box["width"] + 1
        # text at a readable size: the stage names are drawn at 14 px or more
        size = page.eval_on_selector('[data-id="layer3"] text', "e => e.getBoundingClientRect().height")
        assert size >= 14, size
        frame.scroll_into_view_if_needed()
        path = screenshot(page, f"archview_phone_{lang}")
        page.screenshot(path=str(path.with_name(f"archview_phone_{lang}_screen.png")))
    finally:
        context.close()


def _pinch(page, cdp, cx: float, cy: float, start: float, end: float, steps: int = 8) -> None:
    """Two fingers at (cx ± d, cy), d going from ``start`` to ``end`` px: Chromium's own touch input
    (CDP Input.dispatchTouchEvent), which reaches the page as touch pointer events."""

    def points(d: float) -> list[dict]:
        return [{"x": cx - d, "y": cy, "id": 0}, {"x": cx + d, "y": cy, "id": 1}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(start)})
    for i in range(1, steps + 1):
        d = start + (end - start) * i / steps
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(d)})
        page.wait_for_timeout(30)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(200)


@pytest.mark.browser
def test_a_pinch_zooms_the_picture_on_a_touch_screen_and_the_page_on_a_phone(app_url, browser) -> None:
    # A touch laptop or tablet at 1366×768: two fingers spreading over the picture zoom the picture
    context = browser.new_context(viewport={"width": 1366, "height": 768}, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(f"{app_url}/?preset=resnet50")
        wait_for_app(page)
        box = page.locator(".av-frame").bounding_box()
        page.wait_for_timeout(500)
        before, scrolled = _zoom(page), page.eval_on_selector(SCROLLER, "e => e.scrollTop")
        cdp = context.new_cdp_session(page)
        _pinch(page, cdp, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, 30, 120)
        assert _zoom(page) > before * 2, (before, _zoom(page))  # the fingers moved 4× apart
        assert page.eval_on_selector(SCROLLER, "e => e.scrollTop") == scrolled
        _pinch(page, cdp, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, 120, 30)
        assert abs(_zoom(page) - before) < before * 0.25, (before, _zoom(page))  # and back
    finally:
        context.close()
    # A phone: the picture is as tall as it is and a pinch zooms the page, as everywhere on a phone, so
    # the picture must leave pinching to the browser and the page must not forbid zooming
    context, page = _open(browser, f"{app_url}/?preset=resnet50", 390, 844)
    try:
        action = page.eval_on_selector(".av-frame", "e => getComputedStyle(e).touchAction")
        assert "pinch-zoom" in action or action == "auto", action
        meta = page.eval_on_selector('meta[name="viewport"]', "e => e.content").replace(" ", "")
        assert "user-scalable=no" not in meta and "maximum-scale=1" not in meta, meta
    finally:
        context.close()


@pytest.mark.browser
def test_the_picture_exports_as_svg(app_url, browser) -> None:
    context, page = _open(browser, f"{app_url}/?preset=resnet18")
    try:
        with page.expect_download() as info:
            page.get_by_role("button", name=t("arch.ui.export_svg", "en"), exact=True).click()
        svg = open(info.value.path(), encoding="utf-8").read()
        assert svg.startswith("<svg") and "conv4_x" in svg and re.search(r"viewBox=\"0 0 \d", svg)
    finally:
        context.close()


def _marked(page, picture: int) -> set[str]:
    ticks = page.locator(".av-root").nth(picture).locator(".av-tick.av-diff")
    return {ticks.nth(i).get_attribute("data-block") for i in range(ticks.count())}


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # plain-34 against ResNet-34: every block gained a shortcut
        (
            "c1=plain34&c2=resnet34",
            {f"layer{i}.{j}" for i, n in enumerate((3, 4, 6, 3), 1) for j in range(n)},
        ),
        # ResNet-50 B against C: C projects every shortcut, B only the first of each stage
        (
            "c1=resnet50&c2=resnet50;shortcut=C",
            {f"layer{i}.{j}" for i, n in enumerate((3, 4, 6, 3), 1) for j in range(1, n)},
        ),
    ],
)
def test_compare_marks_exactly_the_differing_blocks(app_url, browser, query: str, expected: set[str]) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{app_url}/Compare?{query}")
        wait_for_app(page)
        page.locator(".av-root").nth(1).locator(".av-tick").first.wait_for()
        assert _marked(page, 0) == set()
        assert _marked(page, 1) == expected
        # one scale: the same zoom, and a block's tick as wide, in both pictures
        roots = [page.locator(".av-root").nth(k) for k in (0, 1)]
        zooms = [r.locator(".av-svg").get_attribute("data-zoom") for r in roots]
        ticks = [r.locator(".av-tick").first.get_attribute("width") for r in roots]
        assert zooms[0] == zooms[1] and ticks[0] == ticks[1], (zooms, ticks)
        page.locator(".av-root").nth(1).scroll_into_view_if_needed()
        screenshot(page, f"compare_diff_{query.split('&')[1].split('=')[1].replace(';', '_')}")
    finally:
        context.close()
