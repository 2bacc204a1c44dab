"""The Classify page through AppTest: sources, uploads of bad images and checkpoints, the outcome.

AppTest (Streamlit 1.67) supports ``file_uploader`` uploads, so every bad input goes in the way a
student's browser would send it; the page must show a specific message and keep working. The
page is opened through ``app.py`` (its entrypoint, so the sidebar's page links resolve) and runs
its jobs in the real spawned worker process.
"""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save as st_save
from streamlit.testing.v1 import AppTest

from resnet_explorer import PRESETS, build_model
from resnet_explorer.classify import weights as W
from resnet_explorer.classify.inference import class_names
from resnet_explorer.classify.worker import ClassifyJob, config_source, run_job

APP = os.path.join(os.path.dirname(__file__), "..", "..", "app.py")
PAGE = "pages/Classify.py"


def _open(config_name: str = "resnet18") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["preset"] = config_name
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _png(im: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def _texts(at: AppTest) -> str:
    kinds = ("error", "warning", "info", "caption")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def test_random_init_classifies_a_sample_and_says_it_is_untrained():
    at = _open("resnet18")
    assert "not downloaded" in at.radio(key="cls.source").options[0]
    at.radio(key="cls.source").set_value("imagenet:IMAGENET1K_V1").run()
    assert "weights download resnet18" in "\n".join(c.value for c in at.code)
    at.radio(key="cls.source").set_value("random").run()
    assert not at.exception
    assert "meaningless" in _texts(at)
    assert "random initialisation, seed 0" in _texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Inference time (one forward pass)"].endswith(" ms")
    # Outside truth: the same seeded model built here predicts the same class.
    torch.manual_seed(0)
    job = ClassifyJob(config_source("random", PRESETS["resnet18"], "r", seed=0), sample_photo="china.jpg")
    inline = run_job(job)
    assert metrics["Prediction"] == str(inline.result.top[0][0])
    assert len(at.get("plotly_chart")) == 1
    # Picking another class for the CAM redraws without re-running the job.
    outcome = at.session_state["cls.outcome"]
    cam = at.selectbox(key="cls.cam_class")
    cam.set_value(cam.options and inline.result.top[3][0]).run()
    assert at.session_state["cls.outcome"] is outcome
    assert not at.exception


_NOISE = Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8))
# Streamlit itself refuses other extensions (a .tif never reaches the page): a TIFF renamed .png does.
BAD_IMAGES = {
    "empty.png": (b"", "empty"),
    "notes.png": (b"just some text, not an image" * 20, "not an image"),
    "scan.png": (_png(Image.new("RGB", (32, 32)), "TIFF"), "TIFF images are not accepted"),
    "tiny.png": (_png(Image.new("RGB", (1, 1))), "1×1"),
    "cut.png": (_png(_NOISE)[:3000], "truncated"),
}


def test_bad_image_uploads_get_specific_messages_and_the_page_recovers():
    at = _open("resnet18")
    at.radio(key="cls.source").set_value("random").run()
    at.segmented_control(key="cls.input").set_value("upload").run()
    uploader = at.file_uploader(key="cls.image")
    for name, (data, words) in BAD_IMAGES.items():
        uploader.set_value((name, data, "image/png")).run()
        assert not at.exception, name
        errors = "\n".join(e.value for e in at.error)
        assert "Image refused" in errors and words in errors, (name, errors)
        uploader = at.file_uploader(key="cls.image")
    rgba = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    uploader.set_value(("ok.png", _png(rgba), "image/png")).run()
    assert not at.error and not at.exception
    assert "placed on white" in _texts(at)
    assert len(at.get("plotly_chart")) == 1


def _state(config_name: str) -> dict[str, torch.Tensor]:
    torch.manual_seed(5)
    return dict(build_model(PRESETS[config_name]).state_dict())


def _torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


