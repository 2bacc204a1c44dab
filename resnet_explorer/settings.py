"""Every ``RESNET_EXPLORER_*`` environment variable, parsed in this one place.

A server that silently ignores a typo in its limits is worse than one that refuses to start: a
teacher who sets ``RESNET_EXPLORER_MAX_MODEL_MB=abc`` must learn it at once, not when the class has
filled the machine. So a bad value raises :class:`SettingsError`, whose message names the
variable, the value and what is allowed; the CLI prints it and exits 2, the app shows it and runs
nothing (``validate_all`` is called once per process from both).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "SettingsError",
    "SETTINGS",
    "validate_all",
    "max_model_bytes",
    "max_checkpoint_bytes_cap",
    "max_upload_bytes_held",
    "classify_threads",
    "train_threads",
    "max_training_runs",
    "data_root",
    "folder_problem",
]


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot use."""


@dataclass(frozen=True)
class Setting:
    name: str
    allowed: str  # what the error message says is allowed
    meaning: str  # one line for the README and ``--help``


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "RESNET_EXPLORER_MAX_MODEL_MB",
            "a number of megabytes above 0, e.g. 2048",
            "largest model (weights + one forward pass, float32) the server builds; default 2048",
        ),
        Setting(
            "RESNET_EXPLORER_MAX_CHECKPOINT_MB",
            "a number of megabytes above 0, e.g. 1024",
            "largest checkpoint file accepted, whatever the model; default 1024",
        ),
        Setting(
            "RESNET_EXPLORER_MAX_UPLOADS_MB",
            "a number of megabytes above 0, e.g. 1024",
            "uploaded bytes all sessions of this server may hold at once; default 1024",
        ),
        Setting(
            "RESNET_EXPLORER_CLASSIFY_THREADS",
            "a whole number from 1 to 1024",
            "torch threads of the classify worker; default all cores but one",
        ),
        Setting(
            "RESNET_EXPLORER_TRAIN_THREADS",
            "a whole number from 1 to 1024",
            "torch threads per training run; default half the cores",
        ),
        Setting(
            "RESNET_EXPLORER_MAX_TRAINING_RUNS",
            "a whole number from 1 to 1024",
            "training runs at once on this server; default cores / (2 × threads per run)",
        ),
        Setting(
            "RESNET_EXPLORER_DATA",
            "a folder this server can write to, or make",
            "where downloaded datasets live; default ~/.cache/resnet_explorer/data",
        ),
    )
}

# ASCII digits only: str.isdigit() accepts "²", which int() then refuses.
_WHOLE = re.compile(r"[0-9]{1,6}")
_NUMBER = re.compile(r"[0-9]{1,9}(\.[0-9]{1,6})?")


def _raw(name: str) -> str | None:
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else raw.strip()


def _fail(name: str, raw: str) -> SettingsError:
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    return SettingsError(f"{name}: got {shown!r}; allowed: {SETTINGS[name].allowed}")


def _positive_int(name: str, default: Callable[[], int]) -> int:
    raw = _raw(name)
    if raw is None:
        return default()
    if not _WHOLE.fullmatch(raw) or not 1 <= int(raw) <= 1024:
        raise _fail(name, raw)
    return int(raw)


def _megabytes(name: str, default_mb: int) -> int:
    """Bytes from a megabyte count (MiB, as the rest of the app reports memory)."""
    raw = _raw(name)
    if raw is None:
        return default_mb * 2**20
    if not _NUMBER.fullmatch(raw) or float(raw) <= 0:
        raise _fail(name, raw)
    return int(float(raw) * 2**20)


def _cores() -> int:
    return os.cpu_count() or 2


def max_model_bytes() -> int:
    """The most one model may take here (weights + one image's activations, float32).

    A classroom server runs many sessions in one process; 2 GiB keeps ResNet-152 at 224 px and
    refuses ResNet-1202 at 2048 px before anything is allocated.
    """
    return _megabytes("RESNET_EXPLORER_MAX_MODEL_MB", 2048)


def max_checkpoint_bytes_cap() -> int:
    """The hard cap on any checkpoint file, whatever model it is for."""
    return _megabytes("RESNET_EXPLORER_MAX_CHECKPOINT_MB", 1024)


