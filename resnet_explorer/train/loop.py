"""The one training implementation: the paper's CIFAR recipe, seeded and exactly repeatable.

He et al. 2015, Sec. 4.2: SGD with momentum 0.9, weight decay 1e-4, mini-batches, learning rate
0.1 divided by 10 at 32k and 48k of 64k iterations — i.e. at 1/2 and 3/4 of the run, which is how
:class:`TrainSettings` expresses it, so a short run on small data keeps the same shape. BN comes
with the model (after each conv, before ReLU); there is no dropout.

Used by the CLI (``python -m resnet_explorer train``), the Training lab (in a spawned worker, see
``training_runs``), the offline digits checkpoint and the tests. Nothing here imports Streamlit.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from ..core.checkpoints import model_from_checkpoint
from ..core.config import (
    PRESETS,
    ResNetConfig,
    config_from_query,
    config_to_query,
    nearest_preset,
)
from ..core.model import ResidualBlock, ResNet, build_model, check_fits
from ..core.plan import make_plan
from .data import Dataset

__all__ = [
    "TrainSettings",
    "SETTING_LIMITS",
    "validate_settings",
    "fit_config",
    "default_device",
    "steps_per_epoch",
    "EpochRecord",
    "Progress",
    "RunResult",
    "TrainingDiverged",
    "Trainer",
    "train_models",
    "evaluate",
    "GradientFlow",
    "gradient_flow",
    "checkpoint_bytes",
    "load_trained_model",
    "TrainedModel",
    "CHECKPOINT_FORMAT",
    "history_frame",
    "config_query",
]

# Inclusive ranges a run may use. The learning rate's upper end is generous on purpose: a class
# may *want* to watch lr=5 diverge; the NaN check then stops the run and says so.
SETTING_LIMITS: dict[str, tuple[float, float]] = {
    "epochs": (1, 200),
    "batch_size": (2, 4096),  # BN needs two images to compute a batch statistic
    "lr": (1e-5, 10.0),
    "momentum": (0.0, 0.999),
    "weight_decay": (0.0, 0.1),
    "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class TrainSettings:
    """How to train; the defaults are the paper's CIFAR recipe (Sec. 4.2)."""

    epochs: int = 8
    batch_size: int = 128  # the paper's CIFAR mini-batch
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4
    # Fractions of the run where the learning rate is divided by 10 (32k/64k and 48k/64k).
    decay_at: tuple[float, ...] = (0.5, 0.75)
    seed: int = 0


def _number(name: str, value: object, whole: bool) -> float:
    lo, hi = SETTING_LIMITS[name]
    kind = "a whole number" if whole else "a number"
    ok_type = isinstance(value, int) if whole else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not math.isfinite(float(value)):
        raise ValueError(f"{name}: got {value!r}; expected {kind} from {lo:g} to {hi:g}")
    if not lo <= value <= hi:
        raise ValueError(f"{name}: got {value!r}; allowed: {lo:g} to {hi:g}")
    return float(value)


def fit_config(config: ResNetConfig, dataset: Dataset) -> ResNetConfig:
    """``config`` with its input channels, input size and classes set to ``dataset``'s."""
    return dataclasses.replace(
        config,
        in_channels=dataset.in_channels,
        num_classes=dataset.num_classes,
        input_size=dataset.input_size,
    )


