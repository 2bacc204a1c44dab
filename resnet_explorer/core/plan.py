"""Plan: the plain-data layout derived from a config, with no tensors and no modules.

Tables, graphs, charts and the module builder all read the same plan, so the numbers the app
shows and the network it builds cannot drift apart. Shapes are (C, H, W) for one image.

Counting conventions (He et al. 2015, Table 1; torchvision's ``GFLOPS`` metadata):
multiply-adds (MACs) are counted for convolutions and the fully connected layer; batch norm,
ReLU, pooling and the shortcut addition are element-wise and left out, as the paper does.
Depth counts weighted layers on the main path (convs and the FC layer, not projection
shortcuts), which is how "ResNet-50" gets its number. A squeeze-and-excitation unit (Hu et al.
2018) is one layer here: its two 1x1 convs' multiply-adds count (biases not, as for the FC), its
pooling and gating do not, and it adds no depth ("SE-ResNet-50" keeps its name).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import ResNetConfig
from .memo import bounded_cache

__all__ = ["LayerSpec", "BlockSpec", "StageSpec", "Plan", "make_plan", "conv_out"]

Shape = tuple[int, ...]  # (C, H, W); (features,) after the flatten before the FC layer


@dataclass(frozen=True)
class LayerSpec:
    """One leaf layer, named as the built module names it (torchvision's names where they exist)."""

    name: str  # qualified module name, e.g. "layer2.0.downsample.0"
    # Conv2d | BatchNorm2d | ReLU | MaxPool2d | AvgPool2d | ZeroPadShortcut | SqueezeExcite |
    # AdaptiveAvgPool2d | Linear
    kind: str
    stage: str  # "stem", "layer1" ... "layerN", "head"
    block: int | None  # index of the block inside its stage
    role: str  # "stem" | "branch" | "shortcut" | "post" (after the addition) | "head"
    in_shape: Shape
    out_shape: Shape
    kernel: int | None = None
    stride: int | None = None
    padding: int | None = None
    params: int = 0
    macs: int = 0
    weighted: bool = False  # counts toward the paper's depth
    groups: int = 1  # grouped convolution (ResNeXt's cardinality); for SqueezeExcite: its squeezed width


@dataclass(frozen=True)
class BlockSpec:
    name: str  # "layer1.0"
    stage: int  # 1-based stage index
    index: int
    in_channels: int
    mid_channels: int
    out_channels: int
    stride: int
    shortcut: str  # "identity" | "zero-pad" | "projection" | "none"
    in_shape: Shape
    out_shape: Shape
    branch: tuple[LayerSpec, ...]
    shortcut_layers: tuple[LayerSpec, ...]
    post: tuple[LayerSpec, ...]  # the ReLU after the addition (empty for pre-activation)
    # Stochastic depth: probability that training drops this block's branch (Huang et al. 2016).
    drop_prob: float = 0.0
    groups: int = 1  # of the inner 3x3 conv
    # The shortcut reads BN-ReLU(x), the block's pre-activated input, rather than x itself
    # (pre-activation only; see _shortcut_reads_preact).
    shortcut_preact: bool = False

    @property
    def layers(self) -> tuple[LayerSpec, ...]:
        """Leaf layers in the order a forward pass runs them."""
        return self.branch + self.shortcut_layers + self.post

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def signature(self) -> tuple:
        """Blocks with equal signatures are drawn/folded together ("x N")."""
        return (
            self.in_channels,
            self.mid_channels,
            self.out_channels,
            self.stride,
            self.shortcut,
            self.in_shape,
            self.groups,
            self.shortcut_preact,
            tuple(x.kind for x in self.layers),
        )


@dataclass(frozen=True)
class StageSpec:
    name: str  # "layer1"
    index: int  # 1-based
    blocks: tuple[BlockSpec, ...]
    in_shape: Shape
    out_shape: Shape

    @property
    def layers(self) -> tuple[LayerSpec, ...]:
        return tuple(layer for block in self.blocks for layer in block.layers)


@dataclass(frozen=True)
class Plan:
    config: ResNetConfig
    stem: tuple[LayerSpec, ...]
    stages: tuple[StageSpec, ...]
    head: tuple[LayerSpec, ...]

    @property
    def layers(self) -> tuple[LayerSpec, ...]:
        """Every leaf layer in forward order."""
        return self.stem + tuple(layer for s in self.stages for layer in s.layers) + self.head

    @property
    def input_shape(self) -> Shape:
        c = self.config
        return (c.in_channels, c.input_size, c.input_size)

    @property
    def output_shape(self) -> Shape:
        return self.head[-1].out_shape

    @property
    def blocks(self) -> tuple[BlockSpec, ...]:
        return tuple(b for s in self.stages for b in s.blocks)


def conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output length of a convolution or pooling window (PyTorch, ``ceil_mode=False``)."""
    return (size + 2 * padding - kernel) // stride + 1


class _Builder:
    """Walks a config, tracking the current shape, and emits LayerSpecs."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def conv(self, name: str, out_c: int, k: int, s: int, groups: int = 1, **where) -> LayerSpec:
        c, h, w = self.shape
        p = k // 2
        out = (out_c, conv_out(h, k, s, p), conv_out(w, k, s, p))
        # No bias: a BN follows every conv (torchvision, paper Sec. 3.4). A grouped conv sees only
        # c/groups input channels per output channel (ResNeXt, arXiv 1611.05431, Fig. 3c).
        weights = k * k * (c // groups) * out_c
        return self._emit(
            name, "Conv2d", out, k, s, p, weights, weights * out[1] * out[2], True, groups=groups, **where
        )

    def bn(self, name: str, **where) -> LayerSpec:
        return self._emit(name, "BatchNorm2d", self.shape, params=2 * self.shape[0], **where)

    def relu(self, name: str, **where) -> LayerSpec:
        return self._emit(name, "ReLU", self.shape, **where)

    def _emit(
        self,
        name,
        kind,
        out,
        k=None,
        s=None,
        p=None,
        params=0,
        macs=0,
        weighted=False,
        *,
        stage,
        block,
        role,
        groups=1,
    ) -> LayerSpec:
        spec = LayerSpec(
            name, kind, stage, block, role, self.shape, out, k, s, p, params, macs, weighted, groups
        )
        self.shape = out
        return spec


def _stem(c: ResNetConfig, b: _Builder) -> tuple[LayerSpec, ...]:
    where = dict(stage="stem", block=None, role="stem")
    layers: list[LayerSpec] = []
    width = c.stem_channels
    if c.stem == "cifar":
        layers.append(b.conv("conv1", width, 3, 1, **where))
    elif c.stem == "imagenet":
        layers.append(b.conv("conv1", width, 7, 2, **where))
    else:  # "deep": ResNet-C replaces the 7x7 with three 3x3 convs (w/2, w/2, w), the first strided
        half = max(1, width // 2)
        layers += [
            b.conv("conv1.0", half, 3, 2, **where),
            b.bn("conv1.1", **where),
            b.relu("conv1.2", **where),
            b.conv("conv1.3", half, 3, 1, **where),
            b.bn("conv1.4", **where),
            b.relu("conv1.5", **where),
            b.conv("conv1.6", width, 3, 1, **where),
        ]
    # Pre-activation nets begin their first block with BN-ReLU, so the stem ends at its conv
    # (and max-pool): a stem BN-ReLU would normalise twice in a row (arXiv 1603.05027, Sec. 5).
    if not c.preact:
        layers += [b.bn("bn1", **where), b.relu("relu", **where)]
    if c.stem != "cifar":
        ch, h, w = b.shape
        out = (ch, conv_out(h, 3, 2, 1), conv_out(w, 3, 2, 1))
        layers.append(b._emit("maxpool", "MaxPool2d", out, 3, 2, 1, **where))
    return tuple(layers)


def _shortcut_kind(c: ResNetConfig, in_c: int, out_c: int, stride: int) -> str:
    if c.shortcut == "none":
        return "none"
    changes = in_c != out_c or stride != 1
    if c.shortcut == "C" or (c.shortcut == "B" and changes):
        return "projection"
    return "zero-pad" if changes else "identity"


def _shortcut_reads_preact(c: ResNetConfig, kind: str, index: int) -> bool:
    """Whether a pre-activation block's shortcut reads BN-ReLU(x) (True) or x itself (False).

    The references split the input before or after the block's first BN-ReLU, per option:
    - identity: x itself, as the authors' resnet-pre-act.lua (KaimingHe/resnet-1k-layers) and timm's
      ResNetV2 do: the identity path stays free of any BN or ReLU (arXiv 1603.05027, Sec. 3).
    - B and A, where the shape changes: resnet-pre-act.lua's units "for increasing dimensions" apply a
      "common BN, ReLU" before the split, so the projection reads the pre-activated input; option A's
      zero-pad, in the same place, does too (a parameter-free shortcut, the same split).
    - C (projections everywhere): only fb.resnet.torch's models/preresnet.lua has it; its layer() makes
      the first unit of each stage "both_preact" (branch and shortcut read BN-ReLU(x)) and the others
      preactivate the branch alone, so their projections read x. (Its ImageNet net makes stage 1's
      first unit "no_preact" after a stem ending in BN-ReLU: that shortcut too reads an activated x.)
    preresnet.lua's "both_preact" also feeds an identity shortcut BN-ReLU(x) (CIFAR's layer1.0); that
    is not followed: the authors' code and timm keep identities clean, as the paper argues.
    A shape change only happens in a stage's first unit, so every case is "index 0 and not identity".
    """
    if not c.preact or kind in ("identity", "none"):
        return False
    return index == 0


def _squeeze_excite(c: ResNetConfig, b: _Builder, name: str, **where) -> LayerSpec:
    """SE unit on the branch's output (Hu et al. 2018, Fig. 3): C -> C/r -> C, 1x1 convs with bias."""
    ch = b.shape[0]
    squeezed = ch // c.se_ratio  # timm rounds to a multiple of 8: equal for the 64k widths of presets
    weights = 2 * ch * squeezed
    return b._emit(
        f"{name}.se",
        "SqueezeExcite",
        b.shape,
        params=weights + squeezed + ch,
        macs=weights,
        groups=squeezed,
        **where,
    )


def _projection(
    c: ResNetConfig, b: _Builder, name: str, out_c: int, stride: int, **where
) -> tuple[LayerSpec, ...]:
    """Option B/C's projection: 1x1 conv (+ BN), after a 2x2 average pool for ResNet-D."""
    layers: list[LayerSpec] = []
    if c.shortcut_pool:
        # ResNet-D (arXiv 1812.01187, Fig. 2c), as timm builds it: AvgPool2d(2, ceil_mode=True,
        # count_include_pad=False) where the map shrinks (nothing where it does not: index 0 stays
        # free, so the keys read downsample.1 / .2 as timm's), then a stride-1 1x1 conv.
        if stride > 1:
            ch, h, w = b.shape
            pooled = (ch, -(-(h - 2) // 2) + 1, -(-(w - 2) // 2) + 1)
            layers.append(b._emit(f"{name}.downsample.0", "AvgPool2d", pooled, 2, 2, 0, **where))
        layers.append(b.conv(f"{name}.downsample.1", out_c, 1, 1, **where))
        bn_name = f"{name}.downsample.2"
    else:
        layers.append(b.conv(f"{name}.downsample.0", out_c, 1, stride, **where))
        bn_name = f"{name}.downsample.1"
    # Pre-activation projections are a bare 1x1 conv: the authors' resnet-pre-act.lua, Facebook's
    # fb.resnet.torch preresnet and timm's ResNetV2 put no BN there (the next block normalises).
    if not c.preact:
        layers.append(b.bn(bn_name, **where))
    return tuple(layers)


def _block(
    c: ResNetConfig, b: _Builder, stage: int, index: int, stride: int, drop_prob: float = 0.0
) -> BlockSpec:
    name = f"layer{stage}.{index}"
    where = dict(stage=f"layer{stage}", block=index, role="branch")
    x_shape = b.shape
    mid = c.inner_width(stage)
    in_c, out_c = x_shape[0], c.stage_planes(stage) * c.expansion
    kind = _shortcut_kind(c, in_c, out_c, stride)
    branch: list[LayerSpec] = []
    if c.block == "basic":
        convs = [(mid, 3, stride, 1), (out_c, 3, 1, 1)]
    else:
        # The paper strides the first 1x1; torchvision strides the 3x3 ("ResNet V1.5").
        s1, s3 = (stride, 1) if c.stride_at == "1x1" else (1, stride)
        convs = [(mid, 1, s1, 1), (mid, 3, s3, c.groups), (out_c, 1, 1, 1)]
    last = len(convs)
    pre_shape = x_shape
    for i, (ch, k, s, g) in enumerate(convs, start=1):
        if c.preact:  # BN -> ReLU -> conv, nothing after the addition (arXiv 1603.05027)
            branch += [b.bn(f"{name}.bn{i}", **where), b.relu(f"{name}.relu{i}", **where)]
            if i == 1:
                pre_shape = b.shape
            branch.append(b.conv(f"{name}.conv{i}", ch, k, s, g, **where))
        else:
            branch += [b.conv(f"{name}.conv{i}", ch, k, s, g, **where), b.bn(f"{name}.bn{i}", **where)]
            if i < last:
                branch.append(b.relu(f"{name}.relu{i}", **where))
    if c.se_ratio:  # after the last BN (post-activation) or conv, before the addition (Fig. 3)
        branch.append(_squeeze_excite(c, b, name, **where))
    out_shape = b.shape

    sc_where = dict(stage=f"layer{stage}", block=index, role="shortcut")
    shortcut_layers: tuple[LayerSpec, ...] = ()
    reads_preact = _shortcut_reads_preact(c, kind, index)
    # BN-ReLU keeps the shape, so either input has x_shape; BlockSpec.shortcut_preact says which one.
    b.shape = pre_shape if reads_preact else x_shape
    if kind == "projection":
        shortcut_layers = _projection(c, b, name, out_c, stride, **sc_where)
    elif kind == "zero-pad":
        # Option A: subsample by the stride, then append zero channels; no parameters (Sec. 3.3).
        shortcut_layers = (
            b._emit(f"{name}.downsample", "ZeroPadShortcut", out_shape, 1, stride, 0, **sc_where),
        )
    b.shape = out_shape
    post = () if c.preact else (b.relu(f"{name}.relu", stage=f"layer{stage}", block=index, role="post"),)
    return BlockSpec(
        name,
        stage,
        index,
        in_c,
        mid,
        out_c,
        stride,
        kind,
        x_shape,
        out_shape,
        tuple(branch),
        shortcut_layers,
        post,
        drop_prob,
        c.groups if c.block == "bottleneck" else 1,
        reads_preact,
    )


# A plan holds ~400 B per leaf layer (tracemalloc, ResNet-18 to ResNet-1202: 380-420 B); 512 B is the
# estimate, so 64 MiB keeps ~45 plans of ResNet-1202 (3,607 layers) or all 256 of a classroom's smaller ones.
def _plan_bytes(plan: Plan) -> int:
    return 512 * len(plan.layers)


@bounded_cache(max_entries=256, max_bytes=64 * 2**20, size=_plan_bytes)
def make_plan(config: ResNetConfig) -> Plan:
    """The plan of ``config`` (cached: a Plan is immutable, so sharing it is safe)."""
    b = _Builder((config.in_channels, config.input_size, config.input_size))
    stem = _stem(config, b)
    stages = []
    total, seen = sum(config.stages), 0
    for s, n_blocks in enumerate(config.stages, start=1):
        in_shape = b.shape
        blocks = []
        for i in range(n_blocks):
            seen += 1  # stochastic depth's linear rule: block l of L drops with drop_path * l / L
            blocks.append(
                _block(config, b, s, i, 2 if s > 1 and i == 0 else 1, config.drop_path * seen / total)
            )
        stages.append(StageSpec(f"layer{s}", s, tuple(blocks), in_shape, b.shape))
    where = dict(stage="head", block=None, role="head")
    head: list[LayerSpec] = []
    if config.preact:  # the last block leaves its sum un-normalised, so the head adds BN-ReLU
        head += [b.bn("final_bn", **where), b.relu("final_relu", **where)]
    ch = b.shape[0]
    head.append(b._emit("avgpool", "AdaptiveAvgPool2d", (ch, 1, 1), **where))
    b.shape = (ch,)  # torch.flatten(x, 1)
    fc_w = ch * config.num_classes
    head.append(
        b._emit(
            "fc",
            "Linear",
            (config.num_classes,),
            params=fc_w + config.num_classes,
            macs=fc_w,
            weighted=True,
            **where,
        )
    )
    return Plan(config, stem, tuple(stages), tuple(head))