class _Payload:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_checkpoint_uploads(tmp_path):
    at = _open("resnet20")
    assert at.radio(key="cls.source").options[0] != "imagenet:IMAGENET1K_V1"
    at.radio(key="cls.source").set_value("upload").run()
    marker = tmp_path / "pwned"
    state = _state("resnet20")
    cases = [
        ("evil.pt", _torch_bytes({**state, "x": _Payload(str(marker))}), "posix.system"),
        ("random.pt", os.urandom(5000), "not a PyTorch checkpoint"),
        ("model.pt", _torch_bytes(build_model(PRESETS["resnet20"])), "whole pickled model"),
        ("empty.safetensors", b"", "empty"),
        ("nan.safetensors", st_save({**state, "fc.bias": torch.full((10,), float("nan"))}), "NaN"),
    ]
    for name, data, words in cases:
        at.file_uploader(key="cls.ckpt").set_value((name, data, "application/octet-stream")).run()
        assert not at.exception, name
        errors = "\n".join(e.value for e in at.error)
        assert "Checkpoint refused" in errors and words in errors, (name, errors)
    assert not marker.exists(), "the uploaded pickle's code ran"

    wrong = {k: v for k, v in state.items() if k != "fc.weight"}
    wrong["fc.bias"] = torch.zeros(3)
    at.file_uploader(key="cls.ckpt").set_value(("wrong.safetensors", st_save(wrong), "x")).run()
    table = at.dataframe[0].value
    problems = dict(zip(table["key"], table["problem"], strict=True))
    assert problems == {"fc.bias": "wrong shape", "fc.weight": "missing"}

    nested = {"state_dict": {f"module.{k}": v for k, v in state.items()}}
    at.file_uploader(key="cls.ckpt").set_value(("good.pth", _torch_bytes(nested), "x")).run()
    assert not at.error and not at.exception
    assert "Weights in use: **good.pth**" in _texts(at)
    assert "“module.” prefix" in _texts(at)
    # Outside truth: the same weights loaded directly into a fresh model give the same top class.
    model = build_model(PRESETS["resnet20"]).eval()
    model.load_state_dict(state)
    direct = run_job(
        ClassifyJob(
            config_source("upload", PRESETS["resnet20"], "g", data=st_save(state), filename="g.safetensors"),
            sample_photo="china.jpg",
        )
    )
    assert {m.label: m.value for m in at.metric}["Prediction"] == str(direct.result.top[0][0])


def test_offline_download_button_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def refuse(url, timeout):
        raise OSError("network unreachable")

    monkeypatch.setattr(W, "_urlopen", refuse)
    at = _open("resnet50")
    options = at.radio(key="cls.source").options
    assert any("IMAGENET1K_V2" in o for o in options) and any("IMAGENET1K_V1" in o for o in options)
    at.radio(key="cls.source").set_value("imagenet:IMAGENET1K_V2").run()
    warning = "\n".join(w.value for w in at.warning)
    assert "resnet50-" in warning and "https://download.pytorch.org/models/" in warning
    at.button(key="cls.download").click().run()
    assert not at.exception
    assert "Download failed" in "\n".join(e.value for e in at.error)
    assert not any(tmp_path.rglob("*.pth"))


def test_chinese_names_where_they_exist():
    assert class_names(("cat", "ship"), "zh") == ["猫", "船"]
    assert class_names(("tench",), "zh") == ["tench"]  # ImageNet: English only, never invented


@pytest.mark.skipif(W.digits_model_info() is None, reason="the digits checkpoint has not been committed yet")
def test_digits_model_is_the_offline_default_and_classifies_held_out_digits():
    at = _open("resnet18")
    assert at.radio(key="cls.source").value == "digits"
    images, labels = W.heldout_digits(W.digits_model_info())
    wrong = 0
    for i in range(6):
        at.selectbox(key="cls.digit").set_value(i).run()
        assert not at.exception
        got = {m.label: m.value for m in at.metric}["Prediction"]
        wrong += got != str(labels[i])
    assert wrong <= 1, f"{wrong} of 6 held-out digits misclassified"


