"""Lab runs in spawned processes: results arrive, stop works, the cap holds, abandoned runs end."""

from __future__ import annotations

import dataclasses
import time

import pytest

from resnet_explorer.core.config import PRESETS
from resnet_explorer.train.loop import TrainSettings, load_trained_model
from resnet_explorer.train.runs import BusyError, RunRegistry, RunRequest


def tiny(shortcut: str = "A"):
    return dataclasses.replace(PRESETS["resnet20"], stages=(1, 1, 1), shortcut=shortcut, in_channels=1,
                               input_size=8)


def request(epochs: int = 2, **kw) -> RunRequest:
    return RunRequest(models=(("plain-8", tiny("none")), ("ResNet-8", tiny())), dataset="digits",
                      input_size=8, settings=TrainSettings(epochs=epochs, batch_size=64), **kw)


def wait(handle, until, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not until(handle):
        if time.monotonic() > deadline:
            handle.stop()
            pytest.fail(f"timed out waiting; status {handle.status!r} {handle.message!r}")
        handle.poll()
        time.sleep(0.1)


@pytest.fixture
def registry():
    reg = RunRegistry(max_runs=1, threads=1)
    yield reg
    reg.shutdown()


def test_a_run_delivers_curves_and_checkpoints(registry):
    h = registry.start("s1", request())
    assert registry.get("s1") is h and registry.running() == 1
    wait(h, lambda h: h.finished)
    assert h.status == "done", h.message
    assert [(r.label, r.epoch) for r in h.history] == [("plain-8", 1), ("ResNet-8", 1), ("plain-8", 2),
                                                      ("ResNet-8", 2)]
    assert h.progress.step == h.progress.total_steps
    for label in h.labels:
        data, accuracy = h.checkpoints[label]
        loaded = load_trained_model(data)
        assert loaded.config.input_size == 8 and loaded.dataset == "digits"
        assert accuracy == pytest.approx(1 - [r for r in h.history if r.label == label][-1].test_error)
    assert registry.running() == 0 and registry.get("s1") is None
    assert not h.process.is_alive()


def test_stop_ends_the_process_and_frees_the_slot(registry):
    h = registry.start("s1", request(epochs=100))
    wait(h, lambda h: h.progress is not None)
    t0 = time.monotonic()
    h.stop("user")
    took = time.monotonic() - t0
    assert h.status == "stopped" and "stopped by you after" in h.message
    # the page words the stop in its own language from these, not from the English message
    assert h.stop_reason == "user" and h.stopped_after[1] == h.progress.total_steps
    assert not h.process.is_alive() and h.process.exitcode == 0, (h.process.exitcode, took)
    assert registry.running() == 0
    assert h.progress.step < h.progress.total_steps


def test_busy_cap_and_one_run_per_session(registry):
    first = registry.start("alice", request(epochs=100))
    with pytest.raises(BusyError, match=r"busy: 1 of 1 training runs"):
        registry.start("bob", request())
    # the same session starting again replaces its own run instead of queueing behind it
    second = registry.start("alice", request(epochs=100))
    assert first.status == "stopped" and "replaced by a new run" in first.message
    assert not first.process.is_alive() and registry.running() == 1
    second.stop()
    bob = registry.start("bob", request(epochs=1))
    wait(bob, lambda h: h.finished)
    assert bob.status == "done"


def test_an_abandoned_run_stops_itself(registry):
    h = registry.start("gone", request(epochs=100, poll_timeout=1.0))
    wait(h, lambda h: h.progress is not None)
    time.sleep(3.0)  # nobody polls: the heartbeat goes stale
    h.process.join(60)
    assert not h.process.is_alive()
    h.poll()
    assert h.status == "abandoned", (h.status, h.message)
    assert registry.running() == 0


def test_failure_in_the_child_is_reported(registry):
    h = registry.start("s1", dataclasses.replace(request(), dataset="mnist"))
    wait(h, lambda h: h.finished)
    assert h.status == "error" and "dataset: got 'mnist'" in h.message
    assert registry.running() == 0
