"""Fig. 5 arithmetic: conv weights of a basic vs a bottleneck block, checked in closed form and
against the conv weights of real PyTorch modules of those shapes."""

from __future__ import annotations

import pytest
from torch import nn

from resnet_explorer import block_arithmetic


def _weights(*convs: nn.Conv2d) -> int:
    return sum(c.weight.numel() for c in convs)


def _bn(*widths: int) -> int:
    return sum(p.numel() for c in widths for p in nn.BatchNorm2d(c, device="meta").parameters())


def test_256_channels_same_map() -> None:
    ba = block_arithmetic(256)
    assert ba.basic_weights == 3 * 3 * 256 * 256 * 2 == 1_179_648
    assert ba.bottleneck_weights == 1 * 1 * 256 * 64 + 3 * 3 * 64 * 64 + 1 * 1 * 64 * 256 == 69_632
    assert round(ba.ratio, 2) == 16.94
    assert ba.basic_formula == "3·3·256·256·2"
    assert ba.bottleneck_formula == "1·1·256·64 + 3·3·64·64 + 1·1·64·256"


def test_fig5_pairing() -> None:
    # The paper's own figure: a basic block on 64-d beside a bottleneck on 256-d, similar cost.
    ba = block_arithmetic(256)
    assert ba.fig5_basic_weights == 3 * 3 * 64 * 64 * 2 == 73_728
    assert ba.fig5_basic_formula == "3·3·64·64·2"
    assert round(ba.fig5_ratio, 3) == round(73_728 / 69_632, 3)


def test_bn_params_kept_apart() -> None:
    ba = block_arithmetic(256)
    assert ba.basic_bn == 2 * 256 + 2 * 256  # two BNs of 256 channels, gamma and beta each
    assert ba.bottleneck_bn == 2 * 64 + 2 * 64 + 2 * 256


@pytest.mark.parametrize("channels", [4, 64, 256, 512, 1024, 2048, 1000])
def test_matches_pytorch_modules(channels: int) -> None:
    m = channels // 4
    ba = block_arithmetic(channels)
    basic = [nn.Conv2d(channels, channels, 3, padding=1, bias=False, device="meta") for _ in range(2)]
    bottleneck = [
        nn.Conv2d(channels, m, 1, bias=False, device="meta"),
        nn.Conv2d(m, m, 3, padding=1, bias=False, device="meta"),
        nn.Conv2d(m, channels, 1, bias=False, device="meta"),
    ]
    assert ba.basic_weights == _weights(*basic)
    assert ba.bottleneck_weights == _weights(*bottleneck)
    assert ba.basic_bn == _bn(channels, channels)
    assert ba.bottleneck_bn == _bn(m, m, channels)
    # Both blocks on the same map: the ratio is 2*9*c^2 / (c^2/2 + 9c^2/16) = 288/17, for any c.
    assert ba.ratio == pytest.approx(288 / 17)
    fig5_basic = [nn.Conv2d(m, m, 3, bias=False, device="meta") for _ in range(2)]
    assert ba.fig5_basic_weights == _weights(*fig5_basic)
    assert ba.fig5_basic_bn == _bn(m, m)


@pytest.mark.parametrize("bad", [0, 2, 30, -256, 65540, 256.0, "256", True, None])
def test_bad_channels(bad) -> None:
    with pytest.raises(ValueError) as info:
        block_arithmetic(bad)
    message = str(info.value)
    assert message.startswith("channels: got ")
    assert repr(bad) in message
    assert "multiple of 4" in message and "4 to 65536" in message
