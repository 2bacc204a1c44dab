"""Training lab: watch the degradation problem happen, and watch shortcuts fix it.

Thin page: training runs in a spawned process per run (``resnet_explorer.train.runs``), the
curves and the words come from ``training_charts``. With "spawn", a child process imports this file
as its main module (``__mp_main__``): everything is inside ``main()``, called only by Streamlit.
"""

import dataclasses
import time
import uuid

import streamlit as st
import torch

from resnet_explorer import ui
from resnet_explorer.core.config import PRESETS, ResNetConfig, preset_name
from resnet_explorer.train.data import cifar10_status, load_digits
from resnet_explorer.train.figures import curves_figure, gradient_figures, result_sentences
from resnet_explorer.train.loop import (
    SETTING_LIMITS,
    TrainSettings,
    default_device,
    fit_config,
    gradient_flow,
    history_frame,
    load_trained_model,
    steps_per_epoch,
    validate_settings,
)
from resnet_explorer.train.runs import BusyError, RunHandle, RunRegistry, RunRequest

DEPTHS = (20, 32, 44, 56, 110)
# Scaled to 1,347 small images (the paper: 128 per batch on 50k images): 8 epochs of batch 32 are 336
# steps per net. Measured here (seed 0, 16 px) after 6 epochs: plain-56 84% training error, ResNet-56
# 15%, plain-20 1.4%. With batch 128 (88 steps) ResNet-56 had not yet left plain-56 behind.
DEFAULTS = {"train.pair": "paper", "train.depth": 56, "train.reference": True, "train.dataset": "digits",
            "train.input_size": 16, "train.epochs": 8, "train.batch_size": 32, "train.lr": 0.1,
            "train.seed": 0}
CIFAR_LIMIT = 5000
GRAD_BATCH = 128
POLL_S = 0.5


@st.cache_resource(show_spinner=False)
def registry() -> RunRegistry:
    """The server's training slots, shared by every session (it holds no session's data)."""
    return RunRegistry()


@st.cache_resource(show_spinner=False)
def digits(size: int, seed: int):
    return load_digits(size, seed)  # read-only tensors: never changed after loading


@st.cache_data(show_spinner=False, max_entries=64)
def flow(config: ResNetConfig, size: int, seed: int):
    data = digits(size, seed)
    idx = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(seed))[:GRAD_BATCH]
    return gradient_flow(config, data.x_train[idx], data.y_train[idx], seed=seed)


def pick_models(tr) -> dict[str, ResNetConfig]:
    """The networks to train, as label -> config (before fitting to the dataset)."""
    pair = st.segmented_control(tr("train.pair.label"), ["paper", "explorer"], key="train.pair",
                                format_func=ui.labels("train.pair"), required=True)
    if pair == "explorer":
        config = ui.current_config()
        name = preset_name(config) or tr("train.custom")
        plain = dataclasses.replace(config, shortcut="none")
        if config.is_plain:
            return {name: config}
        return {tr("train.plain_twin", name=name): plain, name: config}
    cols = st.columns([1, 2])
    n = cols[0].selectbox(tr("train.depth"), DEPTHS, key="train.depth")
    ref = cols[1].checkbox(tr("train.reference"), key="train.reference", disabled=n == 20)
    models = {}
    if ref and n != 20:
        models["plain-20"] = PRESETS["plain20"]
    models[f"plain-{n}"] = PRESETS[f"plain{n}"]
    models[f"ResNet-{n}"] = PRESETS[f"resnet{n}"]
    return models


def show_gradient_flow(tr, models: dict[str, ResNetConfig], size: int, seed: int) -> None:
    st.header(tr("train.grad.header"))
    data = digits(size, seed)
    # the twins of one depth: the shallow reference, when there is one, comes first and is left out
    pair = {k: fit_config(c, data) for k, c in list(models.items())[-2:]}
    try:
        flows = {k: flow(c, size, seed) for k, c in pair.items()}
    except ValueError as exc:
        st.warning(tr("train.grad.error", error=exc))
        return
    grads, acts = gradient_figures(flows, pair, ui.lang())
    plain = [k for k, c in pair.items() if c.is_plain]
    res = [k for k, c in pair.items() if not c.is_plain]
    if plain and res:
        st.caption(tr("train.grad.caption", plain=plain[-1], res=res[-1], n=GRAD_BATCH, seed=seed,
                      ratio_plain=fmt_ratio(flows[plain[-1]].early_late_ratio()),
                      ratio_res=fmt_ratio(flows[res[-1]].early_late_ratio())))
    c1, c2 = st.columns(2)
    c1.plotly_chart(grads, key="train.grad_chart")
    c2.plotly_chart(acts, key="train.act_chart")
    st.caption(tr("train.grad.note"))


