"""ResNet Explorer: residual networks as He et al. (2015) describe them, built and measured live.

>>> from resnet_explorer import PRESETS, analyze, build_model
>>> analyze(PRESETS["resnet50"]).total_params
25557032
"""

from .core.analysis import Analysis, analyze, block_arithmetic
from .core.checkpoints import model_from_checkpoint
from .core.config import PRESETS, ResNetConfig
from .core.model import build_model

__all__ = [
    "ResNetConfig",
    "PRESETS",
    "build_model",
    "analyze",
    "Analysis",
    "block_arithmetic",
    "model_from_checkpoint",
]
