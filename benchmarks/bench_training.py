"""Training speed: the lab's training step against a plain hand-written PyTorch loop, in one run.

Both train the same model (same seed, same initial weights) on the same digits tensors in the same
batch order with the same optimiser; ours adds what the lab needs (NaN check, error count, stop
check, progress callback, per-iteration schedule). Goal: ours / plain >= 0.9. Then the wall time of
the lab's default demonstration (plain-20, plain-56, ResNet-56; the page's defaults).

    python benchmarks/bench_training.py [--preset resnet20] [--repeats 3] [--skip-demo]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from resnet_explorer.core.config import PRESETS
from resnet_explorer.core.model import build_model
from resnet_explorer.settings import train_threads
from resnet_explorer.train.data import load_digits
from resnet_explorer.train.loop import TrainSettings, fit_config, train_models


def plain_loop(config, data, settings: TrainSettings) -> float:
    """The textbook loop; returns images per second over one epoch."""
    torch.manual_seed(settings.seed)
    model = build_model(config)
    model.train()
    opt = torch.optim.SGD(
        model.parameters(), lr=settings.lr, momentum=settings.momentum, weight_decay=settings.weight_decay
    )
    gen = torch.Generator().manual_seed(settings.seed)
    perm = torch.randperm(len(data.y_train), generator=gen)
    bs = settings.batch_size
    steps = len(perm) // bs
    t0 = time.perf_counter()
    for i in range(steps):
        idx = perm[i * bs : (i + 1) * bs]
        loss = F.cross_entropy(model(data.x_train[idx]), data.y_train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return steps * bs / (time.perf_counter() - t0)


def lab_loop(config, data, settings: TrainSettings) -> float:
    """The lab's trainer with its callbacks wired as the lab wires them; images per second of training."""
    seen: list[float] = []
    train_models(
        [("m", config)],
        data,
        settings,
        on_progress=lambda p: seen.append(p.elapsed),
        should_stop=lambda: False,
    )
    # elapsed at the last step: the steps only, as for the plain loop (evaluation comes after)
    return len(seen) * settings.batch_size / seen[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="resnet20")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-demo", action="store_true")
    args = ap.parse_args()
    threads = train_threads()
    torch.set_num_threads(threads)
    data = load_digits(16, seed=0)
    config = fit_config(PRESETS[args.preset], data)
    settings = TrainSettings(epochs=1, batch_size=args.batch_size, seed=0)
    ours, plain = [], []
    for _ in range(args.repeats):  # interleaved, so load from other processes hits both alike
        plain.append(plain_loop(config, data, settings))
        ours.append(lab_loop(config, data, settings))
    o, p = statistics.median(ours), statistics.median(plain)
    print(
        f"{args.preset}, digits 16 px, batch {args.batch_size}, {threads} thread(s), "
        f"median of {args.repeats} epochs each"
    )
    print(f"  lab training step : {o:8.1f} images/s   (runs: {', '.join(f'{v:.0f}' for v in ours)})")
    print(f"  hand-written loop : {p:8.1f} images/s   (runs: {', '.join(f'{v:.0f}' for v in plain)})")
    print(f"  ratio lab / plain : {o / p:.3f}   (goal >= 0.9)")
    if args.skip_demo:
        return
    # the lab's default demonstration (train.demo), in this process; bench_demo.py runs it over ten seeds
    from resnet_explorer.train.demo import demo_request

    request = demo_request(0)
    demo_data = load_digits(request.input_size, seed=0)
    t0 = time.perf_counter()
    result = train_models(list(request.models), demo_data, request.settings)
    wall = time.perf_counter() - t0
    finals = ", ".join(f"{n} {100 * result.final(n).train_error:.1f}%" for n, _ in request.models)
    print(f"default demonstration ({request.settings}): {wall:.0f} s wall; final training error {finals}")


if __name__ == "__main__":
    main()
