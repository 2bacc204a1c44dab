"""Where a classifier's weights come from: torchvision's ImageNet weights, and the offline digits model.

torchvision's ImageNet weights load into *our* model with ``strict=True`` because the builder keeps
torchvision's module names. They live in torch's own cache, ``torch.hub.get_dir()/checkpoints/<file
name of the URL>`` — the place ``torch.hub.load_state_dict_from_url`` looks first — so a file fetched
ahead of class (``python -m resnet_explorer weights download resnet50``) is found by every tool.
torchvision names each file after the first hex digits of its SHA-256; a download is checked
against them before it is moved into place.

The offline digits model is a CIFAR-style ResNet-20 trained by the project's own training code on
scikit-learn's digits; it ships in ``assets/`` with the command that made it and its measured accuracy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core.checkpoints import load_checkpoint, model_from_checkpoint
from ..core.config import PRESETS, ResNetConfig, config_from_query
from ..core.model import ResNet, build_model

__all__ = [
    "PretrainedWeights",
    "WeightsNotCachedError",
    "WeightsDownloadError",
    "ARCHS",
    "catalogue",
    "find",
    "available_for",
    "cache_dir",
    "download",
    "load_pretrained",
    "download_command",
    "register_file",
    "DigitsModelInfo",
    "digits_model_info",
    "load_digits_model",
    "heldout_digits",
    "ASSETS",
]

# torchvision's ImageNet weights for the paper's ResNets and, built by the same ResNet class with
# groups / width_per_group, ResNeXt and Wide ResNet (V1, and V2 where torchvision ships one).
ARCHS = (
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "resnext101_64x4d",
    "wide_resnet50_2",
    "wide_resnet101_2",
)
ASSETS = Path(__file__).resolve().parents[1] / "assets"  # resnet_explorer/assets
DIGITS_NAME = "digits_resnet20"
_CHUNK = 1 << 16


class WeightsNotCachedError(FileNotFoundError):
    """The weights file is not in torch's cache and may not (or cannot) be downloaded now."""

    def __init__(self, message: str, weights: PretrainedWeights | None = None) -> None:
        super().__init__(message)
        self.weights = weights

    def __reduce__(self):
        return (self.__class__, (str(self), self.weights))


class WeightsDownloadError(OSError):
    """A download failed (no network, HTTP error, hash mismatch); nothing was written to the cache."""

    def __init__(self, message: str, weights: PretrainedWeights | None = None) -> None:
        super().__init__(message)
        self.weights = weights

    def __reduce__(self):
        return (self.__class__, (str(self), self.weights))


@dataclass(frozen=True)
class PretrainedWeights:
    """One entry of torchvision's weights registry, as plain data (picklable, hashable)."""

    arch: str  # "resnet50"
    version: str  # "IMAGENET1K_V1" | "IMAGENET1K_V2"
    url: str
    acc1: float  # ImageNet-1K val, 1-crop (the paper reports 10-crop errors)
    acc5: float
    num_params: int
    gflops: float  # torchvision's "GFLOPS": multiply-adds, like the paper's FLOPs
    file_size_mb: float
    resize_size: int
    crop_size: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    categories: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.arch} {self.version}"

    @property
    def is_v2(self) -> bool:
        return self.version.endswith("V2")

    @property
    def file_name(self) -> str:
        return os.path.basename(self.url)

    @property
    def sha256_prefix(self) -> str | None:
        # torch.hub's convention: "<name>-<first hex digits of sha256>.<ext>"
        found = re.search(r"-([a-f0-9]+)\.", self.file_name)
        return found.group(1) if found else None

    @property
    def path(self) -> Path:
        return cache_dir() / self.file_name

    def is_cached(self) -> bool:
        return self.path.is_file()

    @property
    def config(self) -> ResNetConfig:
        return PRESETS[self.arch]