def validate_settings(
    settings: TrainSettings, configs: Sequence[ResNetConfig] = (), dataset: Dataset | None = None
) -> None:
    """Raise ValueError naming the field, the value and the allowed range; call before any work starts."""
    for name in ("epochs", "batch_size", "seed"):
        _number(name, getattr(settings, name), whole=True)
    for name in ("lr", "momentum", "weight_decay"):
        _number(name, getattr(settings, name), whole=False)
    if not isinstance(settings.decay_at, tuple) or not all(
        isinstance(f, (int, float)) and 0.0 < f < 1.0 for f in settings.decay_at
    ):
        raise ValueError(
            f"decay_at: got {settings.decay_at!r}; expected fractions of the run between 0 and 1"
        )
    if dataset is not None:
        n = len(dataset.y_train)
        if settings.batch_size > n:
            raise ValueError(
                f"batch_size: got {settings.batch_size}; allowed: 2 to {n} "
                f"(the {dataset.name} training split has {n} images)"
            )
    for config in configs:
        if dataset is not None:
            for name, want in (
                ("in_channels", dataset.in_channels),
                ("num_classes", dataset.num_classes),
                ("input_size", dataset.input_size),
            ):
                if getattr(config, name) != want:
                    raise ValueError(
                        f"{name}: got {getattr(config, name)}; the {dataset.name} dataset needs {want}"
                    )
        # A training step keeps activations for the backward pass: check a whole batch fits.
        check_fits(config, batch=settings.batch_size)


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """SGD steps in one epoch: the ragged last batch is dropped (a batch of one image breaks BN)."""
    return max(1, n_train // batch_size)


def default_device() -> torch.device:
    """The GPU when one is present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; training stopped."""


@dataclass(frozen=True)
class EpochRecord:
    """One point of a Fig. 6 style curve."""

    label: str
    epoch: int
    # Error over the epoch's mini-batches as training saw them (train mode, weights moving) — what
    # training curves plot; re-evaluating the whole split would cost another forward pass per epoch.
    train_error: float
    train_loss: float
    test_error: float  # held-out split, eval mode, after the epoch
    test_loss: float
    lr: float  # the learning rate at the end of the epoch
    seconds: float  # wall time of this model's epoch, evaluation included


@dataclass(frozen=True)
class Progress:
    step: int  # optimisation steps done, all models together
    total_steps: int
    epoch: int  # 1-based epoch in progress
    epochs: int
    label: str  # the model being trained
    elapsed: float  # seconds
    eta: float | None  # seconds left, None before the first step

    @property
    def fraction(self) -> float:
        return self.step / self.total_steps if self.total_steps else 1.0


@dataclass
class RunResult:
    history: list[EpochRecord]
    models: dict[str, ResNet]
    status: str  # "done" | "stopped" | "diverged"
    message: str = ""
    seconds: float = 0.0

    def final(self, label: str) -> EpochRecord | None:
        rows = [r for r in self.history if r.label == label]
        return rows[-1] if rows else None


def history_frame(history: Sequence[EpochRecord]) -> pd.DataFrame:
    """Curves as a table (one row per model and epoch): what the CSV download holds."""
    cols = [f.name for f in dataclasses.fields(EpochRecord)]
    return pd.DataFrame([dataclasses.asdict(r) for r in history], columns=cols)


@torch.no_grad()
def evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 500
) -> tuple[float, float]:
    """(error, mean cross-entropy) of ``model`` in eval mode on ``x``, ``y``."""
    was_training = model.training
    model.eval()
    wrong, loss = 0, 0.0
    for i in range(0, len(y), batch_size):
        logits = model(x[i : i + batch_size])
        target = y[i : i + batch_size]
        loss += float(F.cross_entropy(logits, target, reduction="sum"))
        wrong += int((logits.argmax(1) != target).sum())
    model.train(was_training)
    return wrong / len(y), loss / len(y)


class Trainer:
    """One model, its optimiser and its own shuffling generator.

    Each trainer owns its random streams (initialisation under ``manual_seed(seed)``, shuffling from
    its own ``Generator``), so training two models side by side, interleaved, gives exactly what
    training each alone would.
    """

    def __init__(
        self,
        label: str,
        config: ResNetConfig,
        dataset: Dataset,
        settings: TrainSettings,
        device: torch.device,
    ) -> None:
        self.label, self.config, self.settings, self.device = label, config, settings, device
        torch.manual_seed(settings.seed)
        self.model = build_model(config).to(device)
        self.model.train()
        self.x, self.y = dataset.x_train.to(device), dataset.y_train.to(device)
        self.x_test, self.y_test = dataset.x_test.to(device), dataset.y_test.to(device)
        self.generator = torch.Generator().manual_seed(settings.seed)
        self.steps_per_epoch = steps_per_epoch(len(self.y), settings.batch_size)
        self.optimizer = torch.optim.SGD(
            self.model.parameters(),
            lr=settings.lr,
            momentum=settings.momentum,
            weight_decay=settings.weight_decay,
        )
        total = settings.epochs * self.steps_per_epoch
        # Stepped per iteration, as the paper schedules by iterations, not epochs.
        milestones = sorted({max(1, round(f * total)) for f in settings.decay_at})
        self.scheduler = torch.optim.lr_scheduler.MultiStepLR(self.optimizer, milestones, gamma=0.1)
        self.epoch = 0

    def batches(self) -> Iterator[torch.Tensor]:
        perm = torch.randperm(len(self.y), generator=self.generator).to(self.device)
        bs = self.settings.batch_size
        for i in range(self.steps_per_epoch):
            yield perm[i * bs : (i + 1) * bs]

    def step(self, idx: torch.Tensor) -> tuple[float, int]:
        """One SGD step on the images ``idx``: (loss, number classified wrong)."""
        x, y = self.x[idx], self.y[idx]
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        value = loss.detach().item()
        if not math.isfinite(value):
            raise TrainingDiverged(
                f"{self.label}: the loss became {value} at epoch {self.epoch + 1} "
                f"(learning rate {self.optimizer.param_groups[0]['lr']:g}); the run stopped. "
                f"Lower the learning rate."
            )
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.scheduler.step()
        return value, int((logits.detach().argmax(1) != y).sum())


