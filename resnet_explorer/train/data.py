"""Datasets for training: scikit-learn's digits (ships offline) and CIFAR-10 (downloaded by torchvision).

A :class:`Dataset` is a handful of tensors held in memory: both sets are small enough (digits:
1,797 images; CIFAR-10: 60,000 at 32 px) that a ``DataLoader`` with worker processes would cost
more than it saves on a 2-core server. Inputs are normalised with the *train* split's mean and
standard deviation, so nothing about the held-out images leaks into training.
"""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .. import settings

__all__ = [
    "Dataset",
    "DatasetUnavailableError",
    "DATASETS",
    "DIGITS_SIZES",
    "load_digits",
    "digits_to_input",
    "load_cifar10",
    "cifar10_status",
    "load_dataset",
]

DATASETS = ("digits", "cifar10")
# Digits are 8x8; the CIFAR stem halves the map twice (Sec. 4.2), so 16 px keeps a 4x4 map in the
# last stage. Larger sizes only interpolate the same 64 pixels, at quadratic cost.
DIGITS_SIZES = (8, 64)
DIGITS_MAX_VALUE = 16.0  # load_digits stores ink as whole numbers 0..16


class DatasetUnavailableError(RuntimeError):
    """The dataset cannot be had here (CIFAR-10 with no internet and no local copy)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Normalised images and labels, split into a training and a held-out test set."""

    name: str  # "digits" | "cifar10"
    x_train: torch.Tensor  # (N, C, S, S) float32, normalised
    y_train: torch.Tensor  # (N,) int64
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: tuple[float, ...]  # per channel, of the train split in [0, 1] units
    std: tuple[float, ...]
    classes: tuple[str, ...]
    input_size: int
    seed: int  # the seed of the train/test split

    @property
    def in_channels(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def _check_size(input_size: object) -> int:
    lo, hi = DIGITS_SIZES
    if isinstance(input_size, bool) or not isinstance(input_size, int) or not lo <= input_size <= hi:
        raise ValueError(f"input_size: got {input_size!r}; allowed for digits: whole numbers {lo} to {hi}")
    return input_size


def _resize(x: torch.Tensor, input_size: int) -> torch.Tensor:
    if x.shape[-1] == input_size:
        return x
    # Bilinear, not nearest: nearest would hand the network blocky 2x2 tiles it could overfit to.
    return F.interpolate(x, size=(input_size, input_size), mode="bilinear", align_corners=False)


def digits_to_input(
    images: torch.Tensor | np.ndarray, input_size: int, mean: Sequence[float], std: Sequence[float]
) -> torch.Tensor:
    """Raw digits (values 0..16, shape (N, 8, 8) or (N, 1, 8, 8)) -> normalised network input.

    The one preprocessing path for training, evaluation and the Classify page, so a checkpoint
    sees at inference exactly what it saw in training.
    """
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32)
    if x.dim() == 3:
        x = x.unsqueeze(1)
    x = _resize(x / DIGITS_MAX_VALUE, _check_size(input_size))
    m = torch.tensor(list(mean), dtype=torch.float32).view(1, -1, 1, 1)
    s = torch.tensor(list(std), dtype=torch.float32).view(1, -1, 1, 1)
    return (x - m) / s


