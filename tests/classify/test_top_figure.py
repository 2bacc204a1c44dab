"""The top-5 chart: best class on top, each bar the class's softmax probability, in the page's language."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from resnet_explorer.classify.figures import top_figure
from resnet_explorer.classify.inference import Classification

DIGITS = tuple(str(i) for i in range(10))
CIFAR = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _result(logits: list[float], k: int = 5) -> Classification:
    # The probabilities and their order come from torch, not from the library.
    probs = torch.softmax(torch.tensor(logits, dtype=torch.float64), 0).numpy()
    order = torch.topk(torch.from_numpy(probs), k).indices.tolist()
    top = tuple((i, float(probs[i])) for i in order)
    empty = np.zeros((len(logits), 1, 1), np.float32)
    return Classification(np.array(logits), probs, top, (), empty, np.zeros(len(logits)), 1.0, 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("classes", "lang"), [(DIGITS, "en"), (CIFAR, "en"), (CIFAR, "zh"), (DIGITS, "zh")])
def test_bars_are_the_top_k_probabilities_best_on_top(classes: tuple[str, ...], lang: str, seed: int) -> None:
    logits = np.random.default_rng(seed).normal(0, 3, len(classes)).tolist()
    result = _result(logits)
    spec = json.loads(top_figure(result, classes, lang).to_json())
    (bar,) = spec["data"]
    expected = sorted(range(len(classes)), key=lambda i: logits[i])[-5:]  # plotly draws the first bar lowest
    probs = torch.softmax(torch.tensor(logits, dtype=torch.float64), 0)
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    assert bar["x"] == pytest.approx([float(probs[i]) for i in expected], abs=1e-12)
    assert bar["text"] == [f"{100 * float(probs[i]):.1f}%" for i in expected]
    assert bar["marker"]["color"][-1] != bar["marker"]["color"][0]  # the best bar stands out
    layout = spec["layout"]
    assert layout["xaxis"]["range"] == [0, 1] and layout["xaxis"]["tickformat"] == ".0%"
    assert layout["yaxis"]["type"] == "category"  # "7" is a label, not the number 7 on a numeric axis
    assert layout["height"] == 80 + 44 * 5
    title = layout["title"]["text"]
    if lang == "zh":
        assert "5" in title and not any(c.isascii() and c.isalpha() for c in title)
        if classes == CIFAR:
            assert not any(label.isascii() for label in bar["y"]), bar["y"]  # Chinese class names
    else:
        assert title == "Top 5 classes"
        names = [classes[i] for i in expected]
        labelled = [f"{n}  ({i})" for n, i in zip(names, expected, strict=True)]
        assert bar["y"] == (names if classes == DIGITS else labelled)
