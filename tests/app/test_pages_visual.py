"""Compare and Paper: pure helpers (URL encoding, tables) and the pages under AppTest."""

from __future__ import annotations

import dataclasses
import json
import string
from pathlib import Path

import pytest
from helpers import open_app
from streamlit.testing.v1 import AppTest

from resnet_explorer import PRESETS, analyze
from resnet_explorer.core import compare, paper
from resnet_explorer.i18n import STRINGS
from resnet_explorer.visual import charts

ROOT = Path(__file__).resolve().parents[2]
R34 = PRESETS["resnet34"]


# --- compare: URL round trip ------------------------------------------------------------------------

ODD = (
    dataclasses.replace(R34, shortcut="A"),
    dataclasses.replace(PRESETS["resnet50"], stride_at="1x1", width=32, preact=True),
    dataclasses.replace(PRESETS["resnet20"], stages=(1, 2, 3, 4, 5, 6), input_size=64, num_classes=7),
    dataclasses.replace(PRESETS["resnet18"], stem="deep", in_channels=1),
)


@pytest.mark.parametrize("configs", [*compare.COMPARISONS.values(), ODD, ODD[:2]])
def test_comparison_url_round_trip(configs):
    query = compare.comparison_to_query(configs)
    assert list(query) == [f"c{i}" for i in range(1, len(configs) + 1)]
    back, errors = compare.comparison_from_query(query)
    assert errors == []
    assert back == list(configs)


def test_links_are_short_and_readable():
    assert compare.comparison_to_query(compare.COMPARISONS["shortcut_options"]) == {
        "c1": "resnet34;shortcut=A",
        "c2": "resnet34",
        "c3": "resnet34;shortcut=C",
    }


def test_bad_links_fall_back_with_messages():
    configs, errors = compare.comparison_from_query(
        {"c1": "resnet34;shortcut=Q", "c2": "nope", "c3": "resnet50;width", "other": "x"}
    )
    assert configs == [R34, PRESETS["resnet18"], PRESETS["resnet50"]]
    assert any(e.startswith("c1: shortcut: got 'Q'; allowed:") for e in errors)
    assert any(e.startswith("c2: preset: got 'nope'") for e in errors)
    assert any(e.startswith("c3: 'width': expected field=value") for e in errors)
    # Too few columns: the default comparison, said so.
    configs, errors = compare.comparison_from_query({"c1": "resnet50"})
    assert configs == list(compare.COMPARISONS[compare.DEFAULT_COMPARISON])
    assert "a comparison needs 2 to 4" in errors[-1]
    # Too many: the first four, said so; columns sort by number, not as text (c10 after c9).
    many = {
        f"c{i}": f"resnet{6 * n + 2}"
        for i, n in zip(range(1, 11), [3, 5, 7, 9, 18, 3, 5, 7, 9, 18], strict=True)
    }
    configs, errors = compare.comparison_from_query(many)
    assert configs == [PRESETS[n] for n in ("resnet20", "resnet32", "resnet44", "resnet56")]
    assert "showing the first 4" in errors[0]
    # No columns at all: the default, silently.
    assert compare.comparison_from_query({}) == (list(compare.COMPARISONS["plain_vs_residual"]), [])
    with pytest.raises(ValueError, match="configs: got 5; allowed: 2 to 4"):
        compare.comparison_to_query([R34] * 5)


def test_totals_table_differences():
    df = compare.totals_table(compare.COMPARISONS["plain_vs_residual"])
    plain, res = analyze(PRESETS["plain34"]), analyze(R34)
    assert df["params"].tolist() == [plain.total_params, res.total_params]
    assert df["params_diff"].tolist() == [0, res.total_params - plain.total_params]
    # ResNet-34 (option B) adds exactly three projections: 64->128, 128->256, 256->512 (+ BN).
    assert df["params_diff"].iloc[1] == sum(i * o + 2 * o for i, o in ((64, 128), (128, 256), (256, 512)))
    pct = (res.total_macs - plain.total_macs) / plain.total_macs
    assert df["macs_diff_pct"].iloc[1] == pytest.approx(pct)
    assert df["depth"].tolist() == [34, 34]


# --- paper tables -----------------------------------------------------------------------------------


