"""Classify one image: top-5, feature maps after each stage, class activation maps, time taken.

Pure functions of (model, input tensor): no Streamlit, no shared state. The model is only read
(eval mode, ``torch.inference_mode``, no hooks), so a read-only cached model may serve many jobs.

Class activation maps (Zhou et al. 2016, "Learning Deep Features for Discriminative Localization")
are *exact* for a ResNet: the head is global average pooling then one linear layer, so with A_k the
k-th channel of the last feature map,

    logit_c = Σ_k w_ck · mean(A_k) + b_c = mean(CAM_c) + b_c,   CAM_c = Σ_k w_ck · A_k.

We compute CAM_c for every class at once (one small matrix product), so a picked class costs nothing.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..core.model import ResNet

__all__ = [
    "StageMaps",
    "Classification",
    "classify",
    "cam_for",
    "overlay",
    "feature_grid",
    "colormap",
    "jpeg",
    "CIFAR10_ZH",
    "class_names",
]

TOP_K = 5
MAPS_PER_STAGE = 8
MAX_MAP_SIDE = 112  # a stem map of a 1024 px input is 256 px; the grid needs no more than this

# CIFAR-10's classes in Simplified Chinese (the lab can train on CIFAR-10). ImageNet's 1,000 names
# ship in English only; we show them as they are rather than invent translations.
CIFAR10_ZH = {
    "airplane": "飞机",
    "automobile": "汽车",
    "bird": "鸟",
    "cat": "猫",
    "deer": "鹿",
    "dog": "狗",
    "frog": "青蛙",
    "horse": "马",
    "ship": "船",
    "truck": "卡车",
}


@dataclass(frozen=True)
class StageMaps:
    """The most active channels of one feature map (after the stem or after a stage)."""

    name: str  # "stem", "layer1", ...
    shape: tuple[int, int, int]  # (C, H, W) of the whole map
    channels: tuple[int, ...]  # channel indices, most active first
    activation: tuple[float, ...]  # their mean activation
    maps: np.ndarray  # (k, h, w) float32, each scaled to 0..1 for display


@dataclass(frozen=True)
class Classification:
    logits: np.ndarray  # (K,)
    probs: np.ndarray  # (K,) softmax
    top: tuple[tuple[int, float], ...]  # (class index, probability), best first
    stages: tuple[StageMaps, ...]
    cams: np.ndarray  # (K, h, w): CAM_c for every class, before any normalisation
    fc_bias: np.ndarray  # (K,)
    elapsed_ms: float  # one forward pass on this machine
    threads: int


def classify(
    model: ResNet, x: torch.Tensor, top_k: int = TOP_K, maps_per_stage: int = MAPS_PER_STAGE
) -> Classification:
    """Run ``x`` (1, C, H, W) through ``model`` once, keeping what the page shows."""
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"x: got shape {tuple(x.shape)}; expected (1, C, H, W)")
    with torch.inference_mode():
        start = time.perf_counter()
        maps = model.forward_features(x)
        last = maps[-1]
        for name in model.head_names:  # pre-activation nets end with BN-ReLU before the pool
            if name == "avgpool":
                break
            last = model._modules[name](last)
        logits = model.forward_head(maps[-1])[0]
        elapsed = (time.perf_counter() - start) * 1000
        probs = torch.softmax(logits, dim=0)
        fc = model._modules[model.head_names[-1]]
        a = last[0]  # (C, h, w)
        cams = torch.einsum("kc,chw->khw", fc.weight, a)
        k = min(top_k, probs.numel())
        values, indices = probs.topk(k)
        names = ["stem", *model.stage_names]
        stages = tuple(_stage_maps(n, m[0], maps_per_stage) for n, m in zip(names, maps, strict=True))
    return Classification(
        logits=logits.numpy().copy(),
        probs=probs.numpy().copy(),
        top=tuple((int(i), float(v)) for i, v in zip(indices, values, strict=True)),
        stages=stages,
        cams=cams.numpy().copy(),
        fc_bias=fc.bias.detach().numpy().copy(),
        elapsed_ms=elapsed,
        threads=torch.get_num_threads(),
    )


def _stage_maps(name: str, fmap: torch.Tensor, k: int) -> StageMaps:
    c, h, w = fmap.shape
    strength = fmap.mean(dim=(1, 2))
    k = min(k, c)
    order = strength.topk(k).indices
    chosen = fmap[order]
    if max(h, w) > MAX_MAP_SIDE:
        chosen = F.adaptive_avg_pool2d(chosen, (min(h, MAX_MAP_SIDE), min(w, MAX_MAP_SIDE)))
    lo = chosen.amin(dim=(1, 2), keepdim=True)
    hi = chosen.amax(dim=(1, 2), keepdim=True)
    scaled = (chosen - lo) / (hi - lo).clamp_min(1e-12)
    return StageMaps(
        name,
        (c, h, w),
        tuple(int(i) for i in order),
        tuple(float(strength[i]) for i in order),
        scaled.numpy().astype(np.float32),
    )


def cam_for(result: Classification, class_index: int) -> np.ndarray:
    """CAM of one class, scaled to 0..1 (the map's own min and max)."""
    if not 0 <= class_index < result.cams.shape[0]:
        raise ValueError(f"class_index: got {class_index}; allowed: 0 to {result.cams.shape[0] - 1}")
    cam = result.cams[class_index].astype(np.float64)
    span = cam.max() - cam.min()
    return ((cam - cam.min()) / span if span > 0 else np.zeros_like(cam)).astype(np.float32)


# A perceptually ordered map from dark blue through teal and green to yellow (viridis-like anchors).
_ANCHORS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], float)


