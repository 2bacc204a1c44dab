"""``python -m resnet_explorer train``: train a preset on digits or CIFAR-10, print Fig. 6 style errors.

Example (this is how ``assets/digits_resnet20.safetensors`` was made; its JSON records the exact line)::

    python -m resnet_explorer train --preset resnet20 --dataset digits --epochs 30 --batch-size 64 \\
        --lr 0.1 --seed 0 --input-size 16 --out resnet_explorer/assets/digits_resnet20.safetensors \\
        --json resnet_explorer/assets/digits_resnet20.json
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import torch

from ..core.config import CIFAR_PRESETS
from ..train.data import DATASETS, load_dataset
from ..train.loop import (
    EpochRecord,
    TrainSettings,
    checkpoint_bytes,
    config_query,
    fit_config,
    train_models,
)

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    d = TrainSettings()
    p = subparsers.add_parser("train", help="train a CIFAR-style preset (paper recipe) and save it",
                              description="Train with SGD, momentum 0.9, weight decay 1e-4, lr divided by 10 "
                                          "at 1/2 and 3/4 of the run (He et al. 2015, Sec. 4.2).")
    p.add_argument("--preset", default="resnet20", choices=sorted(CIFAR_PRESETS),
                   help="CIFAR-style net (6n+2 layers); plainN has no shortcuts")
    p.add_argument("--dataset", default="digits", choices=DATASETS)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--seed", type=int, default=d.seed, help="initialisation, shuffling and digits split")
    p.add_argument("--input-size", type=int, default=16, help="image side in px (digits: 8 to 64)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--out", type=Path, default=None, help="write the trained model here (.safetensors)")
    p.add_argument("--json", type=Path, default=None,
                   help="write a record of the run (command, config, data, measured accuracy) here")
    p.set_defaults(func=run)


def _command(args: argparse.Namespace) -> str:
    """The command line that repeats this run, rebuilt from the parsed arguments."""
    parts = ["python", "-m", "resnet_explorer", "train", "--preset", args.preset, "--dataset", args.dataset,
             "--epochs", str(args.epochs), "--batch-size", str(args.batch_size), "--lr", f"{args.lr:g}",
             "--seed", str(args.seed), "--input-size", str(args.input_size)]
    if args.threads is not None:
        parts += ["--threads", str(args.threads)]
    for flag, value in (("--out", args.out), ("--json", args.json)):
        if value is not None:
            parts += [flag, value.as_posix()]
    return shlex.join(parts)


def run(args: argparse.Namespace) -> int:
    from ..core.config import PRESETS

    if args.threads is not None:
        if not 1 <= args.threads <= 256:
            raise ValueError(f"threads: got {args.threads}; allowed: 1 to 256")
        torch.set_num_threads(args.threads)
    if args.out is not None and args.out.suffix != ".safetensors":
        raise ValueError(f"out: got {str(args.out)!r}; expected a path ending in .safetensors")
    settings = TrainSettings(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed)
    dataset = load_dataset(args.dataset, args.input_size, args.seed)
    config = fit_config(PRESETS[args.preset], dataset)
    print(f"{args.preset} on {dataset.name} at {dataset.input_size} px: {len(dataset.y_train)} train / "
          f"{len(dataset.y_test)} test images; {settings}")

    def show(r: EpochRecord) -> None:
        print(f"epoch {r.epoch:3d}/{settings.epochs}  train error {100 * r.train_error:6.2f}%  "
              f"test error {100 * r.test_error:6.2f}%  train loss {r.train_loss:.4f}  lr {r.lr:g}  "
              f"{r.seconds:.1f} s", flush=True)

    result = train_models([(args.preset, config)], dataset, settings, on_epoch=show)
    if result.status != "done":
        print(f"error: {result.message}", file=sys.stderr)
        return 1
    model = result.models[args.preset]
    # The last epoch's record was measured after training, in eval mode on the held-out split
    # (train_models' own ``evaluate``, on the device the model lives on): the number the record states.
    accuracy = 1.0 - result.final(args.preset).test_error
    print(f"held-out test accuracy {100 * accuracy:.2f}% ({len(dataset.y_test)} images); "
          f"{result.seconds:.0f} s")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(checkpoint_bytes(model, config, dataset, accuracy, seed=args.seed,
                                              epochs=settings.epochs))
        print(f"wrote {args.out}")
    if args.json is not None:
        record = {
            "command": _command(args),
            "config": config_query(config),
            "dataset": dataset.name,
            "input_size": dataset.input_size,
            "mean": list(dataset.mean),
            "std": list(dataset.std),
            "classes": list(dataset.classes),
            "seed": args.seed,
            "n_train": len(dataset.y_train),
            "n_test": len(dataset.y_test),
            "test_accuracy": accuracy,
            "settings": {"epochs": settings.epochs, "batch_size": settings.batch_size, "lr": settings.lr,
                         "momentum": settings.momentum, "weight_decay": settings.weight_decay,
                         "decay_at": list(settings.decay_at)},
            "torch": torch.__version__,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0
