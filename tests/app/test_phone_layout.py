"""What the server sends for a phone (issue 24 §2), without a browser.

The server cannot tell a phone from a desktop, so it sends both where they differ (the layer table's
grids, the Lesson's block diagram) and CSS shows one; and after a change made in the sidebar it draws
one small script that folds the sidebar away on a phone. That script is allowed by the deployment's
CSP only by its hash. tests/browser/test_phone.py checks what a 390×844 phone then shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from helpers import open_app

from resnet_explorer.ui import phone
from resnet_explorer.ui.tables import PHONE_LAYER_COLUMNS
from tests.conftest import ROOT

SCRIPT = re.compile(r'<script data-change="(\d+)">(.*)</script>', re.S)


def _csp_script_src() -> list[str]:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    m = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', conf)
    assert m, "deploy/nginx.conf sets no Content-Security-Policy"
    return next(d for d in m.group(1).split(";") if d.strip().startswith("script-src")).split()


def _closers(at) -> list[tuple[int, str]]:
    """(change count, script text) of each sidebar-folding script the run drew."""
    return [
        (int(m.group(1)), m.group(2))
        for h in at.get("html")
        if (m := SCRIPT.fullmatch(h.proto.body)) and h.proto.unsafe_allow_javascript
    ]


def test_the_csp_allows_the_sidebar_script_by_its_hash() -> None:
    digest = base64.b64encode(hashlib.sha256(phone.SIDEBAR_SCRIPT.encode()).digest()).decode()
    assert phone.SIDEBAR_SCRIPT_CSP == f"'sha256-{digest}'"
    assert phone.SIDEBAR_SCRIPT_CSP in _csp_script_src(), (
        f"deploy/nginx.conf's script-src lacks {phone.SIDEBAR_SCRIPT_CSP} (phone.SIDEBAR_SCRIPT changed?)"
    )


def test_each_model_change_in_the_sidebar_draws_the_folding_script() -> None:
    at = open_app("pages/explorer.py", {"preset": "resnet50"}).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _closers(at) == [], "opening the page is no change"
    at.sidebar.selectbox(key="cfg.shortcut").set_value("C").run()
    # Exactly the text the CSP's hash covers; the count makes the browser run it again next time.
    assert _closers(at) == [(1, phone.SIDEBAR_SCRIPT)]
    at.sidebar.selectbox(key="cfg.stem").set_value("cifar").run()
    assert _closers(at) == [(2, phone.SIDEBAR_SCRIPT)]
    at.toggle(key="layers.fold").set_value(True).run()
    assert _closers(at) == [], "a change on the page leaves the sidebar as it is"
    # A value the model refuses keeps the sidebar open on its error.
    at.sidebar.text_input(key="cfg.stages").set_value("3,x").run()
    assert at.sidebar.error and _closers(at) == []


def _labels(frame) -> dict[str, str]:
    return {k: v.get("label") for k, v in json.loads(frame.proto.columns).items() if k != "_index"}


def test_the_layer_table_sends_a_phone_grid_of_four_columns() -> None:
    at = open_app("pages/explorer.py", {"preset": "resnet50"}).run()
    full, small = at.dataframe  # the desktop's grid first: what AppTests have always read
    assert list(small.value.columns) == list(PHONE_LAYER_COLUMNS)
    assert PHONE_LAYER_COLUMNS == ("name", "output_shape", "params", "macs")
    assert len(small.value) == len(full.value) == 158
    assert _labels(small) == {"name": "Layer", "output_shape": "Output", "params": "Params", "macs": "MACs"}
    assert _labels(full)["output_shape"] == "Output (C×H×W)"
    at.toggle(key="layers.all_columns").set_value(True).run()
    (only,) = at.dataframe  # every column asked for: one grid, the desktop's
    assert list(only.value.columns) == list(full.value.columns)


def test_the_lesson_sends_its_block_diagram_both_ways() -> None:
    at = open_app("pages/Lesson.py", {"step": "2", "lang": "zh"}).run()
    assert not at.exception, [e.value for e in at.exception]
    specs = [c.proto.spec for c in at.get("graphviz_chart")]
    assert len(specs) == 2
    assert "rankdir=LR" in specs[0] and "rankdir=TB" in specs[1]  # a desktop's, then a phone's
    assert all("36,864 个权重" in s for s in specs)  # 3·3·64·64 in the page's language
