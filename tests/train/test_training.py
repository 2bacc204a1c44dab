"""The training library: the paper's recipe, repeatability, faults, gradient flow, data, checkpoints."""

from __future__ import annotations

import dataclasses
import pickle
import socket
import urllib.error
import urllib.request

import numpy as np
import pytest
import torch

from resnet_explorer.cli import main
from resnet_explorer.core.config import PRESETS
from resnet_explorer.core.model import ModelTooLargeError
from resnet_explorer.train import loop as training
from resnet_explorer.train.data import DatasetUnavailableError, cifar10_status, load_cifar10, load_digits
from resnet_explorer.train.loop import (
    Trainer,
    TrainSettings,
    checkpoint_bytes,
    fit_config,
    gradient_flow,
    load_trained_model,
    train_models,
    validate_settings,
)

torch.set_num_threads(1)  # the CI box has 2 cores; one thread avoids oversubscription stalls


@pytest.fixture(scope="module")
def digits8():
    return load_digits(input_size=8, seed=0)


@pytest.fixture(scope="module")
def digits16():
    return load_digits(input_size=16, seed=0)


def tiny(dataset, shortcut: str = "A"):
    """An 8-layer CIFAR-style net (one block per stage): cheap, and still a real residual/plain pair."""
    return fit_config(dataclasses.replace(PRESETS["resnet20"], stages=(1, 1, 1), shortcut=shortcut), dataset)


# --- data ------------------------------------------------------------------------------------------


def test_digits_split_is_stratified_seeded_and_normalised_on_train(digits16):
    from sklearn.datasets import load_digits as sk

    target = sk().target
    d = digits16
    assert (len(d.y_train), len(d.y_test)) == (1347, 450)  # 1,797 images, 25% held out
    assert d.x_train.shape == (1347, 1, 16, 16) and d.x_test.shape == (450, 1, 16, 16)
    # stratified: each class's share in the test split within one image of its share overall
    for c in range(10):
        expected = (target == c).mean() * 450
        assert abs(int((d.y_test == c).sum()) - expected) <= 1, f"class {c}"
    # normalised with the train split's own statistics: mean 0, std 1 there
    assert abs(float(d.x_train.mean())) < 1e-5 and abs(float(d.x_train.std()) - 1) < 1e-4
    again = load_digits(input_size=16, seed=0)
    assert torch.equal(again.x_train, d.x_train) and torch.equal(again.y_test, d.y_test)
    other = load_digits(input_size=16, seed=1)
    assert not torch.equal(other.y_test, d.y_test)


def test_digits_at_8px_are_the_raw_values(digits8):
    from sklearn.datasets import load_digits as sk

    bunch = sk()
    raw = (digits8.x_test[:, 0] * digits8.std[0] + digits8.mean[0]) * 16
    # every held-out image is one of the data set's own images, unchanged but for normalisation
    first = raw[0].round().numpy()
    assert any(np.array_equal(first, img) for img in bunch.images)


@pytest.mark.parametrize("size", [0, 7, 65, 16.0, True])
def test_digits_bad_size(size):
    with pytest.raises(ValueError, match="input_size"):
        load_digits(input_size=size)


def _no_network(monkeypatch):
    def refuse(*_a, **_k):
        raise OSError("network unreachable (mocked)")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_cifar10_offline_says_so(monkeypatch, tmp_path):
    _no_network(monkeypatch)
    status, detail = cifar10_status(tmp_path)
    assert status == "offline" and "cs.toronto.edu" in detail
    with pytest.raises(DatasetUnavailableError, match="CIFAR-10 needs internet; not reachable"):
        load_cifar10(root=tmp_path)


def test_cifar10_download_failure_is_reported(monkeypatch, tmp_path):
    # The host answers the probe but the download itself fails: torchvision's real downloader runs.
    monkeypatch.setattr("resnet_explorer.train.data._reachable", lambda url, timeout=3.0: None)

    def fail(*_a, **_k):
        raise urllib.error.URLError("connection reset (mocked)")

    monkeypatch.setattr(urllib.request, "urlopen", fail)
    with pytest.raises(DatasetUnavailableError, match="CIFAR-10 needs internet"):
        load_cifar10(root=tmp_path)


