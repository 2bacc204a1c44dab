"""Classify page performance, measured side by side in one run.

1. Single-image latency: our ResNet-18/50 against torchvision's, on the same weights (torchvision's
   random init loaded into ours with strict=True), same input, same threads. Goal: ratio <= 1.
2. Concurrency: p95 time of a light rerun in another session — the Explorer page rerun through
   Streamlit's AppTest after a knob change (a new width each time, so no cache answers) — while N
   classifications run, against the same with none: once with the classifications in the page's
   bounded worker process (what the page does) and once in threads of the server process (what a
   naive page would do). Goal: the worker keeps the rerun near its idle time.

    python benchmarks/bench_inference.py [--repeats 20] [--jobs 4]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

import torch
import torchvision
from streamlit.testing.v1 import AppTest

from resnet_explorer import PRESETS, build_model
from resnet_explorer.classify.worker import ClassifyJob, ClassifyWorker, config_source, run_job

ROOT = Path(__file__).resolve().parents[1]


def latency(repeats: int) -> None:
    print(f"single-image latency, median of {repeats}, {torch.get_num_threads()} threads")
    for arch in ("resnet18", "resnet50"):
        torch.manual_seed(0)
        reference = getattr(torchvision.models, arch)(weights=None).eval()
        ours = build_model(PRESETS[arch]).eval()
        ours.load_state_dict(reference.state_dict(), strict=True)
        x = torch.randn(1, 3, 224, 224)
        with torch.inference_mode():
            assert torch.allclose(ours(x), reference(x), atol=1e-4)
        times: dict[str, list[float]] = {"ours": [], "torchvision": []}
        with torch.inference_mode():
            for _ in range(2):
                ours(x), reference(x)
            # Alternate call by call, so drift in the machine's load hits both alike.
            for _ in range(repeats):
                for name, model in (("ours", ours), ("torchvision", reference)):
                    start = time.perf_counter()
                    model(x)
                    times[name].append((time.perf_counter() - start) * 1000)
        a, b = (statistics.median(times[k]) for k in ("ours", "torchvision"))
        a_min, b_min = (min(times[k]) for k in ("ours", "torchvision"))
        print(
            f"  {arch:<9} ours {a:7.1f} ms (min {a_min:6.1f})   torchvision {b:7.1f} ms "
            f"(min {b_min:6.1f})   ratio of medians {a / b:.3f}, of minima {a_min / b_min:.3f}"
        )


def _explorer() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    return at


def _light_work(at: AppTest, i: int) -> None:
    # A width never seen before defeats the plan cache, as a student's fresh knob change would.
    at.sidebar.number_input(key="cfg.width").set_value(8 + i % 4000).run()
    assert not at.exception, at.exception


def _p95_light(seconds: float, counter: list[int], at: AppTest) -> tuple[float, float]:
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        _light_work(at, counter[0])
        counter[0] += 1
        times.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    times.sort()
    return times[int(0.95 * (len(times) - 1))], statistics.median(times)


def concurrency(n_jobs: int, seconds: float) -> None:
    job = ClassifyJob(config_source("random", PRESETS["resnet50"], "bench", seed=0), sample_photo="china.jpg")
    counter = [0]
    worker = ClassifyWorker(max_workers=1)
    worker.submit(job).result()  # start the process and build the model before timing
    run_job(job)  # warm the in-process path too
    at = _explorer()
    idle = _p95_light(seconds, counter, at)
    print(f"Explorer rerun after a knob change, p95 / median over {seconds:.0f} s:")
    print(f"  no classifications running           p95 {idle[0]:7.1f} ms   median {idle[1]:6.1f} ms")

    for mode in ("worker", "threads"):
        stop = threading.Event()
        done = [0]

        def session(mode=mode, stop=stop, done=done) -> None:
            while not stop.is_set():
                if mode == "worker":
                    future = worker.submit(job)
                    while not future.done():  # the page's wait loop
                        time.sleep(0.15)
                    future.result()
                else:
                    run_job(job)
                done[0] += 1

        threads = [threading.Thread(target=session, daemon=True) for _ in range(n_jobs)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        busy = _p95_light(seconds, counter, at)
        stop.set()
        for t in threads:
            t.join()
        label = "bounded worker process" if mode == "worker" else "in server threads (naive)"
        print(
            f"  {n_jobs} sessions classifying, {label:<26} p95 {busy[0]:7.1f} ms   median {busy[1]:6.1f} ms"
            f"   ({busy[0] / idle[0]:.1f}× idle p95; {done[0]} ResNet-50 jobs done)"
        )
    worker.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=4, help="concurrent classifying sessions")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    latency(args.repeats)
    concurrency(args.jobs, args.seconds)


if __name__ == "__main__":
    main()