def read_settings(tr) -> tuple[str, int, TrainSettings | None, str | None]:
    """Widgets -> (dataset, input size, settings or None, error message or None)."""
    cols = st.columns(3)
    dataset = cols[0].radio(tr("train.dataset"), ["digits", "cifar10"], key="train.dataset",
                            format_func=ui.labels("train.dataset"))
    size = cols[0].selectbox(tr("train.input_size"), (8, 16, 32), key="train.input_size")
    # No min/max on purpose: a bad value reaches the library, which says what is allowed.
    epochs = cols[1].number_input(tr("train.epochs"), step=1, key="train.epochs")
    batch = cols[1].number_input(tr("train.batch_size"), step=16, key="train.batch_size")
    lr = cols[2].number_input(tr("train.lr"), step=0.01, format="%g", key="train.lr")
    seed = cols[2].number_input(tr("train.seed"), step=1, key="train.seed")
    try:
        settings = TrainSettings(epochs=int(epochs), batch_size=int(batch), lr=float(lr), seed=int(seed))
        validate_settings(settings)
    except ValueError as exc:
        return dataset, size, None, str(exc)
    return dataset, size, settings, None


def show_cifar_status(tr) -> bool:
    status, detail = cifar10_status()  # a file check, else a TCP probe of at most 3 s
    if status == "offline":
        st.warning(tr("train.cifar.offline", detail=detail), icon=":material/cloud_off:")
        return False
    st.info(tr(f"train.cifar.{'ready' if status == 'ready' else 'download'}", limit=CIFAR_LIMIT))
    return True


def ends_run(exc: BaseException) -> bool:
    """True when the script is stopped for good (tab closed) or leaves for another page."""
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if isinstance(exc, RerunException):
        target = exc.rerun_data.page_script_hash
        ctx = get_script_run_ctx()
        return bool(target) and ctx is not None and target != ctx.page_script_hash
    return True


