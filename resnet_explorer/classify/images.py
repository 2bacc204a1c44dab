"""Safe image loading and the preprocessing a classifier needs, step by step for display.

An uploaded image is untrusted input. Pillow's ``Image.open`` reads only the header, so the size is
checked there, *before* any pixel is decoded (a decompression bomb is a small file declaring a huge
canvas). Decoders are restricted to the formats we accept. Nothing here changes Pillow's
process-wide settings (``MAX_IMAGE_PIXELS``, ``LOAD_TRUNCATED_IMAGES``): the server is shared.

Preprocessing follows the weights' own recipe:
- ImageNet (torchvision): resize the shorter side (256 for V1 weights, 232 for V2), centre-crop 224,
  scale to [0, 1], normalise with ImageNet's mean/std — torchvision's ``ImageClassification`` preset.
- scikit-learn digits: the UCI "optdigits" recipe the data set was made with (32×32 bitmaps, ink
  counted in 4×4 blocks → 8×8 values 0..16), applied to a photo of a dark digit on light paper, then
  the training code's own ``digits_to_input``.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .digit_checks import FLAT_LEVELS, familiarity, nearly_flat

__all__ = [
    "ImageInputError",
    "LoadedImage",
    "Step",
    "Preprocessed",
    "ALLOWED_FORMATS",
    "IMAGE_SUFFIXES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MIN_SIDE",
    "MAX_BYTES",
    "MAX_ASPECT",
    "MAX_STEP_PIXELS",
    "DISPLAY_SIDE",
    "load_image",
    "preprocess_imagenet",
    "photo_to_digit",
    "preprocess_digits",
    "digit_image",
    "sample_photos",
]

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp")
MAX_PIXELS = 40_000_000  # 40 megapixels: any phone photo; a bomb declares billions
MAX_SIDE = 16_384  # a 100000×1 strip has few pixels but is no photograph
MIN_SIDE = 8  # the digits themselves are 8×8; 1×1 or 0×0 carries nothing to classify
MAX_BYTES = 25 * 2**20
# Sizes *after* each step are bounded too: an 8×16384 strip has only 131,072 pixels, but resized to a
# 256 px short side it becomes 256×524,288 (400 MB as RGB), and a digit photo padded to a square would
# be 16384² floats (2 GB). The widest panorama a phone takes is about 10:1; 16:1 leaves room.
MAX_ASPECT = 16
MAX_STEP_PIXELS = 16_000_000  # after resizing; a 224 crop needs ~0.07 MP, a 1024 px input ~1.3 MP
DISPLAY_SIDE = 384  # the pictures of each step are display copies at most this long (a session keeps them)
DIGIT_WORK_SIDE = 1024  # a digit photo is reduced to this before finding the ink (its result is 32×32)

# EXIF orientation tag 0x0112 -> the transpose that makes the image upright (EXIF 2.3, Table 4).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Magic numbers of formats we refuse, so the message can say which format it was (without asking
# Pillow to parse a format we did not allow).
_OTHER_FORMATS = (
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "PSD"),
    (b"%PDF", "PDF"),
    (b"%!PS", "EPS"),
    (b"<svg", "SVG"),
    (b"<?xml", "SVG/XML"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"qoif", "QOI"),
    (b"DDS ", "DDS"),
)


class ImageInputError(ValueError):
    """An image was refused. ``code`` keys the translated message; ``values`` fill it."""

    def __init__(self, code: str, message: str, values: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.values = dict(values or {})

    def __reduce__(self):  # survive the trip back from the worker process
        return (self.__class__, (self.code, str(self), self.values))


@dataclass(frozen=True)
class LoadedImage:
    image: Image.Image  # RGB, 8 bits per channel, upright
    format: str
    size: tuple[int, int]  # (width, height) as stored, before EXIF rotation
    mode: str  # Pillow mode as stored
    notes: tuple[tuple[str, dict[str, Any]], ...]  # (code, values): conversions the page should mention


@dataclass(frozen=True)
class Step:
    """One preprocessing step, with a picture of its result for the page."""

    code: str  # translation key suffix: "original", "resized", "cropped", "normalised", ...
    image: np.ndarray  # uint8 (H, W) or (H, W, 3), for display
    shape: tuple[int, ...]  # the data's shape after the step
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Preprocessed:
    tensor: torch.Tensor  # (1, C, H, W), what the network reads
    steps: tuple[Step, ...]
    display: np.ndarray  # uint8 (H, W, 3) aligned with the network input, for the CAM overlay


def _sniff_other(data: bytes) -> str | None:
    head = data[:16].lstrip()
    for magic, name in _OTHER_FORMATS:
        if head.startswith(magic):
            return name
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIC/AVIF"
    return None


def load_image(data: bytes) -> LoadedImage:
    """Decode untrusted bytes into an upright RGB image, or raise ImageInputError saying why not."""
    allowed = ", ".join(ALLOWED_FORMATS)
    if not data:
        raise ImageInputError("empty", f"the file is empty (0 bytes); allowed: {allowed} images.")
    if len(data) > MAX_BYTES:
        raise ImageInputError(
            "too_many_bytes",
            f"the file is {len(data) / 2**20:.1f} MB; allowed at most {MAX_BYTES / 2**20:.0f} MB.",
            {"size": f"{len(data) / 2**20:.1f}", "limit": f"{MAX_BYTES / 2**20:.0f}"},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)  # header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own words ("could be decompression bomb DOS attack") are for a server log, not a class.
        raise ImageInputError(
            "bomb",
            f"refused before decoding: the header declares more than {Image.MAX_IMAGE_PIXELS:,} pixels; "
            f"allowed at most {MAX_PIXELS:,} pixels.",
            {"limit": f"{MAX_PIXELS:,}", "pixels": "?"},
        ) from None
    except UnidentifiedImageError:
        other = _sniff_other(data)
        if other:
            raise ImageInputError(
                "format",
                f"{other} images are not accepted; allowed: {allowed}.",
                {"format": other, "allowed": allowed},
            ) from None
        raise ImageInputError(
            "not_image",
            f"not an image (or a damaged one): no image header found; allowed: {allowed}.",
            {"allowed": allowed},
        ) from None
    except Exception as exc:  # a damaged header can raise almost anything from a plugin
        raise ImageInputError(
            "not_image",
            f"not a readable image ({type(exc).__name__}); allowed: {allowed}.",
            {"allowed": allowed},
        ) from None
    w, h = im.size
    if w * h > MAX_PIXELS or max(w, h) > MAX_SIDE:
        raise ImageInputError(
            "bomb",
            f"refused before decoding: the header declares {w}×{h} = {w * h:,} pixels; allowed at "
            f"most {MAX_PIXELS:,} pixels and {MAX_SIDE:,} px a side.",
            {"width": w, "height": h, "pixels": f"{w * h:,}", "limit": f"{MAX_PIXELS:,}", "side": MAX_SIDE},
        )
    if max(w, h) > MAX_ASPECT * min(w, h) and min(w, h) >= MIN_SIDE:
        ratio = f"{max(w, h) / min(w, h):,.0f}"
        raise ImageInputError(
            "aspect",
            f"the image is {w}×{h} px: its long side is {ratio} times its short side; allowed at "
            f"most {MAX_ASPECT}:1 (a photo or a panorama).",
            {"width": w, "height": h, "ratio": ratio, "limit": MAX_ASPECT},
        )
    if min(w, h) < MIN_SIDE:
        raise ImageInputError(
            "too_small",
            f"the image is {w}×{h} px; allowed at least {MIN_SIDE}×{MIN_SIDE}.",
            {"width": w, "height": h, "min": MIN_SIDE},
        )
    fmt, mode = im.format or "?", im.mode
    notes: list[tuple[str, dict[str, Any]]] = []
    if getattr(im, "is_animated", False):
        im.seek(0)
        notes.append(("animated", {}))
    orientation = 1
    try:
        orientation = int(im.getexif().get(0x0112, 1))
    except Exception:  # corrupt EXIF: the picture is still fine, only its orientation is unknown
        notes.append(("exif_unreadable", {}))
    try:
        im.load()
    except Exception as exc:  # "image file is truncated", broken data streams
        raise ImageInputError(
            "truncated",
            f"the image data is truncated or damaged ({exc}); allowed: complete {allowed} files.",
            {"detail": str(exc)[:120]},
        ) from None
    rgb = _to_rgb(im, notes)
    if orientation in _ORIENTATION:
        rgb = rgb.transpose(_ORIENTATION[orientation])
        notes.append(("rotated", {"orientation": orientation}))
    return LoadedImage(rgb, fmt, (w, h), mode, tuple(notes))


def _to_rgb(im: Image.Image, notes: list[tuple[str, dict[str, Any]]]) -> Image.Image:
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey: keep the full range by scaling 0..65535 to 0..255 (Pillow's convert clips instead).
        arr = np.asarray(im, dtype=np.float64)
        scale = 257.0 if mode.startswith("I;16") or arr.max() > 255 else 1.0
        notes.append(("depth16", {"mode": mode}))
        return Image.fromarray(np.clip(arr / scale + 0.5, 0, 255).astype(np.uint8), "L").convert("RGB")
    if mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        notes.append(("depth16", {"mode": mode}))
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L").convert("RGB")
    if mode == "CMYK":
        notes.append(("cmyk", {}))
        return im.convert("RGB")
    if mode == "P":
        notes.append(("palette", {}))
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        notes.append(("alpha", {"mode": mode}))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im if mode == "RGB" else im.convert("RGB")


# --- ImageNet preprocessing (torchvision's ImageClassification preset) -------------------------


def preprocess_imagenet(
    image: Image.Image, resize_size: int, crop_size: int, mean: tuple[float, ...], std: tuple[float, ...]
) -> Preprocessed:
    """torchvision's ``ImageClassification`` transform, keeping the picture after each step."""
    import torchvision.transforms.functional as TF
    from torchvision.transforms import InterpolationMode

    # torchvision's resize([size]) sets the short side to ``size`` and scales the long one (truncating).
    short, long = sorted(image.size)
    _check_step("resized", resize_size, int(resize_size * long / short))
    _check_step("cropped", crop_size, crop_size)
    resized = TF.resize(image, [resize_size], interpolation=InterpolationMode.BILINEAR, antialias=True)
    cropped = TF.center_crop(resized, [crop_size])
    x = TF.convert_image_dtype(TF.pil_to_tensor(cropped), torch.float)
    x = TF.normalize(x, list(mean), list(std))
    channels = x.shape[0]
    steps = (
        Step("original", _display(np.asarray(image)), (channels, image.height, image.width)),
        Step(
            "resized",
            _display(np.asarray(resized)),
            (channels, resized.height, resized.width),
            {"size": resize_size},
        ),
        Step("cropped", _display(np.asarray(cropped)), (channels, crop_size, crop_size), {"size": crop_size}),
        Step("normalised", _display(_normalised_picture(x)), tuple(x.shape), _stats(x)),
    )
    return Preprocessed(x.unsqueeze(0), steps, np.asarray(cropped))


