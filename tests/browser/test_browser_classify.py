"""The Classify page in a real browser: upload a photo, see the top-5 chart, the feature maps and the CAM.

This also exercises what AppTest cannot: the page running under ``streamlit run``, whose spawned
worker process imports the page file as its main module (the page guards against drawing there).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from resnet_explorer.classify.images import sample_photos

try:
    from tests.conftest import screenshot, wait_for_app
except ImportError:  # pragma: no cover - when tests/ is on sys.path itself
    from conftest import screenshot, wait_for_app


def _wait_for_outcome(page) -> None:
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    wait_for_app(page)


@pytest.mark.browser
def test_upload_a_photo_and_see_top5_feature_maps_and_cam(page, app_url, tmp_path):
    photo = tmp_path / "flower.jpg"
    sample_photos()["flower.jpg"].save(photo, "JPEG", quality=92)
    page.goto(f"{app_url}/Classify?preset=resnet18")
    _wait_for_outcome(page)  # the offline digits model classifies a sample first
    page.get_by_text("Random initialisation (untrained)").click()
    wait_for_app(page)
    page.get_by_role("radio", name="Upload", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(photo))
    _wait_for_outcome(page)

    body = page.inner_text("body")
    assert "Untrained — predictions are meaningless" in body
    assert "Weights in use: random initialisation, seed 0" in body
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 1
    assert "Top 5 classes" in page.locator('[data-testid="stPlotlyChart"]').inner_text()
    for text in (
        "Class activation map for",
        "Preprocessing, step by step",
        "centre crop 224 px",
        "Feature maps after the stem and each stage",
        "stage 4 (layer4): 512×7×7",
    ):
        assert text in body, text
    # original, resized, cropped, normalised + CAM + five feature-map grids
    assert page.locator('[data-testid="stImage"]').count() >= 10
    page.set_viewport_size({"width": 1400, "height": 2900})  # Streamlit scrolls inside; show it all
    page.wait_for_timeout(1500)
    screenshot(page, "classify_upload_random")
    for width in (1400, 800, 390):  # a projector, a tablet, a phone: the maps read in stage order
        page.set_viewport_size({"width": width, "height": 2900 if width > 400 else 6000})
        page.wait_for_timeout(1200)
        maps = page.locator('[data-testid="stImage"]').filter(has_text="channels")
        seen = []
        for n in range(maps.count()):
            box = maps.nth(n).bounding_box()
            seen.append((round(box["y"] / 10), box["x"], maps.nth(n).inner_text().split(":")[0]))
        order = [name for _, _, name in sorted(seen)]
        assert order == ["stem", *(f"stage {k} (layer{k})" for k in range(1, 5))], (width, order)


@pytest.mark.browser
def test_bad_upload_shows_a_message_and_chinese_labels(page, app_url, tmp_path):
    bad = tmp_path / "broken.png"
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), "red").save(buf, "PNG")
    bad.write_bytes(buf.getvalue()[:200])
    page.goto(f"{app_url}/Classify?preset=resnet18&lang=zh")
    _wait_for_outcome(page)
    page.get_by_text("随机初始化（未训练）").click()
    wait_for_app(page)
    page.get_by_role("radio", name="上传", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=120_000)
    assert "图像被拒绝" in page.inner_text("body")
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.wait_for_timeout(1000)
    screenshot(page, "classify_bad_upload_zh")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_first_screen_of_a_projector_shows_the_result(page, app_url, lang):
    """At 1366×768 the digits model's prediction and its activation map are visible without scrolling."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/Classify?preset=resnet18" + ("&lang=zh" if lang == "zh" else ""))
    _wait_for_outcome(page)
    page.wait_for_timeout(1500)
    cam_caption = "Where the evidence for" if lang == "en" else "的证据所在位置"
    cam = page.locator('[data-testid="stImage"]').filter(has_text=cam_caption)
    for what, element in (
        ("prediction", page.locator('[data-testid="stMetric"]').first),
        ("activation map", cam.first),
    ):
        box = element.bounding_box()
        assert box is not None, f"no {what} on the page"
        assert 0 <= box["y"] and box["y"] + box["height"] <= 768, f"the {what} is off the first screen: {box}"
    body = page.inner_text("body")
    assert ("ResNet-20 · CIFAR layout" if lang == "en" else "ResNet-20 · CIFAR 结构") in body
    screenshot(page, f"classify_first_screen_{lang}")