def fmt_ratio(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def fmt_seconds(tr, s: float | None) -> str:
    if s is None:
        return "…"
    s = int(round(s))
    return tr("train.min_s", m=s // 60, s=f"{s % 60:02d}") if s >= 60 else tr("train.s", s=s)


def draw_live(tr, handle: RunHandle, models: dict[str, ResNetConfig], epochs: int) -> None:
    """Poll the child until the run ends, updating the bar and the curves; stop it if the tab goes."""
    bar, chart = st.empty(), st.empty()
    shown = -1
    try:
        while True:
            handle.poll()
            p = handle.progress
            if p is None:
                bar.progress(0.0, text=tr("train.starting"))
            else:
                bar.progress(min(p.fraction, 1.0), text=tr("train.progress", epoch=p.epoch, epochs=p.epochs,
                                                             label=p.label, step=p.step, total=p.total_steps,
                                                             left=fmt_seconds(tr, p.eta)))
            if len(handle.history) != shown:
                shown = len(handle.history)
                chart.plotly_chart(curves_figure(handle.history, models, epochs, ui.lang()),
                                   key=f"train.live.{handle.id}.{shown}")
            if handle.finished:
                return
            time.sleep(POLL_S)
    except BaseException as exc:  # Streamlit ends a closed session's script at its next st. call
        if ends_run(exc):
            handle.stop("left")
        raise


def draw_results(tr, handle: RunHandle) -> None:
    models = dict(handle.request.models)
    epochs = handle.request.settings.epochs
    if handle.history:
        st.plotly_chart(curves_figure(handle.history, models, epochs, ui.lang()), key="train.final_chart")
    status = handle.status
    if status == "done":
        st.success(tr("train.status.done", s=f"{handle.progress.elapsed:.0f}" if handle.progress else "?"))
    elif status == "stopped":
        done, total = handle.stopped_after
        reason = tr(f"train.reason.{handle.stop_reason or 'stopped'}")
        words = tr("train.after_steps", reason=reason, done=done, total=total) if total else reason
        st.info(tr("train.status.stopped", message=words))
    elif status in ("diverged", "error"):
        st.error(tr(f"train.status.{status}", message=handle.message))
    else:
        st.info(tr("train.status.abandoned"))
    for sentence in result_sentences(handle.history, models, ui.lang()):
        st.markdown(f"- {sentence}")
    if not handle.history:
        return
    st.subheader(tr("train.downloads"))
    csv = history_frame(handle.history).to_csv(index=False).encode()
    st.download_button(tr("train.csv"), csv, "training_curves.csv", "text/csv", key="train.csv")
    for i, (label, (data, accuracy)) in enumerate(handle.checkpoints.items()):
        cols = st.columns([2, 2])
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)
        cols[0].download_button(tr("train.model_download", label=label, acc=f"{100 * accuracy:.1f}"), data,
                                f"{safe}_{handle.request.dataset}.safetensors", "application/octet-stream",
                                key=f"train.dl.{i}")
        if cols[1].button(tr("train.use_classify", label=label), key=f"train.use.{i}"):
            use_on_classify(tr, label, data, handle.request.dataset)


def use_on_classify(tr, label: str, data: bytes, dataset: str) -> None:
    # Loading proves the bytes load before another page relies on them.
    st.session_state["trained_model"] = load_trained_model(data, label=label)
    try:
        st.switch_page("pages/classify.py")
    except st.errors.StreamlitAPIException:  # the page run alone (AppTest) has no Classify page beside it
        st.success(tr("train.use_ready", label=label))


def start_or_queue(tr, request: RunRequest) -> RunHandle | None:
    """Start the session's run, or wait in the queue for a free slot (Stop cancels)."""
    box = st.empty()
    try:
        while True:
            try:
                handle = registry().start(st.session_state["train.session"], request)
                box.empty()
                return handle
            except BusyError as busy:
                eta = tr("train.busy_eta", s=f"{busy.eta:.0f}") if busy.eta is not None else ""
                box.info(tr("train.busy", cap=busy.cap, eta=eta), icon=":material/hourglass_top:")
            time.sleep(1.0)
    except BaseException as exc:
        if ends_run(exc):
            st.session_state.pop("train.queued", None)
        raise


def want_start() -> None:
    st.session_state["train.want_start"] = True


def stop_run() -> None:
    st.session_state.pop("train.queued", None)
    handle = st.session_state.get("train.handle")
    if handle is not None and not handle.finished:
        handle.stop("user")


def main() -> None:
    ui.page_setup("train.title", ":material/show_chart:")
    tr = ui.translator()
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("train.session", uuid.uuid4().hex)
    st.title(tr("train.title"))
    st.markdown(tr("train.intro"))

    models = pick_models(tr)
    # the seed widget is drawn further down; its value (or a safe stand-in while it is bad) is needed now
    lo, hi = SETTING_LIMITS["seed"]
    seed = int(max(lo, min(int(st.session_state["train.seed"]), hi)))
    size = int(st.session_state["train.input_size"])
    show_gradient_flow(tr, models, size, seed)

    st.header(tr("train.settings.header"))
    dataset, size, settings, error = read_settings(tr)
    can_train = show_cifar_status(tr) if dataset == "cifar10" else True
    data = digits(size, seed) if dataset == "digits" else None
    fitted: dict[str, ResNetConfig] = {}
    if data is not None:
        try:
            fitted = {k: fit_config(c, data) for k, c in models.items()}
            if settings is not None:
                validate_settings(settings, list(fitted.values()), data)
        except ValueError as exc:
            error = str(exc)
    elif can_train:
        fitted = {k: dataclasses.replace(c, in_channels=3, num_classes=10, input_size=size)
                  for k, c in models.items()}
    if data is not None and settings is not None and error is None:
        steps = settings.epochs * steps_per_epoch(len(data.y_train), settings.batch_size)
        st.caption(tr("train.recipe", n_train=len(data.y_train), n_test=len(data.y_test), size=size,
                      steps=steps, device=str(default_device())))
    if error:
        st.error(tr("train.bad_setting", error=error), icon=":material/error:")

    # Button callbacks run before the script, so the buttons below are drawn in the new state (Stop
    # is live during the run that Start begins).
    if st.session_state.pop("train.want_start", False) and not error and fitted:
        st.session_state["train.queued"] = RunRequest(models=tuple(fitted.items()), dataset=dataset,
                                                      input_size=size, settings=settings,
                                                      cifar_limit=CIFAR_LIMIT)
    handle: RunHandle | None = st.session_state.get("train.handle")
    running = handle is not None and not handle.finished
    queued = "train.queued" in st.session_state
    cols = st.columns([1, 1, 4])
    cols[0].button(tr("train.start"), key="train.start", type="primary", on_click=want_start,
                   disabled=bool(error) or not can_train or not fitted or running or queued)
    cols[1].button(tr("train.stop"), key="train.stop", on_click=stop_run, disabled=not (running or queued))
    if "train.queued" in st.session_state:
        request = st.session_state["train.queued"]
        handle = start_or_queue(tr, request)
        st.session_state.pop("train.queued", None)
        st.session_state["train.handle"] = handle
    if handle is not None and not handle.finished:
        draw_live(tr, handle, dict(handle.request.models), handle.request.settings.epochs)
        st.rerun()  # draw the finished run once more, with its results and downloads
    if handle is not None:
        draw_results(tr, handle)


if __name__ == "__main__":  # Streamlit runs pages as __main__; a spawned child imports it as __mp_main__
    main()
