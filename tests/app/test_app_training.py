"""The Training lab page through AppTest: gradient flow first, bad settings refused, a short run, hand-off."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from helpers import open_app, run_to_the_end
from streamlit.testing.v1 import AppTest

from resnet_explorer.core.config import PRESETS
from resnet_explorer.train.loop import TrainedModel, TrainSettings, load_trained_model
from resnet_explorer.train.runs import BusyError, RunRequest, shared_registry

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/Training_lab.py"


def fresh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_opens_with_gradient_flow_and_the_paper_recipe():
    at = fresh()
    captions = " ".join(c.value for c in at.caption)
    assert "plain-56 and ResNet-56" in captions and "SGD, momentum 0.9" in captions
    # the two gradient-flow charts come before any training
    assert len(at.get("plotly_chart")) == 2
    assert at.number_input(key="train.epochs").value == 8 and at.number_input(key="train.seed").value == 0
    assert not at.button(key="train.start").disabled and at.button(key="train.stop").disabled


@pytest.mark.parametrize(
    "key, value, field",
    [
        ("train.epochs", 0, "epochs"),
        ("train.epochs", -5, "epochs"),
        ("train.batch_size", 100_000, "batch_size"),
        ("train.lr", 1e6, "lr"),
        ("train.lr", -0.1, "lr"),
    ],
)
def test_bad_settings_get_a_message_and_no_run(key, value, field):
    at = fresh()
    at.number_input(key=key).set_value(value).run()
    errors = " ".join(e.value for e in at.error)
    assert f"Cannot start: {field}: got" in errors, errors
    assert at.button(key="train.start").disabled
    assert "train.handle" not in at.session_state


def test_a_short_run_shows_curves_words_downloads_and_hands_off_to_classify():
    at = fresh()
    at.selectbox(key="train.depth").set_value(20)
    at.checkbox(key="train.reference").uncheck()
    at.selectbox(key="train.input_size").set_value(8)
    at.number_input(key="train.epochs").set_value(2)
    at.number_input(key="train.batch_size").set_value(128)
    at.run()
    run_to_the_end(at.button(key="train.start").click().run())
    assert not at.exception, [e.value for e in at.exception]
    handle = at.session_state["train.handle"]
    assert handle.status == "done", handle.message
    assert [r.label for r in handle.history] == ["plain-20", "ResNet-20"] * 2
    assert any("Finished in" in s.value for s in at.success)
    words = " ".join(m.value for m in at.markdown)
    final = {r.label: r for r in handle.history if r.epoch == 2}
    # the sentence carries the curves' own final numbers
    assert f"{100 * final['ResNet-20'].train_error:.1f}% training error" in words, words
    assert "Held-out test error at the end" in words
    at.button(key="train.use.1").click().run()
    trained = at.session_state["trained_model"]
    # the hand-off is a typed object (issue 8), not a dict read back by key
    assert isinstance(trained, TrainedModel)
    assert trained.label == "ResNet-20" and trained.dataset == "digits" and trained.input_size == 8
    assert trained.classes == [str(d) for d in range(10)]
    assert load_trained_model(trained.checkpoint).config == trained.config


def test_cifar_offline_is_said_on_the_page(monkeypatch, tmp_path):
    monkeypatch.setenv("RESNET_EXPLORER_DATA", str(tmp_path))  # no local copy

    def refuse(*_a, **_k):
        raise OSError("network unreachable (mocked)")

    monkeypatch.setattr("socket.create_connection", refuse)
    at = fresh()
    at.radio(key="train.dataset").set_value("cifar10").run()
    warnings = " ".join(w.value for w in at.warning)
    assert "this server cannot reach the site it downloads from" in warnings, warnings
    assert "gaierror" not in warnings and "mocked" not in warnings, warnings  # words, not the error
    assert at.button(key="train.start").disabled


def test_a_read_only_data_folder_is_said_on_the_page_not_as_offline(monkeypatch):
    from pathlib import Path

    from resnet_explorer import settings

    # The default folder, unwritable (a teacher's RESNET_EXPLORER_DATA is refused at start instead).
    monkeypatch.setattr(settings, "data_root", lambda: Path("/proc/self"))
    at = fresh()
    at.radio(key="train.dataset").set_value("cifar10").run()
    warnings = " ".join(w.value for w in at.warning)
    assert "its data folder cannot be written" in warnings and "/proc/self" in warnings, warnings
    assert "needs internet" not in warnings
    assert at.button(key="train.start").disabled


def _tiny_request(epochs: int, poll_timeout: float = 20.0) -> RunRequest:
    def tiny(shortcut: str):
        return dataclasses.replace(
            PRESETS["resnet20"], stages=(1, 1, 1), shortcut=shortcut, in_channels=1, input_size=8
        )

    return RunRequest(
        models=(("plain-8", tiny("none")), ("ResNet-8", tiny("A"))),
        dataset="digits",
        input_size=8,
        settings=TrainSettings(epochs=epochs, batch_size=64),
        poll_timeout=poll_timeout,
    )


def _wait(handle, until, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not until(handle) and time.monotonic() < deadline:
        handle.poll()
        time.sleep(0.1)
    assert until(handle), (handle.status, handle.message)


def _start(session: str, request: RunRequest, timeout: float = 300.0):
    """Start a run in the server-wide registry, waiting while an earlier test's run still holds the
    slot (this machine allows one run at a time; a finished run frees it a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return shared_registry().start(session, request)
        except BusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _drain(handle) -> None:
    seen, quiet = len(handle.history), 0
    while quiet < 10:
        handle.poll()
        quiet = quiet + 1 if len(handle.history) == seen else 0
        seen = len(handle.history)
        time.sleep(0.05)


def test_a_stopped_run_draws_its_curves_and_says_where_it_stopped_but_concludes_nothing():
    at = fresh()
    handle = _start("apptest-stopped", _tiny_request(epochs=50))
    _wait(handle, lambda h: len(h.history) >= 4)  # two epochs of both nets
    handle.stop("user")
    # The child is gone, but epochs it sent just before may still wait in the pipe: read them all,
    # so the page and this test see the same last epoch.
    _drain(handle)
    k, n = handle.progress.epoch, 50
    at.session_state["train.handle"] = handle
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart")  # the curves so far
    assert handle.progress.epoch == k
    infos = " ".join(i.value for i in at.info)
    assert f"stopped at epoch {k} of {n}" in infos and "No conclusions" in infos, infos
    conclusions = [m.value for m in at.markdown if m.value.startswith("- ")]  # result_sentences' bullets
    assert conclusions == [], conclusions
    zh = open_app(PAGE, {"lang": "zh"}, timeout=300).run()
    zh.session_state["train.handle"] = handle
    zh.run()
    infos = " ".join(i.value for i in zh.info)
    assert f"本次训练停在第 {k} 轮（共 {n} 轮）" in infos, infos
    assert [m.value for m in zh.markdown if m.value.startswith("- ")] == []


def test_a_run_belongs_to_the_session_switch_to_the_explorer_and_back():
    at = fresh()
    # what Start does: a run in the shared registry, watched while the session is connected
    handle = _start(at.session_state["train.session"], _tiny_request(epochs=4, poll_timeout=3.0))
    shared_registry().watch(handle, lambda: True)
    at.session_state["train.handle"] = handle
    at.switch_page("pages/explorer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    time.sleep(4.0)  # longer than an unpolled child waits before calling itself abandoned
    assert handle.status in ("starting", "running", "done"), (handle.status, handle.message)
    run_to_the_end(at.switch_page(PAGE).run())  # back: the page picks the run up, draws it to its end
    assert not at.exception, [e.value for e in at.exception]
    assert handle.status == "done", (handle.status, handle.message)
    assert [(r.label, r.epoch) for r in handle.history][-2:] == [("plain-8", 4), ("ResNet-8", 4)]
    assert at.get("plotly_chart") and any("Finished in" in s.value for s in at.success)


def test_the_registry_survives_a_clients_clear_cache():
    at = fresh()
    before = shared_registry()
    import streamlit as st

    st.cache_resource.clear()
    at.run()
    assert not at.exception and shared_registry() is before


@pytest.mark.parametrize(
    "lang, words", [("en", "too large for the gradient-flow worker"), ("zh", "对梯度流工作进程来说太大")]
)
def test_gradient_flow_for_the_explorers_model_is_capped_with_a_clear_message(monkeypatch, lang, words):
    from resnet_explorer.train import lab

    monkeypatch.setattr(lab, "FLOW_MAX_BYTES", 2 * 2**20)  # ResNet-18, 8 px, 128 images: more
    at = open_app(PAGE, {"lang": lang}, timeout=300).run()
    at.segmented_control(key="train.pair").set_value("explorer").run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert words in warnings and "2 MB" in warnings and "GiB" not in warnings, warnings
    assert len(at.get("plotly_chart")) == 0  # nothing computed in the server process


def test_the_recipe_line_names_the_device_in_words_in_both_languages():
    for lang, words in (("en", "on the CPU."), ("zh", "设备：CPU。")):
        at = open_app(PAGE, {"lang": lang}, timeout=300).run()
        captions = " ".join(c.value for c in at.caption)
        assert words in captions, captions  # not the torch device's own name, "cpu"


def test_a_failed_cifar_download_in_the_run_is_said_in_words_not_the_socket_error(monkeypatch):
    """The probe can pass and the download still fail in the child: the run ends "unavailable" and the
    page says so in the reader's language, without the library's text (``gaierror`` and the like)."""
    import multiprocessing

    from resnet_explorer.train import data
    from resnet_explorer.train.runs import RunHandle, run_worker

    detail = "socket.gaierror: [Errno -3] Temporary failure in name resolution"

    def fail(*_a, **_k):
        raise data.DatasetUnavailableError(f"CIFAR-10 needs internet; not reachable or incomplete ({detail})")

    monkeypatch.setattr(data, "load_dataset", fail)
    ctx = multiprocessing.get_context("spawn")
    out, stop, beat = ctx.Queue(), ctx.Event(), ctx.Value("d", time.time())
    run_worker(_tiny_request(epochs=1), out, stop, beat)
    kind, (status, message) = out.get(timeout=10)
    assert (kind, status) == ("end", "unavailable") and "gaierror" in message  # the detail, for the log
    for lang, words in (("en", "could not get CIFAR-10"), ("zh", "没能取得 CIFAR-10")):
        handle = RunHandle("s", _tiny_request(epochs=1), ctx.Process(), out, stop, beat)
        handle.status, handle.message = status, message
        at = open_app(PAGE, {"lang": lang}, timeout=300).run()
        at.session_state["train.handle"] = handle
        at.run()
        errors = " ".join(e.value for e in at.error)
        assert words in errors and "gaierror" not in errors and "Errno" not in errors, errors
