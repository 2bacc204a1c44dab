"""``benchmarks/skeleton_app.py`` stands for the Explorer's first screen in ``bench_load.py``: what
Streamlit charges for drawing the same elements with no library behind them. It is a fair yardstick only
while it draws what the Explorer draws, so this compares the two element trees, type by type."""

from __future__ import annotations

from collections import Counter

from helpers import ROOT, open_app
from streamlit.testing.v1 import AppTest


def _inventory(at: AppTest) -> Counter[str]:
    kinds: Counter[str] = Counter()

    def walk(node: object) -> None:
        kinds[f"{type(node).__name__}:{getattr(node, 'type', '')}"] += 1
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else ():
            walk(child)

    walk(at._tree)
    return kinds


def test_skeleton_draws_the_explorers_elements() -> None:
    explorer = open_app(None, {"preset": "resnet18"}).run()
    skeleton = AppTest.from_file(str(ROOT / "benchmarks" / "skeleton_app.py"), default_timeout=60).run()
    assert not explorer.exception and not skeleton.exception
    ours, theirs = _inventory(explorer), _inventory(skeleton)
    assert sum(ours.values()) > 40  # the walk saw the page, not an empty tree
    differ = {k: (ours[k], theirs[k]) for k in sorted(ours.keys() | theirs.keys()) if ours[k] != theirs[k]}
    assert not differ, f"(Explorer, skeleton) counts differ; update benchmarks/skeleton_app.py: {differ}"
