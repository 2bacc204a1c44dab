"""The digits model's two checks before it names a digit: no ink (flat, or nearly), and unlike its data.

Outside truths: scikit-learn's digits themselves (drawn as photos, they must pass) and pictures that are
no digit at all (a flat colour with a 1-level ripple, a solid square, the sample photos, noise).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from resnet_explorer.classify.digit_checks import familiarity, nearly_flat
from resnet_explorer.classify.images import ImageInputError, photo_to_digit, sample_photos

RNG = np.random.default_rng(0)


def _flat_orange(ripple: int) -> Image.Image:
    """The audit's picture: a flat orange square whose grey level wanders ±``ripple`` levels."""
    a = np.zeros((200, 200, 3), np.int64)
    a[...] = (250, 140, 0)
    a = a + RNG.integers(-ripple, ripple + 1, (200, 200, 1))  # every channel alike: the grey level moves
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))


def _as_photo(counts: np.ndarray) -> Image.Image:
    """A digit of the set drawn large, dark ink on white paper, as a student would photograph it."""
    grey = (255 - counts.reshape(8, 8) / 16 * 255).astype(np.uint8)
    return Image.fromarray(np.kron(grey, np.ones((32, 32), np.uint8))).convert("RGB")


@pytest.mark.parametrize("ripple", [0, 1, 4])
def test_a_nearly_flat_picture_is_refused_as_a_flat_one_is(ripple: int) -> None:
    # Before: a ±1 ripple was scaled to full contrast and the digits model called it "7" at 95.7 %.
    with pytest.raises(ImageInputError) as info:
        photo_to_digit(_flat_orange(ripple))
    assert info.value.code == "no_ink", str(info.value)


def test_a_faint_but_real_digit_is_not_flat() -> None:
    a = np.full((200, 200), 200, np.uint8)
    a[40:160, 90:110] = 150  # a pencil stroke 50 levels darker than the paper
    assert not nearly_flat(a)
    photo_to_digit(Image.fromarray(a).convert("RGB"))


@pytest.mark.parametrize("index", [0, 5, 17, 33, 100, 1000])
def test_digits_of_the_set_drawn_as_photos_are_familiar(index: int) -> None:
    counts = load_digits().data[index]
    notes: list = []
    got, _ = photo_to_digit(_as_photo(counts), notes)
    assert familiarity(got).familiar, familiarity(got)
    assert "unlike_digits" not in dict(notes)


def _square() -> Image.Image:
    a = np.full((200, 200), 255, np.uint8)
    a[50:150, 50:150] = 0
    return Image.fromarray(a).convert("RGB")


def _noise() -> Image.Image:
    return Image.fromarray(RNG.integers(0, 256, (200, 200), dtype=np.uint8)).convert("RGB")


@pytest.mark.parametrize(
    "picture", [_square, _noise, lambda: sample_photos()["china.jpg"], lambda: sample_photos()["flower.jpg"]]
)
def test_pictures_unlike_any_digit_are_said_to_be(picture) -> None:
    notes: list = []
    counts, _ = photo_to_digit(picture(), notes)
    near = familiarity(counts)
    assert not near.familiar, near
    assert dict(notes)["unlike_digits"] == {"distance": f"{near.distance:.0f}", "limit": f"{near.limit:.0f}"}


def test_the_limit_is_the_farthest_any_digit_of_the_set_lies_from_its_nearest_neighbour() -> None:
    data = load_digits().data.astype(np.float64)
    nearest = []
    for start in range(0, len(data), 200):  # differences taken directly, 200 digits at a time
        d = np.sqrt(((data[start : start + 200, None, :] - data[None, :, :]) ** 2).sum(-1))
        d[np.arange(len(d)), np.arange(start, start + len(d))] = np.inf
        nearest.append(d.min(axis=1))
    assert familiarity(data[0]).distance == 0.0
    assert familiarity(data[0]).limit == pytest.approx(np.concatenate(nearest).max(), abs=1e-6)
