"""Safe loading of user checkpoints (``.safetensors``, or a ``.pt``/``.pth`` state dict) for a config.

A checkpoint uploaded to a classroom server is untrusted input. The rules, in the order they run:

1. Size first: an empty file, or one larger than a cap derived from the config, is refused before
   any parsing.
2. ``.safetensors`` (preferred) holds tensors and a JSON header only: nothing in it can run.
3. A ``.pt``/``.pth`` file is a zip archive: its directory is read *without inflating anything*
   and refused when the records would inflate beyond the cap or inflate suspiciously much
   (``torch.load`` inflates a record before it refuses it). Then ``torch.load(weights_only=True)``
   unpickles with torch's own allowlist; we never widen it (``add_safe_globals`` is process-wide,
   and this process serves every student), so a pickle carrying code, a whole pickled model or
   numpy arrays is refused, and nothing in it runs.
4. The result must be a state dict for *this* config: a ``module.`` prefix (``DataParallel``) or a
   nesting under ``state_dict`` is accepted; missing / unexpected / wrong-shape keys are reported
   as a table; NaN or Inf weights are refused (``load_state_dict`` takes them silently);
   float64/float16 are cast to float32.
5. Option A's zero channels have two conventions with identical keys and shapes (append, as
   fb.resnet.torch; half on each side, as akamaster/pytorch_resnet_cifar10), so a state dict loads
   into either and computes something else in the wrong one. That implementation's layout (a
   ``linear.*`` head, ``.th`` files) is recognised and loaded with its placement; where the file
   cannot tell, the loader says which placement it used, and refuses contradictory evidence.

Every refusal raises a :class:`CheckpointError` subclass whose ``code`` names the problem (for the
translated UI message) and whose text says what is wrong and what is allowed.
"""

from __future__ import annotations

import dataclasses
import io
import math
import pickle
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .. import settings
from .config import ResNetConfig
from .model import ResNet, build_model

__all__ = [
    "CheckpointError",
    "CheckpointSizeError",
    "CheckpointFormatError",
    "UnsafeCheckpointError",
    "KeyMismatchError",
    "NonFiniteWeightsError",
    "PaddingConventionError",
    "KeyProblem",
    "LoadedCheckpoint",
    "Note",
    "pad_placement_of",
    "CHECKPOINT_SUFFIXES",
    "KEY_ROWS_PER_PROBLEM",
    "max_checkpoint_bytes",
    "expected_shapes",
    "read_state_dict",
    "load_checkpoint",
    "model_from_checkpoint",
]

# ".th": what akamaster/pytorch_resnet_cifar10 saves (a torch.save zip like any .pt).
CHECKPOINT_SUFFIXES = (".safetensors", ".pt", ".pth", ".th")
# That implementation names its classifier ``linear`` where torchvision (and we) say ``fc``.
AKAMASTER_HEAD = "linear."
# A record may not inflate more than this many times its stored size. torch.save stores records
# uncompressed (ratio 1); a zip bomb reaches ratios in the thousands.
MAX_INFLATE_RATIO = 100
# The state dict may be nested under one of these keys (training scripts' usual layouts).
NESTING_KEYS = ("state_dict", "model_state_dict", "model")
# Prefixes that wrappers add to every key: nn.DataParallel / DDP, and torch.compile.
STRIP_PREFIXES = ("module.", "_orig_mod.")
# Rows of the key table kept per kind of problem. A file for another model has a few hundred keys,
# but a 13 MB safetensors of scalars held 200,102: every row crossed from the worker and was drawn.
# Per kind, so a flood of unexpected keys cannot push the missing ones (the useful rows) out.
KEY_ROWS_PER_PROBLEM = 50


@dataclass(frozen=True)
class Note:
    """Something the loader changed and the page should say (code for translation, values to fill)."""

    code: str
    text: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyProblem:
    """One row of the key table shown when a state dict does not fit the config."""

    key: str
    expected: str  # shape, "—" when the model has no such key
    got: str  # shape, "—" when the file lacks the key
    problem: str  # "missing" | "unexpected" | "wrong shape" | "not a tensor" | "wrong dtype"