def _fake_cifar(root, n_per_batch: int = 20) -> None:
    """A locally made CIFAR-10 folder in torchvision's own pickle layout (random pixels)."""
    from torchvision.datasets import CIFAR10

    folder = root / CIFAR10.base_folder
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, _ in CIFAR10.train_list + CIFAR10.test_list:
        entry = {
            "data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
            "labels": rng.integers(0, 10, n_per_batch).tolist(),
        }
        (folder / name).write_bytes(pickle.dumps(entry))
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    (folder / CIFAR10.meta["filename"]).write_bytes(pickle.dumps({"label_names": names}))


def test_cifar10_local_copy_loads_without_network(monkeypatch, tmp_path):
    _fake_cifar(tmp_path)
    _no_network(monkeypatch)
    # our files are not the real ones, so their md5 cannot match torchvision's list
    monkeypatch.setattr("torchvision.datasets.cifar.check_integrity", lambda *a, **k: True)
    assert cifar10_status(tmp_path)[0] == "ready"
    d = load_cifar10(input_size=16, root=tmp_path)
    assert d.x_train.shape == (100, 3, 16, 16) and d.x_test.shape == (20, 3, 16, 16)
    assert d.classes[0] == "airplane" and d.num_classes == 10
    # uniform random bytes: per-channel mean near 127.5/255 in [0, 1] units
    assert all(abs(m - 0.5) < 0.05 for m in d.mean)


# --- settings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": -3}, "epochs"),
        ({"epochs": 10_000}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 1}, "batch_size"),
        ({"batch_size": 10**9}, "batch_size"),
        ({"lr": 0.0}, "lr"),
        ({"lr": -0.1}, "lr"),
        ({"lr": 1e6}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"momentum": 1.5}, "momentum"),
        ({"weight_decay": -1.0}, "weight_decay"),
        ({"seed": -1}, "seed"),
        ({"decay_at": (1.5,)}, "decay_at"),
    ],
)
def test_bad_settings_name_the_field_before_anything_is_built(monkeypatch, digits8, change, field):
    def must_not_build(*_a, **_k):
        raise AssertionError("a model was built before the settings were checked")

    monkeypatch.setattr(training, "build_model", must_not_build)
    with pytest.raises(ValueError, match=rf"^{field}: got") as info:
        train_models([("m", tiny(digits8))], digits8, dataclasses.replace(TrainSettings(), **change))
    assert "allowed" in str(info.value) or "expected" in str(info.value)


def test_batch_larger_than_the_training_split(digits8):
    with pytest.raises(ValueError, match=r"batch_size: got 2000; allowed: 2 to 1347"):
        validate_settings(TrainSettings(batch_size=2000), [tiny(digits8)], digits8)


def test_config_too_big_to_train_here(monkeypatch, digits8):
    monkeypatch.setenv("RESNET_EXPLORER_MAX_MODEL_MB", "1")
    big = fit_config(dataclasses.replace(PRESETS["resnet110"], width=64), digits8)
    with pytest.raises(ModelTooLargeError, match="too large"):
        validate_settings(TrainSettings(batch_size=128), [big], digits8)


def test_config_must_match_the_dataset(digits8):
    with pytest.raises(ValueError, match=r"in_channels: got 3; the digits dataset needs 1"):
        validate_settings(TrainSettings(), [dataclasses.replace(tiny(digits8), in_channels=3)], digits8)


