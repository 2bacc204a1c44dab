"""The Classify page's policy as plain functions: which weights to offer and pick, how a job is run
and waited for, how a refusal is worded, which class the activation map shows. No Streamlit.

The page (``pages/Classify.py``) and its panels (``resnet_explorer/ui/classify.py``) only draw what
these functions decide, so each decision has a unit test of its own (``tests/classify/test_session.py``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from ..core.checkpoints import CheckpointError
from ..core.config import PRESETS, ResNetConfig, config_diff, nearest_preset, preset_name
from ..core.model import ModelTooLargeError
from ..i18n import STRINGS, t
from .images import ImageInputError

__all__ = [
    "REFUSALS",
    "WorkerError",
    "JOB_TIMEOUT_S",
    "source_options",
    "default_source",
    "JobRunner",
    "run_and_wait",
    "refusal_reason",
    "cam_order",
    "cam_class",
    "display_name",
    "model_name",
    "in_rows",
]

# A job longer than this is taken for hung: the worker is restarted and the page offers a retry. The
# slowest real job, ResNet-152 on a first run (process start, weights read, the job), takes ~20 s on a
# busy 2-core server; a CPU-bound hang would hold the one worker every session shares.
JOB_TIMEOUT_S = 120.0


class WorkerError(RuntimeError):
    """The worker died under a job (killed, out of memory) or a job ran past ``JOB_TIMEOUT_S``.

    ``code`` is "gone" or "timeout"; the page words it (``classify.worker.<code>``) and offers a retry.
    """

    def __init__(self, code: str, seconds: float = JOB_TIMEOUT_S) -> None:
        self.code, self.values = code, {"s": f"{seconds:.0f}"}
        what = "the classification process ended" if code == "gone" else f"no result after {seconds:.0f} s"
        super().__init__(f"{what}; it has been restarted")


# What a job may raise that the page shows as a message (anything else is a bug and shows as one).
REFUSALS = (CheckpointError, ImageInputError, ModelTooLargeError, ValueError, OSError, WorkerError)


def source_options(pretrained: Sequence[str], has_digits: bool, has_lab: bool) -> list[str]:
    """The weights the page offers, in the order the radio shows them."""
    extra = [*(["digits"] if has_digits else []), *(["lab"] if has_lab else [])]
    return [*pretrained, *extra, "upload", "random"]


def default_source(
    current: str | None, options: Sequence[str], cached: Sequence[str], has_digits: bool, has_lab: bool
) -> str:
    """Keep the user's pick while it is offered; else a model just trained in the lab, else the newest
    ImageNet weights already on disk, else the offline digits model, else the first option."""
    if current in options:
        return current
    if has_lab:
        return "lab"
    if cached:
        return cached[-1]
    return "digits" if has_digits else options[0]


class JobRunner(Protocol):
    """What :func:`run_and_wait` needs of a worker (``ClassifyWorker`` is one)."""

    def submit(self, job: Any) -> Future: ...

    def pending(self) -> int: ...

    def restart(self) -> None: ...


def run_and_wait(
    pool: JobRunner,
    job: Any,
    tick: Callable[[int], None],
    interval_s: float = 0.15,
    timeout_s: float = JOB_TIMEOUT_S,
) -> tuple[str, Any]:
    """Submit ``job``, call ``tick(jobs_ahead)`` until it is done, and return ``("ok", outcome)`` or
    ``("error", exception)`` for a refusal the page can word.

    ``tick`` draws the waiting message. Streamlit raises inside an element call when the browser tab
    has gone away, so the ``finally`` here cancels a job still queued for a page nobody looks at.
    ``jobs_ahead`` is 0 when the job runs (or when nothing was queued before it). A worker that dies
    under the job, or a job still running after ``timeout_s`` once it started, is a ``WorkerError``;
    on a time-out the worker is restarted, so the next job does not queue behind a hung one.
    """
    ahead = pool.pending()
    tick(0)  # before submitting: the first job after a server start waits for the worker to start
    try:
        future = pool.submit(job)
    except BrokenProcessPool:  # it died again while starting: say so, the next try starts it anew
        return "error", WorkerError("gone")
    started: float | None = None
    try:
        while not future.done():
            waiting = pool.pending() - 1
            queued = waiting > 0 and ahead
            if not queued and started is None:
                started = time.monotonic()
            if started is not None and time.monotonic() - started > timeout_s:
                pool.restart()
                return "error", WorkerError("timeout", timeout_s)
            tick(waiting if queued else 0)
            time.sleep(interval_s)
        return "ok", future.result()
    except (BrokenProcessPool, CancelledError):  # the worker died, or was restarted, under this job
        return "error", WorkerError("gone")
    except REFUSALS as exc:
        return "error", exc
    finally:
        future.cancel()


def refusal_reason(exc: Exception, prefix: str, lang: str) -> str:
    """The refusal in ``lang``: English keeps the library's full message; another language gets the
    catalogue's ``{prefix}.{exc.code}`` (falling back to the English message if it has none)."""
    key = f"{prefix}.{getattr(exc, 'code', '')}"
    if lang == "en" or key not in STRINGS:
        return str(exc)
    try:
        return t(key, lang, **getattr(exc, "values", {}))
    except (KeyError, IndexError):
        return str(exc)


def cam_order(top: Sequence[tuple[int, float]], n_classes: int) -> list[int]:
    """The activation map's class choices: the top-k in their order, then every other class by index."""
    first = [i for i, _ in top]
    seen = set(first)
    return first + [i for i in range(n_classes) if i not in seen]


def cam_class(picked: object, n_classes: int, best: int) -> int:
    """The class to draw: the picked one when it is a class of this model, else the top-1."""
    return picked if isinstance(picked, int) and 0 <= picked < n_classes else best


def display_name(preset: str) -> str:
    """'resnet20' -> 'ResNet-20', 'plain56' -> 'plain-56' (the paper's names); others as they are."""
    found = re.fullmatch(r"(resnet|plain)(\d+)", preset)
    if not found:
        return preset
    return f"{'ResNet' if found.group(1) == 'resnet' else 'plain'}-{found.group(2)}"


def model_name(config: ResNetConfig, lang: str) -> str:
    """What a model is, by name: a preset's name ("ResNet-18"); a preset read at another input size or
    channel count says its layout ("ResNet-20 · CIFAR layout", the page shows the input beside it);
    anything else is a custom configuration named after its nearest preset."""
    exact = preset_name(config)
    if exact:
        return display_name(exact)
    near = nearest_preset(config)
    if set(config_diff(PRESETS[near], config)) <= {"in_channels", "input_size"}:
        return t(
            "classify.model.resized",
            lang,
            name=display_name(near),
            layout=t(f"classify.layout.{config.stem}", lang),
        )
    return t("classify.model.custom", lang, name=display_name(near))


def in_rows(n: int, per_row: int) -> list[range]:
    """Indices 0..n-1 in rows of ``per_row``: one ``st.columns`` per row keeps stage order when a
    narrow screen stacks the columns (one set of columns filled round-robin would not)."""
    if per_row < 1:
        raise ValueError(f"per_row: got {per_row}; allowed: 1 or more")
    return [range(start, min(start + per_row, n)) for start in range(0, n, per_row)]
