"""The Classify page's panels: pick the weights, pick an image, run the job, draw the outcome.

Decisions live in :mod:`resnet_explorer.classify.session` (pure, unit-tested); the work runs in the
server's one worker process (:func:`resnet_explorer.classify.worker.shared_worker`). What a session
keeps is the outcome of its last job: small display copies, never the uploaded photo's pixels.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import streamlit as st

from ..classify import weights as W
from ..classify.figures import signature, top_figure
from ..classify.images import IMAGE_SUFFIXES, ImageInputError, digit_image
from ..classify.inference import cam_for, class_names, overlay
from ..classify.session import (
    WorkerError,
    cam_class,
    cam_order,
    default_source,
    in_rows,
    model_name,
    refusal_reason,
    run_and_wait,
    source_options,
)
from ..classify.worker import (
    ClassifyJob,
    WeightsSource,
    config_source,
    digits_source,
    imagenet_source,
    lab_source,
    shared_worker,
)
from ..core.checkpoints import CHECKPOINT_SUFFIXES, CheckpointError
from ..core.config import ResNetConfig
from . import uploads
from .session import lang, translator
from .tables import stage_label

__all__ = ["weights_panel", "image_panel", "run_if_changed", "outcome_panel", "steps_panel", "maps_panel"]

_OUTCOME, _SIG, _CLASSES, _CAM = "cls.outcome", "cls.sig", "cls.classes", "cls.cam_class"


@functools.lru_cache(maxsize=2)
def _heldout(seed: int) -> tuple[np.ndarray, np.ndarray]:
    # One read-only copy per process: st.cache_data unpickled both arrays on every rerun of every
    # classifying session, the largest part of the page's own run (bench_load's profile).
    images, labels = W.heldout_digits(W.digits_model_info())
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def weights_panel(config: ResNetConfig) -> WeightsSource | None:
    """The weights radio and what each choice needs; returns the source in use (None: not ready)."""
    tr, language = translator(), lang()
    uploads.install()  # once per server: the bound on uploads held and the sweeper of closed tabs' files
    pretrained = {f"imagenet:{w.version}": w for w in W.available_for(config)}
    digits, trained = digits_source(), st.session_state.get("trained_model")
    options = source_options(list(pretrained), digits is not None, trained is not None)
    cached = [k for k, w in pretrained.items() if w.is_cached()]
    current = st.session_state.get("cls.source")
    chosen = default_source(current, options, cached, digits is not None, trained is not None)
    if chosen != current:
        st.session_state["cls.source"] = chosen

    def label(key: str) -> str:
        if key in pretrained:
            w = pretrained[key]
            return tr(
                "weights.imagenet_option",
                label=w.label,
                acc1=f"{w.acc1:.1f}",
                cached=tr("weights.cached") if w.is_cached() else tr("weights.not_cached"),
            )
        if key == "lab":
            return tr("classify.source.lab", label=trained.label)
        return tr(f"classify.source.{key}")

    explorer = model_name(config, language)
    st.sidebar.caption(
        tr("classify.explorer_model", name=explorer, channels=config.in_channels, size=config.input_size)
    )
    choice = st.radio(tr("classify.source"), options, key="cls.source", format_func=label)
    if not pretrained:
        st.caption(tr("weights.no_imagenet", name=explorer))
    source = None
    if choice in pretrained:
        source = _imagenet(pretrained[choice])
    elif choice == "digits":
        source, info = digits, W.digits_model_info()
        st.caption(
            tr(
                "classify.digits_card",
                acc=f"{info.test_accuracy:.1%}",
                n_test=info.n_test,
                n_train=info.n_train,
                command=info.command,
            )
        )
    elif choice == "lab":
        source = lab_source(trained)
    elif choice == "upload":
        st.caption(tr("classify.ckpt_help", name=explorer))
        ckpt = uploads.uploader(
            tr("classify.ckpt_upload"),
            "cls.ckpt",
            CHECKPOINT_SUFFIXES,
            uploads.checkpoint_limit_mb(),
            "application/octet-stream",
        )
        if ckpt is not None:
            source = config_source("upload", config, ckpt.name, data=ckpt.getvalue(), filename=ckpt.name)
    else:
        seed = st.number_input(tr("classify.seed"), 0, 2**31 - 1, 0, key="cls.seed")
        source = config_source("random", config, tr("classify.random_label", seed=seed), seed=int(seed))
        st.warning(tr("classify.untrained"), icon=":material/warning:")
    if source is not None:
        shown = tr("classify.digits_label") if source.kind == "digits" else source.label
        st.info(
            tr(
                "classify.in_use",
                label=shown,
                model=model_name(source.config, language),
                size=source.config.input_size,
                channels=source.config.in_channels,
            ),
            icon=":material/memory:",
        )
    return source


def _imagenet(w: W.PretrainedWeights) -> WeightsSource | None:
    """torchvision's weights if on disk; else what to do (a command for ahead of class, a button)."""
    if w.is_cached():
        return imagenet_source(w)
    tr = translator()
    st.warning(
        tr("weights.offline", label=w.label, file=w.file_name, url=w.url), icon=":material/cloud_download:"
    )
    st.code(W.download_command(w), language="bash")
    if st.button(tr("weights.download_button", mb=f"{w.file_size_mb:.0f}"), key="cls.download"):
        bar = st.progress(0.0, text=tr("weights.downloading", label=w.label))

        def progress(done: int, total: int) -> None:
            text = tr("weights.progress", done=f"{done / 2**20:.1f}", total=f"{total / 2**20:.1f}")
            bar.progress(min(done / total if total else 0.0, 1.0), text=text)

        try:
            W.download(w, progress)
        except OSError:
            # The library's message names server paths and the raw socket error: not for a class.
            bar.empty()
            st.error(tr("weights.download_failed_offline", label=w.label), icon=":material/block:")
            st.code(W.download_command(w), language="bash")
        else:
            st.rerun()
    return None


