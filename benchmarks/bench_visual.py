"""Graph and chart building per preset, against a naive module-tracing graph, in one run.

    python benchmarks/bench_visual.py [--presets resnet18,resnet152,resnet1202] [--repeat 3]

For each preset it times, from a cold plan (the state right after a knob change):
  * DOT generation from the plan: the default view (blocks, folded for deep nets) and the
    full per-layer graph (layers, unfolded);
  * the naive, torchview-like alternative: build the module on the meta device, trace it with
    torch.fx, propagate shapes through every node, and emit one DOT node per traced op;
  * each Plotly figure of the charts panel.
It prints the times and the ratios (naive / ours). Goal: the graph and chart of ResNet-1202
appear within a second or two of a change.
"""

from __future__ import annotations

import argparse
import statistics
import time

import graphviz
import torch
from torch.fx import symbolic_trace
from torch.fx.passes.shape_prop import ShapeProp

from resnet_explorer import PRESETS, analyze, build_model
from resnet_explorer.core.plan import make_plan
from resnet_explorer.visual import charts, graph


def _cold() -> None:
    """Forget cached plans and graphs, as after a change to the config."""
    make_plan.cache_clear()
    graph.extract.cache_clear()


def _time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        _cold()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ours_default(name: str) -> int:
    g = graph.extract(PRESETS[name], "blocks")  # folds deep nets by default
    graph.to_digraph(g).source  # noqa: B018 - building the DOT text is the work measured
    return len(g.nodes)


def ours_full(name: str) -> int:
    g = graph.extract(PRESETS[name], "layers", fold=False)
    graph.to_digraph(g).source  # noqa: B018
    return len(g.nodes)


def naive_traced(name: str) -> int:
    """What a generic tool does: trace the module, run shapes through it, one node per op."""
    config = PRESETS[name]
    model = build_model(config, device="meta").eval()
    gm = symbolic_trace(model)
    ShapeProp(gm).propagate(
        torch.empty(1, config.in_channels, config.input_size, config.input_size, device="meta")
    )
    dot = graphviz.Digraph()
    for node in gm.graph.nodes:
        meta = node.meta.get("tensor_meta")
        shape = "×".join(map(str, meta.shape[1:])) if meta is not None and hasattr(meta, "shape") else ""
        dot.node(node.name, label=f"{node.op}\\n{node.target}")
        for arg in node.all_input_nodes:
            dot.edge(arg.name, node.name, label=shape)
    dot.source  # noqa: B018
    return len(gm.graph.nodes)


FIGURES = {
    "stages": lambda c: charts.stage_figure(analyze(c)),
    "cumulative": lambda c: charts.cumulative_figure(analyze(c)),
    "feature_maps": lambda c: charts.feature_map_figure(analyze(c)),
    "receptive_field": lambda c: charts.receptive_field_figure(analyze(c)),
    "depth_sweep": charts.depth_sweep_figure,
    "shortcut_options": charts.shortcut_options_figure,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="resnet18,resnet50,resnet152,resnet110,resnet1202")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    names = args.presets.split(",")
    unknown = [n for n in names if n not in PRESETS]
    if unknown:
        parser.error(f"--presets: unknown {', '.join(unknown)}; allowed: {', '.join(PRESETS)}")

    charts.stage_figure(analyze(PRESETS["resnet18"]))  # import Plotly's machinery once, untimed
    print(
        f"{'preset':<11} {'default DOT':>14} {'full DOT':>16} {'traced (naive)':>18} "
        f"{'naive/default':>13} {'naive/full':>10}"
    )
    for name in names:
        n_default = ours_default(name)
        n_full = ours_full(name)
        n_naive = naive_traced(name)
        t_default = _time(lambda: ours_default(name), args.repeat)  # noqa: B023
        t_full = _time(lambda: ours_full(name), args.repeat)  # noqa: B023
        t_naive = _time(lambda: naive_traced(name), max(1, args.repeat - 1))  # noqa: B023
        print(
            f"{name:<11} {t_default * 1e3:8.1f} ms {n_default:>3}n {t_full * 1e3:8.1f} ms {n_full:>5}n "
            f"{t_naive * 1e3:9.1f} ms {n_naive:>5}n {t_naive / t_default:12.1f}× {t_naive / t_full:9.1f}×"
        )

    print()
    print(f"{'preset':<11} " + " ".join(f"{k:>16}" for k in FIGURES) + f" {'slowest':>9}")
    for name in names:
        config = PRESETS[name]
        times = {k: _time(lambda f=f, c=config: f(c), args.repeat) for k, f in FIGURES.items()}
        print(
            f"{name:<11} "
            + " ".join(f"{t * 1e3:13.1f} ms" for t in times.values())
            + f" {max(times.values()) * 1e3:6.0f} ms"
        )


if __name__ == "__main__":
    main()
