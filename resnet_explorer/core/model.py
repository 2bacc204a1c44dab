"""Build an ``nn.Module`` from a plan.

Module names follow torchvision's ``models/resnet.py`` (``conv1``, ``bn1``, ``layer1..4``,
``downsample.0/.1``, ``fc``) so that its ImageNet state dicts load with ``strict=True``.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from .. import settings
from .config import ResNetConfig
from .plan import BlockSpec, LayerSpec, Plan, make_plan

__all__ = [
    "ResNet",
    "ResidualBlock",
    "ZeroPadShortcut",
    "SqueezeExcite",
    "DropPath",
    "build_model",
    "ModelTooLargeError",
    "memory_limit_bytes",
    "check_fits",
    "estimate_bytes",
]


class ModelTooLargeError(ValueError):
    """Raised before allocating a model whose estimate exceeds the server's limit."""


def memory_limit_bytes() -> int:
    """The most one model may take on this server ($RESNET_EXPLORER_MAX_MODEL_MB, default 2 GiB)."""
    return settings.max_model_bytes()


def estimate_bytes(plan: Plan, batch: int = 1) -> int:
    """float32 bytes for the weights plus every layer's output for ``batch`` images."""
    params = sum(layer.params for layer in plan.layers)
    acts = sum(math.prod(layer.out_shape) for layer in plan.layers)
    return 4 * (params + batch * acts)


def check_fits(config: ResNetConfig, batch: int = 1, limit: int | None = None) -> None:
    """Raise ModelTooLargeError, with the estimate and the limit, when ``config`` is too big."""
    limit = memory_limit_bytes() if limit is None else limit
    need = estimate_bytes(make_plan(config), batch)
    if need > limit:
        raise ModelTooLargeError(
            f"model too large for this server: about {need / 2**30:.2f} GiB for weights and one "
            f"forward pass of {batch} image(s) at {config.input_size} px; the limit is "
            f"{limit / 2**30:.2f} GiB. Lower width, depth or input_size."
        )


