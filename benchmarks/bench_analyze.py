"""``analyze(config)`` (plan arithmetic) against ``torchinfo.summary``, for every preset, in one run.

1. Per preset: our totals and torchinfo's must be identical (parameters; multiply-adds of the
   conv and FC layers, which is the paper's and torchvision's convention — torchinfo's own
   ``total_mult_adds`` also counts BN parameters and FC bias adds, so its leaf rows are summed
   under our convention). torchinfo runs on the outside truth where one exists: torchvision's
   model for resnet18-152, the ResNeXts and the Wide ResNet-50/101-2; timm's (``pretrained=False``)
   for resnet18d, resnet50d and seresnet50. The plain, CIFAR, pre-activation and WRN presets have
   neither, so it runs on our built module.
   A second torchinfo column uses a fresh ``meta``-device model (no weights, no real arithmetic),
   the fastest way to ask torchinfo, so the ratio is not flattered by a slow alternative.
2. The Explorer's rerun after a knob change, library side: ``analyze`` of a config no cache has
   seen, plus the tables the page derives from it (block-level fold, stage filter, CSV), for
   ResNet-152 at 224 px and ResNet-1202. (``bench_explorer_rerun.py`` times the whole page.)

Goal: identical totals, ``analyze`` at least 10x faster than torchinfo, the rerun well under 1 s.

    python benchmarks/bench_analyze.py [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import math
import statistics
import time
from collections.abc import Callable

import timm
import torch
import torchinfo
import torchvision

from resnet_explorer import PRESETS, ResNetConfig, analyze, build_model
from resnet_explorer.core.analysis import fold_to_blocks
from resnet_explorer.core.config import FAMILY_PRESETS, IMAGENET_PRESETS
from resnet_explorer.core.plan import make_plan

# Presets whose outside model is timm's under the same name (docs/notes.md: timm 1.0.31).
TIMM_PRESETS = ("resnet18d", "resnet50d", "seresnet50")


def _best_s(fn: Callable[[], object], repeats: int, before: Callable[[], None] = lambda: None) -> float:
    """Best of ``repeats`` (as ``timeit`` advises: the others measure the machine's other load).

    As in ``timeit``, the cyclic garbage collector is paused while timing, for both sides alike:
    a collection triggered inside a call would otherwise charge it for scanning other objects.
    """
    times = []
    for _ in range(repeats):
        before()
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def _torchinfo_totals(stats: torchinfo.ModelStatistics) -> tuple[int, int]:
    """(parameters, conv + FC multiply-adds without bias adds) from torchinfo's leaf rows."""
    macs = 0
    for info in stats.summary_list:
        if info.is_leaf_layer and info.class_name == "Conv2d":
            # torchinfo counts a conv's bias as one multiply-add per output value (timm's SE convs
            # have biases): not a multiply-add in our convention, as for the FC's bias below.
            bias = info.module.bias
            macs += info.macs - (bias.numel() * math.prod(info.output_size[2:]) if bias is not None else 0)
        elif info.is_leaf_layer and info.class_name == "Linear":
            macs += info.macs - info.output_size[-1]  # one bias add per output is not a multiply-add
    return stats.total_params, macs


def _materialised(name: str, config: ResNetConfig) -> tuple[torch.nn.Module, str]:
    """The model torchinfo is run on, and whose it is: the outside library's where it has this
    preset (so a total that differs is a bug in our plan, not in both), else our built module."""
    outside = name in IMAGENET_PRESETS or name in FAMILY_PRESETS
    if outside and config.shortcut != "none" and hasattr(torchvision.models, name):
        return getattr(torchvision.models, name)(weights=None).eval(), "torchvision"
    if name in TIMM_PRESETS:
        return timm.create_model(name, pretrained=False).eval(), "timm"
    return build_model(config).eval(), "our module"  # plain, CIFAR, pre-act, WRN: no outside model


def compare_presets(repeats: int) -> dict[str, float]:
    head = (
        f"{'preset':<18}{'params':>12}{'MACs':>16}{'same':>6}{'analyze':>11}{'torchinfo':>12}"
        f"{'ratio':>8}{'torchinfo meta':>16}{'ratio':>8}  torchinfo on"
    )
    print(head)
    print("─" * len(head))
    ratios: dict[str, float] = {}
    ours: dict[str, float] = {}
    differ: list[str] = []
    for name, config in PRESETS.items():
        size = (1, config.in_channels, config.input_size, config.input_size)
        # Uncached: the plan cache is cleared before every call, as for a config never seen before.
        t_ours = _best_s(lambda c=config: analyze(c), repeats, make_plan.cache_clear)
        a = analyze(config)

        model, source = _materialised(name, config)
        stats = None

        def real(m=model, s=size):
            nonlocal stats
            stats = torchinfo.summary(m, input_size=s, device="cpu", depth=100, verbose=0)

        t_real = _best_s(real, max(1, repeats // 2))
        params, macs = _torchinfo_totals(stats)
        del model

        def meta(c=config, s=size):
            return torchinfo.summary(
                build_model(c, "meta"), input_size=s, device="meta", depth=100, verbose=0
            )

        t_meta = _best_s(meta, max(1, repeats // 2))
        same = "✓" if (a.total_params, a.total_macs) == (params, macs) == _torchinfo_totals(meta()) else "✗"
        ratios[name], ours[name] = t_real / t_ours, t_ours
        print(
            f"{name:<18}{a.total_params:>12,}{a.total_macs:>16,}{same:>6}{t_ours * 1000:>8.1f} ms"
            f"{t_real * 1000:>9.0f} ms{t_real / t_ours:>7.0f}×{t_meta * 1000:>13.0f} ms"
            f"{t_meta / t_ours:>7.0f}×  {source}"
        )
        if same == "✗":
            differ.append(name)
            print(f"   ours {a.total_params:,} / {a.total_macs:,} vs torchinfo {params:,} / {macs:,}")
    lowest = min(ratios, key=ratios.__getitem__)
    print(
        f"ratio torchinfo (materialised) / analyze: {ratios[lowest]:.0f}× ({lowest}) to "
        f"{max(ratios.values()):.0f}×, median {statistics.median(ratios.values()):.0f}× over "
        f"{len(ratios)} presets; totals differ for: {', '.join(differ) or 'none'}"
    )
    slowest = max(ours, key=ours.__getitem__)
    print(f"slowest analyze: {slowest}, {ours[slowest] * 1000:.1f} ms")
    return ratios


def page_tables(config: ResNetConfig) -> int:
    """What the Explorer computes on a rerun: the analysis and the tables it shows."""
    a = analyze(config)
    folded = fold_to_blocks(a.layers)
    one_stage = a.layers[a.layers["stage"] == "layer3"]
    csv = a.layers.to_csv(index=False)
    return len(folded) + len(one_stage) + len(csv) + len(a.stages)


def knob_change(repeats: int) -> None:
    print("\nrerun after a knob change (uncached config: analyze + block fold + stage filter + CSV)")
    for name in ("resnet152", "resnet1202"):
        base = PRESETS[name]
        # A different width each time, and the plan cache cleared: nothing can be answered from memory.
        configs = [dataclasses.replace(base, width=base.width + 1 + i) for i in range(repeats)]
        times = []
        for config in configs:
            make_plan.cache_clear()
            start = time.perf_counter()
            page_tables(config)
            times.append(time.perf_counter() - start)
        layers = len(make_plan(base).layers)
        median, worst = statistics.median(times) * 1000, max(times) * 1000
        print(
            f"  {name:<11} {base.input_size} px, {layers:,} layers: median {median:.0f} ms, "
            f"worst {worst:.0f} ms over {repeats} widths"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per measurement")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for torchinfo's forward passes (default 1: one image gains "
        "little from more, and a busy small machine loses a lot to oversubscription)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, torchinfo {torchinfo.__version__}, {torch.get_num_threads()} "
        f"thread(s); times are the best of --repeats\n"
    )
    compare_presets(args.repeats)
    knob_change(args.repeats)


if __name__ == "__main__":
    main()
