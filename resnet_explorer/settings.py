"""Server settings read from the environment, parsed one way everywhere."""

from __future__ import annotations

import os

__all__ = ["env_positive_int"]


def env_positive_int(name: str, default: int) -> int:
    """``$name`` when it is a whole number above zero, else ``default`` (unset or malformed alike)."""
    raw = os.environ.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default