def max_upload_bytes_held() -> int:
    """What all sessions of this server may hold in uploaded files at once.

    Streamlit keeps each upload's bytes in the server's memory until its session ends; 1 GiB is a
    class of 30 with a 25 MB photo each, or three of the largest checkpoints the server takes.
    """
    return _megabytes("RESNET_EXPLORER_MAX_UPLOADS_MB", 1024)


def classify_threads() -> int:
    """Threads for the classify worker's torch: all cores but one, which stays free for the server."""
    return _positive_int("RESNET_EXPLORER_CLASSIFY_THREADS", lambda: max(1, _cores() - 1))


def train_threads() -> int:
    """torch threads per training run: half the cores (at least 1).

    Measured here on 2 busy cores: one thread per process ran a ResNet-20 step in 0.28 s, two
    threads 1.67 s — OpenMP threads that wait on each other under contention. Half the cores also
    leave the web server a core for everyone's light clicks.
    """
    return _positive_int("RESNET_EXPLORER_TRAIN_THREADS", lambda: max(1, _cores() // 2))


def max_training_runs() -> int:
    """Concurrent training runs per server: cores / (2 × threads per run), at least 1."""
    return _positive_int(
        "RESNET_EXPLORER_MAX_TRAINING_RUNS", lambda: max(1, _cores() // (2 * train_threads()))
    )


def data_root() -> Path:
    """Where downloaded datasets live: $RESNET_EXPLORER_DATA, else ~/.cache/resnet_explorer/data."""
    raw = _raw("RESNET_EXPLORER_DATA")
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "resnet_explorer" / "data"


def folder_problem(path: Path) -> str | None:
    """Why ``path`` cannot hold downloaded data (None when it can): it is made if missing, then written to.

    Trying is the only honest check: ``os.access`` says yes to root on a read-only mount, and a missing
    folder's parents decide whether it can be made.
    """
    import tempfile

    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "not a folder"
    except OSError as exc:
        return f"cannot be made ({exc.strerror or type(exc).__name__})"
    if not path.is_dir():
        return "not a folder"
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        return f"not writable ({exc.strerror or type(exc).__name__})"
    return None


@functools.lru_cache(maxsize=8)
def _set_folder_problem(raw: str) -> str | None:
    # once per value and process: every page run validates the settings, and a folder is made once
    return folder_problem(Path(raw).expanduser())


def _checked_data_root() -> Path:
    """The data folder, checked when a teacher set it: a typo must show at start, not mid-class."""
    raw = _raw("RESNET_EXPLORER_DATA")
    if raw is not None and (problem := _set_folder_problem(raw)) is not None:
        allowed = SETTINGS["RESNET_EXPLORER_DATA"].allowed
        raise SettingsError(f"RESNET_EXPLORER_DATA: got {raw!r} ({problem}); allowed: {allowed}")
    return data_root()


_READERS: dict[str, Callable[[], object]] = {
    "RESNET_EXPLORER_MAX_MODEL_MB": max_model_bytes,
    "RESNET_EXPLORER_MAX_CHECKPOINT_MB": max_checkpoint_bytes_cap,
    "RESNET_EXPLORER_MAX_UPLOADS_MB": max_upload_bytes_held,
    "RESNET_EXPLORER_CLASSIFY_THREADS": classify_threads,
    "RESNET_EXPLORER_TRAIN_THREADS": train_threads,
    "RESNET_EXPLORER_MAX_TRAINING_RUNS": max_training_runs,
    "RESNET_EXPLORER_DATA": _checked_data_root,
}


def validate_all() -> None:
    """Read every setting once; raise one SettingsError listing each bad variable."""
    problems = []
    for read in _READERS.values():
        try:
            read()
        except SettingsError as exc:
            problems.append(str(exc))
    # resnet_explorer_data is as much a mistake as RESNET_EXPLORER_DAT: environment names are case-sensitive
    unknown = sorted(k for k in os.environ if k.upper().startswith("RESNET_EXPLORER_") and k not in SETTINGS)
    problems += [
        f"{k}: not a setting of this app{' (names are upper case)' if k.upper() in SETTINGS else ''}; "
        f"known: {', '.join(SETTINGS)}"
        for k in unknown
    ]
    if problems:
        raise SettingsError("; ".join(dict.fromkeys(problems)))
