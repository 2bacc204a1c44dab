"""The Explorer's rerun after a knob change, against a page that would ask torchinfo instead.

For ResNet-152 at 224 px and ResNet-1202, each rerun changes the width so no cache can answer.
"ours" is the whole page rerun through Streamlit's AppTest (script, analysis, tables, widgets);
"torchinfo" is torchinfo.summary alone on a fresh meta-device model of the same config — the
numbers only, none of the page. Goal: ours well under a second, and faster than torchinfo alone.

    python benchmarks/bench_explorer_rerun.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

import torchinfo
from streamlit.testing.v1 import AppTest

from resnet_explorer import PRESETS, analyze, build_model

ROOT = Path(__file__).resolve().parents[1]


def rerun_times(preset: str, widths: list[int]) -> tuple[list[float], int]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["preset"] = preset
    at.run()
    times = []
    for w in widths:
        start = time.perf_counter()
        at.sidebar.number_input(key="cfg.width").set_value(w).run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    shown = int(next(m.value for m in at.metric if m.label == "Parameters").replace(",", ""))
    return times, shown


def torchinfo_times(preset: str, widths: list[int]) -> tuple[list[float], int]:
    times, total = [], 0
    for w in widths:
        config = dataclasses.replace(PRESETS[preset], width=w)
        size = (1, config.in_channels, config.input_size, config.input_size)
        start = time.perf_counter()
        total = torchinfo.summary(
            build_model(config, "meta"), input_size=size, device="meta", verbose=0
        ).total_params
        times.append(time.perf_counter() - start)
    return times, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{'model':<12}{'ours: page rerun (median)':>28}{'torchinfo alone (median)':>28}{'ratio':>9}"
        f"{'totals':>9}"
    )
    for preset in ("resnet152", "resnet1202"):
        base = PRESETS[preset].width
        widths = [base + 1 + i for i in range(args.repeats)]
        ours, shown = rerun_times(preset, widths)
        theirs, total = torchinfo_times(preset, widths)
        expected = analyze(dataclasses.replace(PRESETS[preset], width=widths[-1])).total_params
        same = "✓" if shown == total == expected else f"✗ {shown} vs {total}"
        mo, mt = statistics.median(ours), statistics.median(theirs)
        print(f"{preset:<12}{mo * 1000:>25.0f} ms{mt * 1000:>25.0f} ms{mt / mo:>8.1f}×{same:>9}")


if __name__ == "__main__":
    main()
