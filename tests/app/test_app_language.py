"""Every page switches language back and forth without losing a widget value or raising.

Streamlit sends a choice widget's value back as its displayed label; labels are translated, so a
careless page breaks (or silently resets a choice) when the language changes.
"""

import json
import re
from pathlib import Path

import pytest
from helpers import open_app
from streamlit.testing.v1 import AppTest

from resnet_explorer.ui.router import PAGES as ROUTED_PAGES

ROOT = Path(__file__).resolve().parents[2]
PAGES = [None, "pages/Compare.py", "pages/Paper.py", "pages/Classify.py", "pages/Training_lab.py"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "app.py")
def test_language_round_trip(page: str | None) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    if page:
        at.switch_page(page).run()
    before = {w.key: w.value for w in at.selectbox if w.key} | {w.key: w.value for w in at.radio if w.key}
    for lang, title_script in (("zh", "CJK"), ("en", "Latin"), ("zh", "CJK")):
        at.sidebar.segmented_control(key="lang_select").set_value(lang).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        title = at.title[0].value
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in title)
        assert has_cjk == (title_script == "CJK"), f"{lang}: title {title!r}"
    after = {w.key: w.value for w in at.selectbox if w.key} | {w.key: w.value for w in at.radio if w.key}
    assert after == before, "a choice changed when only the language did"


# English that 简体中文 mode once showed (issue 10 §4): as whole words in visible text, as whole
# cells in tables, as whole tick labels on charts.
ENGLISH_WORDS = re.compile(r"\b(presets|instead|got|allowed|expected|Showing)\b")
ENGLISH_CELLS = {"none", "stem", "head"}


def _visible_text(at) -> list[str]:
    out = []
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
    for kind in kinds:
        out += [str(e.value) for e in getattr(at, kind)]
    out += [m.label for m in at.metric]
    return out


@pytest.mark.parametrize("page", [p.path for p in ROUTED_PAGES])
def test_chinese_pages_show_no_known_english(page: str) -> None:
    # A bad link too, so the warnings' details are checked in Chinese as well.
    query = {"lang": "zh", "preset": "resnet50", "width": "abc", "shorcut": "A"}
    at = open_app(page, query).run()
    assert not at.exception, [e.value for e in at.exception]
    for text in _visible_text(at):
        outside_code = re.sub(r"`[^`]*`", " ", text)
        assert not ENGLISH_WORDS.search(outside_code), f"{page}: {text!r}"
    for frame in at.dataframe:
        cells = {str(v) for v in frame.value.astype(str).to_numpy().ravel()}
        assert not cells & ENGLISH_CELLS, f"{page}: {sorted(cells & ENGLISH_CELLS)}"
    if page == "pages/explorer.py":
        at.segmented_control(key="view").set_value("charts").run()
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        ticks = {x for trace in spec["data"] for x in trace.get("x", [])}
        assert not ticks & ENGLISH_CELLS, sorted(ticks & ENGLISH_CELLS)
