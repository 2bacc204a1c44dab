"""The one source of truth: a frozen, hashable description of a residual network.

Everything the app shows is a function of a :class:`ResNetConfig`: the plan, the built
module, tables, graphs, charts. The UI only ever edits one with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ResNetConfig",
    "PRESETS",
    "IMAGENET_PRESETS",
    "CIFAR_PRESETS",
    "FAMILY_PRESETS",
    "PRESET_GROUPS",
    "preset_title",
    "STEMS",
    "BLOCKS",
    "SHORTCUTS",
    "STRIDE_AT",
    "PAD_PLACEMENTS",
    "LIMITS",
    "preset_name",
    "nearest_preset",
    "parse_stages",
    "config_diff",
    "config_to_query",
    "config_from_query",
    "read_link",
    "read_whole",
    "LinkProblem",
    "LINK_PROBLEMS",
    "ConfigError",
    "CONFIG_ERRORS",
    "ECHO_MAX",
    "echo",
    "config_to_code",
]

STEMS = ("imagenet", "cifar", "deep")
BLOCKS = ("basic", "bottleneck")
SHORTCUTS = ("A", "B", "C", "none")
STRIDE_AT = ("1x1", "3x3")
# Option A's zero channels: after the identity ones (fb.resnet.torch), or half on each side
# (akamaster/pytorch_resnet_cifar10, the most used PyTorch CIFAR code); see docs/notes.md.
PAD_PLACEMENTS = ("append", "both")

# Allowed ranges, inclusive. Wide enough to explore "what if" (a 4096-wide stage, a 2048 px
# input); whether such a model may actually be *built* here is decided by its memory estimate
# (see ``resnet_explorer.core.model.check_fits``), not by these bounds.
LIMITS: dict[str, tuple[int, int]] = {
    "stages": (1, 6),  # number of stages
    "blocks": (1, 500),  # blocks per stage (ResNet-1202 needs 200)
    "width": (1, 8192),
    "num_classes": (1, 100_000),
    "in_channels": (1, 64),
    "input_size": (8, 4096),
    "groups": (1, 1024),
    "width_per_group": (1, 8192),
    "stem_width": (0, 8192),  # 0: as wide as the first stage
    "se_ratio": (0, 1024),  # 0: no squeeze-and-excitation
}
DROP_PATH_MAX = 0.95  # a branch dropped more often than this is hardly ever trained


@dataclass(frozen=True)
class ResNetConfig:
    """A residual (or plain) network in the terms of He et al. 2015.

    Defaults describe torchvision's ``resnet18``.
    """

    # 'imagenet': 7x7/2 conv + 3x3/2 max-pool (paper Table 1); 'cifar': 3x3/1 conv (Sec. 4.2);
    # 'deep': three 3x3 convs then max-pool ("ResNet-C", Bag of Tricks, arXiv 1812.01187).
    stem: str = "imagenet"
    # Blocks per stage; stage i>1 halves the map and doubles the width (Table 1).
    stages: tuple[int, ...] = (2, 2, 2, 2)
    # 'basic': two 3x3 convs; 'bottleneck': 1x1 reduce, 3x3, 1x1 expand by 4 (Fig. 5).
    block: str = "basic"
    # Shortcut when shapes change (Sec. 3.3): 'A' zero-pad, 'B' project where needed,
    # 'C' project everywhere, 'none' = the plain net.
    shortcut: str = "B"
    # Where a bottleneck halves the map: the paper's first 1x1, or torchvision's 3x3 ("V1.5").
    stride_at: str = "3x3"
    # Width of the first stage (torchvision's ``planes``: a basic block's width, a bottleneck's inner
    # width before groups/width_per_group rescale it, a quarter of its output); later stages double it.
    width: int = 64
    # Pre-activation order BN -> ReLU -> conv ("Identity Mappings", arXiv 1603.05027).
    preact: bool = False
    num_classes: int = 1000
    in_channels: int = 3
    input_size: int = 224
    # --- the successors (defaults leave the 2015 network unchanged) ---
    # Cardinality: the bottleneck's 3x3 conv split into this many groups ("ResNeXt", Xie et al.
    # 2017, arXiv 1611.05431, Fig. 3c).
    groups: int = 1
    # Channels per group of that 3x3, scaled like torchvision's ``base_width``: the inner width is
    # int(planes * width_per_group / 64) * groups, so 64 with groups=1 is the paper's bottleneck,
    # 4 with groups=32 is ResNeXt-50 (32x4d), 128 is wide_resnet50_2 (Zagoruyko & Komodakis 2016).
    width_per_group: int = 64
    # Output channels of the stem (0: the first stage's width). Wide ResNets keep a 16-wide stem
    # before 16k-wide stages (arXiv 1605.07146, Table 1); the deep stem is w/2, w/2, w of it.
    stem_width: int = 0
    # ResNet-D (Bag of Tricks, arXiv 1812.01187, Fig. 2c): a downsampling projection first
    # average-pools 2x2 and then applies a stride-1 1x1 conv, so it reads every input pixel.
    shortcut_pool: bool = False
    # Squeeze-and-excitation reduction ratio r (Hu et al. 2018, arXiv 1709.01507, Fig. 3): global
    # pool -> 1x1 conv to C/r -> ReLU -> 1x1 conv to C -> sigmoid gate on the branch; 0 = none.
    se_ratio: int = 0
    # Stochastic depth (Huang et al. 2016, arXiv 1603.09382): in training, block l of L drops its
    # residual branch with probability drop_path * l / L (the paper's linear decay, p_L = 1 - drop_path).
    drop_path: float = 0.0
    # Start each residual branch at zero (its last BN's gamma; the last conv in pre-activation
    # blocks), so every block begins as the identity (Goyal et al. 2017, arXiv 1706.02677, Sec. 5.1).
    zero_init_residual: bool = False
    # Where option A puts its zero channels (PAD_PLACEMENTS); same parameters, different channel order.
    pad_placement: str = "append"

    def __post_init__(self) -> None:
        # Accept lists from JSON / widgets but store a tuple, so the config stays hashable.
        if isinstance(self.stages, list):
            object.__setattr__(self, "stages", tuple(self.stages))
        if isinstance(self.drop_path, int) and not isinstance(self.drop_path, bool):
            object.__setattr__(self, "drop_path", float(self.drop_path))  # 0 and 0.0 are one config
        _validate(self)

    @property
    def expansion(self) -> int:
        """Output width over inner width of a block: 4 for bottlenecks (Fig. 5), else 1."""
        return 4 if self.block == "bottleneck" else 1

    @property
    def is_plain(self) -> bool:
        return self.shortcut == "none"

    @property
    def stem_channels(self) -> int:
        """Output channels of the stem: ``stem_width``, or the first stage's width when it is 0."""
        return self.stem_width or self.width

    def stage_planes(self, stage: int) -> int:
        """torchvision's ``planes`` of stage ``stage`` (1-based): width doubled per stage (Table 1)."""
        return self.width * 2 ** (stage - 1)

    def with_shortcut(self, shortcut: str) -> ResNetConfig:
        """The same net with shortcut option ``shortcut``, less what that option cannot carry.

        The plain twin (Sec. 4.1: "the same" layers without shortcuts) and the A/B/C variants
        (Sec. 3.3) of a successor keep every layer it has in common with them: ResNet-D's average
        pool lives on a projection (Bag of Tricks, arXiv 1812.01187, Fig. 2c), so it goes with
        options none and A; stochastic depth and zero-initialised last BNs silence the residual
        branch, which a plain net has no shortcut around, so they go with option none. Option A pads
        with zeros and cannot crop (the ``pad_narrows`` rule), so a stem wider than the first stage's
        output narrows to that output with option A.
        """
        keep_pool = self.shortcut_pool and shortcut in ("B", "C")
        plain = shortcut == "none"
        first = self.width * self.expansion
        narrow = shortcut == "A" and self.stem_channels > first
        return dataclasses.replace(
            self,
            shortcut=shortcut,
            shortcut_pool=keep_pool,
            stem_width=first if narrow else self.stem_width,
            drop_path=0.0 if plain else self.drop_path,
            zero_init_residual=False if plain else self.zero_init_residual,
        )

    def inner_width(self, stage: int) -> int:
        """Width of the block's inner convs (the bottleneck's 3x3), torchvision's formula."""
        return self.stage_planes(stage) * self.width_per_group // 64 * self.groups


