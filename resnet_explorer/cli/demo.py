"""``python -m resnet_explorer demo``: the Training lab's default degradation demonstration, from a shell.

Runs exactly what the lab's Start button runs with its defaults (``train.demo.demo_request``, in a
spawned child like the page) and prints each net's final training and test error. ``--json`` writes
``{"seconds": s, "nets": {"plain20": {"train_error": %, "test_error": %, ...}, ...}, ...}``; the file the
Lesson page shows was made this way (``resnet_explorer/assets/demo_results.json``, its "command" field).
"""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo",
        help="the Training lab's degradation demonstration (plain-20, plain-56, ResNet-56 on digits)",
        description="Train plain-20, plain-56 and ResNet-56 side by side with the "
        "Training lab's defaults; print the final errors (He et al. "
        "2015, Fig. 6).",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="initialisation, shuffling and digits split (default 0)"
    )
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads in the training process (1-256)")
    p.add_argument("--json", type=Path, default=None, help="write the results (and the curves) here")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from ..train.demo import run_demo
    from ..train.loop import SETTING_LIMITS

    lo, hi = SETTING_LIMITS["seed"]
    if not lo <= args.seed <= hi:
        raise ValueError(f"seed: got {args.seed}; allowed: {lo:g} to {hi:g}")
    if not 1 <= args.threads <= 256:
        raise ValueError(f"threads: got {args.threads}; allowed: 1 to 256")
    result = run_demo(args.seed, args.threads)
    for key, net in result["nets"].items():
        print(
            f"{net['label']:>10}  train error {net['train_error']:6.2f}%  "
            f"test error {net['test_error']:6.2f}%  ({key})"
        )
    print(f"{result['status']} in {result['seconds']:.1f} s (seed {args.seed}, {args.threads} thread(s))")
    if args.json is not None:
        parts = [
            "python",
            "-m",
            "resnet_explorer",
            "demo",
            "--seed",
            str(args.seed),
            "--threads",
            str(args.threads),
            "--json",
            args.json.as_posix(),
        ]
        record = {"command": shlex.join(parts), **result, "torch": torch.__version__}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {args.json}")
    return 0 if result["status"] == "done" else 1