def _mean_std(x01: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    dims = (0, 2, 3)
    return (tuple(float(v) for v in x01.mean(dims)), tuple(float(v) for v in x01.std(dims)))


def load_digits(input_size: int = 16, seed: int = 0, test_fraction: float = 0.25) -> Dataset:
    """scikit-learn's digits at ``input_size`` px, one channel, with a stratified seeded split.

    The same (input_size, seed, test_fraction) always gives the same split and the same tensors.
    """
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    _check_size(input_size)
    if not 0.05 <= test_fraction <= 0.5:
        raise ValueError(f"test_fraction: got {test_fraction!r}; allowed: 0.05 to 0.5")
    bunch = sk_load_digits()
    idx_train, idx_test = train_test_split(
        np.arange(len(bunch.target)), test_size=test_fraction, random_state=seed, stratify=bunch.target
    )
    images = torch.as_tensor(bunch.images, dtype=torch.float32).unsqueeze(1)
    x01_train = _resize(images[idx_train] / DIGITS_MAX_VALUE, input_size)
    mean, std = _mean_std(x01_train)
    return Dataset(
        name="digits",
        x_train=digits_to_input(bunch.images[idx_train], input_size, mean, std),
        y_train=torch.as_tensor(bunch.target[idx_train], dtype=torch.int64),
        x_test=digits_to_input(bunch.images[idx_test], input_size, mean, std),
        y_test=torch.as_tensor(bunch.target[idx_test], dtype=torch.int64),
        mean=mean,
        std=std,
        classes=tuple(str(d) for d in range(10)),
        input_size=input_size,
        seed=seed,
    )


# --- CIFAR-10 ---------------------------------------------------------------------------------


def _cifar_files_present(root: Path) -> bool:
    from torchvision.datasets import CIFAR10

    folder = root / CIFAR10.base_folder
    names = [n for n, _ in CIFAR10.train_list + CIFAR10.test_list] + [CIFAR10.meta["filename"]]
    return all((folder / n).is_file() for n in names)


def _reachable(url: str, timeout: float = 3.0) -> str | None:
    """None when a TCP connection to ``url``'s host opens; else the reason it did not."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def cifar10_status(root: Path | None = None) -> tuple[str, str]:
    """("ready" | "download" | "readonly" | "offline", detail): whether CIFAR-10 can be used here, and how.

    A data folder the server cannot write is said as such ("readonly", its path and why), not taken
    for a missing network. A quick TCP probe (3 s at most) decides "offline" before torchvision's
    downloader, which has no timeout of its own, could hang a request.
    """
    from torchvision.datasets import CIFAR10

    root = settings.data_root() if root is None else Path(root)
    if _cifar_files_present(root):
        return "ready", str(root / CIFAR10.base_folder)
    problem = settings.folder_problem(root)
    if problem is not None:
        return "readonly", f"{root}: {problem}"
    reason = _reachable(CIFAR10.url)
    if reason is None:
        return "download", CIFAR10.url
    return "offline", f"{CIFAR10.url}: {reason}"


def load_cifar10(input_size: int = 32, root: Path | None = None, limit: int | None = None) -> Dataset:
    """CIFAR-10 via torchvision (downloaded into ``root`` when missing), as normalised tensors.

    Raises DatasetUnavailableError, saying so plainly, when it is not here and cannot be fetched.
    ``limit`` keeps the first ``limit`` training images (and a quarter as many test images), for
    quick runs on a CPU.
    """
    from torchvision.datasets import CIFAR10

    if isinstance(input_size, bool) or not isinstance(input_size, int) or not 8 <= input_size <= 64:
        raise ValueError(f"input_size: got {input_size!r}; allowed for CIFAR-10: whole numbers 8 to 64")
    root = settings.data_root() if root is None else Path(root)
    status, detail = cifar10_status(root)
    if status == "readonly":
        raise DatasetUnavailableError(
            f"CIFAR-10 cannot be downloaded: the data folder cannot be written ({detail}); "
            "set RESNET_EXPLORER_DATA to a writable folder, or use the digits dataset"
        )
    if status == "offline":
        raise DatasetUnavailableError(
            f"CIFAR-10 needs internet; not reachable ({detail}). Use the digits dataset, which ships offline."
        )
    try:
        train = CIFAR10(str(root), train=True, download=status == "download")
        test = CIFAR10(str(root), train=False, download=False)
    except (OSError, RuntimeError) as exc:  # URLError is an OSError; a bad checksum a RuntimeError
        raise DatasetUnavailableError(
            f"CIFAR-10 needs internet; not reachable or incomplete ({type(exc).__name__}: {exc})"
        ) from exc

    def tensors(ds: CIFAR10, n: int | None) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.as_tensor(ds.data[:n]).permute(0, 3, 1, 2).float() / 255.0  # (N, 3, 32, 32)
        return _resize(x, input_size), torch.as_tensor(ds.targets[:n], dtype=torch.int64)

    x_train, y_train = tensors(train, limit)
    x_test, y_test = tensors(test, None if limit is None else max(1, limit // 4))
    mean, std = _mean_std(x_train)
    m, s = torch.tensor(mean).view(1, 3, 1, 1), torch.tensor(std).view(1, 3, 1, 1)
    return Dataset(
        name="cifar10",
        x_train=(x_train - m) / s,
        y_train=y_train,
        x_test=(x_test - m) / s,
        y_test=y_test,
        mean=mean,
        std=std,
        classes=tuple(train.classes),
        input_size=input_size,
        seed=0,
    )


def load_dataset(name: str, input_size: int = 16, seed: int = 0, limit: int | None = None) -> Dataset:
    """Dispatch by name ("digits" | "cifar10")."""
    if name == "digits":
        return load_digits(input_size, seed)
    if name == "cifar10":
        return load_cifar10(input_size, limit=limit)
    raise ValueError(f"dataset: got {name!r}; allowed: {', '.join(map(repr, DATASETS))}")
