"""The classify worker when things go wrong (issue 26 §4): it ends with its server, a worker that dies
or hangs under a job gives the page a sentence and a retry, and the next job gets a fresh worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from resnet_explorer.classify.session import WorkerError, run_and_wait
from resnet_explorer.classify.worker import ClassifyJob, ClassifyWorker, digits_source

ROOT = Path(__file__).resolve().parents[2]


class _Pool:
    """A stand-in worker: ``submit`` hands back the future the test made."""

    def __init__(self, future: Future) -> None:
        self.future, self.restarts = future, 0

    def submit(self, job) -> Future:
        return self.future

    def pending(self) -> int:
        return 0 if self.future.done() else 1

    def restart(self) -> None:
        self.restarts += 1


def test_a_worker_that_died_under_the_job_is_a_sentence_not_a_crash() -> None:
    future: Future = Future()
    future.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
    kind, error = run_and_wait(_Pool(future), object(), lambda ahead: None)
    assert kind == "error" and isinstance(error, WorkerError) and error.code == "gone"


def test_a_hung_job_times_out_and_the_worker_is_restarted() -> None:
    pool = _Pool(Future())  # never finishes
    ticks = []
    kind, error = run_and_wait(pool, object(), ticks.append, interval_s=0.01, timeout_s=0.2)
    assert kind == "error" and error.code == "timeout" and error.values == {"s": "0"}
    assert pool.restarts == 1 and ticks


def _digit_job() -> ClassifyJob:
    source = digits_source()
    assert source is not None, "the shipped digits model is missing"
    return ClassifyJob(source=source, digit=tuple(float(v % 17) for v in range(64)))


def test_a_killed_worker_is_said_and_the_next_job_gets_a_new_one() -> None:
    worker = ClassifyWorker(max_workers=1, threads=1)
    try:
        kind, outcome = run_and_wait(worker, _digit_job(), lambda ahead: None)
        assert kind == "ok", outcome
        (pid,) = worker._executor._processes  # the one worker process
        os.kill(pid, signal.SIGKILL)  # what the kernel's OOM killer does
        deadline = time.monotonic() + 30
        kind, error = run_and_wait(worker, _digit_job(), lambda ahead: None)
        while kind == "ok" and time.monotonic() < deadline:  # the pool may not have noticed yet
            kind, error = run_and_wait(worker, _digit_job(), lambda ahead: None)
        assert kind == "error" and isinstance(error, WorkerError) and error.code == "gone", error
        kind, outcome = run_and_wait(worker, _digit_job(), lambda ahead: None)  # the retry
        assert kind == "ok", outcome
        assert pid not in worker._executor._processes
    finally:
        worker.shutdown()


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # exited, waiting for init to reap it


@pytest.mark.slow
def test_the_worker_ends_when_its_server_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, time
            from resnet_explorer.classify.worker import ClassifyWorker
            w = ClassifyWorker(max_workers=1, threads=1)
            w._pool()
            print(*w._executor._processes, flush=True)
            time.sleep(600)
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's library, whatever is installed
    server = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    try:
        worker = int(server.stdout.readline())
        assert not _gone(worker)
        server.send_signal(signal.SIGKILL)  # no atexit, no executor shutdown: only the worker's watch
        server.wait(10)
        deadline = time.monotonic() + 30
        while not _gone(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _gone(worker), f"worker {worker} outlived its SIGKILLed server"
    finally:
        if server.poll() is None:
            server.kill()
        leftover = locals().get("worker")
        if isinstance(leftover, int) and not _gone(leftover):
            os.kill(leftover, signal.SIGKILL)


class _BrokenOnce:
    """A worker whose first job dies under it (as a SIGKILLed process's does), then works."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, job) -> Future:
        from resnet_explorer.classify.worker import run_job

        self.calls += 1
        future: Future = Future()
        if self.calls == 1:
            future.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
        else:
            future.set_result(run_job(job))  # in this process: the retry's job, for real
        return future

    def pending(self) -> int:
        return 0

    def restart(self) -> None:
        pass


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_says_so_and_a_retry_runs_the_job_again(monkeypatch, lang: str) -> None:
    from helpers import open_app

    from resnet_explorer.classify import worker
    from resnet_explorer.i18n import t

    fake = _BrokenOnce()
    monkeypatch.setattr(worker, "_shared", fake)
    at = open_app("pages/Classify.py", {"preset": "resnet18", "lang": lang}, timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.warning] == [t("classify.worker.gone", lang)]
    at.button(key="cls.retry").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert fake.calls == 2 and not at.warning
    assert at.metric, "no result after the retry"
