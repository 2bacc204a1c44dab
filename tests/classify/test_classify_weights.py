"""torchvision weights in our model, the cache, downloads (no real network), the CLI, and inference.

The outside truth is torchvision itself: its random-init ResNet saved into torch's cache directory
and loaded through our real loading path must give our model the very logits torchvision computes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import threading
import urllib.error
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image
from torchvision.models import get_model_weights

from resnet_explorer import PRESETS, build_model
from resnet_explorer.classify import weights as W
from resnet_explorer.classify.images import preprocess_imagenet, sample_photos
from resnet_explorer.classify.inference import cam_for, classify, overlay
from resnet_explorer.cli import main


@pytest.fixture
def torch_home(tmp_path, monkeypatch) -> Path:
    """A private TORCH_HOME: the real cache layout, empty, for this test only."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


@pytest.fixture
def no_network(monkeypatch):
    calls = []

    def refuse(url, timeout):
        calls.append(url)
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(W, "_urlopen", refuse)
    return calls


def _save_torchvision_init(arch: str, path: Path, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    reference = getattr(torchvision.models, arch)(weights=None).eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(reference.state_dict(), path)
    return reference


@pytest.mark.parametrize("arch, v2", [("resnet18", False), ("resnet50", True)])
def test_same_weights_same_logits_as_torchvision(torch_home, no_network, arch, v2):
    entry = W.find(arch, v2=v2)
    assert entry.path == torch_home / Path(entry.url).name
    reference = _save_torchvision_init(arch, entry.path)
    # torch's own loader finds the very file our loader reads (it checks the hash only on download).
    hub_state = torch.hub.load_state_dict_from_url(entry.url, map_location="cpu", weights_only=True)
    assert hub_state.keys() == reference.state_dict().keys()

    ours = W.load_pretrained(entry)
    assert no_network == [], "a cached file must not touch the network"
    photo = sample_photos()["china.jpg"]
    enum = getattr(get_model_weights(arch), entry.version)
    expected_x = enum.transforms()(photo).unsqueeze(0)
    pre = preprocess_imagenet(photo, entry.resize_size, entry.crop_size, entry.mean, entry.std)
    assert entry.resize_size == (232 if v2 else 256)
    assert torch.equal(pre.tensor, expected_x), "preprocessing differs from torchvision's transforms"
    with torch.inference_mode():
        want = reference(expected_x)[0]
    got = classify(ours, pre.tensor)
    gap = np.abs(got.logits - want.numpy()).max()
    assert np.allclose(got.logits, want.numpy(), atol=1e-4, rtol=1e-4), gap
    want_top = torch.softmax(want, 0).topk(5)
    assert [i for i, _ in got.top] == want_top.indices.tolist()
    assert np.allclose([p for _, p in got.top], want_top.values.numpy(), atol=1e-6)


def test_offline_names_the_file_url_and_command(torch_home, no_network):
    entry = W.find("resnet50")
    with pytest.raises(W.WeightsNotCachedError) as info:
        W.load_pretrained(entry)
    text = str(info.value)
    assert str(entry.path) in text and entry.url in text
    assert "python -m resnet_explorer weights download resnet50" in text
    with pytest.raises(W.WeightsDownloadError) as info:
        W.load_pretrained(W.find("resnet50", v2=True), allow_download=True)
    assert "weights download resnet50 --v2" in str(info.value) and "no connection" in str(info.value)
    assert no_network == [W.find("resnet50", v2=True).url]
    assert not any(torch_home.glob("*")), "a failed download must leave nothing in the cache"


def _serve(folder: Path):
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_download_progress_hash_check_and_load(torch_home, tmp_path):
    served = tmp_path / "served"
    source = served / "tmp.pth"
    reference = _save_torchvision_init("resnet18", source, seed=3)
    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    good = served / f"resnet18-{sha[:8]}.pth"
    source.rename(good)
    (served / "resnet18-00000000.pth").write_bytes(data)
    server = _serve(served)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        entry = dataclasses.replace(W.find("resnet18"), url=f"{base}/{good.name}")
        calls: list[tuple[int, int]] = []
        path = W.download(entry, progress=lambda done, total: calls.append((done, total)))
        assert path == torch_home / good.name and path.read_bytes() == data
        assert calls[0] == (0, len(data)) and calls[-1] == (len(data), len(data))
        assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False)) and len(calls) > 3
        model = W.load_pretrained(entry)
        x = torch.randn(1, 3, 64, 64)
        with torch.inference_mode():
            assert torch.allclose(model(x), reference(x), atol=1e-5)

        wrong = dataclasses.replace(entry, url=f"{base}/resnet18-00000000.pth")
        with pytest.raises(W.WeightsDownloadError, match="does not match its published hash"):
            W.download(wrong)
        assert not (torch_home / "resnet18-00000000.pth").exists()
        assert [p.name for p in torch_home.iterdir()] == [good.name], "no partial files left behind"
    finally:
        server.shutdown()