class CheckpointError(ValueError):
    """A checkpoint was refused. ``code`` keys the translated message; ``values`` fill it."""

    code = "invalid"

    def __init__(
        self, message: str, values: dict[str, Any] | None = None, rows: list[KeyProblem] | None = None
    ) -> None:
        super().__init__(message)
        self.values = dict(values or {})
        self.rows = list(rows or [])

    def __reduce__(self):  # survive the trip back from the worker process
        return (self.__class__, (str(self), self.values, self.rows))


class CheckpointSizeError(CheckpointError):
    code = "size"


class CheckpointFormatError(CheckpointError):
    code = "format"


class UnsafeCheckpointError(CheckpointError):
    code = "unsafe"


class KeyMismatchError(CheckpointError):
    code = "keys"


class NonFiniteWeightsError(CheckpointError):
    code = "nonfinite"


class PaddingConventionError(CheckpointError):
    code = "padding"


@dataclass
class LoadedCheckpoint:
    state_dict: dict[str, torch.Tensor]
    format: str  # "safetensors" | "torch"
    notes: list[Note]
    # The option A placement the file's layout implies ("both" for akamaster's), or None: not told.
    pad_placement: str | None = None


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def expected_shapes(config: ResNetConfig) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
    """Key -> (shape, dtype) of the state dict of ``config``, from a model on the meta device (no memory)."""
    model = build_model(config, device="meta")
    return {k: (tuple(v.shape), v.dtype) for k, v in model.state_dict().items()}


def max_checkpoint_bytes(config: ResNetConfig) -> int:
    """The largest file accepted for ``config``.

    Three times its float32 weights plus 4 MiB: room for float64 (twice) or an optimizer's momentum
    saved beside the weights, but not for gigabytes. Never more than RESNET_EXPLORER_MAX_CHECKPOINT_MB
    (default 1024).
    """
    weights = sum(4 * math.prod(shape) for shape, _ in expected_shapes(config).values())
    return min(3 * weights + 4 * 2**20, settings.max_checkpoint_bytes_cap())


def _shape(t: Any) -> str:
    return "×".join(map(str, t)) if isinstance(t, tuple) and t else ("scalar" if t == () else str(t))


# --- reading bytes into a dict of tensors -------------------------------------------------------


