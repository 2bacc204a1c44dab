"""AppTest walks the Lesson's seven steps in both languages; its links open the Explorer on their model."""

from __future__ import annotations

import pytest
from helpers import open_app
from known_answers import TORCHVISION_PARAMS

from resnet_explorer.lesson import N_STEPS, step


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_step_opens_from_its_address(lang: str) -> None:
    for n in range(1, N_STEPS + 1):
        at = open_app("pages/Lesson.py", {"step": str(n), "lang": lang}).run()
        assert not at.exception, [e.value for e in at.exception]
        assert f"{n}/{N_STEPS}" in at.title[0].value
        assert ("课堂" in at.title[0].value) == (lang == "zh")
        hrefs = [b.proto.url for b in at.get("link_button")]
        assert hrefs == [link.href(lang) for link in step(n).links]


def test_a_question_accepts_the_right_answer_and_hints_at_a_wrong_one() -> None:
    q = step(3).questions[0]
    at = open_app("pages/Lesson.py", {"step": "3"}).run()
    at.text_input(key="lesson.last_projection.answer").input("12")
    at.button(key="lesson.last_projection.check").click().run()
    assert at.error and "too low" in at.error[0].value
    at.text_input(key="lesson.last_projection.answer").input(f"{q.answer:,}")
    at.button(key="lesson.last_projection.check").click().run()
    assert not at.error and at.success and "Right" in at.success[0].value


def test_the_explorer_opens_the_linked_model() -> None:
    link = step(3).links[1]  # ResNet-34 B, torchvision's resnet34
    at = open_app("pages/explorer.py", link.query).run()
    params = {m.label: m.value for m in at.metric}["Parameters"]
    assert params == f"{TORCHVISION_PARAMS['resnet34']:,}"
