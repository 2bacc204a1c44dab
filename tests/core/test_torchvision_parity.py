"""Parity with torchvision's ``models/resnet.py``: the outside truth for the five ImageNet presets.

Same parameter counts, same state-dict keys and shapes, and the same outputs once torchvision's
own randomly initialised weights are loaded with ``strict=True``.
"""

from __future__ import annotations

import pytest
import torch
import torchvision
from known_answers import TORCHVISION_PARAMS as PUBLISHED

from resnet_explorer import PRESETS, build_model

# Published in torchvision's weights metadata (``meta["num_params"]``) and its docs.
TORCHVISION_PARAMS = {
    name: PUBLISHED[name] for name in ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")
}


def _torchvision(name: str, device: str = "cpu") -> torch.nn.Module:
    with torch.device(device):
        return getattr(torchvision.models, name)(weights=None)


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("name", TORCHVISION_PARAMS)
def test_parameter_count_matches_torchvision(name: str) -> None:
    ours = build_model(PRESETS[name], "meta")
    theirs = _torchvision(name, "meta")
    assert _count(theirs) == TORCHVISION_PARAMS[name], "torchvision itself changed?"
    assert _count(ours) == TORCHVISION_PARAMS[name]


@pytest.mark.parametrize("name", TORCHVISION_PARAMS)
def test_state_dict_keys_and_shapes_match(name: str) -> None:
    ours = {k: tuple(v.shape) for k, v in build_model(PRESETS[name], "meta").state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in _torchvision(name, "meta").state_dict().items()}
    assert sorted(ours.keys() - theirs.keys()) == [], "keys only in ours"
    assert sorted(theirs.keys() - ours.keys()) == [], "keys only in torchvision's"
    wrong = {k: (ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]}
    assert wrong == {}, "shape mismatches (ours, torchvision's)"
    # Same order too: a state dict saved by one and read positionally by the other lines up.
    assert list(ours) == list(theirs)


@pytest.mark.parametrize("name", TORCHVISION_PARAMS)
def test_outputs_match_after_loading_torchvision_weights(name: str) -> None:
    torch.manual_seed(0)
    theirs = _torchvision(name).eval()
    # Make the BN statistics non-trivial, so a swapped running_mean/var or affine would show.
    with torch.no_grad():
        for m in theirs.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    ours = build_model(PRESETS[name]).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, 96, 96, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = theirs(x)
        got = ours(x)
    assert got.shape == expected.shape == (2, 1000)
    assert torch.isfinite(expected).all()
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)


def test_feature_maps_match_torchvision_stages() -> None:
    """``forward_features`` returns the maps after the stem and after each of torchvision's layers."""
    torch.manual_seed(0)
    theirs = _torchvision("resnet50").eval()
    ours = build_model(PRESETS["resnet50"]).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        maps = ours.forward_features(x)
        h = theirs.maxpool(theirs.relu(theirs.bn1(theirs.conv1(x))))
        expected = [h]
        for layer in (theirs.layer1, theirs.layer2, theirs.layer3, theirs.layer4):
            h = layer(h)
            expected.append(h)
    assert len(maps) == 5
    for got, want in zip(maps, expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
