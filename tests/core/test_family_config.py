"""The successors' config fields: validation by name, the URL form, the CLI flags, and what they do.

Outside truths: torchvision's ``BasicBlock`` refusing groups/base_width, the closed-form grouped
conv count (k·k·(C/g)·C'), stochastic depth's linear rule (Huang et al. 2016, Sec. 3) and its
identity at test time, and zero-init making every block the identity (Goyal et al. 2017).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import urllib.parse

import pytest
import torch
import torchvision
from helpers import ROOT

from resnet_explorer import PRESETS, ResNetConfig, analyze, build_model
from resnet_explorer.cli.summary import summary_config
from resnet_explorer.core.config import FAMILY_PRESETS, config_from_query, config_to_query

BAD = [
    ({"groups": 0}, "groups", "1 to 1024"),
    ({"groups": 2.5}, "groups", "whole number"),
    ({"width_per_group": 0}, "width_per_group", "1 to 8192"),
    ({"stem_width": -1}, "stem_width", "0 to 8192"),
    ({"se_ratio": 2000}, "se_ratio", "0 to 1024"),
    ({"drop_path": 1.0}, "drop_path", "0 to 0.95"),
    ({"drop_path": "0.1"}, "drop_path", "a number"),
    ({"drop_path": True}, "drop_path", "a number"),
    ({"shortcut_pool": 1}, "shortcut_pool", "True or False"),
    ({"zero_init_residual": "yes"}, "zero_init_residual", "True or False"),
    ({"pad_placement": "left"}, "pad_placement", "'append', 'both'"),
    # Combinations the papers do not describe, refused with the reason.
    ({"groups": 32}, "groups/width_per_group", "basic blocks allow only 1/64"),
    ({"shortcut": "A", "shortcut_pool": True}, "shortcut_pool", "shortcut 'B' or 'C'"),
    ({"se_ratio": 128}, "se_ratio", "allowed: 0 (off) or 1 to 64"),
    ({"shortcut": "none", "drop_path": 0.2}, "drop_path", "plain net"),
    ({"shortcut": "none", "zero_init_residual": True}, "zero_init_residual", "plain net"),
]


@pytest.mark.parametrize("change, field, allowed", BAD, ids=[f"{c}" for c, *_ in BAD])
def test_bad_values_name_the_field(change, field, allowed) -> None:
    with pytest.raises(ValueError) as exc:
        dataclasses.replace(PRESETS["resnet18"], **change)
    text = str(exc.value)
    assert text.startswith(f"{field}: "), text
    assert allowed in text, text


def test_width_per_group_that_rounds_to_nothing() -> None:
    with pytest.raises(ValueError, match=r"^width_per_group: .*inner width .* at least 8"):
        dataclasses.replace(PRESETS["resnet50"], width=8, width_per_group=4)


def test_basic_blocks_refuse_groups_as_torchvision_does() -> None:
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64"):
        torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [1, 1, 1, 1], groups=2)
    with pytest.raises(ValueError, match="basic blocks allow only 1/64"):
        dataclasses.replace(PRESETS["resnet18"], width_per_group=32)


def test_drop_path_zero_as_int_is_the_default() -> None:
    assert dataclasses.replace(PRESETS["resnet18"], drop_path=0) == PRESETS["resnet18"]


CUSTOM = [
    dataclasses.replace(PRESETS["resnet50"], groups=8, width_per_group=16, se_ratio=8),
    dataclasses.replace(PRESETS["resnet18"], stem="deep", stem_width=48, shortcut_pool=True, shortcut="C"),
    dataclasses.replace(PRESETS["resnet56"], drop_path=0.5, zero_init_residual=True, pad_placement="both"),
    dataclasses.replace(PRESETS["wrn28_10"], drop_path=0.25),
]


@pytest.mark.parametrize("config", CUSTOM, ids=range(len(CUSTOM)))
def test_new_fields_travel_in_a_link(config: ResNetConfig) -> None:
    query = config_to_query(config)
    assert all(isinstance(v, str) for v in query.values())
    back = dict(urllib.parse.parse_qsl(urllib.parse.urlencode(query), strict_parsing=True))
    got, _, errors = config_from_query(back)
    assert errors == []
    assert got == config


def test_bad_link_values_are_reported_by_name() -> None:
    config, base, errors = config_from_query({"preset": "resnet50", "groups": "many", "drop_path": "x"})
    assert config == PRESETS["resnet50"] and base == "resnet50"
    text = " ".join(map(str, errors))
    assert "groups" in text and "drop_path" in text


@pytest.mark.parametrize("name", list(FAMILY_PRESETS))
def test_family_preset_links_are_their_name(name: str) -> None:
    assert config_to_query(PRESETS[name]) == {"preset": name}
    assert config_from_query({"preset": name})[0] == PRESETS[name]


def test_cli_flags_reach_the_config() -> None:
    c = summary_config("resnet50", groups=32, width_per_group=4)
    assert c == PRESETS["resnext50_32x4d"]
    c = summary_config("resnet18", stem="deep", shortcut_pool=True)
    assert c == PRESETS["resnet18d"]
    c = summary_config(
        "resnet20", drop_path=0.1, zero_init_residual=True, pad_placement="both", se_ratio=4, stem_width=8
    )
    assert (c.drop_path, c.zero_init_residual, c.pad_placement, c.se_ratio, c.stem_width) == (
        0.1,
        True,
        "both",
        4,
        8,
    )


def test_cli_summary_of_a_family_preset_and_a_bad_flag() -> None:
    run = [sys.executable, "-m", "resnet_explorer", "summary"]
    ok = subprocess.run(
        run + ["--preset", "resnet50", "--groups", "32", "--width-per-group", "4", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["preset"] == "resnext50_32x4d" and data["total_params"] == 25_028_904
    bad = subprocess.run(
        run + ["--preset", "resnet50", "--shortcut", "A", "--shortcut-pool"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode != 0 and "shortcut_pool" in bad.stderr


# --- what the fields do -------------------------------------------------------------------------


def test_grouped_conv_weights_closed_form() -> None:
    # ResNeXt-50's first 3x3: 128 -> 128 channels in 32 groups of 4: 3·3·(128/32)·128.
    layers = analyze(PRESETS["resnext50_32x4d"]).layers
    conv = [r for r in layers.itertuples() if r.name == "layer1.0.conv2"][0]
    assert conv.params == 3 * 3 * (128 // 32) * 128
    assert build_model(PRESETS["resnext50_32x4d"], "meta").layer1[0].conv2.groups == 32


def test_stochastic_depth_follows_the_linear_rule_and_is_identity_in_eval() -> None:
    config = dataclasses.replace(PRESETS["resnet20"], drop_path=0.5)
    blocks = analyze(config).plan.blocks
    total = len(blocks)
    assert [b.drop_prob for b in blocks] == pytest.approx([0.5 * (i + 1) / total for i in range(total)])
    torch.manual_seed(0)
    model = build_model(config)
    state = model.state_dict()
    plain = build_model(PRESETS["resnet20"])
    plain.load_state_dict(state)
    x = torch.randn(3, 3, 32, 32)
    model.eval()
    plain.eval()
    with torch.no_grad():
        assert torch.equal(model(x), plain(x)), "evaluation must be the whole network"
    # In training the last block keeps its branch in about half of the samples.
    last = model.layer3[-1]
    last.train()
    y = torch.randn(4000, 64, 1, 1)
    kept = (last.drop_path(y) != 0).flatten(1).all(1).float().mean().item()
    assert abs(kept - 0.5) < 0.05


@pytest.mark.parametrize("name", ["resnet20", "resnet50", "preact_resnet164"])
def test_zero_init_makes_every_block_the_identity(name: str) -> None:
    config = dataclasses.replace(
        PRESETS[name], zero_init_residual=True, input_size=32 if PRESETS[name].stem == "cifar" else 64
    )
    torch.manual_seed(0)
    model = build_model(config).eval()
    block = model.layer2[1]  # an identity-shortcut block
    x = torch.randn(2, block.conv1.in_channels, 8, 8)
    with torch.no_grad():
        y = block(x)
    expected = x if config.preact else torch.relu(x)
    assert torch.equal(y, expected)
