"""The Explorer page under Streamlit's AppTest, checked against torchvision and closed-form counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import torchvision
from streamlit.testing.v1 import AppTest

TV = torchvision.models
APP = str(Path(__file__).resolve().parents[2] / "app.py")
NUM_PARAMS = {  # torchvision's own metadata: the outside truth for the ImageNet presets
    "resnet18": TV.ResNet18_Weights.IMAGENET1K_V1.meta["num_params"],
    "resnet50": TV.ResNet50_Weights.IMAGENET1K_V1.meta["num_params"],
}


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _params(at: AppTest) -> int:
    return int(_metrics(at)["Parameters"].replace(",", ""))


def test_default_page_shows_resnet18_as_torchvision_counts_it() -> None:
    at = _run()
    m = _metrics(at)
    assert _params(at) == TV.ResNet18_Weights.IMAGENET1K_V1.meta["num_params"]
    assert m["Multiply-adds"] == f"{TV.ResNet18_Weights.IMAGENET1K_V1.meta['_ops']:.2f} G"
    assert m["Depth"] == "18"
    # float32: 4 bytes per parameter
    assert m["Parameter memory"] == f"{11_689_512 * 4 / 2**20:.2f} MiB"
    assert dict(at.query_params) == {"preset": "resnet18"}


def test_changing_block_shortcut_and_depth_changes_the_metrics() -> None:
    at = _run()
    at.sidebar.selectbox(key="cfg.block").select("bottleneck").run()
    # ResNet-18's depth list with bottlenecks: check against the closed form for stage widths 64..512.
    w = [64, 128, 256, 512]
    expected = 9408 + 128  # stem conv 7·7·3·64 + BN
    c_in = 64
    for wi in w:
        for b in range(2):
            cin = c_in if b == 0 else 4 * wi
            expected += cin * wi + 9 * wi * wi + wi * 4 * wi + 2 * (wi + wi + 4 * wi)
            if b == 0:  # option B projects where the shape changes: every stage's first block here
                expected += cin * 4 * wi + 2 * 4 * wi
        c_in = 4 * wi
    expected += 2048 * 1000 + 1000
    assert _params(at) == expected

    at.sidebar.text_input(key="cfg.stages").input("3,4,6,3").run()
    assert _params(at) == TV.ResNet50_Weights.IMAGENET1K_V1.meta["num_params"]
    assert _metrics(at)["Multiply-adds"] == f"{TV.ResNet50_Weights.IMAGENET1K_V1.meta['_ops']:.2f} G"

    at.sidebar.selectbox(key="cfg.shortcut").select("C").run()
    # Option C adds a 1x1 projection + BN to every block that B leaves as identity (Sec. 3.3).
    extra = sum(n * (c * c + 2 * c) for n, c in ((2, 256), (3, 512), (5, 1024), (2, 2048)))
    assert _params(at) == 25_557_032 + extra == 40_128_552
    assert "Shortcut: B · projection where needed → C · projection everywhere" in at.sidebar.info[0].value

    at.sidebar.text_input(key="cfg.stages").input("3,4,23,3").run()
    assert (
        _params(at) - sum(n * (c * c + 2 * c) for n, c in ((2, 256), (3, 512), (22, 1024), (2, 2048)))
        == TV.ResNet101_Weights.IMAGENET1K_V1.meta["num_params"]
    )
    # Still a custom model based on the preset the user started from.
    assert dict(at.query_params) == {
        "preset": "resnet18",
        "block": "bottleneck",
        "shortcut": "C",
        "stages": "3,4,23,3",
    }


def test_preset_change_resets_every_knob() -> None:
    at = _run()
    at.sidebar.selectbox(key="cfg.shortcut").select("A").run()
    at.sidebar.selectbox(key="cfg.preset").select("resnet110").run()
    assert _params(at) == 1_727_962  # paper Table 6: 1.7M
    assert at.sidebar.selectbox(key="cfg.shortcut").value == "A"
    assert at.sidebar.text_input(key="cfg.stages").value == "18,18,18"
    assert not at.sidebar.info, "a preset just picked is not custom"


def test_shared_link_opens_the_same_model() -> None:
    at = _run({"preset": "resnet34", "shortcut": "A", "width": "32", "lang": "zh"})
    assert at.sidebar.selectbox(key="cfg.shortcut").value == "A"
    assert at.sidebar.number_input(key="cfg.width").value == 32
    assert "参数量" in {m.label for m in at.metric}
    assert dict(at.query_params) == {"preset": "resnet34", "shortcut": "A", "width": "32", "lang": "zh"}


@pytest.mark.parametrize(
    "query, field",
    [
        ({"preset": "resnet9000"}, "preset"),
        ({"preset": "resnet50", "shortcut": "D"}, "shortcut"),
        ({"preset": "resnet50", "stages": "3,four"}, "stages"),
        ({"preset": "resnet50", "width": "-5"}, "width"),
        ({"preset": "resnet50", "stages": "1,2,3,4,5,6,7"}, "stages"),
    ],
)
def test_bad_link_shows_a_message_and_falls_back(query: dict[str, str], field: str) -> None:
    at = _run(query)
    warnings = [w.value for w in at.warning]
    assert any(field in w for w in warnings), warnings
    expected = "resnet18" if field == "preset" else "resnet50"
    assert at.sidebar.selectbox(key="cfg.preset").value == expected
    assert _params(at) == NUM_PARAMS[expected]


def test_bad_knob_value_keeps_the_last_valid_model_and_the_text() -> None:
    at = _run()
    at.sidebar.text_input(key="cfg.stages").input("2,0,2").run()
    assert "stages[2]" in at.sidebar.error[0].value
    assert at.sidebar.text_input(key="cfg.stages").value == "2,0,2"
    assert _params(at) == 11_689_512


def test_language_switch_keeps_the_model() -> None:
    at = _run()
    at.sidebar.selectbox(key="cfg.shortcut").select("C").run()
    at.sidebar.selectbox(key="cfg.block").select("bottleneck").run()
    before = _params(at)
    at.sidebar.segmented_control(key="lang_select").set_value("zh").run()
    assert not at.sidebar.error, [e.value for e in at.sidebar.error]
    assert at.sidebar.selectbox(key="cfg.shortcut").value == "C"
    assert int(_metrics(at)["参数量"].replace(",", "")) == before
    assert "参数量" in _metrics(at)
    assert at.title[0].value == "ResNet 探索器"
    assert at.query_params["lang"] == "zh"
    at.sidebar.segmented_control(key="lang_select").set_value("en").run()
    assert "Parameters" in _metrics(at)


def test_model_too_big_is_analysed_but_refused() -> None:
    at = _run({"preset": "resnet152", "input_size": "4096"})
    assert _params(at) == TV.ResNet152_Weights.IMAGENET1K_V1.meta["num_params"]
    warning = " ".join(w.value for w in at.warning)
    assert "GiB" in warning and "allows" in warning, warning


def test_layer_table_filter_fold_and_views() -> None:
    at = _run({"preset": "resnet50"})
    table = at.dataframe[0].value
    # stem conv/BN/ReLU/max-pool; 16 blocks of 3 convs, 3 BNs, 2 inner ReLUs and the ReLU after the
    # addition; 4 projection shortcuts (conv + BN); average pool and FC.
    assert len(table) == 4 + 16 * 9 + 4 * 2 + 2
    at.selectbox(key="layers.stage").set_value("layer3").run()
    assert len(at.dataframe[0].value) == 6 * 9 + 2
    at.toggle(key="layers.fold").set_value(True).run()
    folded = at.dataframe[0].value
    assert len(folded) == 6
    assert folded["params"].sum() == sum(
        p.numel() for n, p in TV.resnet50().named_parameters() if n.startswith("layer3.")
    )
    at.segmented_control(key="view").set_value("stages").run()
    stages = at.dataframe[0].value
    assert stages["params"].sum() == NUM_PARAMS["resnet50"]
    at.segmented_control(key="view").set_value("blocks").run()
    text = " ".join(m.value for m in at.markdown)
    assert "3·3·256·256·2 = 1,179,648" in text and "= 69,632" in text and "3·3·64·64·2 = 73,728" in text
    assert "16.94" in " ".join(s.value for s in at.success)
    at.number_input(key="blocks.channels").set_value(512).run()
    assert f"3·3·512·512·2 = {9 * 512 * 512 * 2:,}" in " ".join(m.value for m in at.markdown)
    at.segmented_control(key="view").set_value("code").run()
    code = at.code[0].value
    namespace: dict = {}
    exec(code.replace("model = build_model(config)", "model = None"), namespace)  # noqa: S102
    assert namespace["report"].total_params == NUM_PARAMS["resnet50"]


@pytest.mark.parametrize(
    ("lang", "words"), [("en", ("6 channels", "multiple of 4")), ("zh", ("6 个通道", "4 的倍数"))]
)
def test_a_typed_channel_count_off_the_step_is_refused_in_the_readers_language(
    lang: str, words: tuple
) -> None:
    # The box's step of 4 guides only its +/- buttons: 6 can be typed in. d/4 must be whole.
    at = _run({"lang": lang})
    at.segmented_control(key="view").set_value("blocks").run()
    at.number_input(key="blocks.channels").set_value(6).run()
    assert not at.exception
    (error,) = at.error
    assert all(w in error.value for w in words), error.value
    assert "allowed" not in error.value and "got" not in error.value  # not the library's English
    at.number_input(key="blocks.channels").set_value(8).run()
    assert not at.error and "3·3·8·8·2 = 1,152" in " ".join(m.value for m in at.markdown)
