"""The Training lab page through AppTest: gradient flow first, bad settings refused, a short run, hand-off."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from resnet_explorer.train.loop import load_trained_model

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/training_lab.py"


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


@pytest.mark.parametrize("key, value, field", [("train.epochs", 0, "epochs"), ("train.epochs", -5, "epochs"),
                                               ("train.batch_size", 100_000, "batch_size"),
                                               ("train.lr", 1e6, "lr"), ("train.lr", -0.1, "lr")])
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
    at.button(key="train.start").click().run()
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
    assert set(trained) == {"label", "config", "safetensors", "dataset", "input_size", "mean", "std",
                            "classes"}
    assert trained["label"] == "ResNet-20" and trained["dataset"] == "digits" and trained["input_size"] == 8
    assert trained["classes"] == [str(d) for d in range(10)]
    assert load_trained_model(trained["safetensors"]).config == trained["config"]


def test_cifar_offline_is_said_on_the_page(monkeypatch, tmp_path):
    monkeypatch.setenv("RESNET_EXPLORER_DATA", str(tmp_path))  # no local copy

    def refuse(*_a, **_k):
        raise OSError("network unreachable (mocked)")
    monkeypatch.setattr("socket.create_connection", refuse)
    at = fresh()
    at.radio(key="train.dataset").set_value("cifar10").run()
    warnings = " ".join(w.value for w in at.warning)
    assert "CIFAR-10 needs internet; not reachable" in warnings, warnings
    assert at.button(key="train.start").disabled
