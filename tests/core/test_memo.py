"""The server's memo is bounded by entries and by bytes (issue 11, fault 6), and its size estimates hold.

Outside truths: closed-form bookkeeping (which keys an LRU of N keeps), ``len`` of byte strings, and
Python's own allocator as ``tracemalloc`` reports it for the plans and graphs the app caches.
"""

from __future__ import annotations

import dataclasses
import gc
import threading
import tracemalloc

import pytest

from resnet_explorer import PRESETS
from resnet_explorer.core.memo import bounded_cache
from resnet_explorer.core.plan import _plan_bytes, make_plan
from resnet_explorer.visual.graph import _graph_bytes, extract


def test_entries_bound_keeps_the_most_recently_used():
    calls = []

    @bounded_cache(max_entries=3, max_bytes=10**9, size=lambda v: 1)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    for x in (1, 2, 3, 1, 4):  # 1 is used again before 4 arrives, so 2 is the one evicted
        assert square(x) == x * x
    assert square(1) == 1 and square(3) == 9 and square(4) == 16
    assert calls == [1, 2, 3, 4]
    square(2)
    assert calls == [1, 2, 3, 4, 2]
    info = square.cache_info()
    assert (info.entries, info.hits, info.misses) == (3, 4, 5)


def test_bytes_bound_evicts_until_the_sum_fits_and_never_keeps_an_oversized_value():
    @bounded_cache(max_entries=100, max_bytes=1000, size=len)
    def blob(n: int) -> bytes:
        return b"x" * n

    for n in (400, 300, 200):
        blob(n)
    assert blob.cache_info().bytes == 900
    blob(250)  # 1,150 > 1,000: the oldest (400) goes
    assert (blob.cache_info().entries, blob.cache_info().bytes) == (3, 750)
    assert len(blob(5000)) == 5000  # returned, not kept
    assert (blob.cache_info().entries, blob.cache_info().bytes) == (3, 750)
    blob.cache_clear()
    assert blob.cache_info().entries == 0 and blob.cache_info().bytes == 0


def test_bounds_hold_under_threads():
    @bounded_cache(max_entries=50, max_bytes=20_000, size=len)
    def blob(n: int) -> bytes:
        return b"y" * n

    def hammer(seed: int) -> None:
        for i in range(2000):
            blob((seed * 7919 + i * 104729) % 997 + 1)

    threads = [threading.Thread(target=hammer, args=(s,)) for s in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    info = blob.cache_info()
    kept = sum(len(v) for v, _ in blob._data.values())
    assert info.entries <= 50 and info.bytes <= 20_000 and info.bytes == kept
    assert info.hits + info.misses == 8 * 2000


def test_bad_bounds_are_refused():
    with pytest.raises(ValueError, match="max_entries"):
        bounded_cache(max_entries=0, max_bytes=1, size=len)(len)


def _retained(build) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        value = build()
        gc.collect()
        current = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert value is not None
    return current


@pytest.mark.parametrize("name", ["resnet18", "resnet152", "resnet1202"])
def test_size_estimates_cover_what_python_allocates(name):
    config = PRESETS[name]
    plan = make_plan.__wrapped__(config)
    measured = _retained(lambda: make_plan.__wrapped__(config))
    assert measured <= _plan_bytes(plan) <= 2.5 * measured, (name, measured, _plan_bytes(plan))
    make_plan(config)  # the graph shares the cached plan's strings, as in the app
    for level, fold in (("layers", False), ("blocks", None)):
        g = extract.__wrapped__(config, level, fold)
        measured = _retained(lambda lv=level, f=fold: extract.__wrapped__(config, lv, f))
        assert measured <= _graph_bytes(g) <= 2.5 * measured, (name, level, measured, _graph_bytes(g))


def test_the_plan_and_graph_caches_stay_within_their_byte_budgets():
    # Many distinct deep configs (as a class editing depths makes): the memo never holds more than its budget.
    for cache in (make_plan, extract):
        assert cache.cache_info().max_bytes <= 64 * 2**20
    base = PRESETS["resnet1202"]
    for extra in range(60):
        config = dataclasses.replace(base, stages=(200 + extra, 200, 200))
        make_plan(config)
        extract(config, "layers", False)
        for cache in (make_plan, extract):
            info = cache.cache_info()
            assert info.bytes <= info.max_bytes and info.entries <= info.max_entries
    assert make_plan.cache_info().entries < 60  # the byte budget, not the count, evicted