def _check_zip(data: bytes, cap: int) -> None:
    """Refuse a damaged zip, or one whose records would inflate past ``cap``, without inflating it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise CheckpointFormatError(
            f"not a readable PyTorch checkpoint: the zip archive is damaged or truncated ({exc}). "
            "Allowed: a complete file written by torch.save(model.state_dict(), path) or a .safetensors "
            "file.",
            {"detail": str(exc)},
        ) from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_INFLATE_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise CheckpointSizeError(
                f"refused: record {info.filename!r} would inflate {ratio:,.0f}× "
                f"({_mb(info.compress_size)} → {_mb(info.file_size)}); allowed at most "
                f"{MAX_INFLATE_RATIO}× (torch.save does not compress at all).",
                {"record": info.filename, "ratio": f"{ratio:,.0f}", "limit": MAX_INFLATE_RATIO},
            )
    if total > cap:
        raise CheckpointSizeError(
            f"refused: the archive's records add up to {_mb(total)} once inflated; allowed at most "
            f"{_mb(cap)} for this model.",
            {"size": _mb(total), "limit": _mb(cap)},
        )


def _refusal_from_unpickling(exc: Exception) -> CheckpointError:
    text = str(exc)
    found = re.search(r"GLOBAL ([\w.]+)", text)
    name = found.group(1) if found else "?"
    if name.startswith("numpy"):
        return UnsafeCheckpointError(
            f"refused: the file holds numpy arrays ({name}); only torch tensors are allowed. "
            "Convert with torch.from_numpy and save the state dict again.",
            {"name": name, "kind": "numpy"},
        )
    if "torch.nn" in name or name.startswith("resnet_explorer") or name.startswith("torchvision"):
        return UnsafeCheckpointError(
            f"refused: the file is a whole pickled model ({name}), which can run code when loaded; "
            "allowed: its state dict — torch.save(model.state_dict(), path) — or a .safetensors file.",
            {"name": name, "kind": "model"},
        )
    return UnsafeCheckpointError(
        f"refused: the file asks to import {name}, which is not a tensor; it was not run. Allowed: a state "
        "dict of tensors (torch.save(model.state_dict(), path)) or a .safetensors file.",
        {"name": name, "kind": "code"},
    )


def _read_torch(data: bytes, cap: int) -> Any:
    if data[:4] == b"PK\x03\x04":
        _check_zip(data, cap)
    elif data[:1] != b"\x80":  # neither torch's zip format nor the legacy pickle format
        raise CheckpointFormatError(
            "not a PyTorch checkpoint: the file starts with neither a zip header nor a pickle header. "
            "Allowed: .safetensors, or a .pt/.pth state dict written by torch.save.",
            {"detail": data[:8].hex()},
        )
    try:
        # weights_only=True: torch's restricted unpickler, allowlist left as torch ships it.
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise _refusal_from_unpickling(exc) from None
    except Exception as exc:  # EOFError, RuntimeError (truncated record), ValueError ...
        raise CheckpointFormatError(
            f"not a readable PyTorch checkpoint ({type(exc).__name__}: {str(exc)[:200]}). Allowed: a "
            "complete .pt/.pth state dict written by torch.save, or a .safetensors file.",
            {"detail": f"{type(exc).__name__}"},
        ) from None


def _read_safetensors(data: bytes) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load

    # Header: 8-byte little-endian length, then that much JSON; check before the library allocates.
    header = int.from_bytes(data[:8], "little") if len(data) >= 8 else -1
    if header < 2 or header > len(data) - 8 or data[8:9] != b"{":
        raise CheckpointFormatError(
            "not a safetensors file: its header is missing or damaged (the file may be truncated or be "
            "another format renamed). Allowed: a file written by safetensors.torch.save_file.",
            {"detail": "header"},
        )
    try:
        return load(data)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise CheckpointFormatError(
            f"not a readable safetensors file ({str(exc)[:200]}). Allowed: a complete file written by "
            "safetensors.torch.save_file.",
            {"detail": str(exc)[:200]},
        ) from None


def read_state_dict(data: bytes, filename: str, config: ResNetConfig) -> LoadedCheckpoint:
    """Parse ``data`` into a float32 state dict that fits ``config`` exactly, or raise CheckpointError."""
    suffix = Path(filename).suffix.lower()
    if suffix not in CHECKPOINT_SUFFIXES:
        raise CheckpointFormatError(
            f"file type {suffix or '(none)'!r} is not accepted; allowed: {', '.join(CHECKPOINT_SUFFIXES)}.",
            {"suffix": suffix or "(none)"},
        )
    if not data:
        raise CheckpointFormatError(
            "the file is empty (0 bytes); allowed: a .safetensors or .pt/.pth state dict for this model.",
            {"detail": "empty"},
        )
    cap = max_checkpoint_bytes(config)
    if len(data) > cap:
        raise CheckpointSizeError(
            f"the file is {_mb(len(data))}; allowed at most {_mb(cap)} for this model (three times its "
            "float32 weights).",
            {"size": _mb(len(data)), "limit": _mb(cap)},
        )
    notes: list[Note] = []
    if suffix == ".safetensors":
        raw: Any = _read_safetensors(data)
        fmt = "safetensors"
    else:
        raw = _read_torch(data, cap)
        fmt = "torch"
    state = _unwrap(raw, notes)
    state = _strip_prefix(state, notes)
    state, placement = _akamaster_layout(state, notes)
    return LoadedCheckpoint(_check_against(state, config, notes), fmt, notes, placement)


def _akamaster_layout(state: dict[str, Any], notes: list[Note]) -> tuple[dict[str, Any], str | None]:
    """Rename akamaster's ``linear.*`` head to ``fc.*``; the placement its layout implies, if any."""
    keys = [str(k) for k in state]
    has_linear = any(k.startswith(AKAMASTER_HEAD) for k in keys)
    if has_linear and not any(k.startswith("fc.") for k in keys):
        notes.append(
            Note(
                "head_renamed",
                "renamed the head linear.* to fc.* (akamaster/pytorch_resnet_cifar10 layout)",
                {"old": "linear", "new": "fc"},
            )
        )
        return {
            ("fc." + str(k)[len(AKAMASTER_HEAD) :] if str(k).startswith(AKAMASTER_HEAD) else k): v
            for k, v in state.items()
        }, "both"
    return state, None


