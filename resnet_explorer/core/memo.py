"""A server-side memo bounded by entries *and* bytes (issue 11, fault 6).

``functools.lru_cache(maxsize=N)`` bounds only the count: 256 plans of ResNet-1202 (1.4 MB each)
would hold 360 MB for the life of the server. :func:`bounded_cache` also keeps the sum of the
entries' estimated sizes under ``max_bytes``, evicting least-recently-used entries first; a value
larger than the whole budget is returned but not kept. It is thread-safe (Streamlit runs each
session's script in its own thread) and, like ``lru_cache``, offers ``cache_clear``, ``cache_info``
and ``__wrapped__``. Keys must be hashable; cached values must never be mutated by callers.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

__all__ = ["bounded_cache", "CacheInfo", "BoundedCache"]

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class CacheInfo:
    entries: int
    bytes: int
    hits: int
    misses: int
    max_entries: int
    max_bytes: int


class BoundedCache(Generic[P, R]):
    """The wrapper :func:`bounded_cache` returns (call it like the function it wraps)."""

    def __init__(self, func: Callable[P, R], max_entries: int, max_bytes: int, size: Callable[[R], int]):
        if max_entries < 1 or max_bytes < 1:
            raise ValueError(f"max_entries and max_bytes must be ≥ 1; got {max_entries}, {max_bytes}")
        self.__wrapped__ = func
        functools.update_wrapper(self, func)
        self._max_entries, self._max_bytes, self._size = max_entries, max_bytes, size
        self._data: OrderedDict[Hashable, tuple[R, int]] = OrderedDict()
        self._bytes = self._hits = self._misses = 0
        self._lock = threading.Lock()

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                self._hits += 1
                return found[0]
            self._misses += 1
        # Computed outside the lock: two sessions asking for the same new key both compute it
        # (cheap: every cached function here takes milliseconds) instead of one waiting on the other.
        value = self.__wrapped__(*args, **kwargs)
        nbytes = max(1, int(self._size(value)))
        if nbytes > self._max_bytes:
            return value
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, nbytes)
            self._bytes += nbytes
            while len(self._data) > self._max_entries or self._bytes > self._max_bytes:
                _, (_, freed) = self._data.popitem(last=False)
                self._bytes -= freed
        return value

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(
                len(self._data), self._bytes, self._hits, self._misses, self._max_entries, self._max_bytes
            )

    def cache_clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = self._hits = self._misses = 0


def bounded_cache(
    *, max_entries: int, max_bytes: int, size: Callable[[Any], int]
) -> Callable[[Callable[P, R]], BoundedCache[P, R]]:
    """Memoise a pure function, keeping at most ``max_entries`` results and ``max_bytes`` by ``size``."""

    def wrap(func: Callable[P, R]) -> BoundedCache[P, R]:
        return BoundedCache(func, max_entries, max_bytes, size)

    return wrap
