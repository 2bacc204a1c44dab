"""The feature-map grid is each channel upsampled by nearest neighbour (as torch does it) and coloured,
laid out row by row with white gaps."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from resnet_explorer.classify.inference import StageMaps, colormap, feature_grid, jpeg


@pytest.mark.parametrize(("k", "h", "w", "seed"), [(8, 7, 7, 0), (5, 14, 14, 1), (3, 3, 5, 2)])
def test_grid_is_torch_nearest_upsampling_coloured(k: int, h: int, w: int, seed: int) -> None:
    maps = np.random.default_rng(seed).random((k, h, w), dtype=np.float32)
    stage = StageMaps("layer1", (64, h, w), tuple(range(k)), tuple([0.5] * k), maps)
    columns, gap, tile = 4, 2, 96
    grid = feature_grid(stage, columns=columns, gap=gap, tile=tile)
    scale = max(1, tile // max(h, w))
    up = F.interpolate(torch.from_numpy(maps)[None], scale_factor=scale, mode="nearest")[0].numpy()
    th, tw = h * scale, w * scale
    rows = -(-k // columns)
    assert grid.shape == (rows * th + (rows - 1) * gap, columns * tw + (columns - 1) * gap, 3)
    for n in range(k):
        r, c = divmod(n, columns)
        y, x = r * (th + gap), c * (tw + gap)
        assert np.array_equal(grid[y : y + th, x : x + tw], colormap(up[n]))
    # The gaps and the unused cells of the last row stay white.
    assert (grid[th : th + gap] == 255).all()
    if k % columns:
        y = (rows - 1) * (th + gap)
        assert (grid[y:, (k % columns) * (tw + gap) :] == 255).all()


@pytest.mark.parametrize("shape", [(8, 8), (16, 24, 3), (194, 390, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_jpeg_is_the_bytes_st_image_makes_of_the_array(shape: tuple[int, ...], seed: int) -> None:
    # Outside truth: Streamlit's own encoder for an array handed to st.image (format "auto").
    from streamlit.elements.lib.image_utils import _np_array_to_bytes

    picture = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    assert jpeg(picture) == _np_array_to_bytes(picture, "auto")


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4), np.float32), np.zeros((4, 4, 4), np.uint8), np.zeros((2, 4, 4, 3), np.uint8)]
)
def test_jpeg_names_what_it_accepts(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"picture: got .*; allowed: uint8 \(H, W\) or \(H, W, 3\)"):
        jpeg(bad)