def train_models(
    models: Sequence[tuple[str, ResNetConfig]],
    dataset: Dataset,
    settings: TrainSettings,
    *,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    device: str | torch.device | None = None,
) -> RunResult:
    """Train ``models`` (label, config) side by side, epoch by epoch, on ``dataset``.

    ``should_stop`` is checked before every step; ``on_progress`` is called after every step and
    ``on_epoch`` after each model's epoch. Settings are validated before anything is built. A NaN
    or infinite loss ends the run with status "diverged" and a message that says so.
    """
    configs = [c for _, c in models]
    validate_settings(settings, configs, dataset)
    labels = [label for label, _ in models]
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels: got {labels}; each model needs its own label")
    device = default_device() if device is None else torch.device(device)
    if device.type == "cuda":  # repeatable on a GPU too (cuDNN otherwise picks kernels by timing)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    trainers = [Trainer(label, config, dataset, settings, device) for label, config in models]
    total = settings.epochs * sum(t.steps_per_epoch for t in trainers)
    history: list[EpochRecord] = []
    start = time.perf_counter()
    done = 0
    status, message = "done", ""
    try:
        for epoch in range(settings.epochs):
            for t in trainers:
                t.epoch = epoch
                t0 = time.perf_counter()
                loss_sum, wrong, seen = 0.0, 0, 0
                for idx in t.batches():
                    if should_stop is not None and should_stop():
                        raise _Stopped
                    loss, w = t.step(idx)
                    loss_sum += loss * len(idx)
                    wrong += w
                    seen += len(idx)
                    done += 1
                    if on_progress is not None:
                        elapsed = time.perf_counter() - start
                        on_progress(
                            Progress(
                                done,
                                total,
                                epoch + 1,
                                settings.epochs,
                                t.label,
                                elapsed,
                                elapsed / done * (total - done),
                            )
                        )
                test_error, test_loss = evaluate(t.model, t.x_test, t.y_test)
                record = EpochRecord(
                    t.label,
                    epoch + 1,
                    wrong / seen,
                    loss_sum / seen,
                    test_error,
                    test_loss,
                    t.optimizer.param_groups[0]["lr"],
                    time.perf_counter() - t0,
                )
                history.append(record)
                if on_epoch is not None:
                    on_epoch(record)
    except _Stopped:
        status, message = "stopped", f"stopped after {done} of {total} steps"
    except TrainingDiverged as exc:
        status, message = "diverged", str(exc)
    for t in trainers:
        t.model.eval()
    return RunResult(
        history, {t.label: t.model for t in trainers}, status, message, time.perf_counter() - start
    )


class _Stopped(Exception):
    pass


# --- gradient flow at initialisation -----------------------------------------------------------


@dataclass(frozen=True)
class GradientFlow:
    """What one backward pass through a freshly initialised net looks like, layer by layer."""

    # name, depth (1-based index of the weighted layer on the main path), stage, grad_norm
    layers: pd.DataFrame
    # name, depth (0 = after the stem, k = after block k), std of the activations there
    activations: pd.DataFrame
    loss: float

    def early_late_ratio(self, k: int = 3) -> float:
        """Mean gradient norm of the first ``k`` weighted layers over that of the last ``k`` convs."""
        convs = self.layers[self.layers["stage"] != "head"]["grad_norm"].to_numpy()
        return float(convs[:k].mean() / convs[-k:].mean())


