"""A model trained in the Training lab is one click away from the Classify page, and is used there."""

from pathlib import Path

from helpers import run_to_the_end
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def test_trained_model_is_used_on_the_classify_page() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page("pages/Training_lab.py").run()
    at.selectbox(key="train.depth").set_value(20)
    at.checkbox(key="train.reference").uncheck()
    at.selectbox(key="train.input_size").set_value(8)
    at.number_input(key="train.epochs").set_value(2)
    at.run()
    run_to_the_end(at.button(key="train.start").click().run())
    assert at.session_state["train.handle"].status == "done"
    at.button(key="train.use.1").click().run()  # "Use ResNet-20 on the Classify page"

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Classify an image"
    assert at.radio(key="cls.source").value == "lab"
    assert any("ResNet-20" in i.value and "1×8×8" in i.value for i in at.info), [i.value for i in at.info]
    prediction = {m.label: m.value for m in at.metric}["Prediction"]
    assert prediction in {str(d) for d in range(10)}, prediction
