"""Every successor preset against its outside truth.

- torchvision (0.29) and timm (1.0.31) members: the same state-dict keys and shapes, a strict load
  of the other library's randomly initialised model, and the same outputs in eval mode (50-layer
  nets and ResNet-18-D only: the 101-layer ones are checked for keys and counts on the ``meta``
  device, which allocates nothing).
- The CIFAR members (pre-activation, Wide ResNet) have no library twin: their counts are the
  published figures of the authors' code, and a closed form of the WRN code is checked here too.
- Multiply-adds: torchinfo's on the built module (BN excluded, bias adds removed), as
  tests/core/test_analysis_torchinfo.py does for the paper's presets.
"""

from __future__ import annotations

import pytest
import timm
import torch
import torchvision
from torchinfo import summary

from resnet_explorer import PRESETS, analyze, build_model
from resnet_explorer.core.config import FAMILY_PRESETS

# The issue's table (torchvision's / timm's counts, the authors' published figures).
PARAMS = {
    "resnext50_32x4d": 25_028_904,
    "resnext101_32x8d": 88_791_336,
    "resnext101_64x4d": 83_455_272,
    "wide_resnet50_2": 68_883_240,
    "wide_resnet101_2": 126_886_696,
    "resnet18d": 11_708_744,
    "resnet50d": 25_576_264,
    "seresnet50": 28_088_024,
    "preact_resnet164": 1_703_258,
    "preact_resnet1001": 10_327_706,
    "wrn28_10": 36_479_194,
    "wrn40_4": 8_949_210,
    "wrn16_8": 10_961_370,
}
TORCHVISION = (
    "resnext50_32x4d",
    "resnext101_32x8d",
    "resnext101_64x4d",
    "wide_resnet50_2",
    "wide_resnet101_2",
)
TIMM = ("resnet18d", "resnet50d", "seresnet50")
OUTPUTS = ("resnext50_32x4d", "wide_resnet50_2", "resnet18d", "resnet50d", "seresnet50")


def _twin(name: str, device: str = "cpu") -> torch.nn.Module:
    with torch.device(device):
        if name in TORCHVISION:
            return getattr(torchvision.models, name)(weights=None)
        return timm.create_model(name, pretrained=False)


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.fixture(autouse=True, scope="module")
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(min(2, before))
    yield
    torch.set_num_threads(before)


def test_every_family_preset_is_listed() -> None:
    assert set(FAMILY_PRESETS) == set(PARAMS)
    assert set(FAMILY_PRESETS) <= set(PRESETS)


@pytest.mark.parametrize("name", list(PARAMS))
def test_parameters_equal_the_table(name: str) -> None:
    config = PRESETS[name]
    assert analyze(config).total_params == PARAMS[name], "analyze"
    assert _count(build_model(config, "meta")) == PARAMS[name], "built model"


@pytest.mark.parametrize("name", TORCHVISION + TIMM)
def test_keys_and_shapes_equal_the_twin(name: str) -> None:
    theirs = {k: tuple(v.shape) for k, v in _twin(name, "meta").state_dict().items()}
    ours = {k: tuple(v.shape) for k, v in build_model(PRESETS[name], "meta").state_dict().items()}
    assert sorted(set(theirs) ^ set(ours)) == []
    assert [k for k in ours if ours[k] != theirs[k]] == []
    assert _count(_twin(name, "meta")) == PARAMS[name]


@pytest.mark.parametrize("name", OUTPUTS)
def test_twin_weights_load_strictly_and_give_the_same_outputs(name: str) -> None:
    torch.manual_seed(0)
    theirs = _twin(name).eval()
    with torch.no_grad():  # random running statistics, so BN's eval-mode arithmetic is exercised too
        for m in theirs.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
    # Built on meta and handed their tensors (assign=True): strict, and no time spent initialising ours.
    ours = build_model(PRESETS[name], "meta").eval()
    ours.load_state_dict(theirs.state_dict(), strict=True, assign=True)
    # 96 px: odd-sized maps (3x3 before the last stage) exercise the ceil-mode shortcut pool.
    x = torch.randn(2, 3, 96, 96, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        a, b = ours(x), theirs(x)
    assert torch.allclose(a, b, rtol=1e-4, atol=1e-4 * float(b.abs().max())), float((a - b).abs().max())


@pytest.mark.parametrize("name", list(PARAMS))
def test_macs_equal_torchinfo(name: str) -> None:
    config = PRESETS[name]
    model = build_model(config, "meta")
    stats = summary(
        model, input_size=(1, 3, config.input_size, config.input_size), device="meta", depth=100, verbose=0
    )
    theirs = 0
    for info in stats.summary_list:
        if not info.is_leaf_layer or info.class_name not in ("Conv2d", "Linear"):
            continue
        bias = getattr(info.module, "bias", None)
        # torchinfo adds one multiply-add per bias element and output position; we count weights only.
        if bias is not None:
            positions = info.output_size[2] * info.output_size[3] if info.class_name == "Conv2d" else 1
            theirs -= bias.numel() * positions
        theirs += info.macs
    a = analyze(config)
    assert a.total_macs == theirs
    assert a.total_params == stats.total_params


def test_torchvision_metadata_gflops_for_resnext_and_wide() -> None:
    # torchvision's weights carry "_ops" (GFLOPS = multiply-adds at 224 px), rounded to 3 decimals.
    for name in TORCHVISION:
        weights = torchvision.models.get_model_weights(name)
        for w in weights:
            assert round(analyze(PRESETS[name]).total_macs / 1e9, 3) == pytest.approx(w.meta["_ops"])
            assert w.meta["num_params"] == PARAMS[name]


def _wrn_closed_form(depth: int, k: int, classes: int = 10) -> int:
    """szagoruyko/wide-residual-networks' CIFAR WRN-d-k in closed form: a 3x3 stem to 16 channels,
    3 groups of n = (d-4)/6 pre-activation basic blocks at 16k/32k/64k (BN-ReLU-conv twice, no conv
    bias), a bias-free 1x1 conv on each group's first shortcut (shape changes), final BN and FC."""
    n = (depth - 4) // 6
    total, c = 3 * 3 * 3 * 16, 16
    for width in (16 * k, 32 * k, 64 * k):
        for i in range(n):
            total += 2 * c + 9 * c * width + 2 * width + 9 * width * width
            if i == 0:
                total += c * width
            c = width
    return total + 2 * c + c * classes + classes


@pytest.mark.parametrize("name, depth, k", [("wrn28_10", 28, 10), ("wrn40_4", 40, 4), ("wrn16_8", 16, 8)])
def test_wide_resnets_match_the_papers_code(name: str, depth: int, k: int) -> None:
    assert _wrn_closed_form(depth, k) == PARAMS[name] == analyze(PRESETS[name]).total_params


def test_wrn28_10_is_the_papers_36_5_million() -> None:
    assert round(PARAMS["wrn28_10"] / 1e6, 1) == 36.5  # arXiv 1605.07146, Table 4