def colormap(values: np.ndarray) -> np.ndarray:
    """0..1 -> uint8 RGB, by linear interpolation between five anchors."""
    v = np.clip(np.asarray(values, dtype=np.float64), 0, 1) * (len(_ANCHORS) - 1)
    i = np.minimum(v.astype(int), len(_ANCHORS) - 2)
    f = (v - i)[..., None]
    return (_ANCHORS[i] * (1 - f) + _ANCHORS[i + 1] * f).round().astype(np.uint8)


def overlay(image: np.ndarray, cam: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Upsample a 0..1 CAM to ``image`` (H, W, 3 uint8) bilinearly and blend it in."""
    h, w = image.shape[:2]
    up = F.interpolate(
        torch.as_tensor(cam, dtype=torch.float32)[None, None],
        size=(h, w),
        mode="bilinear",
        align_corners=False,
    )[0, 0].numpy()
    heat = colormap(up).astype(np.float64)
    base = image.astype(np.float64)
    if base.ndim == 2:
        base = np.stack([base] * 3, axis=-1)
    return (base * (1 - alpha) + heat * alpha).round().clip(0, 255).astype(np.uint8)


def feature_grid(stage: StageMaps, columns: int = 4, gap: int = 2, tile: int = 96) -> np.ndarray:
    """The stage's channels as one coloured image (nearest upsampling to ``tile`` px, ``gap`` px apart)."""
    k, h, w = stage.maps.shape
    scale = max(1, tile // max(h, w))
    th, tw = h * scale, w * scale
    rows = -(-k // columns)
    grid = np.full((rows * th + (rows - 1) * gap, columns * tw + (columns - 1) * gap, 3), 255, np.uint8)
    for n in range(k):
        r, c = divmod(n, columns)
        # Colour the small map, then repeat its pixels: nearest upsampling commutes with a per-pixel
        # colour map, and colouring scale² times fewer pixels makes a grid about 7x faster (identical bytes).
        tile_img = colormap(stage.maps[n]).repeat(scale, axis=0).repeat(scale, axis=1)
        grid[r * (th + gap) : r * (th + gap) + th, c * (tw + gap) : c * (tw + gap) + tw] = tile_img
    return grid


def jpeg(picture: np.ndarray) -> bytes:
    """uint8 (H, W) or (H, W, 3) -> JPEG at quality 100, the bytes ``st.image`` makes of the same array.

    Streamlit encodes an array without an alpha channel as a quality-100 JPEG on every rerun, in
    the server's process. The worker encodes each picture once, so the page hands Streamlit bytes
    it passes through unchanged and the picture a student sees is the same to the byte.
    """
    from PIL import Image

    if picture.dtype != np.uint8 or picture.ndim not in (2, 3) or picture.ndim == 3 and picture.shape[2] != 3:
        raise ValueError(f"picture: got {picture.dtype} {picture.shape}; allowed: uint8 (H, W) or (H, W, 3)")
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="JPEG", quality=100)
    return buf.getvalue()


def class_names(categories: tuple[str, ...] | list[str], lang: str) -> list[str]:
    """Names in ``lang`` where a translation exists (digits, CIFAR-10), else the original names."""
    if lang == "zh":
        return [CIFAR10_ZH.get(c, c) for c in categories]
    return list(categories)
