"""Classification jobs, run in one bounded worker process shared by every session.

Why a process: Streamlit runs every session's script in threads of one process, under one GIL.
With heavy work on those threads, a trivial rerun in another session waits for seconds; with the
work in a single spawned worker process it stays fast (docs/notes.md: 8 s vs 0.8 s with 8 jobs).

What may be shared: the worker keeps a few *read-only* models (torchvision's ImageNet weights,
the shipped digits model, seeded random inits) between jobs — used only under
``torch.inference_mode`` with no hooks, so no job can change them. Weights a user uploads or
trained in the lab travel *with their job* as bytes and are loaded into a fresh model that dies
with the job: nothing a request brings ever lands in a shared object.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from .. import settings
from ..core.checkpoints import model_from_checkpoint
from ..core.config import ResNetConfig
from ..core.model import ResNet, build_model
from .images import (
    ImageInputError,
    Step,
    load_image,
    photo_to_digit,
    preprocess_digits,
    preprocess_imagenet,
    sample_photos,
)
from .inference import Classification, cam_for, classify, feature_grid, jpeg, overlay
from .weights import PretrainedWeights, digits_model_info, load_digits_model, load_pretrained

if TYPE_CHECKING:
    from ..train.loop import TrainedModel

__all__ = [
    "WeightsSource",
    "ClassifyJob",
    "JobOutcome",
    "Pictures",
    "run_job",
    "ClassifyWorker",
    "shared_worker",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "digits_source",
    "imagenet_source",
    "config_source",
    "lab_source",
    "ModelCache",
]

# torchvision's ImageNet statistics; also used for uploads and random inits of other configs, whose
# real training statistics we cannot know.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Read-only models kept in the worker, bounded by count and by bytes (a ResNet-152 is 230 MB, two of
# them 460 MB): a model larger than the whole budget is used once and dropped.
# Below the server, above a training run (train.runs.RUN_NICE): see _init_worker.
WORKER_NICE = 2
CACHE_ENTRIES = 2
CACHE_BYTES = 512 * 2**20
# A random initialisation is cheap to rebuild and rarely asked for twice: after this long unused, an
# idle worker drops it (torchvision's and the digits weights stay, they cost a disk read to reload).
RANDOM_IDLE_S = 120.0


@dataclass(frozen=True)
class WeightsSource:
    """Which weights a job uses and how its input must be prepared."""

    kind: str  # "imagenet" | "digits" | "lab" | "upload" | "random"
    config: ResNetConfig
    label: str  # what the page says is in use
    classes: tuple[str, ...]
    prep: str = "imagenet"  # "imagenet" (resize + centre crop) | "digits" (optdigits recipe)
    resize_size: int = 256
    crop_size: int = 224
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    pretrained: PretrainedWeights | None = None
    data: bytes | None = field(default=None, repr=False)  # uploaded / lab-trained weights
    filename: str = ""
    seed: int = 0


@dataclass(frozen=True)
class ClassifyJob:
    source: WeightsSource
    image: bytes | None = field(default=None, repr=False)  # an upload or a camera photo
    sample_photo: str | None = None  # a scikit-learn sample photo by name
    digit: tuple[float, ...] | None = None  # a held-out 8×8 digit, row-major, values 0..16


@dataclass(frozen=True)
class Pictures:
    """The page's pictures of one outcome, encoded once in the worker (see :func:`.inference.jpeg`)."""

    steps: tuple[bytes, ...]  # one per preprocessing step, in order
    maps: tuple[bytes, ...]  # one feature grid per stage, in stage order
    cams: dict[int, bytes]  # the activation map over the image, for each top-k class


@dataclass(frozen=True)
class JobOutcome:
    result: Classification
    steps: tuple[Step, ...]
    display: np.ndarray  # the network's view of the image, uint8 RGB, for the CAM overlay
    notes: tuple[tuple[str, dict[str, Any]], ...]  # from the image and checkpoint loaders
    input_shape: tuple[int, ...]
    pictures: Pictures