def image_panel(source: WeightsSource | None) -> dict[str, Any]:
    """The image input (sample, upload, camera); returns the job's input fields ({} when none yet)."""
    tr = translator()
    mode = st.segmented_control(
        tr("classify.input"),
        ["sample", "upload", "camera"],
        key="cls.input",
        format_func=lambda k: tr(f"classify.input.{k}"),
        default="sample",
    )
    if mode == "upload":
        up = uploads.uploader(
            tr("classify.image_upload"), "cls.image", IMAGE_SUFFIXES, uploads.IMAGE_LIMIT_MB, "image/*"
        )
        return {"image": up.getvalue()} if up is not None else {}
    if mode == "camera":
        shot = st.camera_input(tr("classify.camera"), key="cls.camera")
        return {"image": shot.getvalue()} if shot is not None else {}
    info = W.digits_model_info()
    if source is not None and source.prep == "digits" and info is not None:
        images, labels = _heldout(info.seed)
        idx = st.selectbox(
            tr("classify.digit_sample"),
            range(min(len(labels), 60)),
            key="cls.digit",
            format_func=lambda i: tr("classify.digit_option", i=i, label=int(labels[i])),
        )
        st.image(
            digit_image(images[idx], 8),
            caption=tr("classify.digit_truth", label=int(labels[idx])),
            alt=tr("alt.classify.digit", label=int(labels[idx])),
        )
        return {"digit": tuple(float(v) for v in images[idx].ravel())}
    photo = st.selectbox(tr("classify.photo_sample"), ["china.jpg", "flower.jpg"], key="cls.photo")
    return {"sample_photo": photo}


def run_if_changed(source: WeightsSource | None, job_input: dict[str, Any]) -> None:
    """Run the job in the shared worker when anything it depends on changed since the last run."""
    if source is None or not job_input:
        return
    sig = signature(source.kind, source.label, source.config, source.seed, source.data, *job_input.values())
    if st.session_state.get(_SIG) == sig:
        return
    tr, status = translator(), st.empty()

    def tick(ahead: int) -> None:  # touching an element every tick: a closed tab raises here
        status.info(
            tr("classify.queued", n=ahead) if ahead else tr("classify.running"),
            icon=":material/hourglass_top:",
        )

    kind, outcome = run_and_wait(shared_worker(), ClassifyJob(source=source, **job_input), tick)
    status.empty()
    st.session_state[_OUTCOME] = (kind, outcome)
    st.session_state[_SIG] = sig
    st.session_state[_CLASSES] = source.classes
    if kind == "ok":  # a new prediction: the activation map starts at its top-1, not the last pick
        st.session_state[_CAM] = outcome.result.top[0][0]