# --- training ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("shortcut", ["none", "A"], ids=["plain", "residual"])
def test_a_few_steps_reduce_the_loss(digits16, shortcut):
    config = fit_config(dataclasses.replace(PRESETS["resnet20"], shortcut=shortcut), digits16)
    t = Trainer("m", config, digits16, TrainSettings(batch_size=64, lr=0.05, seed=0), torch.device("cpu"))
    probe_x, probe_y = digits16.x_train[:512], digits16.y_train[:512]

    def probe_loss() -> float:  # BN on batch statistics, as during training; no update
        with torch.no_grad():
            return float(torch.nn.functional.cross_entropy(t.model(probe_x), probe_y))

    before = probe_loss()
    losses = [t.step(idx)[0] for _, idx in zip(range(20), t.batches(), strict=False)]
    after = probe_loss()
    assert after < 0.9 * before, f"{shortcut}: loss {before:.3f} -> {after:.3f} after 20 steps ({losses})"


def test_runs_repeat_exactly_and_side_by_side_equals_alone(digits8):
    s = TrainSettings(epochs=2, batch_size=64, seed=3)
    pair = [("plain", tiny(digits8, "none")), ("res", tiny(digits8))]
    both = train_models(pair, digits8, s)
    alone = train_models(pair[1:], digits8, s)
    again = train_models(pair, digits8, s)
    strip = lambda h: [dataclasses.replace(r, seconds=0.0) for r in h]  # noqa: E731
    assert strip(both.history) == strip(again.history)
    assert strip([r for r in both.history if r.label == "res"]) == strip(alone.history)
    other = train_models(pair[1:], digits8, dataclasses.replace(s, seed=4))
    assert strip(other.history) != strip(alone.history)
    # the paper's schedule: lr divided by 10 at 1/2 and 3/4 of the run
    assert [r.lr for r in alone.history] == pytest.approx([0.01, 0.001])


def test_stop_is_checked_every_step(digits8):
    calls = {"n": 0}

    def stop_after_five() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    steps = []
    r = train_models(
        [("m", tiny(digits8))],
        digits8,
        TrainSettings(epochs=3, batch_size=32),
        should_stop=stop_after_five,
        on_progress=lambda p: steps.append(p.step),
    )
    assert r.status == "stopped" and steps == [1, 2, 3, 4, 5], (r.status, steps)
    assert "stopped after 5 of" in r.message


def test_nan_loss_stops_the_run_and_says_so(digits8):
    poisoned = dataclasses.replace(digits8, x_train=digits8.x_train.clone())
    poisoned.x_train[:] = float("nan")
    r = train_models([("res", tiny(digits8))], poisoned, TrainSettings(epochs=2, batch_size=64))
    assert r.status == "diverged" and r.history == []
    assert "loss became nan" in r.message and "run stopped" in r.message and "res" in r.message


