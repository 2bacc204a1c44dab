"""The one source of truth: a frozen, hashable description of a residual network.

Everything the app shows is a function of a :class:`ResNetConfig`: the plan, the built
module, tables, graphs, charts. The UI only ever edits one with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ResNetConfig",
    "PRESETS",
    "IMAGENET_PRESETS",
    "CIFAR_PRESETS",
    "STEMS",
    "BLOCKS",
    "SHORTCUTS",
    "STRIDE_AT",
    "LIMITS",
    "preset_name",
    "nearest_preset",
    "parse_stages",
    "config_diff",
    "config_to_query",
    "config_from_query",
    "config_to_code",
]

STEMS = ("imagenet", "cifar", "deep")
BLOCKS = ("basic", "bottleneck")
SHORTCUTS = ("A", "B", "C", "none")
STRIDE_AT = ("1x1", "3x3")

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
}


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
    # Width of the first stage (the bottleneck's inner width); each later stage doubles it.
    width: int = 64
    # Pre-activation order BN -> ReLU -> conv ("Identity Mappings", arXiv 1603.05027).
    preact: bool = False
    num_classes: int = 1000
    in_channels: int = 3
    input_size: int = 224

    def __post_init__(self) -> None:
        # Accept lists from JSON / widgets but store a tuple, so the config stays hashable.
        if isinstance(self.stages, list):
            object.__setattr__(self, "stages", tuple(self.stages))
        _validate(self)

    @property
    def expansion(self) -> int:
        """Output width over inner width of a block: 4 for bottlenecks (Fig. 5), else 1."""
        return 4 if self.block == "bottleneck" else 1

    @property
    def is_plain(self) -> bool:
        return self.shortcut == "none"


def _choice(field: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{field}: got {value!r}; allowed: {', '.join(map(repr, allowed))}")


def _int_in(field: str, value: Any, key: str | None = None) -> None:
    lo, hi = LIMITS[key or field]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field}: got {value!r}; expected a whole number from {lo} to {hi}")
    if not lo <= value <= hi:
        raise ValueError(f"{field}: got {value}; allowed: {lo} to {hi}")


def _validate(c: ResNetConfig) -> None:
    _choice("stem", c.stem, STEMS)
    _choice("block", c.block, BLOCKS)
    _choice("shortcut", c.shortcut, SHORTCUTS)
    _choice("stride_at", c.stride_at, STRIDE_AT)
    if not isinstance(c.stages, tuple):
        raise ValueError(f"stages: got {c.stages!r}; expected a tuple of block counts")
    lo, hi = LIMITS["stages"]
    if not lo <= len(c.stages) <= hi:
        raise ValueError(f"stages: got {len(c.stages)} stages {c.stages}; allowed: {lo} to {hi} stages")
    for i, n in enumerate(c.stages, start=1):
        _int_in(f"stages[{i}]", n, "blocks")
    for name in ("width", "num_classes", "in_channels", "input_size"):
        _int_in(name, getattr(c, name))
    if not isinstance(c.preact, bool):
        raise ValueError(f"preact: got {c.preact!r}; expected True or False")


def _imagenet(stages: tuple[int, ...], block: str, shortcut: str = "B") -> ResNetConfig:
    return ResNetConfig(stem="imagenet", stages=stages, block=block, shortcut=shortcut)


def _cifar(n: int, shortcut: str = "A") -> ResNetConfig:
    # Sec. 4.2: 6n+2 layers, widths 16/32/64 on 32/16/8 maps, option A shortcuts.
    return ResNetConfig(
        stem="cifar", stages=(n, n, n), block="basic", shortcut=shortcut,
        width=16, num_classes=10, input_size=32,
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
PRESETS: dict[str, ResNetConfig] = {**IMAGENET_PRESETS, **CIFAR_PRESETS}


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
    """'3,4,6,3' (or '3 4 6 3') -> (3, 4, 6, 3); the counts' ranges are ResNetConfig's to check."""
    parts = [p.strip() for p in str(text).replace(" ", ",").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"stages: got {text!r}; expected block counts like 3,4,6,3") from None


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


def _parse_field(name: str, raw: str) -> Any:
    default = getattr(ResNetConfig(), name)
    if name == "stages":
        return parse_stages(raw)
    if isinstance(default, bool):
        if raw.lower() not in ("1", "0", "true", "false"):
            raise ValueError(f"{name}: got {raw!r}; allowed: 1 or 0")
        return raw.lower() in ("1", "true")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            lo, hi = LIMITS[name]
            raise ValueError(f"{name}: got {raw!r}; expected a whole number from {lo} to {hi}") from None
    return raw


def config_from_query(query: Mapping[str, str]) -> tuple[ResNetConfig, str, list[str]]:
    """Parse query parameters into (config, base preset name, error messages).

    Never raises: a bad value is reported and the model falls back to the base preset
    (or ResNet-18 when the preset itself is unknown), so a broken link still opens the app.
    """
    errors: list[str] = []
    base = query.get("preset", "resnet18")
    if base not in PRESETS:
        errors.append(f"preset: got {base!r}; allowed: {', '.join(PRESETS)}")
        base = "resnet18"
    changes: dict[str, Any] = {}
    for name in _FIELDS:
        if name in query:
            try:
                changes[name] = _parse_field(name, str(query[name]))
            except ValueError as exc:
                errors.append(str(exc))
    # Fields are validated independently, so each bad value is reported, not just the first.
    for name, value in changes.items():
        try:
            dataclasses.replace(PRESETS[base], **{name: value})
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        return PRESETS[base], base, errors
    return dataclasses.replace(PRESETS[base], **changes), base, []


def config_to_code(config: ResNetConfig) -> str:
    """Python that rebuilds ``config`` with the library (only non-default fields are spelled out)."""
    default = ResNetConfig()
    args = [f"{f.name}={getattr(config, f.name)!r}" for f in dataclasses.fields(ResNetConfig)
            if getattr(config, f.name) != getattr(default, f.name)]
    name = preset_name(config)
    lines = ["from resnet_explorer import ResNetConfig, analyze, build_model", ""]
    if name:
        lines += ["from resnet_explorer import PRESETS", "", f'config = PRESETS["{name}"]']
        lines += [f"# the same as ResNetConfig({', '.join(args)})" if args else "# = ResNetConfig()"]
    else:
        lines += [f"config = ResNetConfig({', '.join(args)})"]
    lines += ["model = build_model(config)  # an nn.Module (torchvision's layer names)",
              "report = analyze(config)    # parameters, multiply-adds, per-layer table",
              "print(report.total_params, report.total_macs)"]
    return "\n".join(lines) + "\n"
