"""``python -m resnet_explorer train``: train a preset on digits or CIFAR-10, print Fig. 6 style errors.

Example (this is how ``assets/digits_resnet20.safetensors`` was made; its JSON records the exact line)::

    python -m resnet_explorer train --preset resnet20 --dataset digits --epochs 30 --batch-size 64 \\
        --lr 0.1 --seed 0 --input-size 16 --out resnet_explorer/assets/digits_resnet20.safetensors \\
        --json resnet_explorer/assets/digits_resnet20.json
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
from pathlib import Path

import torch

from ..core.config import CIFAR_PRESETS
from ..settings import data_root
from ..train.data import (
    DATASETS,
    DIGITS_SIZES,
    Dataset,
    DatasetUnavailableError,
    cifar10_status,
    load_dataset,
)
from ..train.loop import (
    SETTING_LIMITS,
    EpochRecord,
    TrainSettings,
    checkpoint_bytes,
    config_query,
    fit_config,
    train_models,
    validate_settings,
)
from . import CliError, say

__all__ = ["register", "run", "check"]


def register(subparsers: argparse._SubParsersAction) -> None:
    d = TrainSettings()
    p = subparsers.add_parser(
        "train",
        help="train a CIFAR-style preset (paper recipe) and save it",
        description="Train with SGD, momentum 0.9, weight decay 1e-4, lr divided by 10 "
        "at 1/2 and 3/4 of the run (He et al. 2015, Sec. 4.2).",
    )
    p.add_argument(
        "--preset",
        default="resnet20",
        choices=sorted(CIFAR_PRESETS),
        help="CIFAR-style net (6n+2 layers); plainN has no shortcuts",
    )
    p.add_argument("--dataset", default="digits", choices=DATASETS)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--seed", type=int, default=d.seed, help="initialisation, shuffling and digits split")
    p.add_argument("--input-size", type=int, default=16, help="image side in px (digits: 8 to 64)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--out", type=Path, default=None, help="write the trained model here (.safetensors)")
    p.add_argument(
        "--json",
        type=Path,
        default=None,
        help="write a record of the run (command, config, data, measured accuracy) here",
    )
    p.set_defaults(func=run)


def _command(args: argparse.Namespace) -> str:
    """The command line that repeats this run, rebuilt from the parsed arguments."""
    parts = [
        "python",
        "-m",
        "resnet_explorer",
        "train",
        "--preset",
        args.preset,
        "--dataset",
        args.dataset,
        "--epochs",
        str(args.epochs),
        "--batch-size",
        str(args.batch_size),
        "--lr",
        f"{args.lr:g}",
        "--seed",
        str(args.seed),
        "--input-size",
        str(args.input_size),
    ]
    if args.threads is not None:
        parts += ["--threads", str(args.threads)]
    for flag, value in (("--out", args.out), ("--json", args.json)):
        if value is not None:
            parts += [flag, value.as_posix()]
    return shlex.join(parts)


def _whole(flag: str, value: int, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise CliError(say("cli.bad_whole", flag=flag, value=value, lo=f"{lo:g}", hi=f"{hi:g}"))


def check(args: argparse.Namespace) -> TrainSettings:
    """Refuse a bad flag before any work (no data loaded, no header printed), naming the flag and
    the allowed range: the library's own limits (``SETTING_LIMITS``, the digits sizes)."""
    for flag, name in (("--epochs", "epochs"), ("--batch-size", "batch_size"), ("--seed", "seed")):
        _whole(flag, getattr(args, name), *SETTING_LIMITS[name])
    lo, hi = SETTING_LIMITS["lr"]
    if not (math.isfinite(args.lr) and lo <= args.lr <= hi):  # "nan" parses as a float; refuse it here
        raise CliError(say("cli.bad_number", flag="--lr", value=f"{args.lr:g}", lo=f"{lo:g}", hi=f"{hi:g}"))
    _whole("--input-size", args.input_size, *DIGITS_SIZES)  # CIFAR-10 is resized within the same range
    if args.threads is not None:
        _whole("--threads", args.threads, 1, 256)
    if args.out is not None and args.out.suffix != ".safetensors":
        raise CliError(say("cli.train.out_suffix", value=repr(str(args.out))))
    settings = TrainSettings(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed)
    validate_settings(settings)  # the library's own check, in case its rules grow beyond these
    return settings


def _load(args: argparse.Namespace) -> Dataset:
    if args.dataset == "cifar10":
        # Ask before loading: torchvision's downloader would otherwise fail with a traceback.
        root = data_root()
        status, detail = cifar10_status(root)
        if status == "offline":
            raise CliError(say("cli.train.cifar_offline", root=root, detail=detail))
    try:
        return load_dataset(args.dataset, args.input_size, args.seed)
    except DatasetUnavailableError as exc:
        raise CliError(say("cli.train.unavailable", dataset=args.dataset, message=str(exc))) from None


def run(args: argparse.Namespace) -> int:
    from ..core.config import PRESETS

    settings = check(args)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    dataset = _load(args)
    config = fit_config(PRESETS[args.preset], dataset)
    print(
        say(
            "cli.train.header",
            preset=args.preset,
            dataset=dataset.name,
            size=dataset.input_size,
            n_train=len(dataset.y_train),
            n_test=len(dataset.y_test),
            epochs=settings.epochs,
            batch=settings.batch_size,
            lr=f"{settings.lr:g}",
            momentum=f"{settings.momentum:g}",
            wd=f"{settings.weight_decay:g}",
            seed=settings.seed,
        ),
        flush=True,
    )

    def show(r: EpochRecord) -> None:
        print(
            say(
                "cli.train.epoch",
                epoch=r.epoch,
                epochs=settings.epochs,
                train=100 * r.train_error,
                test=100 * r.test_error,
                loss=r.train_loss,
                lr=r.lr,
                seconds=r.seconds,
            ),
            flush=True,
        )

    result = train_models([(args.preset, config)], dataset, settings, on_epoch=show)
    if result.status != "done":
        print(say("cli.error", message=say("cli.train.stopped", message=result.message)), file=sys.stderr)
        return 1
    model = result.models[args.preset]
    # The last epoch's record was measured after training, in eval mode on the held-out split
    # (train_models' own ``evaluate``, on the device the model lives on): the number the record states.
    accuracy = 1.0 - result.final(args.preset).test_error
    print(say("cli.train.accuracy", acc=100 * accuracy, n=len(dataset.y_test), seconds=result.seconds))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(
            checkpoint_bytes(model, config, dataset, accuracy, seed=args.seed, epochs=settings.epochs)
        )
        print(say("cli.train.wrote", path=args.out))
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
            "settings": {
                "epochs": settings.epochs,
                "batch_size": settings.batch_size,
                "lr": settings.lr,
                "momentum": settings.momentum,
                "weight_decay": settings.weight_decay,
                "decay_at": list(settings.decay_at),
            },
            "torch": torch.__version__,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2) + "\n")
        print(say("cli.train.wrote", path=args.json))
    return 0