class ZeroPadShortcut(nn.Module):
    """Option A shortcut (He et al. 2015, Sec. 3.3): subsample by ``stride``, pad channels with zeros.

    placement "append": the zeros follow the identity channels (fb.resnet.torch); "both": half
    before and half after, as akamaster/pytorch_resnet_cifar10 pads planes//4 on each side.
    """

    def __init__(self, out_channels: int, stride: int, placement: str = "append") -> None:
        super().__init__()
        self.out_channels = out_channels
        self.stride = stride
        self.placement = placement

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        extra = self.out_channels - x.shape[1]
        if extra < 0:  # F.pad would crop with a negative pad; the config refuses such nets (pad_narrows)
            raise ValueError(
                f"zero-pad shortcut: {x.shape[1]} channels in, {self.out_channels} out; it cannot crop"
            )
        before = extra // 2 if self.placement == "both" else 0
        return F.pad(x, (0, 0, 0, 0, before, extra - before))

    def extra_repr(self) -> str:
        return f"out_channels={self.out_channels}, stride={self.stride}, placement={self.placement!r}"


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation (Hu et al. 2018, Fig. 3): x * sigmoid(fc2(relu(fc1(mean(x))))).

    The two FC layers are 1x1 convs with bias, named ``fc1`` / ``fc2`` as timm names them.
    """

    def __init__(self, channels: int, squeezed: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.mean((2, 3), keepdim=True)  # (B, C, 1, 1): the squeeze
        return x * torch.sigmoid(self.fc2(self.act(self.fc1(s))))  # the excitation gates each channel


class DropPath(nn.Module):
    """Stochastic depth (Huang et al. 2016): in training, zero a sample's branch with probability ``p``.

    Kept branches are scaled by 1/(1-p) now rather than by (1-p) at test time (the paper's Eq. 5),
    so evaluation is the plain network; timm's ``DropPath`` does the same.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(1.0 - self.p)
        return x * keep / (1.0 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p:.4f}"


def _leaf(spec: LayerSpec, pad_placement: str = "append") -> nn.Module:
    c_in, c_out = spec.in_shape[0], spec.out_shape[0]
    if spec.kind == "Conv2d":
        return nn.Conv2d(c_in, c_out, spec.kernel, spec.stride, spec.padding, groups=spec.groups, bias=False)
    if spec.kind == "BatchNorm2d":
        return nn.BatchNorm2d(c_out)
    if spec.kind == "ReLU":
        return nn.ReLU(inplace=True)
    if spec.kind == "MaxPool2d":
        return nn.MaxPool2d(spec.kernel, spec.stride, spec.padding)
    if spec.kind == "AvgPool2d":  # ResNet-D's shortcut pool, as timm's (ceil mode, no padded zeros)
        return nn.AvgPool2d(spec.kernel, spec.stride, ceil_mode=True, count_include_pad=False)
    if spec.kind == "SqueezeExcite":
        return SqueezeExcite(c_in, spec.groups)
    if spec.kind == "ZeroPadShortcut":
        return ZeroPadShortcut(c_out, spec.stride, pad_placement)
    if spec.kind == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d(1)
    if spec.kind == "Linear":
        return nn.Linear(c_in, c_out)
    raise ValueError(f"unknown layer kind {spec.kind!r} in plan")


def _local(spec: LayerSpec, prefix: str) -> str:
    return spec.name[len(prefix) + 1 :]


class ResidualBlock(nn.Module):
    """A basic or bottleneck block, post- or pre-activation, with any shortcut kind.

    ``forward`` is the paper's y = F(x) + shortcut(x), then ReLU (post-activation, Fig. 2), or
    y = F(x) + shortcut(x) with BN-ReLU moved into F (pre-activation, arXiv 1603.05027 Fig. 1b).
    """

    def __init__(self, spec: BlockSpec, preact: bool, pad_placement: str = "append") -> None:
        super().__init__()
        self.preact = preact
        self.shortcut_kind = spec.shortcut
        # Which input the shortcut reads, x or BN-ReLU(x): the plan decides (plan._shortcut_reads_preact).
        self.shortcut_preact = spec.shortcut_preact
        self.branch_names = [_local(s, spec.name) for s in spec.branch]
        for s in spec.branch:
            self.add_module(_local(s, spec.name), _leaf(s))
        self.downsample: nn.Module | None = None
        if spec.shortcut == "projection":
            parts = OrderedDict(
                (_local(s, f"{spec.name}.downsample"), _leaf(s)) for s in spec.shortcut_layers
            )
            if "0" not in parts:  # ResNet-D with no pool to do: timm's nn.Identity keeps the indices
                parts = OrderedDict([("0", nn.Identity()), *parts.items()])
            self.downsample = nn.Sequential(parts)
        elif spec.shortcut == "zero-pad":
            self.downsample = _leaf(spec.shortcut_layers[0], pad_placement)
        self.drop_path = DropPath(spec.drop_prob) if spec.drop_prob > 0 else None
        self.relu = _leaf(spec.post[0]) if spec.post else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        pre = x
        for i, name in enumerate(self.branch_names):
            out = self._modules[name](out)
            if self.preact and i == 1:
                pre = out  # BN-ReLU(x), before the first conv (relu1 is in place on bn1's output, not x)
        if self.drop_path is not None:
            out = self.drop_path(out)
        if self.shortcut_kind == "none":  # plain net: no shortcut at all
            pass
        elif self.downsample is None:  # identity: x itself, never pre-activated
            out = out + x
        else:  # projection or zero-pad, on x or on BN-ReLU(x) as the plan says
            out = out + self.downsample(pre if self.shortcut_preact else x)
        return self.relu(out) if self.relu is not None else out


class ResNet(nn.Module):
    """stem -> stages (``layer1..N``) -> head (global average pool, FC), built from a plan."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.config = plan.config
        self.stem_names: list[str] = []
        deep_stem = [s for s in plan.stem if s.name.startswith("conv1.")]
        if deep_stem:  # ResNet-C keeps torchvision's top-level names: conv1 becomes a Sequential
            self.conv1 = nn.Sequential(*(_leaf(s) for s in deep_stem))
            self.stem_names.append("conv1")
        for s in plan.stem:
            if not s.name.startswith("conv1."):
                self.add_module(s.name, _leaf(s))
                self.stem_names.append(s.name)
        self.stage_names = []
        for stage in plan.stages:
            self.add_module(
                stage.name,
                nn.Sequential(
                    *(ResidualBlock(b, plan.config.preact, plan.config.pad_placement) for b in stage.blocks)
                ),
            )
            self.stage_names.append(stage.name)
        self.head_names = [s.name for s in plan.head]
        for s in plan.head:
            self.add_module(s.name, _leaf(s))
        for m in self.modules():
            # He initialisation, as the paper trains from scratch (Sec. 3.4, ref. [13]) and as
            # torchvision does; PyTorch's default Conv2d init trains deep plain nets worse.
            if isinstance(m, nn.Conv2d) and m.weight.device.type != "meta":
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if plan.config.zero_init_residual:
            for m in self.modules():
                if isinstance(m, ResidualBlock) and m.branch_names:
                    # The branch's last weighted layer: its BN (post-activation) or conv (pre-activation).
                    last = [n for n in m.branch_names if n.startswith(("bn", "conv"))][-1]
                    if m._modules[last].weight.device.type != "meta":
                        nn.init.zeros_(m._modules[last].weight)

    def forward_features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Feature maps after the stem and after each stage (for visualisation and CAM)."""
        for name in self.stem_names:
            x = self._modules[name](x)  # (B, w, H/4, W/4) for the ImageNet stem
        maps = [x]
        for name in self.stage_names:
            x = self._modules[name](x)  # stage i>1: (B, w*2^(i-1)*e, H/2^(i+1), W/2^(i+1))
            maps.append(x)
        return maps

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        for name in self.head_names:
            x = self._modules[name](x)
            if name == "avgpool":
                x = torch.flatten(x, 1)  # (B, C)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x)[-1])


def build_model(config: ResNetConfig, device: str | torch.device | None = None) -> ResNet:
    """Build ``config`` as an ``nn.Module``: convolutions He-initialised (Kaiming normal, fan-out), as
    the paper and torchvision do; batch norm and the FC layer keep PyTorch's defaults.

    On the ``meta`` device nothing is allocated, so any config can be built for inspection.
    Otherwise the memory estimate is checked first and ModelTooLargeError is raised when it
    exceeds :func:`memory_limit_bytes`.
    """
    if device is None or torch.device(device).type != "meta":
        check_fits(config)
    plan = make_plan(config)
    if device is None:
        return ResNet(plan)
    with torch.device(device):
        return ResNet(plan)
