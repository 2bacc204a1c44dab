"""Two details checked against other people's code: pre-activation projections and option A padding.

Outside truths: timm's ``resnetv2_50`` (pre-activation ResNet-50, ``pretrained=False`` needs no
network), the authors' ResNet-164 count (``resnet-pre-act.lua``: a bare 1x1 conv on projections,
1,703,258 parameters), and a CIFAR ResNet-20 written below the way akamaster/pytorch_resnet_cifar10
writes it (its own layer names, ``F.pad`` of planes//4 zeros on each side, a ``linear`` head, and its
``.th`` save format), so its checkpoint must give its outputs through ``model_from_checkpoint``.
"""

from __future__ import annotations

import dataclasses
import io

import pytest
import timm
import torch
import torch.nn.functional as F
from torch import nn

from resnet_explorer import PRESETS, analyze, build_model
from resnet_explorer.core.checkpoints import PaddingConventionError, model_from_checkpoint
from resnet_explorer.core.model import ZeroPadShortcut


def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --- pre-activation projections carry no BN -----------------------------------------------------


def test_preact_resnet50_has_timm_resnetv2_50_parameters() -> None:
    with torch.device("meta"):
        theirs = _count(timm.create_model("resnetv2_50", pretrained=False))
    assert theirs == 25_549_352
    config = dataclasses.replace(PRESETS["resnet50"], preact=True)
    assert analyze(config).total_params == theirs
    assert _count(build_model(config, "meta")) == theirs


def test_preact_projection_is_a_bare_conv() -> None:
    model = build_model(dataclasses.replace(PRESETS["resnet50"], preact=True), "meta")
    projection = model.layer2[0].downsample
    assert [type(m) for m in projection] == [nn.Conv2d]
    # The post-activation net keeps torchvision's conv + BN.
    assert [type(m) for m in build_model(PRESETS["resnet50"], "meta").layer2[0].downsample] == [
        nn.Conv2d,
        nn.BatchNorm2d,
    ]


@pytest.mark.parametrize("name, authors", [("preact_resnet164", 1_703_258)])
def test_preact_resnet164_has_the_authors_count(name: str, authors: int) -> None:
    assert analyze(PRESETS[name]).total_params == authors
    assert _count(build_model(PRESETS[name], "meta")) == authors


def _authors_count(n: int, bn: bool = True) -> int:
    """resnet-pre-act.lua's CIFAR net in closed form: 3x3 stem to 16, three stages of n bottlenecks
    (in -> planes -> planes -> 4·planes, planes 16/32/64), a bare 1x1 conv on each stage's first
    shortcut, final BN, 10-way linear. No conv biases (cuDNN >= 4 drops them in ConvInit)."""
    total, c = 3 * 3 * 3 * 16, 16
    for planes in (16, 32, 64):
        out = 4 * planes
        for i in range(n):
            total += c * planes + 9 * planes * planes + planes * out  # 1x1, 3x3, 1x1
            total += 2 * (c + planes + planes) if bn else 0  # BN before each conv
            if i == 0:
                total += c * out  # the projection
            c = out
    return total + (2 * c if bn else 0) + 10 * c + 10


def test_closed_form_is_the_authors_164() -> None:
    assert _authors_count(18) == 1_703_258


def test_preact_resnet1001_matches_the_authors_architecture() -> None:
    a = analyze(PRESETS["preact_resnet1001"])
    assert a.depth == 1001  # 9n + 2 with n = 111
    assert a.total_params == _authors_count(111) == _count(build_model(PRESETS["preact_resnet1001"], "meta"))
    # The paper's "10.2M" (Table 3) is the count without BN's gamma and beta: 10.18M; with them 10.33M.
    assert round(_authors_count(111, bn=False) / 1e6, 1) == 10.2
    assert a.total_params - a.bn_params == _authors_count(111, bn=False)


# --- option A: a CIFAR ResNet-20 written as akamaster/pytorch_resnet_cifar10 writes it -----------


class _Lambda(nn.Module):
    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


