"""The shipped offline model: its card's numbers are measured, and measuring again gives the same."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import torch

from resnet_explorer.cli import build_parser
from resnet_explorer.core.config import PRESETS, config_from_query
from resnet_explorer.train.data import load_digits
from resnet_explorer.train.loop import evaluate, load_trained_model

ASSETS = Path(__file__).resolve().parents[2] / "resnet_explorer" / "assets"
CARD = ASSETS / "digits_resnet20.json"
WEIGHTS = ASSETS / "digits_resnet20.safetensors"
FIELDS = {
    "command",
    "config",
    "dataset",
    "input_size",
    "mean",
    "std",
    "classes",
    "seed",
    "n_train",
    "n_test",
    "test_accuracy",
}


@pytest.fixture(scope="module")
def card() -> dict:
    return json.loads(CARD.read_text(encoding="utf-8"))


def test_card_has_the_stable_fields(card):
    assert FIELDS <= card.keys(), f"missing: {FIELDS - card.keys()}"
    assert card["dataset"] == "digits" and card["classes"] == [str(d) for d in range(10)]


def test_config_is_a_cifar_resnet20_on_one_channel(card):
    config, base, errors = config_from_query(card["config"])
    assert not errors and base == "resnet20"
    assert (config.in_channels, config.num_classes, config.input_size) == (1, 10, card["input_size"])
    assert config.shortcut == "A" and config.stages == (3, 3, 3)  # Sec. 4.2: n = 3, option A
    model = load_trained_model(WEIGHTS).model
    # Table 6: ResNet-20 has 269,722 parameters on 3-channel input; one input channel saves the
    # first conv's 2 * 3*3*16 = 288 weights.
    assert sum(p.numel() for p in model.parameters()) == 269_722 - 288
    assert WEIGHTS.stat().st_size < 1.5 * 2**20


def test_checkpoint_metadata_agrees_with_the_card(card):
    loaded = load_trained_model(WEIGHTS)
    assert loaded.config == config_from_query(card["config"])[0]
    assert loaded.mean == card["mean"] and loaded.std == card["std"] and loaded.classes == card["classes"]
    assert loaded.test_accuracy == card["test_accuracy"]


def test_card_command_is_the_train_command_with_these_settings(card):
    argv = shlex.split(card["command"])
    assert argv[:4] == ["python", "-m", "resnet_explorer", "train"]
    args = build_parser().parse_args(argv[3:])
    assert args.preset == "resnet20" and args.dataset == "digits"
    assert (args.seed, args.input_size) == (card["seed"], card["input_size"])
    assert args.out.name == WEIGHTS.name


def test_measured_accuracy_matches_the_card_and_is_high(card):
    data = load_digits(input_size=card["input_size"], seed=card["seed"])
    assert (len(data.y_train), len(data.y_test)) == (card["n_train"], card["n_test"])
    assert list(data.mean) == pytest.approx(card["mean"], abs=1e-7)
    assert list(data.std) == pytest.approx(card["std"], abs=1e-7)
    model = load_trained_model(WEIGHTS).model
    with torch.no_grad():
        error, _ = evaluate(model, data.x_test, data.y_test)
    accuracy = 1 - error
    # Same weights, same images: equal, up to one image whose top two logits might tie differently
    # under another thread count.
    tolerance = 1 / card["n_test"] + 1e-12
    assert abs(accuracy - card["test_accuracy"]) <= tolerance, (accuracy, card["test_accuracy"])
    assert accuracy >= 0.95, f"held-out accuracy {accuracy:.4f}"
    assert card["config"]["preset"] in PRESETS
