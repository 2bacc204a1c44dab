"""The Lesson page's panels: the step from the address, previous / next, each step's screen, questions.

The numbers, links and questions come from :mod:`resnet_explorer.lesson`; this module only lays them
out so that each step fits one 1366×768 projector screen, and keeps what a student answered.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from ..i18n import sentences
from ..lesson import N_STEPS, Question, Step, check, parse_step
from ..lesson import step as build_step
from ..lesson.figures import block_diagram
from ..lesson.steps import BLOCK_WIDTHS, SUCCESSORS, demo_results
from .phone import phone_only, wide_only
from .session import as_code, lang, link_problem, sync_url, translator

__all__ = ["current_step", "navigation", "show_step", "LAB_STATE"]

TITLES = {
    1: "lesson.degradation.title",
    2: "lesson.block.title",
    3: "lesson.shortcuts.title",
    4: "lesson.bottleneck.title",
    5: "lesson.deeper.title",
    6: "lesson.thousand.title",
    7: "lesson.next.title",
}
# What the Training lab reads to set up the paper's pair: plain-20, plain-56 and ResNet-56 (its widgets'
# keys, pages/Training_lab.py); "train.want_start" makes the lab start the run when it opens.
LAB_STATE = {"train.pair": "paper", "train.depth": 56, "train.reference": True}


def current_step() -> int:
    """The step in the address (``?step=3``); a bad one is named and step 1 shown instead."""
    tr = translator()
    raw = st.query_params.get("step")
    number, problem = parse_step(raw)
    sync_url({"step": str(number)})
    if problem:  # the link's text only as code: st.warning renders Markdown
        st.warning(tr("lesson.bad_step", problem=link_problem(problem)), icon=":material/link_off:")
    return number


def _go(number: int) -> None:
    st.query_params["step"] = str(number)


def _go_to_picked() -> None:
    _go(int(st.session_state["lesson.goto"]))


# A projector has 768 px: Streamlit's 6rem above the first line (3.75rem of it under its toolbar) and its
# 2.75rem title would take a fifth of them. Only this page's run carries the rule: other pages keep theirs.
# Streamlit 1.67 also sets every element of a Graphviz chart to 9.6 px (`& *` in GraphVizChart's style),
# over the sizes Graphviz laid the boxes out for: revert-layer gives the drawing its own `font-size` back.
_COMPACT = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.9rem; padding-bottom: 1rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.1rem; padding: 0.2rem 0; }
[data-testid="stGraphVizChart"] svg text { font-size: revert-layer; }
</style>"""


def navigation(number: int) -> None:
    """The step's title with previous / next beside it; the outline of all steps in the sidebar."""
    tr = translator()
    st.html(_COMPACT)
    st.session_state["lesson.goto"] = number
    st.sidebar.radio(
        tr("lesson.goto"),
        list(range(1, N_STEPS + 1)),
        key="lesson.goto",
        on_change=_go_to_picked,
        format_func=lambda n: f"{n} · {tr(TITLES[n])}",
    )
    cols = st.columns([5, 1, 1], vertical_alignment="center")
    cols[0].title(tr("lesson.heading", n=number, total=N_STEPS, title=tr(TITLES[number])))
    cols[1].button(
        tr("lesson.prev"),
        key="lesson.prev",
        on_click=_go,
        args=(number - 1,),
        disabled=number == 1,
        icon=":material/arrow_back:",
        width="stretch",
    )
    cols[2].button(
        tr("lesson.next"),
        key="lesson.next",
        on_click=_go,
        args=(number + 1,),
        disabled=number == N_STEPS,
        icon=":material/arrow_forward:",
        icon_position="right",
        width="stretch",
        type="primary",
    )


def _links(step: Step) -> None:
    tr, language = translator(), lang()
    st.caption(tr("lesson.open_caption"))
    with st.container(horizontal=True):
        for i, link in enumerate(step.links):
            st.link_button(
                link.label,
                link.href(language),
                key=f"lesson.link.{step.number}.{i}",
                icon=":material/open_in_new:",
            )