class _AkaBlock(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut: nn.Module = nn.Sequential()
        if stride != 1 or in_planes != planes:
            # Their option A: every other pixel, then planes//4 zero channels before AND after.
            pad = (0, 0, 0, 0, planes // 4, planes // 4)
            self.shortcut = _Lambda(lambda x: F.pad(x[:, :, ::2, ::2], pad))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class _AkaResNet(nn.Module):
    def __init__(self, n: int, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        in_planes = 16
        for i, planes in enumerate((16, 32, 64), start=1):
            blocks = []
            for j in range(n):
                blocks.append(_AkaBlock(in_planes, planes, 2 if i > 1 and j == 0 else 1))
                in_planes = planes
            self.add_module(f"layer{i}", nn.Sequential(*blocks))
        self.linear = nn.Linear(64, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.avg_pool2d(out, out.size()[3])
        return self.linear(out.view(out.size(0), -1))


def _randomised(model: nn.Module, seed: int) -> nn.Module:
    """Random weights AND running statistics, so every channel's position matters in eval mode."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.2)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            elif isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2 / m.weight[0].numel()) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    return model.eval()


def _th_file(model: nn.Module) -> bytes:
    # Their trainer wraps the model in DataParallel and saves {'state_dict': ..., 'best_prec1': ...}.
    buf = io.BytesIO()
    torch.save(
        {"state_dict": {"module." + k: v for k, v in model.state_dict().items()}, "best_prec1": 91.25}, buf
    )
    return buf.getvalue()


@pytest.fixture(scope="module")
def akamaster():
    torch.manual_seed(0)
    theirs = _randomised(_AkaResNet(3), seed=1)
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        y = theirs(x)
    return theirs, x, y


@pytest.mark.parametrize("filename", ["resnet20.th", "resnet20-renamed.pt"])
def test_akamaster_checkpoint_gives_their_outputs(akamaster, filename: str) -> None:
    theirs, x, y = akamaster
    model, notes = model_from_checkpoint(_th_file(theirs), filename, PRESETS["resnet20"])
    assert model.config.pad_placement == "both"
    codes = [n.code for n in notes]
    assert {"nested", "prefix", "head_renamed", "padding_both"} <= set(codes), codes
    with torch.no_grad():
        # Logits reach ~100 with these random weights: a relative tolerance.
        assert torch.allclose(model(x), y, rtol=1e-4, atol=1e-4), "not the outputs of the code that saved it"


def test_the_wrong_placement_would_compute_something_else(akamaster) -> None:
    # Why the field exists: the same weights with the zeros appended give other logits.
    theirs, x, y = akamaster
    ours = build_model(PRESETS["resnet20"]).eval()
    state = {
        ("fc." + k[len("linear.") :] if k.startswith("linear.") else k): v
        for k, v in theirs.state_dict().items()
    }
    ours.load_state_dict(state, strict=True)
    with torch.no_grad():
        assert (ours(x) - y).abs().max() > 0.05 * y.abs().max()


def test_a_th_file_with_an_fc_head_is_refused_not_guessed(akamaster) -> None:
    theirs, _, _ = akamaster
    renamed = build_model(PRESETS["resnet20"])
    renamed.load_state_dict(
        {("fc." + k[7:] if k.startswith("linear.") else k): v for k, v in theirs.state_dict().items()}
    )
    buf = io.BytesIO()
    torch.save(renamed.state_dict(), buf)
    with pytest.raises(PaddingConventionError, match="cannot tell") as exc:
        model_from_checkpoint(buf.getvalue(), "mystery.th", PRESETS["resnet20"])
    assert exc.value.code == "padding"
    # The same file as .pt is ours (or fb.resnet.torch's): loaded with the config's placement, and said so.
    model, notes = model_from_checkpoint(buf.getvalue(), "ours.pt", PRESETS["resnet20"])
    assert model.config.pad_placement == "append"
    assert [n for n in notes if n.code == "padding_assumed"]


def test_projection_nets_need_no_placement_note(akamaster) -> None:
    config = dataclasses.replace(PRESETS["resnet20"], shortcut="B")
    buf = io.BytesIO()
    torch.save(build_model(config).state_dict(), buf)
    _, notes = model_from_checkpoint(buf.getvalue(), "b.th", config)
    assert not [n for n in notes if n.code.startswith("padding")]


@pytest.mark.parametrize("in_c, out_c", [(16, 32), (32, 64), (5, 12)])
def test_zero_pad_placements(in_c: int, out_c: int) -> None:
    x = torch.randn(2, in_c, 4, 4)
    append = ZeroPadShortcut(out_c, 2, "append")(x)
    both = ZeroPadShortcut(out_c, 2, "both")(x)
    before = (out_c - in_c) // 2
    assert torch.equal(append[:, :in_c], x[:, :, ::2, ::2]) and not append[:, in_c:].any()
    assert torch.equal(both[:, before : before + in_c], x[:, :, ::2, ::2])
    assert not both[:, :before].any() and not both[:, before + in_c :].any()
    if out_c == 2 * in_c:  # akamaster's planes // 4 on each side
        assert torch.equal(both, F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, out_c // 4, out_c // 4)))