# --- issue 10 §2 and issue 11 for Classify ----------------------------------------------------------


def _captions(at: AppTest) -> list[str]:
    """Every image caption on the page (st.image keeps them in its proto)."""
    return [img.caption for element in at.get("image") for img in element.proto.imgs]


@pytest.mark.skipif(W.digits_model_info() is None, reason="the digits model is missing")
def test_the_activation_map_follows_a_weights_switch():
    at = _open("resnet18")
    assert at.radio(key="cls.source").value == "digits"
    digit_top = at.session_state["cls.outcome"][1].result.top[0][0]
    assert at.selectbox(key="cls.cam_class").value == digit_top
    at.selectbox(key="cls.cam_class").set_value((digit_top + 1) % 10).run()  # the user picks another class
    at.radio(key="cls.source").set_value("random").run()
    assert not at.exception
    # Outside truth: the same seeded model built here, on the sample photo the page falls back to.
    torch.manual_seed(0)
    inline = run_job(
        ClassifyJob(config_source("random", PRESETS["resnet18"], "r", seed=0), sample_photo="china.jpg")
    )
    best = inline.result.top[0][0]
    assert at.selectbox(key="cls.cam_class").value == best, "the CAM kept the digits model's class"
    names = W.find("resnet18").categories
    assert f"Where the evidence for “{best}” lies" in _captions(at), _captions(at)
    assert len(names) == len(at.session_state["cls.classes"]) == 1000


def test_a_cleared_cache_keeps_the_one_worker():
    import multiprocessing

    import streamlit as st

    from resnet_explorer.classify.worker import shared_worker

    at = _open("resnet18")
    at.radio(key="cls.source").set_value("random").run()
    worker, children = shared_worker(), {p.pid for p in multiprocessing.active_children()}
    assert worker._executor is not None and children
    st.cache_resource.clear()  # what any browser's "clear_cache" message does on the server
    at.number_input(key="cls.seed").set_value(1).run()
    assert not at.exception and "random initialisation, seed 1" in _texts(at)
    assert shared_worker() is worker, "a second worker was started"
    assert {p.pid for p in multiprocessing.active_children()} == children, "the worker process was replaced"


def test_the_8x16384_strip_is_refused_on_every_rerun_without_an_exception():
    at = _open("resnet18")
    at.radio(key="cls.source").set_value("random").run()
    at.segmented_control(key="cls.input").set_value("upload").run()
    strip = _png(Image.new("RGB", (8, 16384), "white"))
    at.file_uploader(key="cls.image").set_value(("strip.png", strip, "image/png")).run()
    for _ in range(2):
        assert not at.exception
        errors = "\n".join(e.value for e in at.error)
        assert "Image refused" in errors and "8×16384" in errors and "16:1" in errors, errors
        at.run()