def _ask(q: Question, labels: dict[str, str] | None = None) -> None:
    """The question in a form (Enter checks it), then right with the working, or wrong with a hint."""
    tr = translator()
    values = q.text_values
    answer_key, given_key = f"lesson.{q.id}.answer", f"lesson.{q.id}.given"
    with st.form(f"lesson.{q.id}.form"):
        st.markdown(f"**{tr(q.prompt, **values)}**")
        if q.kind == "number":
            st.text_input(
                tr("lesson.answer"),
                key=answer_key,
                placeholder=tr("lesson.answer_placeholder"),
                label_visibility="collapsed",
            )
        else:
            shown = labels or {}
            st.radio(
                tr("lesson.answer"),
                q.choices,
                index=None,
                key=answer_key,
                horizontal=True,
                format_func=lambda c: shown.get(c, c),
                label_visibility="collapsed",
            )
        with st.container(horizontal=True):
            checked = st.form_submit_button(tr("lesson.check"), key=f"lesson.{q.id}.check", type="primary")
            revealed = st.form_submit_button(
                tr("lesson.reveal"),
                key=f"lesson.{q.id}.reveal",
                type="tertiary",
                icon=":material/visibility:",
            )
        if checked:
            st.session_state[given_key] = st.session_state.get(answer_key)
        if revealed:
            st.session_state[f"lesson.{q.id}.revealed"] = True
    given = st.session_state.get(given_key)
    verdict = check(q, given)
    shown_given = (labels or {}).get(given, given) if given is not None else ""
    if verdict.right:
        st.success(
            sentences(lang(), tr("lesson.right"), tr(q.working, **values)), icon=":material/check_circle:"
        )
        return
    if verdict.status == "wrong":
        side = {"high": tr("lesson.too_high"), "low": tr("lesson.too_low")}.get(verdict.direction or "", "")
        wrong = sentences(lang(), tr("lesson.wrong", given=as_code(shown_given)), side)
        st.error(
            f"{wrong}  \n{tr(verdict.hint, **values)}",
            icon=":material/lightbulb:",
        )
    elif verdict.status == "unreadable":
        st.warning(tr("lesson.unreadable", given=as_code(shown_given)), icon=":material/keyboard:")
    if st.session_state.get(f"lesson.{q.id}.revealed"):
        st.info(tr(q.working, **values), icon=":material/visibility:")


def _forget(question: str) -> None:
    """A new width asks a new question: the old answer and its reveal no longer apply."""
    st.session_state.pop(f"lesson.{question}.given", None)
    st.session_state.pop(f"lesson.{question}.revealed", None)


def _count(n: int) -> str:
    return f"{n:,}"


# --- the steps -----------------------------------------------------------------------------------


def _step_1(step: Step) -> None:
    tr = translator()
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(tr("lesson.degradation.intro"))
        nets = step.facts["nets"]
        st.markdown(
            "  \n".join(
                tr("lesson.degradation.net", label=label, depth=n["depth"], params=_count(n["params"]))
                for label, n in nets.items()
            )
        )
        results = demo_results()
        if results is None:
            st.info(tr("lesson.degradation.no_results"), icon=":material/info:")
        else:
            _show_demo(results)
    with right:
        if st.button(
            tr("lesson.degradation.live"), key="lesson.live", type="primary", icon=":material/play_arrow:"
        ):
            for key, value in LAB_STATE.items():
                st.session_state[key] = value
            st.session_state["train.want_start"] = True
            st.switch_page("pages/Training_lab.py")
        st.caption(tr("lesson.degradation.live_caption"))
        _ask(step.questions[0])
        _links(step)


