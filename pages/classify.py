"""Classify: a real image through the model you built, with real weights, safely.

Thin page: the library prepares, loads and classifies (``resnet_explorer.classify.worker``) in one bounded
worker process shared by every session (started with a blank ``__main__``, so it never imports
this script); this script picks inputs and draws the outcome.
"""

import time

import numpy as np
import streamlit as st

from resnet_explorer import ui
from resnet_explorer.classify import weights as W
from resnet_explorer.classify.figures import signature, top_figure
from resnet_explorer.classify.images import IMAGE_SUFFIXES, ImageInputError, digit_image
from resnet_explorer.classify.inference import cam_for, class_names, feature_grid, overlay
from resnet_explorer.classify.worker import (
    ClassifyJob,
    ClassifyWorker,
    config_source,
    digits_source,
    imagenet_source,
    lab_source,
)
from resnet_explorer.core.checkpoints import CHECKPOINT_SUFFIXES, CheckpointError
from resnet_explorer.core.config import preset_name
from resnet_explorer.core.model import ModelTooLargeError
from resnet_explorer.i18n import STRINGS


def main() -> None:
    ui.page_setup("classify.title", ":material/image_search:")
    tr = ui.translator()
    lang = ui.lang()
    config = ui.current_config()

    @st.cache_resource(show_spinner=False)
    def worker() -> ClassifyWorker:
        """One worker process for the whole server (read-only models only live there)."""
        return ClassifyWorker(max_workers=1)

    @st.cache_data(show_spinner=False)
    def heldout(seed: int) -> tuple[np.ndarray, np.ndarray]:
        return W.heldout_digits(W.digits_model_info())

    st.title(tr("classify.title"))
    st.caption(tr("classify.intro"))

    # --- where the weights come from ----------------------------------------------------------------
    pretrained = {f"imagenet:{w.version}": w for w in W.available_for(config)}
    digits = digits_source()
    trained = st.session_state.get("trained_model")
    options = [*pretrained, *(["digits"] if digits else []), *(["lab"] if trained else []),
               "upload", "random"]
    if st.session_state.get("cls.source") not in options:
        cached = [k for k, w in pretrained.items() if w.is_cached()]
        st.session_state["cls.source"] = ("lab" if trained else cached[-1] if cached
                                          else "digits" if digits else options[0])

    def _source_label(key: str) -> str:
        if key in pretrained:
            w = pretrained[key]
            return tr("weights.imagenet_option", label=w.label, acc1=f"{w.acc1:.1f}",
                      cached=tr("weights.cached") if w.is_cached() else tr("weights.not_cached"))
        if key == "lab":
            return tr("classify.source.lab", label=trained.label)
        return tr(f"classify.source.{key}")

    name = preset_name(config) or tr("classify.custom_config")
    with st.sidebar:
        st.caption(tr("classify.current_config", name=name))
    choice = st.radio(tr("classify.source"), options, key="cls.source", format_func=_source_label,
                      horizontal=True)
    if not pretrained:
        st.caption(tr("weights.no_imagenet", name=name))

    source = None
    if choice in pretrained:
        w = pretrained[choice]
        if w.is_cached():
            source = imagenet_source(w)
        else:
            st.warning(tr("weights.offline", label=w.label, path=str(w.path), url=w.url),
                       icon=":material/cloud_download:")
            st.code(W.download_command(w), language="bash")
            if st.button(tr("weights.download_button", mb=f"{w.file_size_mb:.0f}"), key="cls.download"):
                bar = st.progress(0.0, text=tr("weights.downloading", label=w.label))

                def _progress(done: int, total: int) -> None:
                    frac = done / total if total else 0.0
                    bar.progress(min(frac, 1.0), text=tr("weights.progress", done=f"{done / 2**20:.1f}",
                                                         total=f"{total / 2**20:.1f}"))

                try:
                    W.download(w, _progress)
                except OSError as exc:
                    bar.empty()
                    st.error(tr("weights.download_failed", error=str(exc)), icon=":material/block:")
                else:
                    st.rerun()
    elif choice == "digits":
        source = digits
        info = W.digits_model_info()
        st.caption(tr("classify.digits_card", acc=f"{info.test_accuracy:.1%}", n_test=info.n_test,
                      n_train=info.n_train, command=info.command))
    elif choice == "lab":
        source = lab_source(trained)
    elif choice == "upload":
        st.caption(tr("classify.ckpt_help", name=name))
        ckpt = st.file_uploader(tr("classify.ckpt_upload"), type=[s.lstrip(".") for s in CHECKPOINT_SUFFIXES],
                                key="cls.ckpt")
        if ckpt is not None:
            source = config_source("upload", config, ckpt.name, data=ckpt.getvalue(), filename=ckpt.name)
    else:
        seed = st.number_input(tr("classify.seed"), 0, 2**31 - 1, 0, key="cls.seed")
        source = config_source("random", config, tr("classify.random_label", seed=seed), seed=int(seed))
        st.warning(tr("classify.untrained"), icon=":material/warning:")

    if source is not None:
        label = (tr("classify.digits_label") if source.kind == "digits" else source.label)
        model_name = preset_name(source.config) or tr("classify.custom_config")
        st.info(tr("classify.in_use", label=label, model=model_name, size=source.config.input_size,
                   channels=source.config.in_channels), icon=":material/memory:")

    # --- the image ---------------------------------------------------------------------------------
    digits_like = source is not None and source.prep == "digits"
    mode = st.segmented_control(tr("classify.input"), ["sample", "upload", "camera"], key="cls.input",
                                format_func=lambda k: tr(f"classify.input.{k}"), default="sample")
    job_input: dict = {}
    if mode == "upload":
        up = st.file_uploader(tr("classify.image_upload"), type=[s.lstrip(".") for s in IMAGE_SUFFIXES],
                              key="cls.image")
        if up is not None:
            job_input = {"image": up.getvalue()}
    elif mode == "camera":
        shot = st.camera_input(tr("classify.camera"), key="cls.camera")
        if shot is not None:
            job_input = {"image": shot.getvalue()}
    elif digits_like and W.digits_model_info() is not None:
        images, labels = heldout(W.digits_model_info().seed)
        idx = st.selectbox(tr("classify.digit_sample"), range(min(len(labels), 60)), key="cls.digit",
                           format_func=lambda i: tr("classify.digit_option", i=i, label=int(labels[i])))
        st.image(digit_image(images[idx], 8), caption=tr("classify.digit_truth", label=int(labels[idx])))
        job_input = {"digit": tuple(float(v) for v in images[idx].ravel())}
    else:
        photo = st.selectbox(tr("classify.photo_sample"), ["china.jpg", "flower.jpg"], key="cls.photo")
        job_input = {"sample_photo": photo}

    # --- run (only when something it depends on changed) -------------------------------------------
    if source is not None and job_input:
        job = ClassifyJob(source=source, **job_input)
        sig = signature(source.kind, source.label, source.config, source.seed, source.data,
                        *job_input.values())
        if st.session_state.get("cls.sig") != sig:
            pool = worker()
            ahead = pool.pending()
            status = st.empty()
            # Shown before submitting: the first job after a server start waits for the worker to start.
            status.info(tr("classify.running"), icon=":material/hourglass_top:")
            future = pool.submit(job)
            try:
                while not future.done():
                    # Touching an element every tick: if the tab closed, this raises and `finally` runs.
                    waiting = pool.pending() - 1
                    status.info(tr("classify.queued", n=waiting) if waiting > 0 and ahead
                                else tr("classify.running"), icon=":material/hourglass_top:")
                    time.sleep(0.15)
                st.session_state["cls.outcome"] = ("ok", future.result())
            except (CheckpointError, ImageInputError, ModelTooLargeError, ValueError, OSError) as exc:
                st.session_state["cls.outcome"] = ("error", exc)
            finally:
                future.cancel()  # a queued job whose page went away never runs
                status.empty()
            st.session_state["cls.sig"] = sig
            st.session_state["cls.classes"] = source.classes


    def _reason(exc: Exception, prefix: str) -> str:
        """The refusal in the page's language: English keeps the library's full message."""
        key = f"{prefix}.{exc.code}"
        if lang == "en" or key not in STRINGS:
            return str(exc)
        try:
            return tr(key, **exc.values)
        except KeyError:
            return str(exc)


    # --- the outcome -------------------------------------------------------------------------------
    kind, outcome = st.session_state.get("cls.outcome", (None, None))
    if source is None or not job_input:
        st.info(tr("classify.waiting"), icon=":material/touch_app:")
    elif kind == "error":
        exc = outcome
        if isinstance(exc, CheckpointError):
            st.error(tr("classify.ckpt_refused", reason=_reason(exc, "classify.ckpterr")),
                     icon=":material/block:")
            if lang != "en":
                st.caption(str(exc))
            if exc.rows:
                st.dataframe([{tr("classify.col.key"): r.key, tr("classify.col.expected"): r.expected,
                               tr("classify.col.got"): r.got, tr("classify.col.problem"): tr(
                                   f"classify.problem.{r.problem}")} for r in exc.rows],
                             hide_index=True, key="cls.keytable")
        elif isinstance(exc, ImageInputError):
            st.error(tr("classify.image_refused", reason=_reason(exc, "classify.imgerr")),
                     icon=":material/hide_image:")
            if lang != "en":
                st.caption(str(exc))
        else:
            st.error(tr("classify.failed", reason=str(exc)), icon=":material/block:")
    elif kind == "ok":
        result, classes = outcome.result, st.session_state["cls.classes"]
        names = class_names(classes, lang)
        for code, values in outcome.notes:
            st.caption(":material/info: " + tr(f"classify.note.{code}", **values))
        best, p = result.top[0]
        cols = st.columns(3)
        cols[0].metric(tr("classify.top1"), names[best], f"{p:.1%}", delta_color="off")
        cols[1].metric(tr("classify.time"), f"{result.elapsed_ms:.1f} ms")
        cols[2].metric(tr("classify.threads"), result.threads)
        if lang == "zh" and source.kind == "imagenet":
            st.caption(tr("classify.english_only"))
        left, right = st.columns([3, 2])
        with left:
            st.plotly_chart(top_figure(result, classes, lang), key="cls.top5")
        with right:
            order = [i for i, _ in result.top] + [i for i in range(len(classes))
                                                  if i not in {j for j, _ in result.top}]
            picked = st.selectbox(tr("classify.cam_class"), order, key="cls.cam_class",
                                  format_func=lambda i: f"{names[i]} ({result.probs[i]:.1%})")
            if picked not in range(len(classes)):
                picked = best
            st.image(overlay(outcome.display, cam_for(result, picked)),
                     caption=tr("classify.cam_caption", name=names[picked]), width=320)
        st.caption(tr("classify.cam_explain"))

        st.subheader(tr("classify.steps"))
        step_cols = st.columns(len(outcome.steps))
        for col, step in zip(step_cols, outcome.steps, strict=True):
            shape = "×".join(map(str, step.shape))
            col.image(step.image, caption=f"{tr(f'classify.step.{step.code}', **step.values)} · {shape}",
                      width="stretch", clamp=True)

        st.subheader(tr("classify.maps"))
        st.caption(tr("classify.maps_explain"))
        map_cols = st.columns(min(3, len(result.stages)))
        for n, stage in enumerate(result.stages):
            with map_cols[n % len(map_cols)]:
                c, h, w_ = stage.shape
                caption = tr("classify.map_caption", stage=ui.stage_label(stage.name), c=c, h=h, w=w_,
                             channels=", ".join(map(str, stage.channels)))
                st.image(feature_grid(stage), width="stretch", caption=caption)

# Streamlit runs a page as __main__. A worker process started with "spawn" imports whichever page
# script was running at that moment as __mp_main__; it must draw nothing and start nothing.
if __name__ == "__main__":
    main()