def _check_step(code: str, h: int, w: int) -> None:
    """Refuse a step whose result would be too large, before computing it."""
    if h * w > MAX_STEP_PIXELS:
        raise ImageInputError(
            "step_too_large",
            f"the {code} image would be {w:,}×{h:,} = {w * h:,} pixels; allowed at most "
            f"{MAX_STEP_PIXELS:,} after any step (use a less extreme image or a smaller input size).",
            {"step": code, "width": w, "height": h, "limit": f"{MAX_STEP_PIXELS:,}"},
        )


def _display(picture: np.ndarray) -> np.ndarray:
    """A copy for the page, at most DISPLAY_SIDE px long (the data's own shape is kept in Step.shape)."""
    h, w = picture.shape[:2]
    if max(h, w) <= DISPLAY_SIDE:
        return np.ascontiguousarray(picture)
    scale = DISPLAY_SIDE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(picture).resize(size, Image.Resampling.BOX))


def _normalised_picture(x: torch.Tensor) -> np.ndarray:
    """Show a normalised tensor honestly: map -3σ..+3σ to 0..255 (0 in the middle is the data mean)."""
    arr = ((x.clamp(-3, 3) + 3) / 6 * 255).round().to(torch.uint8)
    arr = arr.permute(1, 2, 0).numpy()
    return arr[..., 0] if arr.shape[-1] == 1 else arr