def _pictures(result: Classification, steps: tuple[Step, ...], display: np.ndarray) -> Pictures:
    # Encoding here, not on the page, keeps about a third of a Classify rerun's work (the grids,
    # the overlays, their JPEGs) out of the server process that every session's rerun shares.
    return Pictures(
        steps=tuple(jpeg(s.image) for s in steps),
        maps=tuple(jpeg(feature_grid(stage)) for stage in result.stages),
        cams={c: jpeg(overlay(display, cam_for(result, c))) for c, _ in result.top},
    )


def _model_bytes(model: torch.nn.Module) -> int:
    return sum(t.numel() * t.element_size() for t in (*model.parameters(), *model.buffers()))


class ModelCache:
    """Read-only models of *this* worker process (never a user's weights), least recently used first out.

    Bounded by ``entries`` and by ``max_bytes`` of parameters and buffers; entries whose key starts
    with ``"random"`` are dropped by :meth:`evict_idle` once unused for ``idle_s``. Thread-safe: the
    worker's idle timer evicts while a job may be looking a model up.
    """

    def __init__(
        self,
        entries: int = CACHE_ENTRIES,
        max_bytes: int = CACHE_BYTES,
        idle_s: float = RANDOM_IDLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.entries, self.max_bytes, self.idle_s, self._clock = entries, max_bytes, idle_s, clock
        self._lock = threading.Lock()
        self._models: OrderedDict[tuple, tuple[ResNet, int, float]] = OrderedDict()  # model, bytes, last use

    def get(self, key: tuple, make: Callable[[], ResNet]) -> ResNet:
        with self._lock:
            if key in self._models:
                model, size, _ = self._models.pop(key)
                self._models[key] = (model, size, self._clock())
                return model
        model = make()  # outside the lock: building or loading takes seconds
        size = _model_bytes(model)
        with self._lock:
            if size <= self.max_bytes:
                self._models[key] = (model, size, self._clock())
                while len(self._models) > self.entries or self.nbytes() > self.max_bytes:
                    self._models.popitem(last=False)
        return model

    def nbytes(self) -> int:
        return sum(size for _, size, _ in self._models.values())

    def keys(self) -> list[tuple]:
        with self._lock:
            return list(self._models)

    def evict_idle(self) -> int:
        """Drop random initialisations unused for ``idle_s``; return how many went."""
        now = self._clock()
        with self._lock:
            stale = [
                k
                for k, (_, _, used) in self._models.items()
                if k[0] == "random" and now - used >= self.idle_s
            ]
            for key in stale:
                del self._models[key]
        return len(stale)


_models = ModelCache()


def _shared_model(key: tuple, make: Callable[[], ResNet]) -> ResNet:
    return _models.get(key, make)


def _model_for(source: WeightsSource) -> tuple[ResNet, list[tuple[str, dict[str, Any]]]]:
    if source.kind == "imagenet":
        w = source.pretrained
        return _shared_model(("imagenet", w.arch, w.version), lambda: load_pretrained(w)), []
    if source.kind == "digits":
        return _shared_model(("digits",), load_digits_model), []
    if source.kind == "random":

        def make() -> ResNet:
            gen_state = torch.random.get_rng_state()
            torch.manual_seed(source.seed)
            try:
                return build_model(source.config).eval()
            finally:
                torch.random.set_rng_state(gen_state)

        return _shared_model(("random", source.config, source.seed), make), []
    if source.kind in ("upload", "lab"):
        if source.data is None:
            raise ValueError(f"weights source {source.kind!r} came without its weights")
        model, notes = model_from_checkpoint(source.data, source.filename, source.config)
        return model, [(n.code, n.values) for n in notes]
    raise ValueError(f"weights source: got {source.kind!r}; allowed: imagenet, digits, lab, upload, random")


def _prepare(job: ClassifyJob) -> tuple[torch.Tensor, tuple[Step, ...], np.ndarray, list]:
    src = job.source
    notes: list[tuple[str, dict[str, Any]]] = []
    if job.digit is not None:
        if src.prep != "digits":
            raise ImageInputError(
                "digit_needs_digits_model",
                "a held-out digit can only be classified by a digits model; pick a photo for this model.",
            )
        counts = np.asarray(job.digit, dtype=np.float64).reshape(8, 8)
        pre = preprocess_digits(counts, src.config.input_size, src.mean, src.std)
        return pre.tensor, pre.steps, pre.display, notes
    if job.sample_photo is not None:
        photos = sample_photos()
        if job.sample_photo not in photos:
            raise ValueError(f"sample photo: got {job.sample_photo!r}; allowed: {', '.join(photos)}")
        image = photos[job.sample_photo]
    elif job.image is not None:
        loaded = load_image(job.image)
        notes += list(loaded.notes)
        image = loaded.image
    else:
        raise ValueError("a job needs an image: an upload, a camera photo, a sample photo or a digit")
    if src.prep == "digits":
        counts, photo_steps = photo_to_digit(image, notes)
        pre = preprocess_digits(counts, src.config.input_size, src.mean, src.std, photo_steps)
        return pre.tensor, pre.steps, pre.display, notes
    channels = src.config.in_channels
    if channels not in (1, 3):
        raise ImageInputError(
            "channels",
            f"this config reads {channels}-channel input; photos have 3 "
            "channels (or 1 in grey). Allowed: in_channels 1 or 3.",
            {"channels": channels},
        )
    if channels == 1:
        image = image.convert("L")
    pre = preprocess_imagenet(image, src.resize_size, src.crop_size, src.mean[:channels], src.std[:channels])
    return pre.tensor, pre.steps, pre.display, notes


def run_job(job: ClassifyJob) -> JobOutcome:
    """Prepare the image, get the model, classify. Runs in the worker (or inline in tests)."""
    x, steps, display, notes = _prepare(job)
    model, model_notes = _model_for(job.source)
    expected = (job.source.config.in_channels, job.source.config.input_size)
    if (x.shape[1], x.shape[-1]) != expected:
        raise ValueError(
            f"input: prepared {tuple(x.shape)}, but the model expects {expected[0]} channels at "
            f"{expected[1]} px"
        )
    result = classify(model, x)
    if display.ndim == 2:
        display = np.stack([display] * 3, axis=-1)
    pictures = _pictures(result, steps, display)
    return JobOutcome(result, steps, display, tuple(notes + model_notes), tuple(x.shape), pictures)


def _exit_with_parent(parent: int, every_s: float = 1.0) -> None:
    """End this worker once its server is gone (a SIGKILLed server left it running for ever, holding
    0.6-1.45 GB). The parent's death is seen as a new parent id (the orphan is re-parented); Linux's
    PR_SET_PDEATHSIG would fire when the *thread* that spawned the worker ends, which here is any
    page's script run, so it is not used."""

    def watch() -> None:
        while True:
            time.sleep(every_s)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="classify-parent-watch", daemon=True).start()