def _show_demo(results: dict) -> None:
    """The shipped run's training-error curves (Fig. 6's dashed lines) and the command that made them."""
    tr = translator()
    curves = pd.DataFrame(
        {
            net["label"]: pd.Series(net["curve"]["train_error"], index=net["curve"]["epoch"])
            for net in results["nets"].values()
        }
    )
    curves.index.name = tr("lesson.col.epoch")
    finals = tr("cfg.list_sep").join(
        tr("alt.lesson.final", net=net["label"], error=f"{net['curve']['train_error'][-1]:g}")
        for net in results["nets"].values()
    )
    # Altair, not st.line_chart: its hover layer is an empty "graphics-symbol" with no name, which a
    # screen reader announces as an unlabelled image (axe's svg-img-alt).
    long = curves.reset_index().melt(curves.index.name, var_name="net", value_name="error")
    chart = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X(f"{curves.index.name}:Q", title=tr("lesson.col.epoch")),
            y=alt.Y("error:Q", title=tr("lesson.col.train_error")),
            color=alt.Color("net:N", title=None, sort=list(curves.columns)),
        )
        .properties(height=230)
    )
    st.altair_chart(
        chart, width="stretch", alt=tr("alt.lesson.curves", epochs=int(curves.index[-1]), finals=finals)
    )
    st.caption(tr("lesson.degradation.results_caption", command=results["command"]))


def _step_2(step: Step) -> None:
    tr = translator()
    st.session_state.setdefault("lesson.width", 64)
    width = st.select_slider(
        tr("lesson.block.width"), BLOCK_WIDTHS, key="lesson.width", on_change=_forget, args=("double_width",)
    )
    step = build_step(2, int(width))
    f = step.facts
    # Left to right, a phone's 358 px would shrink its 13 px labels under 4 px: top to bottom there.
    with wide_only("lesson_block"):
        st.graphviz_chart(block_diagram(f, lang()), width="stretch", alt=tr("alt.lesson.block", c=f["width"]))
    with phone_only("lesson_block"):
        st.graphviz_chart(
            block_diagram(f, lang(), vertical=True), width="stretch", alt=tr("alt.lesson.block", c=f["width"])
        )
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(tr("lesson.block.intro"))
        st.markdown(tr("lesson.block.count", c=f["width"]))
        st.code(f"{f['formula']} = {f['params']:,}", language=None)
        st.caption(
            tr("lesson.block.count_caption", conv=_count(f["conv"]), bn=_count(f["bn"]), block=f["block"])
        )
        _links(step)
    with right:
        _ask(step.questions[0])


def _step_3(step: Step) -> None:
    tr = translator()
    rows = step.facts["rows"]
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(tr("lesson.shortcuts.intro"))
        table = pd.DataFrame(
            [
                {
                    tr("lesson.col.option"): o,
                    tr("lesson.col.params"): _count(r["params"]),
                    tr("lesson.col.vs_a"): f"+{r['extra']:,}",
                    tr("lesson.col.shortcut_params"): _count(r["shortcut_params"]),
                    tr("lesson.col.top1"): r["top1"],
                    tr("lesson.col.top5"): r["top5"],
                }
                for o, r in rows.items()
            ]
        )
        st.dataframe(table, hide_index=True)
        st.caption(tr("lesson.shortcuts.caption", n=step.facts["projections"]))
    with right:
        _ask(step.questions[0])
        _links(step)


def _step_4(step: Step) -> None:
    tr = translator()
    a = step.facts["arith"]
    st.markdown(tr("lesson.bottleneck.intro", c=a.channels, m=a.mid))
    cols = st.columns(2, gap="large")
    for col, q in zip(cols, step.questions, strict=True):
        with col:
            _ask(q)
    answered = all(check(q, st.session_state.get(f"lesson.{q.id}.given")).right for q in step.questions)
    left, right = st.columns([3, 2], gap="large")
    with left:
        if answered or st.toggle(tr("lesson.bottleneck.reveal_all"), key="lesson.bottleneck.reveal_all"):
            st.code(
                f"{a.basic_formula} = {a.basic_weights:,}\n{a.bottleneck_formula} = {a.bottleneck_weights:,}",
                language=None,
            )
            st.markdown(
                tr(
                    "lesson.bottleneck.ratio",
                    ratio=f"{a.ratio:.2f}",
                    fig5=f"{a.fig5_basic_weights:,}",
                    formula=a.fig5_basic_formula,
                    m=a.mid,
                )
            )
    with right:
        _links(step)