def _stats(x: torch.Tensor) -> dict[str, Any]:
    return {
        "mean": f"{float(x.mean()):+.2f}",
        "std": f"{float(x.std()):.2f}",
        "min": f"{float(x.min()):+.2f}",
        "max": f"{float(x.max()):+.2f}",
    }


# --- digits preprocessing -----------------------------------------------------------------------


def photo_to_digit(
    image: Image.Image, notes: list[tuple[str, dict[str, Any]]] | None = None
) -> tuple[np.ndarray, tuple[Step, ...]]:
    """A photo of a digit -> an 8×8 array of ink counts 0..16, as in load_digits.

    The UCI optdigits set (which scikit-learn's digits are) was made from 32×32 bitmaps divided into
    4×4 blocks, counting the ink pixels in each block. We do the same after finding the ink:
    grey -> invert (ink bright, as in the data set) -> subtract the paper level -> crop to the ink ->
    pad to a square -> 32×32 bitmap -> count ink per 4×4 block.

    The ground is the most common level (the median). Where it is nearer the darkest level than the
    lightest, the photo is a light digit on a dark ground (chalk on a blackboard, a screen): its ink
    is already bright, so it is not inverted, and ``notes`` gets ``("light_on_dark", {})``.
    """
    if max(image.size) > DIGIT_WORK_SIDE:  # the result is 32×32; bound every array on the way there
        image = image.copy()
        image.thumbnail((DIGIT_WORK_SIDE, DIGIT_WORK_SIDE), Image.Resampling.BOX)
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    ground = float(np.percentile(grey, 50))
    light_on_dark = ground - float(grey.min()) < float(grey.max()) - ground
    if light_on_dark and notes is not None:
        notes.append(("light_on_dark", {}))
    bright = grey if light_on_dark else 255.0 - grey
    # Subtract the ground's level: a photo's paper is not pure white, nor a blackboard pure black.
    ink = np.clip(bright - float(np.percentile(bright, 50)), 0, None)
    steps = [
        Step("grey", _display(grey.astype(np.uint8)), grey.shape),
        Step("kept_light" if light_on_dark else "inverted", _display(_to_u8(ink)), ink.shape),
    ]
    peak = float(ink.max())
    if peak < 1e-6 or nearly_flat(grey):  # within a few grey levels: scaled up, noise would read as ink
        raise ImageInputError(
            "no_ink",
            f"no digit found: the image is one flat colour (no pixel {FLAT_LEVELS:g} grey levels from the "
            "rest). Allowed: a dark digit on light paper, or a light digit on a dark ground "
            "(or a held-out sample).",
        )
    mask = ink > 0.35 * peak
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = ink[top:bottom, left:right]
    steps.append(Step("cropped_ink", _display(_to_u8(crop)), crop.shape))
    side = max(crop.shape)
    square = np.zeros((side, side))
    y0, x0 = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
    steps.append(Step("padded", _display(_to_u8(square)), square.shape))
    bitmap_img = Image.fromarray(_to_u8(square)).resize((32, 32), Image.Resampling.BOX)
    bitmap = np.asarray(bitmap_img, dtype=np.float64) > 0.35 * 255
    steps.append(Step("bitmap", (bitmap * 255).astype(np.uint8), (32, 32)))
    counts = bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(np.float64)  # 0..16 per block
    steps.append(Step("counts", digit_image(counts, 1), (8, 8)))
    near = familiarity(counts)
    if not near.familiar and notes is not None:  # the page then says so instead of naming a digit
        notes.append(("unlike_digits", {"distance": f"{near.distance:.0f}", "limit": f"{near.limit:.0f}"}))
    return counts, tuple(steps)


