"""The Training lab's Streamlit panels: model choice, gradient flow, settings, the live run, the results.

The policy they follow is in ``train.lab`` (which nets, which batch, fitting, the bounded gradient-flow
worker) and ``train.runs`` (the training process, the server-wide slots). A run belongs to the browser
session: it is kept in ``st.session_state`` and the registry's watcher keeps it going until the session
has been gone for as long as Streamlit keeps a disconnected session resumable, so the student can open
another page, switch language or lose the network for a moment and come back to it; a closed tab ends it.

The page's script never stops a run itself. With ``runner.fastReruns`` (on, for the Explorer's knobs),
any click elsewhere stops the running script with the same exception a closed tab gives, so the script
cannot tell the two apart; the watcher, which asks the server whether the session is connected, can.
For the same reason nothing here waits in a loop: the live panel is a fragment the browser reruns on a
timer, so whatever stopped the page's script, the next tick draws the run as it stands.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import streamlit as st

from ..core.config import ResNetConfig, preset_name
from ..formatting import format_ratio
from ..train import lab
from ..train.data import cifar10_status, load_digits
from ..train.figures import curves_figure, gradient_figures, result_sentences
from ..train.loop import (
    SETTING_LIMITS,
    TrainSettings,
    default_device,
    gradient_flow,
    history_frame,
    load_trained_model,
    steps_per_epoch,
    validate_settings,
)
from ..train.runs import BusyError, RunHandle, RunRequest, shared_registry
from .session import current_config, labels, lang

__all__ = [
    "init_state",
    "pick_models",
    "show_gradient_flow",
    "read_settings",
    "show_cifar_status",
    "prepare_run",
    "start_stop_buttons",
    "run_panel",
    "format_seconds",
    "session_alive",
    "session_grace_s",
]

POLL_S = 0.5
Tr = Callable[..., str]


@st.cache_resource(show_spinner=False)
def digits(size: int, seed: int):
    return load_digits(size, seed)  # read-only tensors: never changed after loading


@st.cache_data(show_spinner=False, max_entries=64)
def _flow(config: ResNetConfig, size: int, seed: int, bounded: bool):
    x, y = lab.gradient_batch(digits(size, seed), lab.GRAD_BATCH, seed)
    if bounded:  # a config of the user's own: in a child process, with a time and a size cap
        return lab.bounded_gradient_flow(config, x, y, seed=seed)
    return gradient_flow(config, x, y, seed=seed)


def init_state() -> None:
    for key, value in lab.DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("train.session", uuid.uuid4().hex)


def pick_models(tr: Tr) -> dict[str, ResNetConfig]:
    """The networks to train, as label -> config (before fitting to the dataset)."""
    pair = st.segmented_control(
        tr("train.pair.label"),
        ["paper", "explorer"],
        key="train.pair",
        format_func=labels("train.pair"),
        required=True,
    )
    if pair == "explorer":
        config = current_config()
        return lab.explorer_models(
            config, preset_name(config) or tr("train.custom"), lambda name: tr("train.plain_twin", name=name)
        )
    cols = st.columns([1, 2])
    n = cols[0].selectbox(tr("train.depth"), lab.DEPTHS, key="train.depth")
    ref = cols[1].checkbox(tr("train.reference"), key="train.reference", disabled=n == 20)
    return lab.paper_models(n, ref)


def _flow_alt(tr: Tr, kind: str, flows: dict) -> str:
    """The gradient or activation chart in words: per net, its first and last point, from the same
    frames the chart draws."""
    column, frame = ("grad_norm", "layers") if kind == "grads" else ("std", "activations")
    nets = tr("train.alt.sep").join(
        tr(
            "train.alt.flow_net",
            net=label,
            first=f"{getattr(flow, frame)[column].iloc[0]:.3g}",
            last=f"{getattr(flow, frame)[column].iloc[-1]:.3g}",
        )
        for label, flow in flows.items()
    )
    return tr("train.alt.grads" if kind == "grads" else "train.alt.acts", nets=nets)


def _curves_alt(tr: Tr, handle: RunHandle) -> str:
    """The curves in words: each net's training and test error at the last epoch drawn."""
    final: dict = {}
    for record in handle.history:
        final[record.label] = record
    if not final:
        return tr("train.alt.curves_empty")
    nets = tr("train.alt.sep").join(
        tr(
            "train.alt.curves_net",
            net=r.label,
            train=f"{100 * r.train_error:.1f}",
            test=f"{100 * r.test_error:.1f}",
        )
        for r in final.values()
    )
    epoch = max(r.epoch for r in final.values())
    return tr("train.alt.curves", epoch=epoch, epochs=handle.request.settings.epochs, nets=nets)