@pytest.mark.skipif(W.digits_model_info() is None, reason="the digits model is missing")
def test_a_light_digit_on_a_dark_ground_is_read_with_a_note():
    at = _open("resnet18")
    images, labels = W.heldout_digits(W.digits_model_info())
    ink = np.kron(images[3] / 16, np.ones((12, 12)))
    photo = np.pad(25 + ink * 210, 30, constant_values=25).astype(np.uint8)  # chalk on a blackboard
    at.segmented_control(key="cls.input").set_value("upload").run()
    chalk = _png(Image.fromarray(photo))
    at.file_uploader(key="cls.image").set_value(("chalk.png", chalk, "image/png")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "light digit on a dark ground" in _texts(at).lower()
    assert {m.label: m.value for m in at.metric}["Prediction"] == str(labels[3])


@pytest.mark.skipif(W.digits_model_info() is None, reason="the digits model is missing")
def test_the_digits_model_is_named_as_what_it_is():
    at = _open("resnet18")
    info = "\n".join(i.value for i in at.info)
    # The card: a CIFAR-layout ResNet-20 reading one 16×16 channel.
    assert "ResNet-20 · CIFAR layout" in info and "1×16×16" in info, info
    assert "custom configuration" not in _texts(at)
    assert "The Explorer's model: **ResNet-18**" in "\n".join(c.value for c in at.sidebar.caption)
    zh = _open_zh("resnet18")
    assert "ResNet-20 · CIFAR 结构" in "\n".join(i.value for i in zh.info)


def _open_zh(config_name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params.update({"preset": config_name, "lang": "zh"})
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_offline_download_says_what_to_do_in_words_not_a_socket_error(monkeypatch, tmp_path, lang):
    import urllib.error

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def refuse(url, timeout):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(W, "_urlopen", refuse)
    at = _open("resnet50") if lang == "en" else _open_zh("resnet50")
    at.radio(key="cls.source").set_value("imagenet:IMAGENET1K_V1").run()
    at.button(key="cls.download").click().run()
    assert not at.exception
    shown = "\n".join([_texts(at), *(c.value for c in at.code)])
    for raw in ("urlopen", "Temporary failure", "Errno", str(tmp_path)):
        assert raw not in shown, (raw, shown)
    error = "\n".join(e.value for e in at.error)
    assert ("Download failed" if lang == "en" else "下载失败") in error, error
    assert "python -m resnet_explorer weights download resnet50" in [c.value for c in at.code]


def test_refused_images_carry_no_english_in_chinese():
    at = _open_zh("resnet18")
    at.radio(key="cls.source").set_value("random").run()
    at.segmented_control(key="cls.input").set_value("upload").run()
    for name, (data, _) in BAD_IMAGES.items():
        at.file_uploader(key="cls.image").set_value((name, data, "image/png")).run()
        assert not at.exception, name
        texts = "\n".join(str(e.value) for kind in ("error", "caption") for e in getattr(at, kind))
        assert "图像被拒绝" in texts, (name, texts)
        for english in ("allowed", "the file", "image data", "not an image", "accepted"):
            assert english not in texts, (name, english, texts)


def _media_id(picture: np.ndarray) -> str:
    """The media id st.image gives an array: Streamlit's own encoder and file-id hash."""
    from streamlit.elements.lib.image_utils import _np_array_to_bytes
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    return _calculate_file_id(_np_array_to_bytes(picture, "auto"), "image/jpeg")


@pytest.mark.skipif(W.digits_model_info() is None, reason="the digits model is missing")
def test_pictures_drawn_in_the_worker_are_the_ones_st_image_makes_of_the_arrays():
    # The worker encodes the grids, the steps and the top-k activation maps; the page must show
    # the very bytes it showed when it handed Streamlit the arrays, and a class outside the top-k
    # is still drawn on the page.
    from resnet_explorer.classify.inference import cam_for, feature_grid, overlay

    at = _open("resnet18")
    outcome = at.session_state["cls.outcome"][1]
    urls = {img.url.rsplit("/", 1)[-1].split(".")[0] for e in at.get("image") for img in e.proto.imgs}
    wanted = [feature_grid(s) for s in outcome.result.stages] + [s.image for s in outcome.steps]
    wanted.append(overlay(outcome.display, cam_for(outcome.result, outcome.result.top[0][0])))
    assert {_media_id(p) for p in wanted} <= urls
    outside = next(c for c in range(10) if c not in dict(outcome.result.top))
    assert outside not in outcome.pictures.cams
    at.selectbox(key="cls.cam_class").set_value(outside).run()
    assert not at.exception
    urls = {img.url.rsplit("/", 1)[-1].split(".")[0] for e in at.get("image") for img in e.proto.imgs}
    assert _media_id(overlay(outcome.display, cam_for(outcome.result, outside))) in urls
