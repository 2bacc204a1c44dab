"""Every page switches language back and forth without losing a widget value or raising.

Streamlit sends a choice widget's value back as its displayed label; labels are translated, so a
careless page breaks (or silently resets a choice) when the language changes.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [None, "pages/compare.py", "pages/paper.py", "pages/classify.py", "pages/training_lab.py"]


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