# Each kind of refused value; :class:`ConfigError` carries it with its parts, so a page or the
# CLI can say it in the user's language (catalogue id ``cfg.error.<kind>``) while the Python API
# keeps its English message.
CONFIG_ERRORS = (
    "choice",
    "whole",
    "range",
    "stages_type",
    "stages_format",
    "stages_count",
    "not_bool",
    "drop_path",
    "basic_groups",
    "inner_zero",
    "pool_projection",
    "se_squeeze",
    "plain_silenced",
    "pad_narrows",
)


class ConfigError(ValueError):
    """A config value refused: the English message, plus ``kind`` (one of :data:`CONFIG_ERRORS`)
    and ``values``, the parts it is made of. In ``values``, ``field``, ``other``, ``value``,
    ``shortcut`` and ``block`` are names or what was given (shown as code), ``options`` the
    accepted names, the rest numbers."""

    def __init__(self, message: str, kind: str, **values: Any) -> None:
        super().__init__(message)
        self.kind, self.values = kind, values

    @property
    def parts(self) -> tuple[str, tuple[tuple[str, Any], ...]]:
        """(kind, values) as plain hashable, picklable data (what a LinkProblem keeps)."""
        return self.kind, tuple(self.values.items())

    def __reduce__(self) -> tuple:  # pickle rebuilds from the parts, not from args alone
        return (_config_error, (str(self), self.kind, self.values))


def _config_error(message: str, kind: str, values: dict[str, Any]) -> ConfigError:
    return ConfigError(message, kind, **values)


