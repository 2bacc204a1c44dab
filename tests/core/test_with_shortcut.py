"""Switching a successor's shortcut option keeps every layer it shares with the new option.

Outside truth: timm's ResNet-D (resnet50d) and torchvision's ResNet-50. Without its shortcuts,
ResNet-D is timm's model less its ``downsample`` modules (avg pool + 1x1 conv + BN), and option A
(parameter-free shortcuts, Sec. 3.3) has the same parameter count as the plain net.
"""

from __future__ import annotations

import timm
import torchvision

from resnet_explorer import PRESETS, analyze
from resnet_explorer.train.lab import explorer_models
from resnet_explorer.visual.charts import shortcut_options_data


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _without_downsample(model) -> int:
    shortcut = sum(_count(m) for name, m in model.named_modules() if name.endswith("downsample"))
    return _count(model) - shortcut


def test_resnet_d_shortcut_options_chart_has_every_option():
    theirs = timm.create_model("resnet50d", pretrained=False)
    df = shortcut_options_data(PRESETS["resnet50d"]).set_index("option")
    assert df.loc["B", "params"] == _count(theirs)
    assert df.loc["none", "params"] == df.loc["A", "params"] == _without_downsample(theirs)
    assert bool(df.loc["B", "current"]) and not df.loc[["none", "A", "C"], "current"].any()


def test_plain_twin_of_resnet_d_is_its_layers_without_shortcuts():
    twin, own = explorer_models(PRESETS["resnet50d"], "resnet50d", lambda n: f"plain {n}").values()
    assert own == PRESETS["resnet50d"]
    assert twin.is_plain and not twin.shortcut_pool
    assert analyze(twin).total_params == _without_downsample(timm.create_model("resnet50d"))


def test_plain_twin_drops_what_only_a_residual_branch_carries():
    config = PRESETS["resnet50"].__class__(
        **{**PRESETS["resnet50"].__dict__, "drop_path": 0.1, "zero_init_residual": True}
    )
    twin = config.with_shortcut("none")
    assert twin.drop_path == 0.0 and twin.zero_init_residual is False
    assert analyze(twin).total_params == _without_downsample(torchvision.models.resnet50())
    # Options that keep the shortcut keep both.
    assert config.with_shortcut("C").drop_path == 0.1 and config.with_shortcut("A").zero_init_residual