def cache_dir() -> Path:
    """torch's checkpoint cache: $TORCH_HOME/hub/checkpoints (default ~/.cache/torch/hub/checkpoints)."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints"


@lru_cache(maxsize=1)
def catalogue() -> tuple[PretrainedWeights, ...]:
    """Every ImageNet weights entry torchvision ships for resnet18..152 (read-only, cached)."""
    from torchvision.models import get_model_weights

    out = []
    for arch in ARCHS:
        for w in get_model_weights(arch):
            t = w.transforms()
            metrics = w.meta["_metrics"]["ImageNet-1K"]
            out.append(
                PretrainedWeights(
                    arch=arch,
                    version=w.name,
                    url=w.url,
                    acc1=float(metrics["acc@1"]),
                    acc5=float(metrics["acc@5"]),
                    num_params=int(w.meta["num_params"]),
                    gflops=float(w.meta["_ops"]),
                    file_size_mb=float(w.meta["_file_size"]),
                    resize_size=int(t.resize_size[0]),
                    crop_size=int(t.crop_size[0]),
                    mean=tuple(float(v) for v in t.mean),
                    std=tuple(float(v) for v in t.std),
                    categories=tuple(w.meta["categories"]),
                )
            )
    return tuple(out)


def find(arch: str, v2: bool = False) -> PretrainedWeights:
    """The V1 (or V2) entry for ``arch``; ValueError naming what exists otherwise."""
    if arch not in ARCHS:
        raise ValueError(f"weights: got {arch!r}; allowed: {', '.join(ARCHS)}")
    for w in catalogue():
        if w.arch == arch and w.is_v2 == v2:
            return w
    have = ", ".join(w.version for w in catalogue() if w.arch == arch)
    raise ValueError(f"weights: torchvision has no {'V2' if v2 else 'V1'} weights for {arch}; it has: {have}")


def available_for(config: ResNetConfig) -> list[PretrainedWeights]:
    """The entries whose architecture equals ``config`` exactly (empty for any other config)."""
    return [w for w in catalogue() if PRESETS[w.arch] == config]


def download_command(weights: PretrainedWeights) -> str:
    return f"python -m resnet_explorer weights download {weights.arch}{' --v2' if weights.is_v2 else ''}"


def _not_cached_message(weights: PretrainedWeights, reason: str) -> str:
    return (
        f"{reason}: {weights.label} weights are not in torch's cache. Expected file: {weights.path} "
        f"(from {weights.url}). Fetch it ahead of class with: {download_command(weights)} — or copy the "
        f"file from another machine and register it with: {download_command(weights)} --file PATH"
    )


def _urlopen(url: str, timeout: float):  # the one network call; tests replace it
    return urllib.request.urlopen(url, timeout=timeout)


def download(
    weights: PretrainedWeights, progress: Callable[[int, int], None] | None = None, timeout: float = 30.0
) -> Path:
    """Fetch ``weights`` into torch's cache, calling ``progress(done_bytes, total_bytes)`` as it goes.

    Written to a temporary file beside the target, checked against the SHA-256 prefix in the file name,
    then renamed into place: a half-finished or corrupted download never sits under the expected name.
    """
    target = weights.path
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        response = _urlopen(weights.url, timeout)
    except (urllib.error.URLError, OSError) as exc:
        raise WeightsDownloadError(_not_cached_message(weights, f"no connection ({exc})"), weights) from None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{weights.file_name}.", suffix=".part", dir=target.parent)
    try:
        with response, os.fdopen(fd, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            if progress:
                progress(0, total)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if total and done != total:
            raise WeightsDownloadError(
                f"download of {weights.url} stopped at {done:,} of {total:,} bytes; "
                "nothing was saved. Try again.",
                weights,
            )
        expected = weights.sha256_prefix
        if expected and not digest.hexdigest().startswith(expected):
            got = digest.hexdigest()[:12]
            raise WeightsDownloadError(
                f"download of {weights.url} does not match its published hash (sha256 {got}…, expected "
                f"{expected}…); nothing was saved.",
                weights,
            )
        os.replace(tmp_name, target)
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(exc, WeightsDownloadError):
            raise
        message = _not_cached_message(weights, f"download failed ({exc})")
        raise WeightsDownloadError(message, weights) from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def load_pretrained(
    weights: PretrainedWeights,
    allow_download: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ResNet:
    """Our model of ``weights.arch`` holding torchvision's weights (strict=True), in eval mode.

    The cached file goes through the same safe loader as an upload (size, zip, weights_only, keys,
    finite values). When the file is absent: download it if allowed, else WeightsNotCachedError
    naming the file, its URL and the command that fetches it.
    """
    if not weights.is_cached():
        if not allow_download:
            raise WeightsNotCachedError(_not_cached_message(weights, "offline"), weights)
        download(weights, progress)
    loaded = load_checkpoint(weights.path, weights.config)
    model = build_model(weights.config)
    model.load_state_dict(loaded.state_dict, strict=True)
    return model.eval()


def register_file(weights: PretrainedWeights, source: str | Path, force: bool = False) -> tuple[Path, bool]:
    """Validate ``source`` through the safe loader, then copy it into the cache under the expected name.

    Returns (path, hash_matches). A file whose SHA-256 does not start with torchvision's published
    prefix is not torchvision's file: refused unless ``force`` (e.g. your own fine-tuned weights).
    """
    source = Path(source)
    load_checkpoint(source, weights.config)  # size first, then the reason it is refused, if it is
    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    matches = weights.sha256_prefix is None or sha.startswith(weights.sha256_prefix)
    if not matches and not force:
        raise ValueError(
            f"{source} is a valid {weights.arch} state dict but not torchvision's published "
            f"file (sha256 {sha[:12]}…, expected {weights.sha256_prefix}…); add --force to "
            "register it anyway under that name."
        )
    target = weights.path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{weights.file_name}.", suffix=".part", dir=target.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp_name, target)
    return target, matches


# --- the offline digits model --------------------------------------------------------------------


@dataclass(frozen=True)
class DigitsModelInfo:
    """The shipped digits checkpoint's card (assets/digits_resnet20.json)."""

    config: ResNetConfig
    command: str
    dataset: str
    input_size: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    classes: tuple[str, ...]
    seed: int
    n_train: int
    n_test: int
    test_accuracy: float
    path: Path


