"""Every number the tests take from outside the library, in one place, each with its source.

Tests compare the library with these; nothing here is computed by ``resnet_explorer``. Where a
number is closed-form arithmetic, the arithmetic is written out.
"""

from __future__ import annotations

# --- torchvision 0.29 (``WeightsEnum.meta["num_params"]``, its docs) ----------------------------------
TORCHVISION_PARAMS = {
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "resnext50_32x4d": 25_028_904,
    "resnext101_32x8d": 88_791_336,
    "resnext101_64x4d": 83_455_272,
    "wide_resnet50_2": 68_883_240,
    "wide_resnet101_2": 126_886_696,
}
# ``meta["_ops"]``: GFLOPS, which torchvision counts as multiply-adds (stride on the 3×3, "V1.5").
TORCHVISION_GMACS = {
    "resnet18": 1.814,
    "resnet34": 3.664,
    "resnet50": 4.089,
    "resnet101": 7.801,
    "resnet152": 11.514,
}
# 1-crop ImageNet accuracy (acc@1, acc@5) of the V1 and V2 weights.
TORCHVISION_ACC = {
    ("resnet50", "V1"): (76.130, 92.862),
    ("resnet50", "V2"): (80.858, 95.434),
}

# --- timm 1.0.31 (``timm.create_model(name, pretrained=False)``, counted) -----------------------------
TIMM_PARAMS = {
    "resnet18d": 11_708_744,
    "resnet50d": 25_576_264,
    "seresnet50": 28_088_024,
    "resnetv2_50": 25_549_352,
}

# --- He et al. 2015, "Deep Residual Learning for Image Recognition" (arXiv 1512.03385) ----------------
# Table 1, "FLOPs" row: multiply-adds at 224×224, in units of 10^9 (VGG-19 from the text: 19.6).
PAPER_TABLE1_GMACS = {"resnet18": 1.8, "resnet34": 3.6, "resnet50": 3.8, "resnet101": 7.6, "resnet152": 11.3}
PAPER_VGG19_GMACS = 19.6
# Table 3: top-1 / top-5 error (10-crop) on ImageNet val.
PAPER_TABLE3 = {
    "plain34": (28.54, 10.02),
    "resnet34 A": (25.03, 7.76),
    "resnet34 B": (24.52, 7.46),
    "resnet34 C": (24.19, 7.40),
    "resnet50": (22.85, 6.71),
    "resnet101": (21.75, 6.05),
    "resnet152": (21.43, 5.71),
}
# Table 6 (CIFAR-10): parameters in millions as printed, and error in percent.
PAPER_TABLE6 = {
    "resnet20": (0.27, 8.75),
    "resnet32": (0.46, 7.51),
    "resnet44": (0.66, 7.17),
    "resnet56": (0.85, 6.97),
    "resnet110": (1.7, 6.43),
    "resnet1202": (19.4, 7.93),
}

# --- Closed forms ---------------------------------------------------------------------------------------
# CIFAR ResNet-20, option A (no shortcut parameters): a 3×3 stem with 16 filters and its BN, three
# stages of three basic blocks at widths 16, 32, 64 (the first of stages 2 and 3 widens), the FC 64 → 10.


def _basic(c_in: int, c_out: int) -> int:
    """Two 3×3 convs without bias and two BNs (γ, β)."""
    return 3 * 3 * c_in * c_out + 3 * 3 * c_out * c_out + 2 * 2 * c_out


RESNET20_PARAMS = (
    3 * 3 * 3 * 16
    + 2 * 16
    + 3 * _basic(16, 16)
    + _basic(16, 32)
    + 2 * _basic(32, 32)
    + _basic(32, 64)
    + 2 * _basic(64, 64)
    + 64 * 10
    + 10
)
assert RESNET20_PARAMS == 269_722  # the figure the paper's 0.27M rounds
# Fig. 5 on a 256-d map: a basic block's two 3×3 convs against the bottleneck 1×1-3×3-1×1.
BASIC_256_WEIGHTS = 3 * 3 * 256 * 256 * 2  # 1,179,648
BOTTLENECK_256_WEIGHTS = 1 * 1 * 256 * 64 + 3 * 3 * 64 * 64 + 1 * 1 * 64 * 256  # 69,632
# Fig. 5 as the paper pairs it: a basic block on a 64-d map.
BASIC_64_WEIGHTS = 3 * 3 * 64 * 64 * 2  # 73,728
# ResNet-50 with option C: B's count plus a projection (1×1 conv + BN) on every identity shortcut:
# stage widths 256, 512, 1024, 2048 with 2, 3, 5, 2 identity shortcuts.
RESNET50_OPTION_C_PARAMS = 25_557_032 + sum(
    n * (c * c + 2 * c) for n, c in ((2, 256), (3, 512), (5, 1024), (2, 2048))
)
assert RESNET50_OPTION_C_PARAMS == 40_128_552
