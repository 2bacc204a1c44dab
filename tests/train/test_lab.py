"""The Training lab's policy (train.lab) and its default demonstration (train.demo), without a browser."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from resnet_explorer.core.config import PRESETS
from resnet_explorer.train import lab
from resnet_explorer.train.data import load_digits
from resnet_explorer.train.demo import DEMO_SETTINGS, demo_request, summarise
from resnet_explorer.train.loop import TrainSettings, train_models

torch.set_num_threads(1)


def test_the_page_defaults_send_exactly_the_demonstration():
    d = lab.DEFAULTS
    data = load_digits(d["train.input_size"], d["train.seed"])
    models = lab.paper_models(d["train.depth"], d["train.reference"])
    settings = TrainSettings(
        epochs=d["train.epochs"], batch_size=d["train.batch_size"], lr=d["train.lr"], seed=d["train.seed"]
    )
    request = lab.build_request(
        lab.fit_models(models, d["train.dataset"], d["train.input_size"], data),
        d["train.dataset"],
        d["train.input_size"],
        settings,
    )
    demo = demo_request(0)
    assert (request.models, request.dataset, request.input_size, request.settings) == (
        demo.models,
        demo.dataset,
        demo.input_size,
        demo.settings,
    )
    assert [label for label, _ in demo.models] == ["plain-20", "plain-56", "ResNet-56"]


def test_paper_models_are_fig6s_nets():
    assert list(lab.paper_models(56, True)) == ["plain-20", "plain-56", "ResNet-56"]
    assert list(lab.paper_models(20, True)) == ["plain-20", "ResNet-20"]  # no reference for itself
    m = lab.paper_models(110, False)
    # 6n+2 layers: plain and residual twins differ only in the shortcut (Sec. 4.2)
    assert m["plain-110"].stages == m["ResNet-110"].stages == (18, 18, 18)
    assert m["plain-110"].shortcut == "none" and m["ResNet-110"].shortcut == "A"
    with pytest.raises(ValueError, match="depth: got 57; allowed: 20, 32, 44, 56, 110"):
        lab.paper_models(57, True)


def test_explorer_models_add_the_plain_twin():
    m = lab.explorer_models(PRESETS["resnet18"], "resnet18", lambda n: f"plain twin of {n}")
    assert list(m) == ["plain twin of resnet18", "resnet18"]
    assert m["plain twin of resnet18"] == dataclasses.replace(PRESETS["resnet18"], shortcut="none")
    assert list(lab.explorer_models(PRESETS["plain20"], "plain20", str)) == ["plain20"]


def test_fit_models_to_cifar_and_digits():
    c = lab.fit_models({"r": PRESETS["resnet20"]}, "cifar10", 32)["r"]
    assert (c.in_channels, c.num_classes, c.input_size) == (3, 10, 32)  # CIFAR-10: RGB, 10 classes
    d = lab.fit_models({"r": PRESETS["resnet20"]}, "digits", 8, load_digits(8, 0))["r"]
    assert (d.in_channels, d.num_classes, d.input_size) == (1, 10, 8)
    with pytest.raises(ValueError, match="dataset: got 'mnist'"):
        lab.fit_models({"r": PRESETS["resnet20"]}, "mnist", 8)


def test_gradient_batch_is_seeded_and_drawn_from_the_training_split():
    data = load_digits(8, 0)
    x, y = lab.gradient_batch(data, 16, seed=2)
    idx = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(2))[:16]
    assert torch.equal(x, data.x_train[idx]) and torch.equal(y, data.y_train[idx])


def test_bounded_gradient_flow_agrees_with_autograd_and_respects_its_caps():
    from torch import nn

    from resnet_explorer.core.model import build_model

    data = load_digits(8, 0)
    config = lab.fit_models(
        {"r": dataclasses.replace(PRESETS["resnet20"], stages=(1, 1, 1))}, "digits", 8, data
    )["r"]
    x, y = data.x_train[:16], data.y_train[:16]
    flow = lab.bounded_gradient_flow(config, x, y, seed=0, timeout_s=120)  # in a child process
    torch.manual_seed(0)
    model = build_model(config)
    torch.nn.functional.cross_entropy(model(x), y).backward()
    expected = [float(m.weight.grad.norm()) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert flow.layers["grad_norm"].tolist() == pytest.approx(expected, rel=1e-5)
    # size cap: refused before any process starts, with the estimate and the limit
    with pytest.raises(lab.FlowLimitError, match="size: model too large") as info:
        lab.bounded_gradient_flow(config, x, y, max_bytes=1000)
    assert info.value.kind == "size"
    # time cap: the child is killed and the caller is told so
    with pytest.raises(lab.FlowLimitError, match="time: no result within 0.01 s"):
        lab.bounded_gradient_flow(config, x, y, timeout_s=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 3, 7])
def test_the_demonstration_shows_both_halves_of_fig6(seed):
    """Through the library (train_models, as the training process runs it), on three seeds: plain-56
    trains more than 10 points worse than plain-20 (degradation), ResNet-56 within 2 points of plain-20
    or better (shortcuts fix it). benchmarks/bench_demo.py checks all ten seeds and 1 and 2 threads."""
    request = demo_request(seed)
    data = load_digits(request.input_size, seed)
    assert request.settings == dataclasses.replace(DEMO_SETTINGS, seed=seed)
    result = train_models(list(request.models), data, request.settings)
    nets = summarise(result.history, request)
    p20, p56, r56 = (nets[k]["train_error"] for k in ("plain20", "plain56", "resnet56"))
    assert result.status == "done"
    assert p56 > p20 + 10, nets
    assert r56 <= p20 + 2, nets