def _init_worker(threads: int, parent: int | None = None) -> None:
    _exit_with_parent(os.getppid() if parent is None else parent)
    torch.set_num_threads(threads)
    # A classification is a second or so of work a student waits for; the page's own reruns
    # (a knob, a menu) are a few milliseconds everyone waits for: those go first.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)

    # The idle timer: a daemon thread of the worker process, so it needs no job to run.
    def evict_forever() -> None:
        while True:
            time.sleep(max(1.0, _models.idle_s / 4))
            _models.evict_idle()

    threading.Thread(target=evict_forever, name="classify-evict", daemon=True).start()


class ClassifyWorker:
    """One spawned process (or ``max_workers``) that runs jobs in order; rebuilt if it dies.

    ``pending()`` counts jobs submitted and not yet finished, so a page can say how many are ahead.
    """

    def __init__(self, max_workers: int = 1, threads: int | None = None) -> None:
        self.max_workers = max_workers
        self.threads = threads or settings.classify_threads()
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._pending: set[Future] = set()

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # "spawn": a forked copy of a server with live threads can deadlock; spawn starts clean.
            executor = ProcessPoolExecutor(
                max_workers=self.max_workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.threads, os.getpid()),
            )
            # A spawned child re-imports the parent's __main__ module; under `streamlit run` that is
            # whichever page script is running, which would draw a whole page in the worker. Start
            # the processes now with a blank __main__ so the child imports only this library.
            original = sys.modules["__main__"]
            blank = types.ModuleType("__main__")
            sys.modules["__main__"] = blank
            try:
                for probe in [executor.submit(os.getpid) for _ in range(self.max_workers)]:
                    probe.result()
            finally:
                if sys.modules["__main__"] is blank:
                    sys.modules["__main__"] = original
            self._executor = executor
        return self._executor

    def submit(self, job: ClassifyJob) -> Future:
        with self._lock:
            try:
                future = self._pool().submit(run_job, job)
            except BrokenProcessPool:  # the worker died (killed, out of memory): start a new one
                self._executor = None
                future = self._pool().submit(run_job, job)
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def restart(self) -> None:
        """Kill the worker (a hung job) and start a fresh one at the next submit.

        concurrent.futures has no way to stop a running task; its processes are reached through the
        executor's ``_processes``. The killed job's future fails with BrokenProcessPool.
        """
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        for process in list(getattr(executor, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
        executor.shutdown(wait=False)  # jobs queued behind the hung one fail as the pool breaks

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None


_shared: ClassifyWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> ClassifyWorker:
    """The one worker of this server process, for every session.

    A module-level singleton, not ``st.cache_resource``: any browser can send Streamlit's
    ``clear_cache`` message, which empties that cache; a worker held there would be dropped (its
    process orphaned) and a second one started beside it.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ClassifyWorker(max_workers=1)
        return _shared


def digits_source() -> WeightsSource | None:
    """The shipped digits model as a weights source (None when the asset is missing)."""
    info = digits_model_info()
    if info is None:
        return None
    return WeightsSource(
        kind="digits",
        config=info.config,
        label="digits",
        classes=info.classes,
        prep="digits",
        mean=info.mean,
        std=info.std,
    )


def imagenet_source(weights: PretrainedWeights) -> WeightsSource:
    return WeightsSource(
        kind="imagenet",
        config=weights.config,
        label=weights.label,
        classes=weights.categories,
        resize_size=weights.resize_size,
        crop_size=weights.crop_size,
        mean=weights.mean,
        std=weights.std,
        pretrained=weights,
    )


def config_source(
    kind: str,
    config: ResNetConfig,
    label: str,
    data: bytes | None = None,
    filename: str = "",
    seed: int = 0,
    classes: tuple[str, ...] | None = None,
) -> WeightsSource:
    """An upload or a random init for any config: ImageNet-style preparation scaled to its input size."""
    crop = config.input_size
    return WeightsSource(
        kind=kind,
        config=config,
        label=label,
        classes=classes or tuple(str(i) for i in range(config.num_classes)),
        resize_size=round(crop * 256 / 224),
        crop_size=crop,
        data=data,
        filename=filename,
        seed=seed,
    )


def lab_source(trained: TrainedModel) -> WeightsSource:
    """A model trained in the Training lab (``st.session_state["trained_model"]``), weights as bytes."""
    size = trained.input_size
    return WeightsSource(
        kind="lab",
        config=trained.config,
        label=trained.label,
        classes=tuple(map(str, trained.classes)),
        prep="digits" if trained.dataset == "digits" else "imagenet",
        resize_size=size,
        crop_size=size,
        mean=tuple(map(float, trained.mean)),
        std=tuple(map(float, trained.std)),
        data=trained.checkpoint,
        filename="lab.safetensors",
    )
