"""The Classify page's policy (classify.session), one decision at a time, without Streamlit."""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future

import pytest

from resnet_explorer.classify.images import ImageInputError
from resnet_explorer.classify.session import (
    cam_class,
    cam_order,
    default_source,
    display_name,
    in_rows,
    model_name,
    refusal_reason,
    run_and_wait,
    source_options,
)
from resnet_explorer.core.config import PRESETS
from resnet_explorer.i18n import t


def test_source_options_in_radio_order():
    assert source_options(["imagenet:V1", "imagenet:V2"], True, True) == [
        "imagenet:V1",
        "imagenet:V2",
        "digits",
        "lab",
        "upload",
        "random",
    ]
    assert source_options([], False, False) == ["upload", "random"]


@pytest.mark.parametrize(
    ("current", "cached", "digits", "lab", "expected"),
    [
        ("random", ["imagenet:V1"], True, True, "random"),  # the user's pick stays while offered
        ("lab", [], True, False, "digits"),  # the lab's model went away: fall back
        (None, ["imagenet:V1"], True, True, "lab"),  # a model just trained comes first
        (None, ["imagenet:V1", "imagenet:V2"], True, False, "imagenet:V2"),  # newest weights on disk
        (None, [], True, False, "digits"),  # offline: the shipped digits model
        (None, [], False, False, "imagenet:V1"),  # nothing ready: the first option
    ],
)
def test_default_source(current, cached, digits, lab, expected):
    options = source_options(["imagenet:V1", "imagenet:V2"], digits, lab)
    assert default_source(current, options, cached, digits, lab) == expected


class _Pool:
    """A stand-in worker whose job finishes on the ``finish_at``-th poll (never, if None)."""

    def __init__(self, queued_before: int, finish_at: int | None, result=None, error=None) -> None:
        self.queued, self.finish_at, self.result, self.error = queued_before, finish_at, result, error
        self.future: Future | None = None
        self.polls = 0

    def submit(self, job) -> Future:
        self.future = Future()
        return self.future

    def pending(self) -> int:
        n = self.queued + (self.future is not None and not self.future.done())
        if self.future is not None:
            self.polls += 1
            if self.polls == self.finish_at:
                self.future.set_running_or_notify_cancel()
                if self.error is not None:
                    self.future.set_exception(self.error)
                else:
                    self.future.set_result(self.result)
            self.queued = max(0, self.queued - 1)  # the job ahead finishes meanwhile
        return n


def test_run_and_wait_reports_jobs_ahead_then_the_result():
    pool, ticks = _Pool(queued_before=2, finish_at=4, result="outcome"), []
    assert run_and_wait(pool, "job", ticks.append, interval_s=0) == ("ok", "outcome")
    assert ticks[0] == 0  # drawn before submitting
    assert ticks[1] == 2 and ticks[-1] == 0, ticks  # two ahead, then none


def test_run_and_wait_returns_a_refusal_and_lets_a_bug_through():
    refused = ImageInputError("empty", "the file is empty")
    assert run_and_wait(_Pool(0, 1, error=refused), "job", lambda n: None, interval_s=0) == ("error", refused)
    with pytest.raises(ZeroDivisionError):
        run_and_wait(_Pool(0, 1, error=ZeroDivisionError()), "job", lambda n: None, interval_s=0)


def test_a_closed_tab_cancels_the_queued_job():
    pool = _Pool(queued_before=3, finish_at=None)
    calls = []

    def tick(n: int) -> None:
        calls.append(n)
        if len(calls) == 2:  # Streamlit raises from an element call once the browser has gone
            raise RuntimeError("session closed")

    with pytest.raises(RuntimeError):
        run_and_wait(pool, "job", tick, interval_s=0)
    assert pool.future.cancelled(), "a job nobody waits for must not run"


def test_refusal_reason_in_each_language():
    exc = ImageInputError(
        "too_small", "the image is 1×1 px; allowed at least 8×8.", {"width": 1, "height": 1, "min": 8}
    )
    assert refusal_reason(exc, "classify.imgerr", "en") == str(exc)
    zh = refusal_reason(exc, "classify.imgerr", "zh")
    assert zh == t("classify.imgerr.too_small", "zh", width=1, height=1, min=8) and "1×1" in zh
    unknown = ImageInputError("never_heard_of", "plain English")
    assert refusal_reason(unknown, "classify.imgerr", "zh") == "plain English"
    assert refusal_reason(ValueError("no code"), "classify.imgerr", "zh") == "no code"


def test_cam_order_is_the_top_k_then_every_other_class():
    order = cam_order([(5, 0.5), (2, 0.3), (7, 0.1)], 8)
    assert order == [5, 2, 7, 0, 1, 3, 4, 6]
    assert sorted(order) == list(range(8))


def test_cam_class_falls_back_to_the_top1_for_a_stale_pick():
    assert cam_class(3, 10, best=7) == 3
    assert cam_class(238, 10, best=7) == 7  # an ImageNet class after switching to the digits model
    assert cam_class(None, 10, best=7) == 7


def test_models_are_named_as_what_they_are():
    from resnet_explorer.classify import weights as W

    assert display_name("resnet20") == "ResNet-20" and display_name("plain56") == "plain-56"
    assert model_name(PRESETS["resnet18"], "en") == "ResNet-18"
    info = W.digits_model_info()
    assert info is not None, "the shipped digits model is missing"
    # The card says ResNet-20 on one 16×16 channel (the paper's CIFAR net reads 3×32×32).
    assert model_name(info.config, "en") == "ResNet-20 · CIFAR layout"
    assert model_name(info.config, "zh") == "ResNet-20 · CIFAR 结构"
    wider = dataclasses.replace(PRESETS["resnet18"], width=32)
    assert model_name(wider, "en") == "a custom configuration (nearest preset: ResNet-18)"


def test_rows_keep_stage_order():
    rows = in_rows(5, 3)
    assert [list(r) for r in rows] == [[0, 1, 2], [3, 4]]
    assert [i for r in in_rows(7, 2) for i in r] == list(range(7))
    with pytest.raises(ValueError, match="per_row"):
        in_rows(3, 0)
