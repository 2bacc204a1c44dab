"""Every preset (and the main variants) builds, runs forward and backward, and trains every weight.

Plus the memory guard: a config too large for the server is analysed but refused by
``build_model`` before any module is constructed.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import torch
import torch.nn.functional as F

import resnet_explorer.core.model as model_module
from resnet_explorer import PRESETS, ResNetConfig, analyze, build_model
from resnet_explorer.core.model import ModelTooLargeError

# Small inputs keep the suite quick: 64 px still leaves the ImageNet stem + 4 stages a 2x2 map.
SMALL_INPUT = {"imagenet": 64, "deep": 64, "cifar": 32}

VARIANTS: dict[str, ResNetConfig] = {
    "resnet18-preact": dataclasses.replace(PRESETS["resnet18"], preact=True),
    "resnet50-preact-C": dataclasses.replace(PRESETS["resnet50"], preact=True, shortcut="C"),
    "resnet20-preact": dataclasses.replace(PRESETS["resnet20"], preact=True),
    "resnet18-deep-stem": dataclasses.replace(PRESETS["resnet18"], stem="deep"),
    "resnet50-deep-stem": dataclasses.replace(PRESETS["resnet50"], stem="deep"),
    "resnet34-option-A": dataclasses.replace(PRESETS["resnet34"], shortcut="A"),
    "resnet50-option-A": dataclasses.replace(PRESETS["resnet50"], shortcut="A"),
    "resnet18-option-C": dataclasses.replace(PRESETS["resnet18"], shortcut="C"),
    "resnet20-option-B": dataclasses.replace(PRESETS["resnet20"], shortcut="B"),
    "resnet50-stride-1x1": dataclasses.replace(PRESETS["resnet50"], stride_at="1x1"),
    "plain-bottleneck": dataclasses.replace(PRESETS["resnet50"], shortcut="none"),
    "six-stages-grey": ResNetConfig(
        stages=(1, 1, 1, 1, 1, 1), width=8, in_channels=1, num_classes=5, input_size=128
    ),
}
CASES = {**PRESETS, **VARIANTS}


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # Tiny batches gain nothing from intra-op threads, and on a busy 2-core machine OpenMP's
    # spinning threads made a 64 px ResNet-50 step 30x slower. Restored afterwards.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _small(config: ResNetConfig) -> ResNetConfig:
    if config.input_size == 224 or config.input_size == 32:
        return dataclasses.replace(config, input_size=SMALL_INPUT[config.stem])
    return config


@pytest.mark.parametrize("name", list(CASES))
def test_forward_backward(name: str) -> None:
    config = _small(CASES[name])
    torch.manual_seed(0)
    model = build_model(config).train()
    x = torch.randn(2, config.in_channels, config.input_size, config.input_size)
    logits = model(x)
    assert logits.shape == (2, config.num_classes)
    assert torch.isfinite(logits).all(), "NaN or inf in the forward pass"

    plan = analyze(config).plan
    maps = model.forward_features(x)
    expected = [plan.stem[-1].out_shape] + [s.out_shape for s in plan.stages]
    assert [tuple(m.shape[1:]) for m in maps] == expected

    target = torch.arange(2) % config.num_classes
    F.cross_entropy(logits, target).backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert missing == [], "parameters with no gradient (not connected to the loss)"
    bad = [n for n, p in model.named_parameters() if not torch.isfinite(p.grad).all()]
    assert bad == [], "non-finite gradients"
    zero = [n for n, p in model.named_parameters() if not p.grad.abs().sum() > 0]
    assert zero == [], "parameters whose gradient is exactly zero"


# --- memory guard ----------------------------------------------------------------------------------

GIANTS = {
    "resnet152-width-8192": dataclasses.replace(PRESETS["resnet152"], width=8192),
    "resnet152-input-4096": dataclasses.replace(PRESETS["resnet152"], input_size=4096),
}


@pytest.mark.parametrize("name", list(GIANTS))
def test_giant_config_refused_before_allocation(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    config = GIANTS[name]

    def no_construction(*args, **kwargs):
        raise AssertionError("build_model constructed modules before refusing")

    monkeypatch.setattr(model_module, "ResNet", no_construction)
    with pytest.raises(ModelTooLargeError) as info:
        build_model(config)
    message = str(info.value)
    found = re.search(r"about ([\d.]+) GiB.*limit is ([\d.]+) GiB", message)
    assert found, f"message should give the estimate and the limit: {message}"
    estimate, limit = float(found.group(1)), float(found.group(2))
    assert limit == pytest.approx(2.0)  # the default 2048 MB
    assert estimate > limit
    # The weights alone (counted by PyTorch on the meta device) are a lower bound of the estimate.
    monkeypatch.undo()
    weights = 4 * sum(p.numel() for p in build_model(config, "meta").parameters()) / 2**30
    assert estimate >= weights - 0.01


@pytest.mark.parametrize("name", list(GIANTS))
def test_giant_config_still_analysed_and_built_on_meta(name: str) -> None:
    config = GIANTS[name]
    a = analyze(config)
    assert not a.fits
    assert a.param_bytes + a.activation_bytes > a.memory_limit
    meta = build_model(config, "meta")
    assert sum(p.numel() for p in meta.parameters()) == a.total_params
    assert all(p.device.type == "meta" for p in meta.parameters())


def test_memory_limit_follows_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # ResNet-18: ~45 MiB of weights + ~29 MiB of activations; ResNet-50: ~98 + ~120 MiB.
    monkeypatch.setenv("RESNET_EXPLORER_MAX_MODEL_MB", "100")
    build_model(PRESETS["resnet18"], "meta")
    assert analyze(PRESETS["resnet18"]).fits
    assert not analyze(PRESETS["resnet50"]).fits
    with pytest.raises(ModelTooLargeError, match="limit is 0.10 GiB"):
        build_model(PRESETS["resnet50"])
