"""torchvision's ImageNet weights for ResNeXt and Wide ResNet, through the same cache, offline and hash path.

Files are made locally (torchvision's random init saved where torch.hub looks), as
tests/classify/test_classify_weights.py does for the ResNets: no network here.
"""

from __future__ import annotations

import urllib.error

import pytest
import torch
import torchvision
from torchvision.models import get_model_weights

from resnet_explorer import PRESETS, analyze
from resnet_explorer.classify import weights as W

FAMILY = ("resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2")


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))

    def refuse(url, timeout):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(W, "_urlopen", refuse)
    return tmp_path / "torch" / "hub" / "checkpoints"


@pytest.mark.parametrize("arch", FAMILY)
def test_catalogue_lists_every_torchvision_version(arch: str) -> None:
    theirs = {w.name for w in get_model_weights(arch)}
    ours = {w.version for w in W.catalogue() if w.arch == arch}
    assert ours == theirs
    for w in W.catalogue():
        if w.arch == arch:
            assert w.config == PRESETS[arch]
            assert w.num_params == analyze(PRESETS[arch]).total_params
            assert W.available_for(PRESETS[arch])


def test_resnext_weights_give_torchvisions_logits(torch_home) -> None:
    entry = W.find("resnext50_32x4d", v2=True)
    torch.manual_seed(0)
    reference = torchvision.models.resnext50_32x4d().eval()
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(reference.state_dict(), entry.path)
    ours = W.load_pretrained(entry)
    x = torch.randn(1, 3, 96, 96, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        assert torch.allclose(ours(x), reference(x), rtol=1e-4, atol=1e-5)


def test_uncached_wide_resnet_says_how_to_fetch_it(torch_home) -> None:
    entry = W.find("wide_resnet101_2", v2=False)
    with pytest.raises(W.WeightsNotCachedError) as exc:
        W.load_pretrained(entry)
    assert entry.file_name in str(exc.value)
    assert "wide_resnet101_2" in W.download_command(entry)
