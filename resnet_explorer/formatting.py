"""How numbers read on every page and in the CLI: bytes, counts, shapes, ratios, durations.

One module, so a parameter count reads the same in a table, a chart label and a terminal.
"""

from __future__ import annotations

__all__ = ["format_bytes", "format_count", "format_shape", "format_ratio"]


def format_bytes(n: float) -> str:
    """2**31 -> '2.00 GiB': binary units, two decimals."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:,.2f} {unit}"
    return f"{n:.0f} B"


def format_count(n: float) -> str:
    """11689512 -> '11.69 M': two decimals in the largest unit that fits (K, M, G, T)."""
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:.0f}"


def format_shape(shape: tuple[int, ...]) -> str:
    """(64, 56, 56) -> '64×56×56' (channels × height × width, as the paper's Table 1 writes maps)."""
    return "×".join(map(str, shape))


def format_ratio(x: float) -> str:
    """1404.2 -> '1,404'; 13.71 -> '13.7': whole numbers once the ratio reaches 100."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"