def test_table1_against_the_paper():
    t1 = paper.table1().set_index("model")
    # Agreement after ordinary rounding to the paper's digits, each row computed as the paper ran it
    # (18/34: option A; 50/101/152: option B, stride on the 1x1). ResNet-50 (3.858) rounds to 3.9;
    # the paper's 3.8 is the count cut off, which the table must say rather than hide.
    assert t1["status"].to_dict() == {
        "ResNet-18": "agree",
        "ResNet-34": "agree",
        "ResNet-50": "truncated",
        "ResNet-101": "agree",
        "ResNet-152": "agree",
    }
    assert t1.loc["ResNet-34", "macs_paper"] == 3_644_493_824  # plain-34's count: option A adds none
    assert t1.loc["ResNet-34", "macs_paper"] == analyze(PRESETS["plain34"]).total_macs
    for depth in (50, 101, 152):
        cfg = dataclasses.replace(PRESETS[f"resnet{depth}"], stride_at="1x1")
        assert t1.loc[f"ResNet-{depth}", "macs_paper"] == analyze(cfg).total_macs
    # torchvision's layout beside it: its published GFLOPS (1.814, 3.664, 4.089).
    assert [round(t1.loc[f"ResNet-{d}", "gmacs_tv"], 3) for d in (18, 34, 50)] == [1.814, 3.664, 4.089]
    assert (t1["output_sizes"] == "112 / 56 / 28 / 14 / 7").all()


def test_status_at_precision():
    assert paper.status_at_precision(0.269722, "0.27") == "agree"
    assert paper.status_at_precision(3.6637, "3.6") == "truncated"
    assert paper.status_at_precision(3.54, "3.6") == "last_digit"
    assert paper.status_at_precision(3.9, "3.6") == "differs"
    assert paper.status_at_precision(1.727962, "1.7") == "agree"


def test_table3_and_table6_are_computed():
    t3 = paper.table3().set_index("model")
    plain = analyze(PRESETS["plain34"]).total_params
    assert t3.loc["ResNet-34 A", "params"] == t3.loc["plain-34", "params"] == plain
    assert t3.loc["ResNet-34 C", "params"] == analyze(dataclasses.replace(R34, shortcut="C")).total_params
    assert t3.loc["ResNet-152", "params"] == 60_192_808
    assert set(t3["status"]) == {"agree", "computed_only"}
    assert t3.loc["ResNet-34 B", "top1_err_10crop"] == 24.52
    t6 = paper.table6().set_index("model")
    assert t6.loc["ResNet-20", "params"] == 269_722
    assert (t6["status"] == "agree").all()
    assert t6["params"].tolist() == [
        analyze(PRESETS[f"resnet{d}"]).total_params for d in (20, 32, 44, 56, 110, 1202)
    ]


def test_torchvision_table_reads_the_metadata():
    tv = paper.torchvision_table()
    assert len(tv) == 8  # V1 for all five, V2 for 50/101/152
    assert (tv["status"] == "agree").all()
    r50 = tv[(tv["model"] == "resnet50") & (tv["weights"] == "IMAGENET1K_V1")].iloc[0]
    assert (r50["acc1_1crop"], r50["acc5_1crop"]) == (76.13, 92.862)


def test_visual_strings_complete_in_both_languages():
    mine = {k: v for k, v in STRINGS.items() if k.split(".")[0] in ("graph", "chart", "compare", "paper")}
    assert len(mine) > 100
    for key, entry in mine.items():
        assert entry.get("en") and entry.get("zh"), key
        # Placeholders must match, or one language fails at format time.
        names = {lang: {f[1] for f in string.Formatter().parse(entry[lang]) if f[1]} for lang in ("en", "zh")}
        assert names["en"] == names["zh"], key


# --- pages under AppTest ----------------------------------------------------------------------------


def _page(path: str) -> AppTest:
    return open_app(path)


def _compare_app() -> AppTest:
    return _page("pages/Compare.py")


def _query(at: AppTest) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_compare_page_default_and_presets():
    at = _compare_app().run()
    assert not at.exception
    df = at.dataframe[0].value
    assert df["params"].tolist() == [analyze(PRESETS["plain34"]).total_params, analyze(R34).total_params]
    assert _query(at) == {"c1": "plain34", "c2": "resnet34"}
    assert len(at.get("bidi_component")) == 2 and len(at.get("plotly_chart")) == 1  # the pictures

    at.button(key="cmp.use.shortcut_options").click().run()
    assert not at.exception
    assert at.dataframe[0].value["params"].tolist() == [
        analyze(dataclasses.replace(R34, shortcut=s)).total_params for s in "ABC"
    ]
    assert len(at.get("bidi_component")) == 3

    at.selectbox(key="cmp2.block").set_value("bottleneck").run()
    assert not at.exception
    edited = dataclasses.replace(R34, block="bottleneck")
    assert at.dataframe[0].value["params"].iloc[1] == analyze(edited).total_params
    assert _query(at)["c2"] == compare.encode_config(edited)

    at.button(key="cmp.remove.1").click().run()
    assert not at.exception and len(at.dataframe[0].value) == 2
    at.button(key="cmp.add").click().run()
    assert len(at.dataframe[0].value) == 3


def test_compare_page_opens_a_link_and_reports_bad_ones():
    at = _compare_app()
    at.query_params.update({"c1": "resnet50;shortcut=C", "c2": "bogus", "c3": "resnet20"})
    at.run()
    assert not at.exception
    assert at.dataframe[0].value["params"].tolist() == [
        analyze(dataclasses.replace(PRESETS["resnet50"], shortcut="C")).total_params,
        analyze(PRESETS["resnet18"]).total_params,
        269_722,
    ]
    assert any("bogus" in w.value for w in at.warning)