def test_progress_reports_time_left(digits8):
    seen = []
    train_models(
        [("m", tiny(digits8))], digits8, TrainSettings(epochs=2, batch_size=256), on_progress=seen.append
    )
    assert seen[-1].step == seen[-1].total_steps == 2 * (1347 // 256)
    assert seen[-1].eta == 0 and all(p.eta is not None and p.eta >= 0 for p in seen)


@pytest.mark.slow
def test_degradation_plain_deep_trains_worse_than_residual_deep(digits16):
    """Fig. 1 / Fig. 6 at small scale: plain-56's training error stays above ResNet-56's."""
    s = TrainSettings(epochs=4, batch_size=32, seed=0)
    r = train_models(
        [
            ("plain56", fit_config(PRESETS["plain56"], digits16)),
            ("resnet56", fit_config(PRESETS["resnet56"], digits16)),
        ],
        digits16,
        s,
    )
    plain, res = r.final("plain56"), r.final("resnet56")
    assert plain.train_error > res.train_error + 0.1, (
        f"after {s.epochs} epochs: plain-56 train error {plain.train_error:.3f}, "
        f"ResNet-56 {res.train_error:.3f}"
    )


# --- gradient flow ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [56, 110])
def test_gradient_flow_residual_bounded_plain_explodes(digits16, depth):
    g = torch.Generator().manual_seed(0)
    idx = torch.randperm(len(digits16.y_train), generator=g)[:128]
    x, y = digits16.x_train[idx], digits16.y_train[idx]
    plain = gradient_flow(fit_config(PRESETS[f"plain{depth}"], digits16), x, y, seed=0)
    res = gradient_flow(fit_config(PRESETS[f"resnet{depth}"], digits16), x, y, seed=0)
    # one row per weighted layer on the main path: 6n+2 of them (Sec. 4.2)
    assert len(plain.layers) == len(res.layers) == depth
    assert len(res.activations) == 1 + (depth - 2) // 2  # after the stem and after every block
    r_plain, r_res = plain.early_late_ratio(), res.early_late_ratio()
    msg = f"early/late gradient-norm ratio: plain-{depth} {r_plain:.3g}, ResNet-{depth} {r_res:.3g}"
    assert r_res < 50, msg
    assert r_plain > 200, msg
    # the shortcut sums keep adding variance, so residual activations grow along depth; BN pins plain ones
    a_res, a_plain = res.activations["std"].to_numpy(), plain.activations["std"].to_numpy()
    assert a_res[-1] > 2 * a_res[0] and abs(a_plain[-1] / a_plain[0] - 1) < 0.5, (a_res, a_plain)


def test_gradient_flow_matches_autograd_on_the_same_initialisation(digits8):
    """Outside truth: torch's own backward pass on a model built under the same seed, read layer by layer
    here; gradient_flow must give each weighted layer's gradient norm and the loss, and a second call the
    same again (a fresh model each call: no hooks or gradients left behind)."""
    from torch import nn

    from resnet_explorer.core.model import build_model

    x, y = digits8.x_train[:32], digits8.y_train[:32]
    config = tiny(digits8)
    torch.manual_seed(1)
    model = build_model(config)
    model.train()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    weighted = [(n, m) for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert len(weighted) == 8  # 6n+2 with n=1; option A shortcuts carry no weights
    expected = [float(m.weight.grad.norm()) for _, m in weighted]
    for flow in (gradient_flow(config, x, y, seed=1), gradient_flow(config, x, y, seed=1)):
        assert flow.layers["name"].tolist() == [n for n, _ in weighted]
        assert flow.layers["depth"].tolist() == list(range(1, 9))
        assert flow.layers["grad_norm"].tolist() == pytest.approx(expected, rel=1e-5)
        assert flow.loss == pytest.approx(loss.item(), rel=1e-6)


# --- checkpoints and the CLI -----------------------------------------------------------------------


def test_checkpoint_round_trip(digits8):
    r = train_models([("m", tiny(digits8))], digits8, TrainSettings(epochs=1, batch_size=64))
    model = r.models["m"]
    data = checkpoint_bytes(model, tiny(digits8), digits8, 0.5, seed=0)
    back = load_trained_model(data)
    assert back.config == tiny(digits8) and back.classes == [str(i) for i in range(10)]
    assert back.mean == list(digits8.mean) and back.test_accuracy == 0.5
    with torch.no_grad():
        assert torch.equal(back.model(digits8.x_test[:20]), model(digits8.x_test[:20]))


def test_checkpoint_refuses_foreign_files():
    from safetensors.torch import save

    with pytest.raises(ValueError, match="format"):
        load_trained_model(save({"w": torch.zeros(2)}))


def test_cli_trains_and_writes_a_checkpoint(tmp_path, capsys):
    out, record = tmp_path / "m.safetensors", tmp_path / "m.json"
    code = main(
        [
            "train",
            "--preset",
            "resnet20",
            "--epochs",
            "1",
            "--batch-size",
            "128",
            "--input-size",
            "8",
            "--out",
            str(out),
            "--json",
            str(record),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "epoch   1/1  train error" in text and "held-out test accuracy" in text
    loaded = load_trained_model(out)
    assert loaded.config.input_size == 8 and loaded.config.in_channels == 1


@pytest.mark.parametrize(
    "argv, field",
    [
        (["--epochs", "0"], "--epochs"),
        (["--lr", "-1"], "--lr"),
        (["--batch-size", "1"], "--batch-size"),
        (["--input-size", "4"], "--input-size"),
    ],
)
def test_cli_bad_settings_one_line(argv, field, capsys):
    assert main(["train", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {field}: got") and err.count("\n") == 1, err
