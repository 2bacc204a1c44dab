"""Training-lab runs: each in its own spawned process, a server-wide cap, at most one per session.

Why processes: Streamlit runs every session in threads of one process under one GIL; a training
loop there makes every other student's click wait (docs/notes.md: 8 s instead of 0.8 s). A spawned
child has its own interpreter, and when it ends the operating system takes back all its memory.

The parent talks to a child through a ``Queue`` (progress, one record per model and epoch, then the
checkpoints) and stops it with an ``Event`` that the training loop reads before every step. A
heartbeat the parent refreshes whenever it polls lets the child notice it was abandoned (its
session gone without saying so) and end itself; so does the death of the server process.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue as queue_module
import threading
import time
import uuid
from dataclasses import dataclass, field

from .. import settings
from ..core.config import ResNetConfig
from .loop import EpochRecord, Progress, TrainSettings, checkpoint_bytes, train_models

__all__ = [
    "RunRequest",
    "RunHandle",
    "RunRegistry",
    "BusyError",
    "run_worker",
    "shared_registry",
    "ORPHAN_AFTER_S",
    "LEFT_GRACE_S",
]

# A child whose parent has not polled for this long was abandoned (tab closed on another page,
# server thread gone) and stops itself. Long enough to survive a slow rerun of the page.
ORPHAN_AFTER_S = 20.0
_PROGRESS_EVERY_S = 0.2  # a progress message per step would only fill the pipe
# A run belongs to its browser session, not to the page that started it: the registry's watcher polls
# the run (so it keeps going on another page, and while the page's script is stopped and rerun), and
# stops it once the session has been gone this long. The app passes Streamlit's own time for keeping a
# disconnected session resumable (``server.disconnectedSessionTTL``), so a network blip or a laptop
# lid closed for a minute is forgiven and only a session that can no longer come back loses its run.
LEFT_GRACE_S = 5.0
# How much lower than the server a training run is scheduled (nice(1)). 5 gives it about a third of
# a busy core's share; 10 (a tenth) starved runs whenever the server was busy.
RUN_NICE = 5
_WATCH_EVERY_S = 1.0


@dataclass(frozen=True)
class RunRequest:
    """Everything a child needs; plain picklable values only."""

    models: tuple[tuple[str, ResNetConfig], ...]  # (label, config fitted to the dataset)
    dataset: str  # "digits" | "cifar10"
    input_size: int
    settings: TrainSettings
    threads: int = 1
    cifar_limit: int | None = 5000  # CIFAR-10 images used for training on a CPU (a quarter for testing)
    poll_timeout: float = ORPHAN_AFTER_S


def run_worker(
    request: RunRequest,
    out: multiprocessing.Queue,
    stop: multiprocessing.Event,
    heartbeat: multiprocessing.Value,
) -> None:
    """The child's whole life: load data, train side by side, send records and checkpoints, exit.

    Messages: ("started", seconds), ("progress", Progress), ("epoch", EpochRecord),
    ("checkpoint", (label, bytes, test accuracy)), ("end", (status, message)).
    """
    import torch

    from .data import DatasetUnavailableError, load_dataset

    torch.set_num_threads(request.threads)
    parent = os.getppid()
    t0 = time.perf_counter()
    abandoned = False

    def should_stop() -> bool:
        nonlocal abandoned
        if stop.is_set():
            return True
        if os.getppid() != parent or time.time() - heartbeat.value > request.poll_timeout:
            abandoned = True
            return True
        return False

    last = 0.0

    def progress(p: Progress) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last >= _PROGRESS_EVERY_S or p.step == p.total_steps:
            last = now
            out.put(("progress", p))

    try:
        if should_stop():  # stopped while the interpreter was still starting
            out.put(("end", ("stopped", "stopped before training began")))
            return
        dataset = load_dataset(
            request.dataset, request.input_size, request.settings.seed, limit=request.cifar_limit
        )
        out.put(("started", time.perf_counter() - t0))
        result = train_models(
            list(request.models),
            dataset,
            request.settings,
            on_epoch=lambda r: out.put(("epoch", r)),
            on_progress=progress,
            should_stop=should_stop,
        )
        if abandoned:
            out.put(("end", ("abandoned", "the page that started this run went away; it stopped")))
            return
        for label, config in request.models:
            final = result.final(label)
            if final is None:
                continue
            accuracy = 1.0 - final.test_error
            data = checkpoint_bytes(
                result.models[label],
                config,
                dataset,
                accuracy,
                seed=request.settings.seed,
                epochs=final.epoch,
            )
            out.put(("checkpoint", (label, data, accuracy)))
        out.put(("end", (result.status, result.message)))
    except DatasetUnavailableError as exc:  # a page says this in its reader's words, not the socket's
        out.put(("end", ("unavailable", str(exc))))
    except Exception as exc:  # the parent shows it; a traceback in a server log helps no student
        out.put(("end", ("error", f"{type(exc).__name__}: {exc}")))


class BusyError(RuntimeError):
    """Every training slot on this server is taken."""

    def __init__(self, running: int, cap: int, eta: float | None) -> None:
        self.running, self.cap, self.eta = running, cap, eta
        when = f"; the next one should end in about {eta:.0f} s" if eta is not None else ""
        super().__init__(f"busy: {running} of {cap} training runs are going on this server{when}")


# Why a run was stopped: key -> the library's English words (pages translate the key).
STOP_REASONS = {
    "stopped": "stopped",
    "user": "stopped by you",
    "left": "the page was closed or left",
    "replaced": "replaced by a new run",
    "shutdown": "the server is shutting down",
}


@dataclass
class RunHandle:
    """The parent's view of one run: what has arrived so far, and how to stop it."""

    session: str
    request: RunRequest
    process: multiprocessing.process.BaseProcess
    queue: multiprocessing.Queue
    stop_event: multiprocessing.Event
    heartbeat: multiprocessing.Value
    started_at: float = field(default_factory=time.monotonic)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    # starting | running | done | stopped | diverged | error | abandoned | unavailable (the dataset)
    status: str = "starting"
    message: str = ""
    stop_reason: str | None = None  # a key of STOP_REASONS, so a page can say it in its own language
    stopped_after: tuple[int, int] = (0, 0)  # (steps done, steps in all) when stopped
    history: list[EpochRecord] = field(default_factory=list)
    progress: Progress | None = None
    checkpoints: dict[str, tuple[bytes, float]] = field(default_factory=dict)
    on_finish: object = None  # the registry's release callback
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def finished(self) -> bool:
        return self.status not in ("starting", "running")

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.request.models]

    def eta(self) -> float | None:
        return self.progress.eta if self.progress is not None else None

    def poll(self) -> bool:
        """Take in whatever the child sent; True when something new arrived. Cheap; call often."""
        self.heartbeat.value = time.time()
        changed = False
        with self._lock:
            while True:
                try:
                    kind, payload = self.queue.get_nowait()
                except (queue_module.Empty, EOFError, OSError):
                    break
                changed = True
                self._take(kind, payload)
            # pid is None until start(): a process not yet started is not a dead one
            if not self.finished and self.process.pid is not None and not self.process.is_alive():
                self._drain_after_exit()
        if self.finished:
            self._release()
        return changed

    def _take(self, kind: str, payload: object) -> None:
        """Apply one message from the child (see :func:`run_worker` for the kinds)."""
        if kind == "started":
            if not self.finished:
                self.status = "running"
        elif kind == "progress":
            self.progress = payload
        elif kind == "epoch":
            self.history.append(payload)
        elif kind == "checkpoint":
            label, data, accuracy = payload
            self.checkpoints[label] = (data, accuracy)
        elif kind == "end":
            if self.status != "stopped":  # a stop the user asked for stays a stop
                self.status, self.message = payload

    def _drain_after_exit(self) -> None:
        # The child may have put its last messages just before exiting: read them, then judge.
        try:
            while True:
                kind, payload = self.queue.get(timeout=0.2)
                self._take(kind, payload)
                if kind == "end":
                    return
        except (queue_module.Empty, EOFError, OSError):
            pass
        if self.stop_event.is_set():  # ended by our own stop (terminated while still starting up)
            self.status = "stopped"
            return
        self.status = "error"
        self.message = f"the training process ended unexpectedly (exit code {self.process.exitcode})"

    def stop(self, reason: str = "stopped", timeout: float = 10.0) -> None:
        """Ask the child to stop (it checks before every step), wait for it, then free the slot.

        ``reason`` is a key of STOP_REASONS.

        Reads the queue while waiting: a child cannot exit while its queue's pipe is full.
        """
        if not self.finished and self.stop_reason is None:  # said before the child's "end" can arrive
            self.stop_reason = reason
        self.stop_event.set()
        deadline = time.monotonic() + timeout
        while self.process.is_alive() and time.monotonic() < deadline:
            self.poll()
            self.process.join(0.05)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.poll()
        with self._lock:
            if self.status in ("starting", "running", "stopped"):
                done = self.progress.step if self.progress else 0
                total = self.progress.total_steps if self.progress else 0
                self.status = "stopped"
                self.stop_reason, self.stopped_after = reason, (done, total)
                words = STOP_REASONS[reason]
                self.message = f"{words} after {done} of {total} steps" if total else words
        self._release()

    def _release(self) -> None:
        with self._release_lock:  # the page's thread and the registry's watcher may both get here
            callback, self.on_finish = self.on_finish, None
        if callable(callback):
            # The slot stands for the process's memory: free it only once the process is gone.
            self.process.join(5)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join(2)
            callback(self)