def _choice(field: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(
            f"{field}: got {value!r}; allowed: {', '.join(map(repr, allowed))}",
            "choice",
            field=field,
            value=value,
            options=allowed,
        )


def _int_in(field: str, value: Any, key: str | None = None) -> None:
    lo, hi = LIMITS[key or field]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            f"{field}: got {value!r}; expected a whole number from {lo} to {hi}",
            "whole",
            field=field,
            value=value,
            lo=lo,
            hi=hi,
        )
    if not lo <= value <= hi:
        raise ConfigError(
            f"{field}: got {value}; allowed: {lo} to {hi}", "range", field=field, value=value, lo=lo, hi=hi
        )


def _validate(c: ResNetConfig) -> None:
    _choice("stem", c.stem, STEMS)
    _choice("block", c.block, BLOCKS)
    _choice("shortcut", c.shortcut, SHORTCUTS)
    _choice("stride_at", c.stride_at, STRIDE_AT)
    if not isinstance(c.stages, tuple):
        raise ConfigError(
            f"stages: got {c.stages!r}; expected a tuple of block counts",
            "stages_type",
            field="stages",
            value=c.stages,
        )
    lo, hi = LIMITS["stages"]
    if not lo <= len(c.stages) <= hi:
        raise ConfigError(
            f"stages: got {len(c.stages)} stages {c.stages}; allowed: {lo} to {hi} stages",
            "stages_count",
            field="stages",
            value=",".join(map(str, c.stages)),
            n=len(c.stages),
            lo=lo,
            hi=hi,
        )
    for i, n in enumerate(c.stages, start=1):
        _int_in(f"stages[{i}]", n, "blocks")
    for name in ("width", "num_classes", "in_channels", "input_size"):
        _int_in(name, getattr(c, name))
    for name in ("preact", "shortcut_pool", "zero_init_residual"):
        if not isinstance(getattr(c, name), bool):
            raise ConfigError(
                f"{name}: got {getattr(c, name)!r}; expected True or False",
                "not_bool",
                field=name,
                value=getattr(c, name),
            )
    for name in ("groups", "width_per_group", "stem_width", "se_ratio"):
        _int_in(name, getattr(c, name))
    _choice("pad_placement", c.pad_placement, PAD_PLACEMENTS)
    if (
        isinstance(c.drop_path, bool)
        or not isinstance(c.drop_path, float)
        or not 0.0 <= c.drop_path <= DROP_PATH_MAX
    ):
        raise ConfigError(
            f"drop_path: got {c.drop_path!r}; allowed: a number from 0 to {DROP_PATH_MAX}",
            "drop_path",
            field="drop_path",
            value=c.drop_path,
            lo=0,
            hi=DROP_PATH_MAX,
        )
    # torchvision's BasicBlock refuses these too: a grouped or re-widened basic block is no
    # network either paper describes.
    if c.block == "basic" and (c.groups != 1 or c.width_per_group != 64):
        raise ConfigError(
            f"groups/width_per_group: got {c.groups}/{c.width_per_group}; basic blocks allow "
            "only 1/64 (use block 'bottleneck' for ResNeXt and wide bottlenecks)",
            "basic_groups",
            field="groups",
            other="width_per_group",
            groups=c.groups,
            per_group=c.width_per_group,
            block="bottleneck",
        )
    if c.inner_width(1) < 1:
        least = -(-64 // c.width)
        raise ConfigError(
            f"width_per_group: got {c.width_per_group}; with width {c.width} the inner width "
            f"int({c.width}·{c.width_per_group}/64)·{c.groups} would be 0; allowed: at least {least}",
            "inner_zero",
            field="width_per_group",
            other="width",
            per_group=c.width_per_group,
            width=c.width,
            groups=c.groups,
            least=least,
        )
    if c.shortcut_pool and c.shortcut not in ("B", "C"):
        raise ConfigError(
            f"shortcut_pool: got True with shortcut {c.shortcut!r}; the average-pool shortcut "
            "(ResNet-D) needs a projection: allowed with shortcut 'B' or 'C'",
            "pool_projection",
            field="shortcut_pool",
            other="shortcut",
            shortcut=c.shortcut,
            options=("B", "C"),
        )
    if c.se_ratio and c.width * c.expansion < c.se_ratio:
        raise ConfigError(
            f"se_ratio: got {c.se_ratio}; the first stage's {c.width * c.expansion} channels "
            f"would squeeze to 0; allowed: 0 (off) or 1 to {c.width * c.expansion}",
            "se_squeeze",
            field="se_ratio",
            ratio=c.se_ratio,
            channels=c.width * c.expansion,
        )
    # Option A pads the identity with zero channels where the width grows (Sec. 3.3: "zero entries
    # padded for increasing dimensions"); no reference drops channels: fb.resnet.torch's resnet.lua
    # concatenates x with x * 0 (out = 2·in), akamaster's resnet.py pads planes // 4 on each side.
    # A stem wider than the first stage's output would need layer1.0's shortcut to crop, which
    # F.pad does silently with a negative pad, so that net is refused rather than built wrong. Only
    # layer1.0 can narrow: every later stage doubles the width.
    first = c.width * c.expansion
    if c.shortcut == "A" and c.stem_channels > first:
        least = -(-c.stem_width // c.expansion)
        raise ConfigError(
            f"stem_width: got {c.stem_width} with shortcut 'A'; option A pads a shortcut with zero channels "
            f"and cannot drop any, and the stem's {c.stem_width} channels are more than the {first} the "
            f"first stage puts out (width {c.width} × {c.expansion}): allowed: stem_width 0 to {first}, "
            f"width at least {least}, or shortcut 'B' or 'C'",
            "pad_narrows",
            field="stem_width",
            stem=c.stem_width,
            other="shortcut",
            shortcut=c.shortcut,
            channels=first,
            width=c.width,
            expansion=c.expansion,
            least=least,
            options=("B", "C"),
        )
    if c.shortcut == "none" and (c.drop_path or c.zero_init_residual):
        name = "drop_path" if c.drop_path else "zero_init_residual"
        raise ConfigError(
            f"{name}: got {getattr(c, name)!r} on a plain net; it silences the residual branch, "
            "which a plain net has no shortcut around: allowed only with shortcut A, B or C",
            "plain_silenced",
            field=name,
            value=getattr(c, name),
            other="shortcut",
            options=("A", "B", "C"),
        )


def _imagenet(stages: tuple[int, ...], block: str, shortcut: str = "B") -> ResNetConfig:
    return ResNetConfig(stem="imagenet", stages=stages, block=block, shortcut=shortcut)


def _cifar(n: int, shortcut: str = "A") -> ResNetConfig:
    # Sec. 4.2: 6n+2 layers, widths 16/32/64 on 32/16/8 maps, option A shortcuts.
    return ResNetConfig(
        stem="cifar",
        stages=(n, n, n),
        block="basic",
        shortcut=shortcut,
        width=16,
        num_classes=10,
        input_size=32,
    )


# torchvision's resnet50/101/152 are "V1.5" (stride on the 3x3) with option B; the defaults above.
IMAGENET_PRESETS: dict[str, ResNetConfig] = {
    "resnet18": _imagenet((2, 2, 2, 2), "basic"),
    "resnet34": _imagenet((3, 4, 6, 3), "basic"),
    "resnet50": _imagenet((3, 4, 6, 3), "bottleneck"),
    "resnet101": _imagenet((3, 4, 23, 3), "bottleneck"),
    "resnet152": _imagenet((3, 8, 36, 3), "bottleneck"),
    "plain18": _imagenet((2, 2, 2, 2), "basic", "none"),
    "plain34": _imagenet((3, 4, 6, 3), "basic", "none"),
}
CIFAR_PRESETS: dict[str, ResNetConfig] = {
    **{f"resnet{6 * n + 2}": _cifar(n) for n in (3, 5, 7, 9, 18, 200)},  # 20 ... 1202
    **{f"plain{6 * n + 2}": _cifar(n, "none") for n in (3, 5, 7, 9, 18)},  # 20 ... 110
}


def _preact_cifar(depth: int) -> ResNetConfig:
    # Identity Mappings (arXiv 1603.05027) Sec. 4 / Table 3: depth 9n+2 of bottlenecks on 16/32/64
    # planes (64/128/256 out), the stride on the first 1x1 and a bare 1x1 conv on projections,
    # as the authors' resnet-pre-act.lua builds it.
    n = (depth - 2) // 9
    return ResNetConfig(
        stem="cifar",
        stages=(n, n, n),
        block="bottleneck",
        shortcut="B",
        stride_at="1x1",
        width=16,
        preact=True,
        num_classes=10,
        input_size=32,
    )


def _wrn(depth: int, k: int) -> ResNetConfig:
    # WRN-d-k (arXiv 1605.07146, Table 1): a 16-wide 3x3 stem, then (d-4)/6 pre-activation basic
    # blocks per stage at 16k/32k/64k, a 1x1 conv shortcut where the shape changes.
    n = (depth - 4) // 6
    return ResNetConfig(
        stem="cifar",
        stages=(n, n, n),
        block="basic",
        shortcut="B",
        width=16 * k,
        stem_width=16,
        preact=True,
        num_classes=10,
        input_size=32,
    )


_R = dataclasses.replace
# The family, named as the library that ships each (torchvision 0.29, timm 1.0) or as its paper does.
FAMILY_PRESETS: dict[str, ResNetConfig] = {
    # ResNeXt (arXiv 1611.05431): "32x4d" = 32 groups of 4 channels in the first stage's 3x3.
    "resnext50_32x4d": _R(IMAGENET_PRESETS["resnet50"], groups=32, width_per_group=4),  # 25.0M
    "resnext101_32x8d": _R(IMAGENET_PRESETS["resnet101"], groups=32, width_per_group=8),  # 88.8M
    "resnext101_64x4d": _R(IMAGENET_PRESETS["resnet101"], groups=64, width_per_group=4),  # 83.5M
    # Wide ResNet-50/101-2: the bottleneck's inner width doubled, its output kept (torchvision).
    "wide_resnet50_2": _R(IMAGENET_PRESETS["resnet50"], width_per_group=128),  # 68.9M
    "wide_resnet101_2": _R(IMAGENET_PRESETS["resnet101"], width_per_group=128),  # 126.9M
    # ResNet-D (Bag of Tricks): deep stem 32-32-64 plus the average-pool shortcut (timm).
    "resnet18d": _R(IMAGENET_PRESETS["resnet18"], stem="deep", shortcut_pool=True),  # 11.7M
    "resnet50d": _R(IMAGENET_PRESETS["resnet50"], stem="deep", shortcut_pool=True),  # 25.6M
    # SE-ResNet-50: r = 16 in every bottleneck (Hu et al. 2018; timm's seresnet50).
    "seresnet50": _R(IMAGENET_PRESETS["resnet50"], se_ratio=16),  # 28.1M
    "preact_resnet164": _preact_cifar(164),  # 1.7M
    "preact_resnet1001": _preact_cifar(1001),  # 10.2M
    "wrn28_10": _wrn(28, 10),  # 36.5M
    "wrn40_4": _wrn(40, 4),  # 8.9M
    "wrn16_8": _wrn(16, 8),  # 11.0M
}
PRESETS: dict[str, ResNetConfig] = {**IMAGENET_PRESETS, **CIFAR_PRESETS, **FAMILY_PRESETS}

# The presets as a class meets them: the 2015 paper's ImageNet nets (Table 1), its CIFAR-10 nets
# (Sec. 4.2, Table 6), the plain twins it trains beside both (Fig. 4 and Fig. 6), then the successors.
PRESET_GROUPS: dict[str, tuple[str, ...]] = {
    "imagenet": tuple(n for n in IMAGENET_PRESETS if not n.startswith("plain")),
    "cifar": tuple(n for n in CIFAR_PRESETS if not n.startswith("plain")),
    "plain": tuple(n for n in {**IMAGENET_PRESETS, **CIFAR_PRESETS} if n.startswith("plain")),
    "successors": tuple(FAMILY_PRESETS),
}
# The successors as their papers print them (ResNeXt Table 1, WRN Table 1, SE-Net, Bag of Tricks'
# "ResNet-D", Identity Mappings' "pre-act ResNet"); "· CIFAR" where the net is built for 32 px images.
_FAMILY_TITLES = {
    "resnext50_32x4d": "ResNeXt-50 (32×4d)",
    "resnext101_32x8d": "ResNeXt-101 (32×8d)",
    "resnext101_64x4d": "ResNeXt-101 (64×4d)",
    "wide_resnet50_2": "Wide ResNet-50-2",
    "wide_resnet101_2": "Wide ResNet-101-2",
    "resnet18d": "ResNet-18-D",
    "resnet50d": "ResNet-50-D",
    "seresnet50": "SE-ResNet-50",
    "preact_resnet164": "Pre-act ResNet-164 · CIFAR",
    "preact_resnet1001": "Pre-act ResNet-1001 · CIFAR",
    "wrn28_10": "WRN-28-10 · CIFAR",
    "wrn40_4": "WRN-40-4 · CIFAR",
    "wrn16_8": "WRN-16-8 · CIFAR",
}


def preset_title(name: str) -> str:
    """A preset as the paper names it: 'resnet50' -> 'ResNet-50', 'resnet56' -> 'ResNet-56 · CIFAR',
    'plain34' -> 'plain-34' (the paper's lower case), 'resnext50_32x4d' -> 'ResNeXt-50 (32×4d)'.

    The number alone does not tell a CIFAR-10 net from an ImageNet one, so the CIFAR nets say so.
    """
    if name in _FAMILY_TITLES:
        return _FAMILY_TITLES[name]
    found = re.fullmatch(r"(resnet|plain)(\d+)", name)
    if found is None or name not in PRESETS:
        raise ValueError(f"preset: got {name!r}; allowed: {', '.join(PRESETS)}")
    title = f"{'ResNet' if found.group(1) == 'resnet' else 'plain'}-{found.group(2)}"
    return f"{title} · CIFAR" if name in CIFAR_PRESETS else title


def preset_name(config: ResNetConfig) -> str | None:
    """The preset this config equals, or None for a custom config."""
    for name, preset in PRESETS.items():
        if preset == config:
            return name
    return None


def nearest_preset(config: ResNetConfig) -> str:
    """The preset with the fewest fields differing from ``config`` (the first such, on ties)."""
    return min(PRESETS, key=lambda name: len(config_diff(PRESETS[name], config)))


def parse_stages(text: str) -> tuple[int, ...]:
    """'3,4,6,3' (or '3 4 6 3') -> (3, 4, 6, 3); the counts' ranges are ResNetConfig's to check.

    A Chinese input method's full-width digits and commas (``３，４，６，３``) and the enumeration
    comma ``、`` read as their ASCII twins, as the Lesson's answers do (``lesson.questions.parse_number``).
    """
    text = unicodedata.normalize("NFKC", str(text)).replace("、", ",")
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ConfigError(
            f"stages: got {text!r}; expected block counts like 3,4,6,3",
            "stages_format",
            field="stages",
            value=text,
        ) from None


def config_diff(base: ResNetConfig, config: ResNetConfig) -> dict[str, tuple[Any, Any]]:
    """Fields where ``config`` differs from ``base``: name -> (base value, new value)."""
    return {
        f.name: (getattr(base, f.name), getattr(config, f.name))
        for f in dataclasses.fields(ResNetConfig)
        if getattr(base, f.name) != getattr(config, f.name)
    }


# --- URL query string -------------------------------------------------------------------------
# A shared link must open the same model, so the config round-trips through plain strings.

_FIELDS = tuple(f.name for f in dataclasses.fields(ResNetConfig))
_CHOICES: dict[str, tuple[str, ...]] = {
    "stem": STEMS,
    "block": BLOCKS,
    "shortcut": SHORTCUTS,
    "stride_at": STRIDE_AT,
    "pad_placement": PAD_PLACEMENTS,
}
ECHO_MAX = 40  # characters of a link's value a message repeats; a 5,000-digit width is not echoed whole


def echo(raw: object) -> str:
    """A link's value as a message may repeat it: one line, at most ECHO_MAX characters."""
    text = " ".join(str(raw).split())
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


# The English message of each kind of problem (the CLI's and the log's; pages translate the parts).
_ENGLISH: dict[str, str] = {
    "unknown_preset": "preset: got {value!r}; allowed: {allowed}",
    "unknown_key": "unknown key {field!r}; allowed: {allowed}",
    "repeated": "{field}: given more than once ({value}); each key may appear once",
    "not_choice": "{field}: got {value!r}; allowed: {allowed}",
    "not_bool": "{field}: got {value!r}; allowed: 1 or 0",
    "not_whole": "{field}: got {value!r}; expected a whole number from {allowed}",
    "not_number": "{field}: got {value!r}; expected a number from {allowed}",
    "out_of_range": "{field}: got {value}; allowed: {allowed}",
    "stages_format": "stages: got {value!r}; expected block counts like 3,4,6,3",
    "stages_count": "stages: got {value!r}; allowed: {allowed} stages",
    "stage_blocks": "stages: got {value!r}; allowed: {allowed} blocks per stage",
    "conflict": "{detail}",
    "unknown_lang": "lang: got {value!r}; allowed: {allowed}",
    "not_pair": "{value!r}: expected field=value, e.g. shortcut=A",
    "not_column": "{value}: not a column key; columns are {allowed}",
    "too_many_columns": "{value} columns in the link; showing the first {last} (allowed: {allowed})",
    "too_few_columns": "{value} column(s) in the link; a comparison needs {allowed}: "
    "showing the default comparison",
}
LINK_PROBLEMS = tuple(_ENGLISH)


class LinkProblem(str):
    """One thing wrong in a link, as its English message (a ``str``) and as parts to translate.

    ``kind`` names the problem ("not_whole", "out_of_range", "unknown_key", ... see
    :data:`LINK_PROBLEMS`); ``field`` is the key it concerns, ``value`` what the link said (cut
    to :data:`ECHO_MAX` characters, never trusted: a page shows it escaped), ``allowed`` what
    would have been accepted, ``suggestion`` a close valid key or preset, ``detail`` the
    validation's own (English) reason for a value that conflicts with the rest of the model,
    ``column`` the Compare column it came from. The model keeps ``base``'s value for ``field``.
    So that a page can word ``allowed`` in its own language, it is also kept as ``bounds``
    (lowest, highest) or ``options`` (the names accepted) where it is one of those, and a
    conflict's reason as ``reason``, the :attr:`ConfigError.parts` behind ``detail``.
    """

    kind: str
    field: str
    value: str
    allowed: str
    suggestion: str
    detail: str
    column: str
    base: str
    bounds: tuple[float, float] | tuple[()]
    options: tuple[str, ...]
    reason: tuple[str, tuple[tuple[str, Any], ...]] | tuple[()]

    def __new__(
        cls,
        kind: str,
        field: str,
        value: object = "",
        allowed: str = "",
        *,
        suggestion: str = "",
        detail: str = "",
        column: str = "",
        base: str = "",
        bounds: tuple[float, float] | tuple[()] = (),
        options: tuple[str, ...] = (),
        reason: tuple[str, tuple[tuple[str, Any], ...]] | tuple[()] = (),
    ) -> LinkProblem:
        value = echo(value)
        if not allowed and bounds:
            allowed = f"{bounds[0]} to {bounds[1]}"
        elif not allowed and options:
            allowed = ", ".join(map(repr, options))
        english = _ENGLISH[kind].format(
            field=field,
            value=value,
            allowed=allowed,
            detail=detail,
            last=allowed.split()[-1] if allowed else "",
        )
        if suggestion:
            english += f" (did you mean {suggestion!r}?)"
        self = super().__new__(cls, f"{column}: {english}" if column else english)
        self.kind, self.field, self.value, self.allowed = kind, field, value, allowed
        self.suggestion, self.detail, self.column, self.base = suggestion, detail, column, base
        self.bounds, self.options, self.reason = tuple(bounds), tuple(options), tuple(reason)
        return self

    def __reduce__(self) -> tuple:  # a str subclass with attributes: pickle the parts, not the text
        return (
            _link_problem,
            (
                self.kind,
                self.field,
                self.value,
                self.allowed,
                self.suggestion,
                self.detail,
                self.column,
                self.base,
                self.bounds,
                self.options,
                self.reason,
            ),
        )

    def in_column(self, column: str) -> LinkProblem:
        """The same problem, said of Compare's column ``column`` (``"c2"``)."""
        return LinkProblem(
            self.kind,
            self.field,
            self.value,
            self.allowed,
            suggestion=self.suggestion,
            detail=self.detail,
            column=column,
            base=self.base,
            bounds=self.bounds,
            options=self.options,
            reason=self.reason,
        )


def _link_problem(
    kind: str,
    field: str,
    value: str,
    allowed: str,
    suggestion: str,
    detail: str,
    column: str,
    base: str,
    bounds: tuple = (),
    options: tuple = (),
    reason: tuple = (),
) -> LinkProblem:
    return LinkProblem(
        kind,
        field,
        value,
        allowed,
        suggestion=suggestion,
        detail=detail,
        column=column,
        base=base,
        bounds=bounds,
        options=options,
        reason=reason,
    )


def _closest(word: str, options: Any) -> str:
    near = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.75)
    return near[0] if near else ""


def config_to_query(config: ResNetConfig, base: str | None = None) -> dict[str, str]:
    """Query parameters for ``config``: the preset it starts from plus the fields that differ."""
    base = base if base in PRESETS else (preset_name(config) or "resnet18")
    query = {"preset": base}
    for name, (_, value) in config_diff(PRESETS[base], config).items():
        if name == "stages":
            query[name] = ",".join(map(str, value))
        elif isinstance(value, bool):
            query[name] = "1" if value else "0"
        else:
            query[name] = str(value)
    return query


# A link's numbers are plain ASCII digits: str.isdigit() is true for "²", which int() refuses, and
# int() and float() take "٣" and "1_000". No backtracking: the regexes stay linear on 5,000 digits.
_WHOLE = re.compile(r"([+-]?)([0-9]+)")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def read_whole(field: str, raw: object, lo: int, hi: int) -> int | LinkProblem:
    """A whole number from ``lo`` to ``hi`` that a link gives as ``field``, or what is wrong with it
    (``not_whole``, ``out_of_range``). Never raises: every page's link reader takes its numbers here.

    Surrounding whitespace is allowed; the number itself is an optional sign and ASCII digits. One
    with more digits (leading zeros aside) than the widest bound is out of range without ``int()``
    reading it: ``int()`` refuses strings of more than 4,300 digits, leading zeros included.
    """
    match = _WHOLE.fullmatch(str(raw).strip())
    if match is None:
        return LinkProblem("not_whole", field, raw, bounds=(lo, hi))
    sign, digits = match[1], match[2].lstrip("0") or "0"
    if len(digits) <= max(len(str(abs(lo))), len(str(abs(hi)))):
        value = -int(digits) if sign == "-" else int(digits)
        if lo <= value <= hi:
            return value
    return LinkProblem("out_of_range", field, raw, bounds=(lo, hi))


def _parse_field(name: str, raw: str) -> Any:
    """One field of a link, parsed and checked on its own; a bad value raises a :class:`LinkError`."""
    default = getattr(ResNetConfig(), name)
    if name == "stages":
        if not re.fullmatch(r"[0-9, ]*", raw):  # ASCII digits only (see _WHOLE)
            raise LinkError(LinkProblem("stages_format", name, raw))
        # Split as parse_stages splits, but each count read by read_whole, not int(): int() refuses
        # more than 4,300 digits, leading zeros included.
        counts = [part for part in re.split(r"[, ]", raw) if part]
        lo, hi = LIMITS["stages"]
        if not lo <= len(counts) <= hi:
            raise LinkError(LinkProblem("stages_count", name, raw, bounds=(lo, hi)))
        lo, hi = LIMITS["blocks"]
        stages = tuple(read_whole(name, count, lo, hi) for count in counts)
        if any(isinstance(n, LinkProblem) for n in stages):
            raise LinkError(LinkProblem("stage_blocks", name, raw, bounds=(lo, hi)))
        return stages
    if isinstance(default, bool):
        if raw.lower() not in ("1", "0", "true", "false"):
            raise LinkError(LinkProblem("not_bool", name, raw, "1, 0"))
        return raw.lower() in ("1", "true")
    if isinstance(default, float):
        bounds = (0, DROP_PATH_MAX)
        if not _DECIMAL.fullmatch(raw.strip()):  # ASCII digits (see _WHOLE); also refuses nan and inf
            raise LinkError(LinkProblem("not_number", name, raw, bounds=bounds))
        value = float(raw.strip())
        if not 0.0 <= value <= DROP_PATH_MAX:
            raise LinkError(LinkProblem("out_of_range", name, raw, bounds=bounds))
        return value
    if isinstance(default, int):
        value = read_whole(name, raw, *LIMITS[name])
        if isinstance(value, LinkProblem):
            raise LinkError(value)
        return value
    if name in _CHOICES and raw not in _CHOICES[name]:
        raise LinkError(
            LinkProblem(
                "not_choice",
                name,
                raw,
                options=_CHOICES[name],
                suggestion=_closest(raw, _CHOICES[name]),
            )
        )
    return raw


class LinkError(ValueError):
    """A field of a link that cannot be used; ``problem`` says why in parts a page can translate."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_link(
    query: Mapping[str, str | Sequence[str]],
    other_keys: Sequence[str] | None = None,
) -> tuple[ResNetConfig, str, list[LinkProblem]]:
    """The config a link describes, salvaging what it can: (config, base preset, problems).

    Never raises. A bad field costs only that field (it keeps the base preset's value); an
    unknown preset gives ResNet-18. Preset names are matched case-insensitively ("ResNet50").
    A value may be a list (every value a repeated key had): a key given more than once is
    reported and ignored rather than silently taking one of them. With ``other_keys``, every
    key that is neither a field, ``preset`` nor one of ``other_keys`` is reported (a misspelt
    ``shorcut``), with the closest known key; without it, other keys are left alone.
    """
    problems: list[LinkProblem] = []
    known = ("preset", *_FIELDS, *(other_keys or ()))
    unknown = [key for key in query if key not in known] if other_keys is not None else []
    for key in unknown:
        problems.append(
            LinkProblem("unknown_key", key, allowed=", ".join(known), suggestion=_closest(key, known))
        )
    values: dict[str, str] = {}
    for key, raw in query.items():
        if key in unknown:
            continue
        if not isinstance(raw, str):
            raw = list(raw)
            if len(raw) > 1:
                problems.append(LinkProblem("repeated", key, ", ".join(map(echo, raw))))
                continue
            raw = raw[0] if raw else ""
        values[key] = raw
    base = "resnet18"
    if "preset" in values:
        lower = {name.lower(): name for name in PRESETS}
        asked = values["preset"].strip()
        if asked.lower() in lower:
            base = lower[asked.lower()]
        else:
            problems.append(
                LinkProblem(
                    "unknown_preset",
                    "preset",
                    asked,
                    ", ".join(PRESETS),
                    suggestion=_closest(asked, PRESETS),
                    base=base,
                )
            )
    changes: dict[str, Any] = {}
    for name in _FIELDS:
        if name in values:
            try:
                changes[name] = _parse_field(name, values[name])
            except LinkError as exc:
                problems.append(exc.problem)
    # Each value is valid alone; together they may not be (groups=32 needs bottlenecks). Add them
    # in field order, keeping each that leaves a valid model, until nothing more can be added.
    config, pending = PRESETS[base], dict(changes)
    while pending:
        accepted = {}
        for name, value in pending.items():
            try:
                config = dataclasses.replace(config, **{name: value})
                accepted[name] = value
            except ValueError:
                pass
        if not accepted:
            break
        pending = {k: v for k, v in pending.items() if k not in accepted}
    for name, value in pending.items():
        try:
            dataclasses.replace(config, **{name: value})
        except ConfigError as exc:
            problems.append(LinkProblem("conflict", name, values[name], detail=str(exc), reason=exc.parts))
    for p in problems:
        p.base = base
    return config, base, problems


def config_from_query(query: Mapping[str, str]) -> tuple[ResNetConfig, str, list[str]]:
    """Parse query parameters into (config, base preset name, error messages).

    Never raises: a bad value is reported and costs only its field (:func:`read_link`), so a
    broken link still opens the app with everything it got right. Keys that are not fields
    (``lang``, tracking parameters) are ignored here.
    """
    return read_link(query)


def config_to_code(config: ResNetConfig) -> str:
    """Python that rebuilds ``config`` with the library (only non-default fields are spelled out)."""
    default = ResNetConfig()
    args = [
        f"{f.name}={getattr(config, f.name)!r}"
        for f in dataclasses.fields(ResNetConfig)
        if getattr(config, f.name) != getattr(default, f.name)
    ]
    name = preset_name(config)
    # One import line, of exactly what the snippet uses (the Code view's note says how to install it).
    if name:
        lines = [
            "from resnet_explorer import PRESETS, analyze, build_model",
            "",
            f'config = PRESETS["{name}"]',
        ]
        lines += [f"# the same as ResNetConfig({', '.join(args)})" if args else "# = ResNetConfig()"]
    else:
        lines = ["from resnet_explorer import ResNetConfig, analyze, build_model", ""]
        lines += [f"config = ResNetConfig({', '.join(args)})"]
    lines += [
        "model = build_model(config)  # an nn.Module (torchvision's layer names)",
        "report = analyze(config)    # parameters, multiply-adds, per-layer table",
        "print(report.total_params, report.total_macs)",
    ]
    return "\n".join(lines) + "\n"