def _step_5(step: Step) -> None:
    tr = translator()
    f = step.facts
    st.markdown(tr("lesson.deeper.intro"))
    rows = [
        {
            tr("lesson.col.net"): label,
            tr("lesson.col.layers"): r["depth"],
            tr("lesson.col.params"): _count(r["params"]),
            tr("lesson.col.gmacs"): f"{r['macs'] / 1e9:.2f}",
            tr("lesson.col.table1"): r["published"],
            tr("lesson.col.top1"): r["top1"],
            tr("lesson.col.top5"): r["top5"],
        }
        for label, r in f["rows"].items()
    ]
    rows.append(
        {
            tr("lesson.col.net"): "VGG-19",
            tr("lesson.col.layers"): 19,
            tr("lesson.col.params"): _count(f["vgg_params"]),
            tr("lesson.col.gmacs"): f"{f['vgg_macs'] / 1e9:.2f}",
            tr("lesson.col.table1"): f["vgg_published"],
            tr("lesson.col.top1"): "—",
            tr("lesson.col.top5"): "—",
        }
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(tr("lesson.deeper.caption"))
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.code(
            "\n".join(f"{r['group']:<9} {r['formula']} = {r['macs']:,}" for r in f["vgg"])
            + f"\n{'VGG-19':<9} = {f['vgg_macs']:,}",
            language=None,
            wrap_lines=True,  # a line longer than the column wraps rather than hides its sum
        )
        _links(step)
    with right:
        _ask(step.questions[0])


def _step_6(step: Step) -> None:
    tr = translator()
    rows = step.facts["rows"]
    left, right = st.columns([3, 2], gap="large")
    with left:
        table = pd.DataFrame(
            [
                {
                    tr("lesson.col.net"): r["label"],
                    "n": r["n"],
                    tr("lesson.col.layers"): r["depth"],
                    tr("lesson.col.params"): _count(r["params"]),
                    tr("lesson.col.params_published"): r["published"],
                    tr("lesson.col.cifar_error"): r["error"],
                }
                for r in rows.values()
            ]
        )
        st.dataframe(table, hide_index=True)
        st.info(tr("lesson.thousand.remark"), icon=":material/format_quote:")
        _links(step)
    with right:
        _ask(step.questions[0])
        _ask(step.questions[1])


_SUCCESSOR_TEXT = {
    "preact_resnet164": "lesson.next.preact",
    "resnext50_32x4d": "lesson.next.resnext",
    "wide_resnet50_2": "lesson.next.wide",
    "resnet50d": "lesson.next.resnet_d",
}


def _step_7(step: Step) -> None:
    tr, language = translator(), lang()
    rows = step.facts["rows"]
    st.markdown(tr("lesson.next.intro", r50=_count(step.facts["resnet50"]["params"])))
    if not rows:
        st.warning(tr("lesson.next.missing"))
    cols = st.columns(max(len(rows), 1))
    for i, (col, (name, r)) in enumerate(zip(cols, rows.items(), strict=False)):
        with col.container(border=True):
            st.markdown(f"**{SUCCESSORS[name]}**")
            st.caption(tr(_SUCCESSOR_TEXT[name]))
            st.metric(tr("lesson.col.params"), _count(r["params"]))
            link = step.links[i]
            st.link_button(
                tr("lesson.open"),
                link.href(language),
                key=f"lesson.link.7.{i}",
                icon=":material/open_in_new:",
            )
    if step.questions:
        _ask(step.questions[0])


PANELS: dict[int, Callable[[Step], None]] = {
    1: _step_1,
    2: _step_2,
    3: _step_3,
    4: _step_4,
    5: _step_5,
    6: _step_6,
    7: _step_7,
}


def show_step(number: int) -> None:
    """Draw step ``number``'s screen."""
    PANELS[number](build_step(number))