class RunRegistry:
    """The server's training slots. The app uses one per process, :func:`shared_registry`."""

    def __init__(
        self, max_runs: int | None = None, threads: int | None = None, worker: object = None
    ) -> None:
        # ``worker``: the child's function (default :func:`run_worker`); tests pass a quick one
        self.worker = run_worker if worker is None else worker
        self.max_runs = settings.max_training_runs() if max_runs is None else max_runs
        self.threads = settings.train_threads() if threads is None else threads
        self._lock = threading.Lock()
        # Only runs holding a slot are kept here; finished runs (with their checkpoints) belong to
        # the session that started them, so the server keeps nothing once the session ends.
        self._active: dict[str, RunHandle] = {}  # run id -> handle
        self._by_session: dict[str, RunHandle] = {}  # session -> its active run
        self._ctx = multiprocessing.get_context("spawn")  # a fork of a threaded server can deadlock
        # run id -> (handle, is its session still there?, its grace in s, when it was first seen gone)
        self._watched: dict[str, tuple[RunHandle, object, float, float | None]] = {}
        self._watcher: threading.Thread | None = None

    def get(self, session: str) -> RunHandle | None:
        """The session's run while it holds a slot, else None."""
        return self._by_session.get(session)

    def running(self) -> int:
        self._reap()
        return len(self._active)

    def _reap(self) -> None:
        with self._lock:
            handles = list(self._active.values())
        for handle in handles:
            if not handle.process.is_alive():
                handle.poll()

    def _release(self, handle: RunHandle) -> None:
        with self._lock:
            self._active.pop(handle.id, None)
            if self._by_session.get(handle.session) is handle:
                del self._by_session[handle.session]

    def start(self, session: str, request: RunRequest) -> RunHandle:
        """Start ``request`` for ``session``, stopping that session's previous run first.

        Raises BusyError when every slot is taken by other sessions.
        """
        previous = self._by_session.get(session)
        if previous is not None and not previous.finished:
            previous.stop("replaced")
        self._reap()
        with self._lock:
            if len(self._active) >= self.max_runs:
                etas = [h.eta() for h in self._active.values() if h.eta() is not None]
                raise BusyError(len(self._active), self.max_runs, min(etas) if etas else None)
            request = RunRequest(**{**request.__dict__, "threads": self.threads})
            q = self._ctx.Queue()
            stop = self._ctx.Event()
            beat = self._ctx.Value("d", time.time())
            process = self._ctx.Process(
                target=self.worker,
                args=(request, q, stop, beat),
                daemon=True,
                name=f"resnet-explorer-train-{session[:8]}",
            )
            handle = RunHandle(session, request, process, q, stop, beat, on_finish=self._release)
            # Started before it is listed, under the lock: another session's reap must never see a
            # listed run whose process is not alive yet (it would call it dead and kill it).
            process.start()
            # A run is minutes of background work on the cores the students' own clicks need: a
            # lower priority lets the scheduler serve those first and hand the run every idle cycle.
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, process.pid, os.getpriority(os.PRIO_PROCESS, 0) + RUN_NICE)
            self._active[handle.id] = handle
            self._by_session[session] = handle
        return handle

    def watch(self, handle: RunHandle, alive: object, grace_s: float = LEFT_GRACE_S) -> None:
        """Keep ``handle`` going until ``alive()`` has been false for ``grace_s``; then stop it ("left").

        ``alive`` is the UI's question "is this browser session connected?"; the registry's one watcher
        thread asks it every second and polls the run all the while, the grace included (refreshing the
        heartbeat the child checks), so the run depends neither on its page being the one on screen nor
        on its page's script running.
        """
        with self._lock:
            self._watched[handle.id] = (handle, alive, grace_s, None)
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(
                    target=self._watch_loop, daemon=True, name="resnet-explorer-run-watcher"
                )
                self._watcher.start()

    def _watch_loop(self) -> None:
        while True:
            with self._lock:
                items = list(self._watched.items())
                if not items:
                    self._watcher = None
                    return
            for run_id, (handle, alive, grace_s, gone_since) in items:
                try:
                    here = bool(alive())
                except Exception:  # a question that cannot be answered is not a "gone"
                    here = True
                now = time.monotonic()
                if here:
                    gone_since = None
                elif gone_since is None:
                    gone_since = now
                if handle.finished:
                    pass
                elif gone_since is not None and now - gone_since >= grace_s:
                    handle.stop("left")
                else:  # here, or gone perhaps for a moment: the child must not call itself abandoned
                    handle.poll()
                with self._lock:
                    if handle.finished:
                        self._watched.pop(run_id, None)
                    elif run_id in self._watched:
                        self._watched[run_id] = (handle, alive, grace_s, gone_since)
            time.sleep(_WATCH_EVERY_S)

    def shutdown(self) -> None:
        for handle in list(self._active.values()):
            handle.stop("shutdown", timeout=3)


_SHARED: RunRegistry | None = None
_SHARED_LOCK = threading.Lock()


def shared_registry() -> RunRegistry:
    """The server's one registry: a process-wide singleton behind a lock.

    Not in ``st.cache_resource``: any browser can send ``clear_cache``, which empties that cache, and a
    fresh registry would forget the runs holding slots (two runs against a cap of one, issue 11).
    """
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = RunRegistry()
        return _SHARED