def pad_placement_of(
    loaded: LoadedCheckpoint, filename: str, config: ResNetConfig
) -> tuple[str, Note | None]:
    """The option A placement to load ``loaded`` with, and a note saying how it was decided.

    Raises PaddingConventionError where the evidence contradicts itself (a ``.th`` file, which only
    akamaster's code writes here, but with a torchvision-style ``fc`` head): guessing would give a
    model that loads and silently computes something else.
    """
    from .plan import make_plan

    if not any(b.shortcut == "zero-pad" for b in make_plan(config).blocks):
        return config.pad_placement, None  # no option A shortcut: the placement changes nothing
    suffix = Path(filename).suffix.lower()
    if loaded.pad_placement == "both":
        return "both", Note(
            "padding_both",
            "option A shortcuts pad half the zero channels on each side, "
            "as akamaster/pytorch_resnet_cifar10 does (its linear head was found)",
            {"placement": "both"},
        )
    if suffix == ".th":
        raise PaddingConventionError(
            f"cannot tell how {filename!r} pads option A shortcuts: a .th file is the layout of "
            "akamaster/pytorch_resnet_cifar10 (half the zero channels on each side), but its head is named "
            "'fc', not 'linear'. Allowed: that implementation's file unchanged, or a .pt/.pth/.safetensors "
            "file saved from a model whose placement is set in the config (pad_placement).",
            {"filename": filename},
        )
    return config.pad_placement, Note(
        "padding_assumed",
        f"the file does not record how option A pads; used the config's "
        f"pad_placement={config.pad_placement!r}",
        {"placement": config.pad_placement},
    )


