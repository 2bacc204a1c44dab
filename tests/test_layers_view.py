"""The Explorer's cached layer table is the table it used to build on every run."""

from __future__ import annotations

import pandas as pd
import pytest

from resnet_explorer import PRESETS, analyze
from resnet_explorer.core.analysis import fold_to_blocks
from resnet_explorer.ui.tables import display_frame, layers_view


@pytest.mark.parametrize(
    ("stage", "folded"), [("all", False), ("all", True), ("layer3", False), ("stem", True)]
)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_layers_view_matches_the_uncached_table(stage: str, folded: bool, language: str) -> None:
    config = PRESETS["resnet50"]
    layers = analyze(config).layers
    table = layers if stage == "all" else layers[layers["stage"] == stage]
    table = fold_to_blocks(table) if folded else table
    view = layers_view(config, stage, folded, language)
    assert (view.shown, view.total) == (len(table), len(layers))
    pd.testing.assert_frame_equal(view.frame, display_frame(table, language))
    assert view.csv == table.to_csv(index=False).encode()
    assert layers_view(config, stage, folded, language) is view, "a second session should get the cached view"


def test_display_frame_leaves_its_input_alone() -> None:
    layers = analyze(PRESETS["resnet18"]).layers
    before = layers.copy()
    display_frame(layers, "en")
    pd.testing.assert_frame_equal(layers, before)