def seed_and_size() -> tuple[int, int]:
    """The seed widget is drawn further down; its value (or a safe stand-in while it is bad) is needed now."""
    lo, hi = SETTING_LIMITS["seed"]
    return int(max(lo, min(int(st.session_state["train.seed"]), hi))), int(
        st.session_state["train.input_size"]
    )


def show_gradient_flow(tr: Tr, models: dict[str, ResNetConfig], explorer: bool) -> None:
    seed, size = seed_and_size()
    data = digits(size, seed)
    # the twins of one depth: the shallow reference, when there is one, comes first and is left out
    pair = lab.fit_models(dict(list(models.items())[-2:]), "digits", size, data)
    try:
        flows = {k: _flow(c, size, seed, explorer) for k, c in pair.items()}
    except lab.FlowLimitError as exc:
        st.warning(
            tr(
                f"train.grad.limit.{exc.kind}",
                detail=exc.detail,
                s=f"{lab.FLOW_TIMEOUT_S:g}",
                mb=f"{lab.FLOW_MAX_BYTES / 2**20:,.0f}",
                need=f"{exc.need_bytes / 2**20:,.0f}",
            ),
            icon=":material/timer_off:",
        )
        return
    except ValueError as exc:
        st.warning(tr("train.grad.error", error=exc))
        return
    grads, acts = gradient_figures(flows, pair, lang())
    plain = [k for k, c in pair.items() if c.is_plain]
    res = [k for k, c in pair.items() if not c.is_plain]
    if plain and res:
        st.caption(
            tr(
                "train.grad.caption",
                plain=plain[-1],
                res=res[-1],
                n=lab.GRAD_BATCH,
                seed=seed,
                ratio_plain=format_ratio(flows[plain[-1]].early_late_ratio()),
                ratio_res=format_ratio(flows[res[-1]].early_late_ratio()),
            )
        )
    c1, c2 = st.columns(2)
    c1.plotly_chart(grads, key="train.grad_chart", alt=_flow_alt(tr, "grads", flows))
    c2.plotly_chart(acts, key="train.act_chart", alt=_flow_alt(tr, "acts", flows))
    st.caption(tr("train.grad.note"))


def read_settings(tr: Tr) -> tuple[str, int, TrainSettings | None, str | None]:
    """Widgets -> (dataset, input size, settings or None, error message or None)."""
    cols = st.columns(3)
    dataset = cols[0].radio(
        tr("train.dataset"),
        ["digits", "cifar10"],
        key="train.dataset",
        format_func=labels("train.dataset"),
        horizontal=True,
    )
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


def show_cifar_status(tr: Tr) -> bool:
    status, detail = cifar10_status()  # a file check, else a TCP probe of at most 3 s
    if status in ("offline", "readonly"):
        icon = ":material/cloud_off:" if status == "offline" else ":material/folder_off:"
        st.warning(tr(f"train.cifar.{status}", detail=detail), icon=icon)
        return False
    st.info(tr(f"train.cifar.{'ready' if status == 'ready' else 'download'}", limit=lab.CIFAR_LIMIT))
    return True