def _to_u8(a: np.ndarray) -> np.ndarray:
    peak = float(a.max())
    return np.zeros(a.shape, np.uint8) if peak <= 0 else (a / peak * 255).round().astype(np.uint8)


def digit_image(counts: np.ndarray, scale: int = 16) -> np.ndarray:
    """An 8×8 digit (0..16) as a picture: ink white on black, as matplotlib's 'gray' shows the set."""
    arr = (np.clip(np.asarray(counts, dtype=np.float64), 0, 16) / 16 * 255).round().astype(np.uint8)
    return np.kron(arr, np.ones((scale, scale), np.uint8)) if scale > 1 else arr


def preprocess_digits(
    counts: np.ndarray,
    input_size: int,
    mean: list[float] | tuple[float, ...],
    std: list[float] | tuple[float, ...],
    steps: tuple[Step, ...] = (),
) -> Preprocessed:
    """8×8 ink counts -> the network input, through the training code's own ``digits_to_input``."""
    from ..train.data import digits_to_input

    x = digits_to_input(np.asarray(counts, dtype=np.float32)[None], input_size, mean, std)  # (1, 1, S, S)
    resized = x[0] * torch.tensor(list(std)).view(-1, 1, 1) + torch.tensor(list(mean)).view(-1, 1, 1)
    resized_u8 = (resized[0].clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    all_steps = (
        *steps,
        Step("digits8", digit_image(counts, 1), (1, 8, 8)),
        Step("resized", resized_u8, (1, input_size, input_size), {"size": input_size}),
        Step("normalised", _normalised_picture(x[0]), tuple(x[0].shape), _stats(x[0])),
    )
    return Preprocessed(x, all_steps, np.stack([resized_u8] * 3, axis=-1))


def sample_photos() -> dict[str, Image.Image]:
    """Photos that ship with scikit-learn (no download): 'china.jpg' and 'flower.jpg'."""
    from sklearn.datasets import load_sample_images

    bunch = load_sample_images()
    pairs = zip(bunch.filenames, bunch.images, strict=True)
    return {os.path.basename(name): Image.fromarray(img) for name, img in pairs}