def outcome_panel(source: WeightsSource | None, job_input: dict[str, Any]) -> bool:
    """The prediction, the top-5 and the activation map, or the refusal; True when a result is shown."""
    tr, language = translator(), lang()
    kind, outcome = st.session_state.get(_OUTCOME, (None, None))
    if source is None or not job_input or kind is None:
        st.info(tr("classify.waiting"), icon=":material/touch_app:")
        return False
    if kind == "error":
        _refusal(outcome)
        return False
    result, classes = outcome.result, st.session_state[_CLASSES]
    names = class_names(classes, language)
    unlike = False  # a photo unlike the digits the model learned from: its answer is only a guess
    for code, values in outcome.notes:
        if code == "unlike_digits":
            unlike = True
            st.warning(tr("classify.note.unlike_digits", **values), icon=":material/help:")
        else:
            st.caption(":material/info: " + tr(f"classify.note.{code}", **values))
    best, p = result.top[0]
    cols = st.columns([1, 1.7, 0.8])  # the time's label is the longest
    if unlike:  # no digit named: the chart below still shows what it would guess
        cols[0].metric(tr("classify.top1"), tr("classify.unlike_value"))
    else:
        cols[0].metric(tr("classify.top1"), names[best], f"{p:.1%}", delta_color="off")
    cols[1].metric(tr("classify.time"), f"{result.elapsed_ms:.1f} ms")
    cols[2].metric(tr("classify.threads"), result.threads)
    if language == "zh" and source.kind == "imagenet":
        st.caption(tr("classify.english_only"))
    chart, cam = st.columns([3, 2])
    top5 = tr("cfg.list_sep").join(f"{names[i]} {q:.1%}" for i, q in result.top[:5])
    chart.plotly_chart(
        top_figure(result, classes, language), key="cls.top5", alt=tr("alt.classify.top5", classes=top5)
    )
    with cam:
        picked = st.selectbox(
            tr("classify.cam_class"),
            cam_order(result.top, len(classes)),
            key=_CAM,
            format_func=lambda i: f"{names[i]} ({result.probs[i]:.1%})",
        )
        picked = cam_class(picked, len(classes), best)
        encoded = outcome.pictures.cams.get(picked)  # the worker drew the top-k; any other here
        st.image(
            encoded if encoded is not None else overlay(outcome.display, cam_for(result, picked)),
            caption=tr("classify.cam_caption", name=names[picked]),
            alt=tr("alt.classify.cam", name=names[picked]),
            width="stretch",
        )
    st.caption(tr("classify.cam_explain"))
    return True


def _refusal(exc: Exception) -> None:
    tr, language = translator(), lang()
    if isinstance(exc, CheckpointError):
        st.error(
            tr("classify.ckpt_refused", reason=refusal_reason(exc, "classify.ckpterr", language)),
            icon=":material/block:",
        )
        if language != "en":  # the file-specific detail exists in English only; say so
            with st.expander(tr("classify.detail_english")):
                st.code(str(exc), language=None, wrap_lines=True)
        if exc.rows:
            st.dataframe(
                [
                    {
                        tr("classify.col.key"): r.key,
                        tr("classify.col.expected"): r.expected,
                        tr("classify.col.got"): r.got,
                        tr("classify.col.problem"): tr(f"classify.problem.{r.problem}"),
                    }
                    for r in exc.rows
                ],
                hide_index=True,
                key="cls.keytable",
            )
            if exc.values.get("total", 0) > len(exc.rows):
                st.caption(tr("classify.keytable_cut", shown=len(exc.rows), total=exc.values["total"]))
    elif isinstance(exc, ImageInputError):
        st.error(
            tr("classify.image_refused", reason=refusal_reason(exc, "classify.imgerr", language)),
            icon=":material/hide_image:",
        )
    elif isinstance(exc, WorkerError):  # the worker died or hung: a sentence and a retry
        st.warning(tr(f"classify.worker.{exc.code}", **exc.values), icon=":material/restart_alt:")
        st.button(tr("classify.retry"), key="cls.retry", on_click=_retry, icon=":material/refresh:")
    else:
        st.error(tr("classify.failed", reason=str(exc)), icon=":material/block:")


def _retry() -> None:
    st.session_state.pop(_SIG, None)  # the same job runs again on this rerun (run_if_changed)


def steps_panel() -> None:
    """The preprocessing, one picture per step, in order."""
    tr = translator()
    kind, outcome = st.session_state.get(_OUTCOME, (None, None))
    if kind != "ok":
        return
    st.subheader(tr("classify.steps"))
    per_row = min(5, len(outcome.steps))
    for row in in_rows(len(outcome.steps), per_row):
        for col, n in zip(st.columns(per_row), row, strict=False):
            step = outcome.steps[n]
            shape = "×".join(map(str, step.shape))
            words = tr(f"classify.step.{step.code}", **step.values)
            col.image(
                outcome.pictures.steps[n],
                caption=f"{words} · {shape}",
                alt=tr("alt.classify.step", step=words),
                width="stretch",
            )


def maps_panel() -> None:
    """The feature maps after the stem and each stage, in stage order on any screen width."""
    tr = translator()
    kind, outcome = st.session_state.get(_OUTCOME, (None, None))
    if kind != "ok":
        return
    stages = outcome.result.stages
    st.subheader(tr("classify.maps"))
    st.caption(tr("classify.maps_explain"))
    per_row = min(3, len(stages))
    for row in in_rows(len(stages), per_row):
        for col, n in zip(st.columns(per_row), row, strict=False):
            stage = stages[n]
            c, h, w = stage.shape
            col.image(
                outcome.pictures.maps[n],
                width="stretch",
                alt=tr(
                    "alt.classify.map",
                    stage=stage_label(stage.name),
                    channels=", ".join(map(str, stage.channels)),
                ),
                caption=tr(
                    "classify.map_caption",
                    stage=stage_label(stage.name),
                    c=c,
                    h=h,
                    w=w,
                    channels=", ".join(map(str, stage.channels)),
                ),
            )
