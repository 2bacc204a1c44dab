"""The Training lab's policy, without Streamlit: which nets, which batch, how a config meets a dataset.

The page (``pages/Training_lab.py``) draws widgets; ``ui/training.py`` draws panels; what they decide
lives here so that it can be tested without a browser: the models a choice means, the page's default
settings (those of the demonstration, ``train.demo``), the gradient-flow batch, fitting configs to
digits or CIFAR-10, and the bounded worker that runs gradient flow for a config of the user's own.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import queue as queue_module
from collections.abc import Callable, Mapping

from ..core.config import PRESETS, ResNetConfig
from ..core.model import check_fits
from .demo import DEMO_DATASET, DEMO_INPUT_SIZE, DEMO_NETS, DEMO_SETTINGS
from .runs import RunRequest

__all__ = [
    "DEPTHS",
    "DEFAULTS",
    "CIFAR_LIMIT",
    "GRAD_BATCH",
    "FLOW_TIMEOUT_S",
    "FLOW_MAX_BYTES",
    "FlowLimitError",
    "paper_models",
    "explorer_models",
    "gradient_batch",
    "fit_models",
    "build_request",
    "bounded_gradient_flow",
    "stopped_epoch",
]

DEPTHS = (20, 32, 44, 56, 110)
_DEMO_DEPTH = 56  # DEMO_NETS: plain-20 as the reference, plain-56 and ResNet-56
assert [n for n, _ in DEMO_NETS] == ["plain20", f"plain{_DEMO_DEPTH}", f"resnet{_DEMO_DEPTH}"]
# The page's widgets start at the demonstration's settings, so Start runs exactly train.demo.demo_request.
DEFAULTS: dict[str, object] = {
    "train.pair": "paper",
    "train.depth": _DEMO_DEPTH,
    "train.reference": True,
    "train.dataset": DEMO_DATASET,
    "train.input_size": DEMO_INPUT_SIZE,
    "train.epochs": DEMO_SETTINGS.epochs,
    "train.batch_size": DEMO_SETTINGS.batch_size,
    "train.lr": DEMO_SETTINGS.lr,
    "train.seed": DEMO_SETTINGS.seed,
}
CIFAR_LIMIT = 5000  # CIFAR-10 training images used on a CPU (a quarter as many for testing)
GRAD_BATCH = 128
# Gradient flow for the Explorer's model (any config, up to ResNet-1202 and wider) runs in a child
# process with these caps; the paper's pairs (at most 110 layers on digits) are cheap and run here.
FLOW_TIMEOUT_S = 60.0
FLOW_MAX_BYTES = 1 * 2**30  # estimated weights + activations of one batch (core.model.estimate_bytes)


def paper_models(depth: int, reference: bool) -> dict[str, ResNetConfig]:
    """plain-``depth`` and ResNet-``depth`` (Fig. 6), after plain-20 when ``reference`` and depth > 20."""
    if depth not in DEPTHS:
        raise ValueError(f"depth: got {depth!r}; allowed: {', '.join(map(str, DEPTHS))}")
    models: dict[str, ResNetConfig] = {}
    if reference and depth != 20:
        models["plain-20"] = PRESETS["plain20"]
    models[f"plain-{depth}"] = PRESETS[f"plain{depth}"]
    models[f"ResNet-{depth}"] = PRESETS[f"resnet{depth}"]
    return models


def explorer_models(
    config: ResNetConfig, name: str, twin_label: Callable[[str], str]
) -> dict[str, ResNetConfig]:
    """The Explorer's config and, when it has shortcuts, its plain twin (same layers, no shortcuts)."""
    if config.is_plain:
        return {name: config}
    return {twin_label(name): config.with_shortcut("none"), name: config}


def gradient_batch(dataset, n: int = GRAD_BATCH, seed: int = 0):
    """``n`` training images drawn by ``seed`` (the same batch for both nets of a pair): (x, y)."""
    import torch

    idx = torch.randperm(len(dataset.y_train), generator=torch.Generator().manual_seed(seed))[:n]
    return dataset.x_train[idx], dataset.y_train[idx]


def fit_models(
    models: Mapping[str, ResNetConfig], dataset_name: str, size: int, data=None
) -> dict[str, ResNetConfig]:
    """Each config with the dataset's channels, classes and input size (``data``: the loaded digits)."""
    from .loop import fit_config

    if dataset_name == "digits":
        return {k: fit_config(c, data) for k, c in models.items()}
    if dataset_name == "cifar10":  # not loaded until a run starts: its shape is known in advance
        return {
            k: dataclasses.replace(c, in_channels=3, num_classes=10, input_size=size)
            for k, c in models.items()
        }
    raise ValueError(f"dataset: got {dataset_name!r}; allowed: 'digits', 'cifar10'")


def build_request(fitted: Mapping[str, ResNetConfig], dataset_name: str, size: int, settings) -> RunRequest:
    """What Start sends to the training process (equal to ``demo_request`` at the page's defaults)."""
    return RunRequest(
        models=tuple(fitted.items()),
        dataset=dataset_name,
        input_size=size,
        settings=settings,
        cifar_limit=CIFAR_LIMIT,
    )


def stopped_epoch(handle) -> tuple[int, int]:
    """(the epoch a stopped or failed run was in, epochs planned): what the page says it stopped at."""
    n = handle.request.settings.epochs
    if handle.progress is not None:
        return handle.progress.epoch, n
    done = len(handle.history) // max(1, len(handle.request.models))
    return done, n


# --- gradient flow in a bounded child process --------------------------------------------------------


class FlowLimitError(RuntimeError):
    """Gradient flow was refused or cut off by a cap; ``kind`` is "size" | "time" | "failed"."""

    def __init__(self, kind: str, detail: str, need_bytes: int = 0) -> None:
        self.kind, self.detail, self.need_bytes = kind, detail, need_bytes
        super().__init__(f"{kind}: {detail}")


def _flow_child(config: ResNetConfig, x, y, seed: int, out) -> None:
    import torch

    from .loop import gradient_flow

    torch.set_num_threads(1)
    try:
        out.put(("ok", gradient_flow(config, x, y, seed=seed)))
    except Exception as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def bounded_gradient_flow(
    config: ResNetConfig, x, y, seed: int = 0, timeout_s: float | None = None, max_bytes: int | None = None
):
    """:func:`loop.gradient_flow` in a spawned child: refused above ``max_bytes``, killed after ``timeout_s``.

    The server process never holds the model: ResNet-1202 with 90-block stages took 10 s and 1.45 GB
    that were never returned when run in the server (issue 11). The child's memory goes back to the
    operating system when it exits.
    """
    from ..core.model import ModelTooLargeError

    timeout_s = FLOW_TIMEOUT_S if timeout_s is None else timeout_s
    max_bytes = FLOW_MAX_BYTES if max_bytes is None else max_bytes
    try:
        check_fits(config, batch=len(y), limit=max_bytes)
    except ModelTooLargeError as exc:
        from ..core.model import estimate_bytes
        from ..core.plan import make_plan

        raise FlowLimitError("size", str(exc), estimate_bytes(make_plan(config), len(y))) from exc
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(
        target=_flow_child, args=(config, x, y, seed, out), daemon=True, name="resnet-explorer-gradient-flow"
    )
    child.start()
    try:
        kind, payload = out.get(timeout=timeout_s)
    except queue_module.Empty:
        raise FlowLimitError("time", f"no result within {timeout_s:g} s") from None
    finally:
        child.join(2)
        if child.is_alive():
            child.kill()
            child.join(2)
    if kind != "ok":
        raise FlowLimitError("failed", payload)
    return payload