def test_compare_page_in_chinese():
    at = _compare_app()
    at.query_params.update({"lang": "zh"})
    at.run()
    assert not at.exception
    assert at.title[0].value == STRINGS["compare.title"]["zh"]


def test_paper_page_cells_equal_the_library():
    at = _page("pages/Paper.py").run()
    assert not at.exception
    t1, t3, t6, tv, preact, resnext, wrn = (d.value for d in at.dataframe)
    assert t1["macs_paper"].tolist() == [
        analyze(paper.table1_config(d)).total_macs for d in (18, 34, 50, 101, 152)
    ]
    assert t1["config"].tolist()[1] == STRINGS["cfg.shortcut.A"]["en"]  # each row names its configuration
    models = (
        PRESETS["plain34"],
        *(dataclasses.replace(R34, shortcut=s) for s in "ABC"),
        PRESETS["resnet50"],
        PRESETS["resnet101"],
        PRESETS["resnet152"],
    )
    assert t3["params"].tolist() == [analyze(c).total_params for c in models]
    assert t6["params"].tolist() == [
        analyze(PRESETS[f"resnet{d}"]).total_params for d in (20, 32, 44, 56, 110, 1202)
    ]
    assert tv["params"].tolist()[:2] == [11_689_512, 21_797_672]
    # The quoted columns say which protocol they come from.
    t3_labels = [c.get("label") for c in json.loads(at.dataframe[1].proto.columns).values()]
    tv_labels = [c.get("label") for c in json.loads(at.dataframe[3].proto.columns).values()]
    assert "top-1 err % (10-crop, Table 3)" in t3_labels
    assert "acc@1 % (1-crop)" in tv_labels
    assert any("1-crop" in w.value for w in at.warning)
    # Rows that differ say why, with the computed, the rounded and the printed value.
    reasons = [c.value for c in at.caption if "cut off" in c.value]
    assert len(reasons) == 1 and "ResNet-50" in reasons[0] and "3.858" in reasons[0] and "3.9" in reasons[0]
    # The successors' tables, against outside counts: the authors' code (docs/notes.md) and torchvision.
    assert preact["computed"].tolist() == [1_703_258, 10_327_706]
    assert resnext[resnext["quantity_text"] == "parameters ×10⁶"]["computed"].tolist() == [
        25_557_032,
        25_028_904,
    ]
    assert wrn.set_index("model").loc[["WRN-40-4", "WRN-28-10", "WRN-16-8"], "computed"].tolist() == [
        8_949_210,
        36_479_194,
        10_961_370,
    ]
    assert "published (Table 1)" in [
        c.get("label") for c in json.loads(at.dataframe[5].proto.columns).values()
    ]
    # ResNet-1001's 10.2M is the count without BN (10,178,490): its reason says so, with both numbers.
    (why_1001,) = [c.value for c in at.caption if c.value.startswith("**ResNet-1001**")]
    assert "10.328" in why_1001 and "10.178" in why_1001 and "149,216" in why_1001
    assert at.header[-1].value == STRINGS["paper.succ.title"]["en"]


# --- the Explorer's graph and chart panels ----------------------------------------------------------


def test_graph_panel_controls_and_big_graph_gate():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"preset": "resnet1202"})
    at.run()
    at.segmented_control(key="view").set_value("graph").run()
    assert not at.exception
    # Deep nets start folded: the blocks view of ResNet-1202 plus the block inspector.
    assert at.toggle(key="graph.fold.deep").value is True
    assert len(at.get("graphviz_chart")) == 2
    at.segmented_control(key="graph.level").set_value("layers").run()
    at.toggle(key="graph.fold.deep").set_value(False).run()
    assert not at.exception
    # 4,207 nodes: not drawn until asked for; the DOT download is still offered.
    assert len(at.get("graphviz_chart")) == 1
    assert any("4,207" in i.value for i in at.info)
    assert at.checkbox(key="graph.big").value is False
    at.checkbox(key="graph.big").check().run()
    assert not at.exception and len(at.get("graphviz_chart")) == 2
    # Folded again, one stage alone: a handful of nodes.
    at.toggle(key="graph.fold.deep").set_value(True).run()
    at.selectbox(key="graph.stage.3").set_value(2).run()
    assert not at.exception and len(at.get("graphviz_chart")) == 2
    assert not any("more than 400" in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_charts_panel_builds_only_the_chosen_chart(lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"preset": "resnet56", "lang": lang})
    at.run()
    at.segmented_control(key="view").set_value("charts").run()
    for chart in charts.CHARTS:
        at.segmented_control(key="charts.pick").set_value(chart).run()
        assert not at.exception, chart
        assert len(at.get("plotly_chart")) == 1, chart