@lru_cache(maxsize=1)
def digits_model_info() -> DigitsModelInfo | None:
    """The shipped digits model's card, or None when the asset is absent."""
    card, weights = ASSETS / f"{DIGITS_NAME}.json", ASSETS / f"{DIGITS_NAME}.safetensors"
    if not (card.is_file() and weights.is_file()):
        return None
    meta = json.loads(card.read_text(encoding="utf-8"))
    config, _, errors = config_from_query({k: str(v) for k, v in meta["config"].items()})
    if errors:
        raise ValueError(f"{card}: bad config: {'; '.join(errors)}")
    return DigitsModelInfo(
        config=config,
        command=str(meta["command"]),
        dataset=str(meta["dataset"]),
        input_size=int(meta["input_size"]),
        mean=tuple(map(float, meta["mean"])),
        std=tuple(map(float, meta["std"])),
        classes=tuple(map(str, meta["classes"])),
        seed=int(meta["seed"]),
        n_train=int(meta["n_train"]),
        n_test=int(meta["n_test"]),
        test_accuracy=float(meta["test_accuracy"]),
        path=weights,
    )


def load_digits_model(info: DigitsModelInfo | None = None) -> ResNet:
    info = info or digits_model_info()
    if info is None:
        raise FileNotFoundError(
            f"the offline digits model is missing: expected {ASSETS / DIGITS_NAME}.safetensors and .json"
        )
    model, _ = model_from_checkpoint(info.path.read_bytes(), info.path.name, info.config)
    return model


def heldout_digits(info: DigitsModelInfo) -> tuple[np.ndarray, np.ndarray]:
    """The digits model's held-out split as raw 8×8 ink counts (0..16) and labels.

    The split comes from the training code's own ``load_digits`` with the card's seed (at 8 px, so the
    values are the data set's own, only normalised; we undo the normalisation and round back to the
    whole numbers load_digits stores).
    """
    from ..train.data import load_digits

    ds = load_digits(input_size=8, seed=info.seed)
    if len(ds.y_test) != info.n_test:
        raise ValueError(
            f"held-out split: got {len(ds.y_test)} images for seed {info.seed}; the model card "
            f"says {info.n_test}"
        )
    raw = (ds.x_test[:, 0] * ds.std[0] + ds.mean[0]) * 16.0
    return raw.round().clamp(0, 16).numpy(), ds.y_test.numpy()