def prepare_run(
    tr: Tr,
    models: dict[str, ResNetConfig],
    dataset: str,
    size: int,
    settings: TrainSettings | None,
    error: str | None,
) -> RunRequest | None:
    """Fit the models to the dataset and check everything; the request Start would send, or None."""
    can_train = show_cifar_status(tr) if dataset == "cifar10" else True
    seed, _ = seed_and_size()
    data = digits(size, seed) if dataset == "digits" else None
    fitted: dict[str, ResNetConfig] = {}
    if can_train:
        try:
            fitted = lab.fit_models(models, dataset, size, data)
            if settings is not None and data is not None:
                validate_settings(settings, list(fitted.values()), data)
        except ValueError as exc:
            error = str(exc)
    if data is not None and settings is not None and error is None:
        steps = settings.epochs * steps_per_epoch(len(data.y_train), settings.batch_size)
        st.caption(
            tr(
                "train.recipe",
                n_train=len(data.y_train),
                n_test=len(data.y_test),
                size=size,
                steps=steps,
                device=tr(f"train.device.{default_device().type}"),  # 'the CPU' / 'CPU'
            )
        )
    if error:
        st.error(tr("train.bad_setting", error=error), icon=":material/error:")
    if error or not can_train or not fitted or settings is None:
        return None
    return lab.build_request(fitted, dataset, size, settings)


def _want_start() -> None:
    st.session_state["train.want_start"] = True


def _stop_run() -> None:
    st.session_state.pop("train.queued", None)
    handle = st.session_state.get("train.handle")
    if handle is not None and not handle.finished:
        handle.stop("user")


def start_stop_buttons(tr: Tr, request: RunRequest | None) -> None:
    """Start and Stop. Callbacks run before the script, so both are drawn in the new state."""
    if st.session_state.pop("train.want_start", False) and request is not None:
        st.session_state["train.queued"] = request
    handle: RunHandle | None = st.session_state.get("train.handle")
    running = handle is not None and not handle.finished
    queued = "train.queued" in st.session_state
    cols = st.columns([1, 1, 4])
    cols[0].button(
        tr("train.start"),
        key="train.start",
        type="primary",
        on_click=_want_start,
        disabled=request is None or running or queued,
        icon=":material/play_arrow:",
    )
    cols[1].button(
        tr("train.stop"),
        key="train.stop",
        on_click=_stop_run,
        disabled=not (running or queued),
        icon=":material/stop:",
    )


def session_alive() -> Callable[[], bool]:
    """A question the registry's watcher can ask from its thread: is this browser session still here?"""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else None

    def alive() -> bool:
        if session_id is None or not Runtime.exists():  # AppTest: no server, the test itself ends runs
            return True
        return Runtime.instance().is_active_session(session_id)

    return alive


def session_grace_s() -> float:
    """How long a session may be disconnected and still come back: Streamlit's own setting."""
    from streamlit import config

    return float(config.get_option("server.disconnectedSessionTTL"))


