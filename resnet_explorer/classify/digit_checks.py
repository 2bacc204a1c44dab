"""Can the digits model answer for this photo? Two checks made before it names a digit (issue 24 §3).

- :func:`nearly_flat`: a photo whose every pixel is within :data:`FLAT_LEVELS` grey levels of its
  ground has no ink to read. Treated as an exactly flat one is (``photo_to_digit``'s ``no_ink``):
  scaled to full contrast, a 1-level ripple on a flat orange square became a confident "7" (95.7 %).
- :func:`familiarity`: the 8×8 ink counts compared with scikit-learn's digits, the set the model
  learned from (UCI optdigits, 1,797 images; it ships offline). A photo farther from every digit of
  the set than any digit of the set is from its own nearest neighbour is unlike what the model has
  seen, and its answer says nothing: the page says so instead of showing a digit as if it knew.

Pure: numpy and scikit-learn's bundled data; no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["FLAT_LEVELS", "ink_contrast", "nearly_flat", "Familiarity", "familiarity"]

# Grey levels (of 255) between the ground and the strongest ink below which a photo has no ink. A flat
# colour saved as JPEG stays within 2 levels at quality 75 and 4 at 95 (measured, with ±2 levels of
# noise added first); blank paper lit 30 levels unevenly spans 15 about its median. Pencil on paper
# stands tens of levels from it.
FLAT_LEVELS = 16.0


def ink_contrast(grey: np.ndarray) -> float:
    """How far the pixel farthest from the ground (the median level) lies from it, in grey levels."""
    grey = np.asarray(grey, dtype=np.float64)
    return float(np.abs(grey - np.median(grey)).max()) if grey.size else 0.0


def nearly_flat(grey: np.ndarray) -> bool:
    """True when a grey image (0..255) is one flat colour, exactly or within :data:`FLAT_LEVELS`."""
    return ink_contrast(grey) < FLAT_LEVELS


@dataclass(frozen=True)
class Familiarity:
    """How near a digit's 8×8 counts lie to the digits the model learned from (Euclidean, counts 0..16)."""

    distance: float  # to the nearest digit of the set
    limit: float  # the farthest any digit of the set lies from its own nearest neighbour

    @property
    def familiar(self) -> bool:
        return self.distance <= self.limit


@lru_cache(maxsize=1)
def _reference() -> tuple[np.ndarray, np.ndarray, float]:
    """The digits (N, 64), their squared norms, and the largest nearest-neighbour distance among them."""
    from sklearn.datasets import load_digits

    data = load_digits().data.astype(np.float64)
    norms = (data**2).sum(axis=1)
    # |a - b|² = |a|² + |b|² - 2a·b: an (N, N) matrix, not an (N, N, 64) array of differences.
    d2 = norms[:, None] + norms[None, :] - 2.0 * data @ data.T
    np.fill_diagonal(d2, np.inf)
    limit = float(np.sqrt(max(d2.min(axis=1).max(), 0.0)))
    data.flags.writeable = norms.flags.writeable = False
    return data, norms, limit


def familiarity(counts: np.ndarray) -> Familiarity:
    """Where 8×8 ink counts (0..16, as ``photo_to_digit`` makes them) lie against the digits set."""
    x = np.asarray(counts, dtype=np.float64).reshape(-1)
    if x.size != 64:
        raise ValueError(f"counts: got {x.size} values; allowed: 64 (an 8×8 digit)")
    data, norms, limit = _reference()
    d2 = norms + float(x @ x) - 2.0 * data @ x
    return Familiarity(float(np.sqrt(max(d2.min(), 0.0))), limit)