def test_available_only_for_exact_presets():
    assert [w.version for w in W.available_for(PRESETS["resnet50"])] == ["IMAGENET1K_V1", "IMAGENET1K_V2"]
    assert [w.version for w in W.available_for(PRESETS["resnet18"])] == ["IMAGENET1K_V1"]
    assert W.available_for(PRESETS["plain34"]) == []
    assert W.available_for(dataclasses.replace(PRESETS["resnet50"], stride_at="1x1")) == []
    assert W.available_for(PRESETS["resnet20"]) == []
    r50 = W.find("resnet50", v2=True)
    # torchvision's published figures, as docs/notes.md lists them.
    assert (r50.acc1, r50.acc5, r50.num_params) == (80.858, 95.434, 25_557_032)
    assert len(r50.categories) == 1000 and r50.categories[0] == "tench"


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_list_and_download(torch_home, no_network, tmp_path, capsys):
    assert main(["weights", "list"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("resnet")]
    assert len(rows) == 8 and all(" no " in r for r in rows)

    assert main(["weights", "download", "resnet18"]) == 2
    err = capsys.readouterr().err
    assert "no connection" in err and "resnet18-f37072fd.pth" in err

    assert main(["weights", "download", "resnet18", "--v2"]) == 2
    assert "no V2 weights for resnet18" in capsys.readouterr().err

    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"\x00" * 100)
    assert main(["weights", "download", "resnet18", "--file", str(junk)]) == 2
    assert "not a PyTorch checkpoint" in capsys.readouterr().err

    mine = tmp_path / "mine.pth"
    _save_torchvision_init("resnet18", mine)
    assert main(["weights", "download", "resnet18", "--file", str(mine)]) == 2
    assert "not torchvision's published file" in capsys.readouterr().err
    assert not W.find("resnet18").is_cached()
    assert main(["weights", "download", "resnet18", "--file", str(mine), "--force"]) == 0
    assert "registered" in capsys.readouterr().out
    assert W.find("resnet18").path.read_bytes() == mine.read_bytes()

    assert main(["weights", "list"]) == 0
    cached = [line for line in capsys.readouterr().out.splitlines() if " yes " in line]
    assert len(cached) == 1 and cached[0].startswith("resnet18")
    assert main(["weights", "download", "resnet18"]) == 0
    assert "already cached" in capsys.readouterr().out
    assert no_network == [W.find("resnet18").url]


# --- inference ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, preact", [("resnet18", False), ("resnet20", True)])
def test_cam_is_exact_and_maps_have_the_plan_shapes(name, preact):
    from resnet_explorer.core.plan import make_plan

    config = dataclasses.replace(PRESETS[name], preact=preact)
    torch.manual_seed(1)
    model = build_model(config).eval()
    size = config.input_size
    x = torch.randn(1, 3, size, size)
    result = classify(model, x)
    with torch.inference_mode():
        logits = model(x)[0].numpy()
    assert np.allclose(result.logits, logits, atol=1e-5)
    # logit_c = mean(CAM_c) + b_c: the head is global average pool + one linear layer.
    assert np.allclose(result.cams.mean(axis=(1, 2)) + result.fc_bias, logits, atol=1e-4)
    probs = [p for _, p in result.top]
    assert probs == sorted(probs, reverse=True) and abs(result.probs.sum() - 1) < 1e-5
    plan = make_plan(config)
    want = [plan.stem[-1].out_shape] + [s.blocks[-1].out_shape for s in plan.stages]
    assert [s.shape for s in result.stages] == [tuple(w) for w in want]
    for stage in result.stages:
        assert stage.maps.shape[0] == min(8, stage.shape[0])
        assert list(stage.activation) == sorted(stage.activation, reverse=True)
    cam = cam_for(result, result.top[0][0])
    assert cam.min() == 0 and abs(cam.max() - 1) < 1e-6
    image = np.asarray(Image.new("RGB", (size, size), "white"))
    assert overlay(image, cam).shape == (size, size, 3)
    with pytest.raises(ValueError, match="class_index"):
        cam_for(result, config.num_classes)


# --- the shipped digits model ----------------------------------------------------------------------

needs_digits = pytest.mark.skipif(W.digits_model_info() is None, reason="digits checkpoint not committed yet")


@needs_digits
def test_digits_model_reproduces_its_card_on_the_held_out_split():
    from resnet_explorer.classify.images import preprocess_digits

    info = W.digits_model_info()
    model = W.load_digits_model(info)
    images, labels = W.heldout_digits(info)
    assert images.shape == (info.n_test, 8, 8) and images.min() >= 0 and images.max() <= 16
    # The outside truth: scikit-learn's own copy of the same digits.
    from sklearn.datasets import load_digits

    raw = load_digits().images
    for img in images[:20]:
        assert any(np.array_equal(img, r) for r in raw), "held-out digits must be the data set's own"
    correct = 0
    for img, label in zip(images, labels, strict=True):
        x = preprocess_digits(img, info.input_size, info.mean, info.std).tensor
        correct += classify(model, x).top[0][0] == label
    assert correct / len(labels) == pytest.approx(info.test_accuracy, abs=1e-9)
    assert info.test_accuracy > 0.9


@needs_digits
def test_photos_of_dark_digits_on_paper_classify_sensibly():
    from PIL import ImageFilter

    from resnet_explorer.classify.images import photo_to_digit, preprocess_digits

    info = W.digits_model_info()
    model = W.load_digits_model(info)
    images, labels = W.heldout_digits(info)
    rng = np.random.default_rng(0)
    correct = 0
    for img, label in zip(images[:60], labels[:60], strict=True):
        # A "photo": grey paper, dark ink scaled up 12×, a margin, blur and sensor noise.
        ink = np.kron(img / 16, np.ones((12, 12)))
        photo = np.pad(225 - ink * 190 + rng.normal(0, 6, ink.shape), 30, constant_values=225)
        picture = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(2))
        counts, steps = photo_to_digit(picture.convert("RGB"))
        assert counts.shape == (8, 8) and counts.max() <= 16
        pre = preprocess_digits(counts, info.input_size, info.mean, info.std, steps)
        correct += classify(model, pre.tensor).top[0][0] == label
    assert correct >= 51, f"{correct} of 60 photographed held-out digits classified correctly"
