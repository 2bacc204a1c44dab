"""The Training lab's default demonstration: the degradation problem and its fix (He et al. 2015, Fig. 6).

plain-20, plain-56 and ResNet-56 trained side by side on scikit-learn's digits. The lab's Start button
with its default settings and ``python -m resnet_explorer demo`` build the same :class:`RunRequest`
(:func:`demo_request`) and run it the same way, in a spawned child through a :class:`RunRegistry`
(:func:`run_to_end` here, the page's poll loop there).

Why these settings (measured, docs/notes.md "Degradation demonstration"; table in benchmarks/README.md):
the paper's lr 0.1 belongs to mini-batches of 128 (Sec. 4.2). With 1,347 images we take batches of 32 to
have enough steps (42 per epoch), and scale the rate with the batch, as SGD's step per image is lr/batch:
0.1 x 32/128 = 0.025. The page used to keep 0.1 at batch 32, four times the paper's step, and ResNet-56
then sometimes ended far above plain-20 (48 % training error against 1.7 %, issue 10; at 0.05 still
6.8 % against 1.6 % on seed 3). At 0.025 ResNet-56 trains as well as plain-20 on every seed tried while
plain-56 stays more than 10 points above it. Digits at their native 8 px (maps of 8, 4 and 2 px in the
three stages) cost a quarter of 16 px.

``RESULTS_FILE`` (``resnet_explorer/assets/demo_results.json``), written by
``python -m resnet_explorer demo --seed 0 --threads 1 --json resnet_explorer/assets/demo_results.json``,
is what the Lesson page shows. Its schema::

    {"command": "python -m resnet_explorer demo ...",   # the exact line that made it
     "seed": 0, "threads": 1, "seconds": 87.3, "torch": "2.14.1",
     "status": "done", "message": "", "dataset": "digits", "input_size": 8,
     "settings": {"epochs": 8, "batch_size": 32, "lr": 0.025, "momentum": 0.9, "weight_decay": 0.0001,
                  "decay_at": [0.5, 0.75]},
     "nets": {"plain20": {"label": "plain-20", "depth": 20, "plain": true,
                          "train_error": 1.5, "test_error": 3.1,          # final epoch, percent
                          "curve": {"epoch": [1, ..., 8],
                                    "train_error": [...], "test_error": [...]}},   # percent per epoch
              "plain56": {...}, "resnet56": {...}}}
"""

from __future__ import annotations

import dataclasses
import time

from ..core.config import PRESETS
from .loop import EpochRecord, TrainSettings
from .runs import RunHandle, RunRegistry, RunRequest

__all__ = [
    "DEMO_NETS",
    "DEMO_DATASET",
    "DEMO_INPUT_SIZE",
    "DEMO_SETTINGS",
    "RESULTS_FILE",
    "demo_request",
    "run_to_end",
    "summarise",
    "run_demo",
]

# (preset name, label on the page): the shallow plain net, the deep plain net, the deep residual net
DEMO_NETS: tuple[tuple[str, str], ...] = (
    ("plain20", "plain-20"),
    ("plain56", "plain-56"),
    ("resnet56", "ResNet-56"),
)
DEMO_DATASET = "digits"
DEMO_INPUT_SIZE = 8
DEMO_SETTINGS = TrainSettings(epochs=8, batch_size=32, lr=0.025, seed=0)
RESULTS_FILE = "demo_results.json"  # in resnet_explorer/assets/


def demo_request(seed: int = 0, nets: tuple[tuple[str, str], ...] = DEMO_NETS) -> RunRequest:
    """The run the lab starts with its default settings (``seed`` also picks the digits split)."""
    from .data import load_digits
    from .loop import fit_config, validate_settings

    settings = dataclasses.replace(DEMO_SETTINGS, seed=seed)
    data = load_digits(DEMO_INPUT_SIZE, seed)
    models = tuple((label, fit_config(PRESETS[name], data)) for name, label in nets)
    validate_settings(settings, [c for _, c in models], data)
    return RunRequest(models=models, dataset=DEMO_DATASET, input_size=DEMO_INPUT_SIZE, settings=settings)


def run_to_end(request: RunRequest, threads: int = 1, poll_s: float = 0.2) -> RunHandle:
    """Run ``request`` in a spawned child (as the lab does) and wait for it to end."""
    registry = RunRegistry(max_runs=1, threads=threads)
    handle = registry.start("cli", request)
    try:
        while not handle.finished:
            handle.poll()
            time.sleep(poll_s)
    except BaseException:
        handle.stop("stopped")
        raise
    return handle


def summarise(
    history: list[EpochRecord], request: RunRequest, nets: tuple[tuple[str, str], ...] = DEMO_NETS
) -> dict[str, dict]:
    """Per net (keyed by preset name): final errors and the per-epoch curves, in percent."""
    from ..core.analysis import analyze

    key_of = {label: name for name, label in nets}
    out: dict[str, dict] = {}
    for label, config in request.models:
        rows = [r for r in history if r.label == label]
        if not rows:
            continue
        key = key_of.get(label, label)
        out[key] = {
            "label": label,
            "depth": analyze(config).depth,
            "plain": config.is_plain,
            "train_error": round(100 * rows[-1].train_error, 2),
            "test_error": round(100 * rows[-1].test_error, 2),
            "curve": {
                "epoch": [r.epoch for r in rows],
                "train_error": [round(100 * r.train_error, 2) for r in rows],
                "test_error": [round(100 * r.test_error, 2) for r in rows],
            },
        }
    return out


def run_demo(seed: int = 0, threads: int = 1) -> dict:
    """The whole demonstration, timed from the request to the last message: the ``demo`` command's JSON."""
    t0 = time.perf_counter()
    request = demo_request(seed)
    handle = run_to_end(request, threads)
    seconds = time.perf_counter() - t0
    s = request.settings
    return {
        "seconds": round(seconds, 1),
        "status": handle.status,
        "message": handle.message,
        "seed": seed,
        "threads": threads,
        "dataset": request.dataset,
        "input_size": request.input_size,
        "settings": {
            "epochs": s.epochs,
            "batch_size": s.batch_size,
            "lr": s.lr,
            "momentum": s.momentum,
            "weight_decay": s.weight_decay,
            "decay_at": list(s.decay_at),
        },
        "nets": summarise(handle.history, request),
    }
