"""A quick stand-in for the training child, importable by a spawned process (tests/ is on sys.path).

It speaks run_worker's protocol ("started", then "end") without importing torch, so a test can start
dozens of runs on a 2-core machine; the registry's bookkeeping, not training, is what is tested.
"""

from __future__ import annotations

import time


def quick_worker(request, out, stop, heartbeat) -> None:
    out.put(("started", 0.0))
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and not stop.is_set():
        time.sleep(0.02)
    out.put(("end", ("done", "")))