def _unwrap(raw: Any, notes: list[Note]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CheckpointFormatError(
            f"the file holds a {type(raw).__name__}, not a state dict; allowed: a mapping of parameter "
            "names to tensors (torch.save(model.state_dict(), path)).",
            {"detail": type(raw).__name__},
        )
    if not all(isinstance(v, torch.Tensor) for v in raw.values()):
        for key in NESTING_KEYS:
            inner = raw.get(key)
            if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                notes.append(Note("nested", f"used the state dict nested under {key!r}", {"key": key}))
                return inner
    return raw


def _strip_prefix(state: dict[str, Any], notes: list[Note]) -> dict[str, Any]:
    for prefix in STRIP_PREFIXES:
        if state and all(isinstance(k, str) and k.startswith(prefix) for k in state):
            notes.append(Note("prefix", f"removed the {prefix!r} prefix from every key", {"prefix": prefix}))
            state = {k[len(prefix) :]: v for k, v in state.items()}
    return state


def _check_against(state: dict[str, Any], config: ResNetConfig, notes: list[Note]) -> dict[str, torch.Tensor]:
    expected = expected_shapes(config)
    rows: list[KeyProblem] = []
    out: dict[str, torch.Tensor] = {}
    cast: dict[str, int] = {}
    for key, value in state.items():
        name = str(key)
        if name not in expected:
            got = _shape(tuple(value.shape)) if isinstance(value, torch.Tensor) else type(value).__name__
            rows.append(KeyProblem(name, "—", got, "unexpected"))
            continue
        shape, dtype = expected[name]
        if not isinstance(value, torch.Tensor):
            rows.append(KeyProblem(name, _shape(shape), type(value).__name__, "not a tensor"))
            continue
        if tuple(value.shape) != shape:
            rows.append(KeyProblem(name, _shape(shape), _shape(tuple(value.shape)), "wrong shape"))
            continue
        if dtype.is_floating_point:
            if not value.dtype.is_floating_point:
                rows.append(KeyProblem(name, str(dtype), str(value.dtype), "wrong dtype"))
                continue
            if value.dtype != torch.float32:
                dname = str(value.dtype).replace("torch.", "")
                cast[dname] = cast.get(dname, 0) + 1
                value = value.to(torch.float32)
        out[name] = value
    missing = [k for k in expected if k not in state]
    # BN's num_batches_tracked only matters in training with momentum=None; many exporters drop it.
    filled = [k for k in missing if k.endswith("num_batches_tracked")]
    for key in filled:
        out[key] = torch.zeros((), dtype=torch.int64)
    if filled:
        notes.append(
            Note(
                "filled",
                f"{len(filled)} BatchNorm num_batches_tracked counters were absent; set to 0",
                {"n": len(filled)},
            )
        )
    rows += [KeyProblem(k, _shape(expected[k][0]), "—", "missing") for k in missing if k not in filled]
    if rows:
        counts = Counter(r.problem for r in rows)
        summary = ", ".join(f"{n} {p}" for p, n in counts.items())
        shown, seen = [], Counter()
        for r in rows:
            seen[r.problem] += 1
            if seen[r.problem] <= KEY_ROWS_PER_PROBLEM:
                shown.append(r)
        raise KeyMismatchError(
            f"the state dict does not fit this model ({summary}); allowed: exactly the {len(expected)} keys "
            "and shapes of the current config (see the table).",
            {"summary": summary, "n": len(expected), "shown": len(shown), "total": len(rows)},
            shown,
        )
    for dtype_name, n in cast.items():
        notes.append(Note("cast", f"cast {n} {dtype_name} tensors to float32", {"n": n, "dtype": dtype_name}))
    bad = [k for k, v in out.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        shown = ", ".join(bad[:5]) + (" …" if len(bad) > 5 else "")
        raise NonFiniteWeightsError(
            f"refused: {len(bad)} tensors hold NaN or Inf values ({shown}); allowed: finite weights only.",
            {"n": len(bad), "keys": shown},
        )
    return out


def load_checkpoint(path: str | Path, config: ResNetConfig) -> LoadedCheckpoint:
    """:func:`read_state_dict` for a file on disk (size checked before reading it)."""
    path = Path(path)
    size = path.stat().st_size
    cap = max_checkpoint_bytes(config)
    if size > cap:
        raise CheckpointSizeError(
            f"{path.name} is {_mb(size)}; allowed at most {_mb(cap)} for this model.",
            {"size": _mb(size), "limit": _mb(cap)},
        )
    return read_state_dict(path.read_bytes(), path.name, config)


def model_from_checkpoint(data: bytes, filename: str, config: ResNetConfig) -> tuple[ResNet, list[Note]]:
    """A fresh model of ``config`` (eval mode) holding the checkpoint's weights, loaded with strict=True.

    Its option A placement is the one the file's layout implies (see :func:`pad_placement_of`), so
    the returned model's config may differ from ``config`` in ``pad_placement``, and a note says so.
    """
    loaded = read_state_dict(data, filename, config)
    placement, note = pad_placement_of(loaded, filename, config)
    notes = loaded.notes + ([note] if note else [])
    model = build_model(dataclasses.replace(config, pad_placement=placement))
    model.load_state_dict(loaded.state_dict, strict=True)
    return model.eval(), notes