def format_seconds(tr: Tr, s: float | None) -> str:
    if s is None:
        return "…"
    s = int(round(s))
    return tr("train.min_s", m=s // 60, s=f"{s % 60:02d}") if s >= 60 else tr("train.s", s=s)


def _start_queued(tr: Tr) -> None:
    """Start the session's queued run if a slot is free; else say where the queue stands. Each tick of
    the live panel tries again, until a slot frees or Stop takes the request away."""
    request: RunRequest | None = st.session_state.get("train.queued")
    if request is None:
        return
    try:
        handle = shared_registry().start(st.session_state["train.session"], request)
    except BusyError as busy:
        eta = tr("train.busy_eta", s=f"{busy.eta:.0f}") if busy.eta is not None else ""
        st.info(tr("train.busy", cap=busy.cap, eta=eta), icon=":material/hourglass_top:")
        return
    shared_registry().watch(handle, session_alive(), grace_s=session_grace_s())
    st.session_state["train.handle"] = handle
    st.session_state.pop("train.queued", None)


def _draw_progress(tr: Tr, handle: RunHandle) -> None:
    models, epochs = dict(handle.request.models), handle.request.settings.epochs
    p = handle.progress
    if p is None:
        st.progress(0.0, text=tr("train.starting"))
    else:
        text = tr(
            "train.progress",
            epoch=p.epoch,
            epochs=p.epochs,
            label=p.label,
            step=p.step,
            total=p.total_steps,
            left=format_seconds(tr, p.eta),
        )
        st.progress(min(p.fraction, 1.0), text=text)
    # Keyed by the epochs it shows: an unchanged chart is the same message, which the browser has
    # cached (Streamlit sends a reference for a repeated large message), not a new figure each tick.
    st.plotly_chart(
        curves_figure(handle.history, models, epochs, lang()),
        key=f"train.live.{handle.id}.{len(handle.history)}",
        alt=_curves_alt(tr, handle),
    )


@st.fragment(run_every=POLL_S)
def _live_panel(tr: Tr) -> None:
    """The queued or running run, redrawn every :data:`POLL_S` by a timer in the browser.

    The browser's timer, not a loop in the page's script, drives it: a script is stopped by every
    click elsewhere (fast reruns) and by a dropped connection, and a browser that reconnects to its
    session is not bound to run the page again, so a loop could leave a student looking at a frozen
    bar while the run went on. A tick is a run of this fragment alone, a few milliseconds.
    """
    _start_queued(tr)
    if "train.queued" in st.session_state:  # still waiting for a slot
        return
    handle: RunHandle | None = st.session_state.get("train.handle")
    if handle is None:
        return
    handle.poll()
    _draw_progress(tr, handle)
    if handle.finished:
        st.rerun()  # the whole page: the finished run's results, downloads, and Start again


def _draw_results(tr: Tr, handle: RunHandle) -> None:
    models = dict(handle.request.models)
    if handle.history:
        st.plotly_chart(
            curves_figure(handle.history, models, handle.request.settings.epochs, lang()),
            key="train.final_chart",
            alt=_curves_alt(tr, handle),
        )
    status = handle.status
    if status == "done":
        st.success(tr("train.status.done", s=f"{handle.progress.elapsed:.0f}" if handle.progress else "?"))
        # Conclusions only from a finished run: a partial curve says nothing yet about the last epoch.
        for sentence in result_sentences(handle.history, models, lang()):
            st.markdown(f"- {sentence}")
    else:
        k, n = lab.stopped_epoch(handle)
        if status == "stopped":
            done, total = handle.stopped_after
            reason = tr(f"train.reason.{handle.stop_reason or 'stopped'}")
            words = tr("train.after_steps", reason=reason, done=done, total=total) if total else reason
            st.info(tr("train.status.stopped", message=words))
        elif status == "unavailable":  # the download failed in the child: the detail is a socket's
            st.error(tr("train.status.unavailable"), icon=":material/cloud_off:")
        elif status in ("diverged", "error"):
            st.error(tr(f"train.status.{status}", message=handle.message))
        else:
            st.info(tr("train.status.abandoned"))
        st.info(tr("train.partial", k=k, n=n), icon=":material/pending:")
    if not handle.history:
        return
    st.subheader(tr("train.downloads"))
    csv = history_frame(handle.history).to_csv(index=False).encode()
    st.download_button(tr("train.csv"), csv, "training_curves.csv", "text/csv", key="train.csv")
    for i, (label, (data, accuracy)) in enumerate(handle.checkpoints.items()):
        cols = st.columns([2, 2])
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)
        cols[0].download_button(
            tr("train.model_download", label=label, acc=f"{100 * accuracy:.1f}"),
            data,
            f"{safe}_{handle.request.dataset}.safetensors",
            "application/octet-stream",
            key=f"train.dl.{i}",
        )
        if cols[1].button(tr("train.use_classify", label=label), key=f"train.use.{i}"):
            # A typed hand-off (TrainedModel); loading proves the bytes load before Classify relies on them.
            st.session_state["trained_model"] = load_trained_model(data, label=label)
            st.switch_page("pages/Classify.py")


def run_panel(tr: Tr) -> None:
    """The session's run: live while it is queued or going (:func:`_live_panel`), then its results."""
    handle: RunHandle | None = st.session_state.get("train.handle")
    if "train.queued" in st.session_state or (handle is not None and not handle.finished):
        _live_panel(tr)
    elif handle is not None:
        _draw_results(tr, handle)