def gradient_flow(config: ResNetConfig, x: torch.Tensor, y: torch.Tensor, seed: int = 0) -> GradientFlow:
    """Gradient norm of every weighted layer and activation std along depth, for a fresh model.

    One forward and backward pass in train mode (BN on batch statistics, as at the first step of
    training) on ``x``, ``y``. The model is built here and dropped afterwards, so hooks never touch
    a shared object.
    """
    check_fits(config, batch=len(y))
    torch.manual_seed(seed)
    model = build_model(config)
    model.train()
    stds: list[tuple[str, float]] = []

    def hook(name: str) -> Callable:
        def record(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
            stds.append((name, float(output.detach().float().std())))

        return record

    stem_out = model.stem_names[-1]
    handles = [model.get_submodule(stem_out).register_forward_hook(hook("stem"))]
    for name, module in model.named_modules():
        if isinstance(module, ResidualBlock):
            handles.append(module.register_forward_hook(hook(name)))
    try:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
    finally:
        for h in handles:
            h.remove()
    rows = []
    weighted = [s for s in make_plan(config).layers if s.weighted]
    for depth, spec in enumerate(weighted, start=1):
        grad = model.get_submodule(spec.name).weight.grad
        rows.append({"name": spec.name, "depth": depth, "stage": spec.stage, "grad_norm": float(grad.norm())})
    acts = pd.DataFrame([{"name": n, "depth": i, "std": s} for i, (n, s) in enumerate(stds)])
    return GradientFlow(pd.DataFrame(rows), acts, loss.detach().item())


# --- checkpoints ---------------------------------------------------------------------------------


def config_query(config: ResNetConfig) -> dict[str, str]:
    """``config_to_query`` based on the preset ``config`` differs least from (e.g. digits ResNet-20)."""
    base = nearest_preset(config)
    return config_to_query(config, base=base)


CHECKPOINT_FORMAT = "resnet_explorer.trained/1"


def checkpoint_bytes(
    model: nn.Module, config: ResNetConfig, dataset: Dataset, test_accuracy: float, **extra: object
) -> bytes:
    """The model's state dict as ``.safetensors`` bytes, with everything needed to use it again.

    Metadata (strings, as safetensors requires): the config as a query string (the app's URL
    format), dataset, input size, the train split's mean/std, class names, measured test accuracy.
    """
    from safetensors.torch import save

    meta = {
        "format": CHECKPOINT_FORMAT,
        "config": urllib.parse.urlencode(config_query(config)),
        "dataset": dataset.name,
        "input_size": str(dataset.input_size),
        "mean": json.dumps(list(dataset.mean)),
        "std": json.dumps(list(dataset.std)),
        "classes": json.dumps(list(dataset.classes)),
        "test_accuracy": repr(float(test_accuracy)),
        **{k: json.dumps(v) for k, v in extra.items()},
    }
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    return save(tensors, metadata=meta)


@dataclass
class TrainedModel:
    """A trained network, loaded back from its checkpoint: what the Training lab hands to Classify."""

    config: ResNetConfig
    model: ResNet  # eval mode
    dataset: str
    input_size: int
    mean: list[float]
    std: list[float]
    classes: list[str]
    test_accuracy: float
    metadata: dict[str, str] = field(default_factory=dict)
    label: str = ""  # how the lab names it ("ResNet-20")
    checkpoint: bytes = b""  # the safetensors bytes it was loaded from (what the classify worker loads)


def load_trained_model(source: bytes | str | Path, label: str = "") -> TrainedModel:
    """Load a checkpoint written by :func:`checkpoint_bytes` (strict: every key, every shape)."""
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    # safetensors' header holds the metadata; read it before the tensors, which need the config
    header_len = int.from_bytes(data[:8], "little")
    meta: dict[str, str] = json.loads(data[8 : 8 + header_len]).get("__metadata__", {})
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"format: got {meta.get('format')!r}; expected {CHECKPOINT_FORMAT!r} "
            f"(a checkpoint saved by ResNet Explorer's training)"
        )
    query = dict(urllib.parse.parse_qsl(meta["config"]))
    config, _, errors = config_from_query(query)
    if errors or query.get("preset") not in PRESETS:
        raise ValueError(f"config: {meta['config']!r} is not a valid config ({'; '.join(errors)})")
    # The same safe loader as an upload: every key and shape, finite values, strict=True, eval mode.
    model, _ = model_from_checkpoint(data, "checkpoint.safetensors", config)
    return TrainedModel(
        config,
        model,
        meta["dataset"],
        int(meta["input_size"]),
        json.loads(meta["mean"]),
        json.loads(meta["std"]),
        json.loads(meta["classes"]),
        float(meta["test_accuracy"]),
        meta,
        label=label,
        checkpoint=data,
    )
