"""Classroom details from the audit (issue 24 §3), as a student meets them on the Explorer.

Presets in the paper's groups and names, the "differs from" note in the reader's words, full-width
digits in the stages box, an out-of-range number said next to its box, and the Code view's snippet
runnable after the install its note names.
"""

from __future__ import annotations

import re

import pytest
import torchvision
from helpers import open_app

TV = torchvision.models


def _run(query: dict[str, str]):
    at = open_app("pages/explorer.py", query).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_presets_are_grouped_and_named_as_the_paper_names_them() -> None:
    at = _run({"preset": "resnet56"})
    options = at.sidebar.selectbox(key="cfg.preset").options
    groups = [o.split(" › ")[0] for o in options]
    # The paper's order: ImageNet (Table 1), CIFAR-10 (Table 6), the plain twins, then what came after.
    assert list(dict.fromkeys(groups)) == ["ImageNet 2015", "CIFAR 2015", "plain twins", "successors"], groups
    assert "ImageNet 2015 › ResNet-50" in options
    assert "CIFAR 2015 › ResNet-56 · CIFAR" in options
    assert "plain twins › plain-34" in options
    assert "successors › ResNeXt-50 (32×4d)" in options
    ids = re.compile(r"\b(resnet|plain|resnext|wrn|seresnet|preact_)\w*\d")
    assert not [o for o in options if ids.search(o)], options
    heading = at.subheader[0].value
    assert heading.startswith("ResNet-56 · CIFAR:"), heading
    assert "resnet56" not in heading


def test_a_custom_model_heading_names_its_preset_as_the_paper_does() -> None:
    at = _run({"preset": "resnet50", "width": "32"})
    heading = at.subheader[0].value
    assert heading.startswith("custom (from ResNet-50)"), heading


def test_the_custom_note_says_fields_and_values_in_chinese() -> None:
    at = _run({"preset": "resnet34", "lang": "zh"})
    at.sidebar.selectbox(key="cfg.block").set_value("bottleneck").run()
    assert not at.exception, [e.value for e in at.exception]
    note = next(i.value for i in at.sidebar.info if "自定义" in i.value)
    assert "残差块：基本块 → 瓶颈块" in note, note
    assert "block" not in note and "basic" not in note, note
    assert "ResNet-34" in note and "resnet34" not in note, note


def test_full_width_digits_are_read_in_the_stages_box() -> None:
    # A Chinese input method types ３，４，６，３; the Lesson's answer boxes accept it, so must this one.
    at = _run({"preset": "resnet18", "lang": "zh"})
    at.sidebar.text_input(key="cfg.stages").input("３，４，６，３").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.sidebar.error, [e.value for e in at.sidebar.error]
    params = int(at.metric[0].value.replace(",", ""))
    assert params == TV.ResNet34_Weights.IMAGENET1K_V1.meta["num_params"]  # resnet18 with 3,4,6,3 is 34


@pytest.mark.parametrize(
    ("field", "typed", "allowed"), [("width", 9000, "1 to 8192"), ("se_ratio", -1, "0 to")]
)
def test_an_out_of_range_number_says_what_is_allowed_next_to_its_box(field, typed, allowed) -> None:
    at = _run({"preset": "resnet18"})
    at.sidebar.number_input(key=f"cfg.{field}").set_value(typed).run()
    assert not at.exception, [e.value for e in at.exception]
    said = [c.value for c in at.sidebar.caption if str(typed) in c.value]
    assert said and allowed in said[0], [c.value for c in at.sidebar.caption]
    assert at.sidebar.number_input(key=f"cfg.{field}").value == typed  # kept as typed, not clamped
    # The page goes on showing the last valid model.
    assert int(at.metric[0].value.replace(",", "")) == TV.ResNet18_Weights.IMAGENET1K_V1.meta["num_params"]


def test_an_out_of_range_number_is_said_in_chinese() -> None:
    at = _run({"preset": "resnet18", "lang": "zh"})
    at.sidebar.number_input(key="cfg.width").set_value(9000).run()
    said = [c.value for c in at.sidebar.caption if "9000" in c.value]
    assert said and "1 至 8192" in said[0], said


@pytest.mark.parametrize("query", [{"preset": "resnet50"}, {"preset": "resnet50", "width": "32"}])
def test_the_code_view_installs_the_package_and_imports_it_in_one_line(query) -> None:
    at = _run(query)
    at.segmented_control(key="view").set_value("code").run()
    caption = next(c.value for c in at.main.caption if "pip install" in c.value)
    assert "pip install -e ." in caption, caption
    assert "requirements.txt" not in caption, caption
    code = at.code[0].value
    imports = [line for line in code.splitlines() if line.startswith(("import ", "from "))]
    assert len(imports) == 1, imports
    printed: list[str] = []
    exec(code, {"print": lambda *a: printed.append(" ".join(map(str, a)))})  # noqa: S102 - the app's own snippet
    params = int(printed[0].split()[0])
    if "width" not in query:
        assert params == TV.ResNet50_Weights.IMAGENET1K_V1.meta["num_params"]


def _screen_text(at) -> str:
    """Everything a step's screen prints before a question is answered: text, tables, metrics, code."""
    parts = [str(e.value) for kind in ("markdown", "caption", "info", "code") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        parts += [str(v) for v in frame.value.astype(str).to_numpy().ravel()]
    return "\n".join(parts)


@pytest.mark.parametrize("number", [3, 6, 7])
def test_a_question_asks_what_its_screen_does_not_print(number: int) -> None:
    # Asked to find a number printed in the table beside it, a class copies instead of thinking.
    from resnet_explorer.lesson import step

    at = open_app("pages/Lesson.py", {"step": str(number)}).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _screen_text(at)
    for q in step(number).questions:
        assert q.kind == "number", f"{q.id}: a choice among names the screen prints"
        value = float(q.answer)
        written = (
            {f"{value:,.0f}", f"{value:.0f}"} if value == int(value) else {f"{value:.1f}", f"{value:.2f}"}
        )
        assert not [w for w in written if re.search(rf"(?<![\d,.]){re.escape(w)}(?![\d,])", shown)], (
            q.id,
            written,
        )


def test_a_right_answer_in_chinese_has_no_ascii_space_after_its_exclamation() -> None:
    from resnet_explorer.lesson import step

    q = step(3).questions[0]
    at = open_app("pages/Lesson.py", {"step": "3", "lang": "zh"}).run()
    at.text_input(key=f"lesson.{q.id}.answer").input(f"{q.answer:,}")
    at.button(key=f"lesson.{q.id}.check").click().run()
    said = at.success[0].value
    assert said.startswith("正确！") and "！ " not in said, said
