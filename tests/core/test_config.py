"""ResNetConfig validation (messages name the field, the value and what is allowed) and the URL
round trip that lets a shared link open the same model."""

from __future__ import annotations

import dataclasses
import urllib.parse

import pytest

from resnet_explorer import PRESETS, ResNetConfig
from resnet_explorer.core.config import (
    FAMILY_PRESETS,
    LIMITS,
    config_diff,
    config_from_query,
    config_to_query,
    preset_name,
)

# (field, bad value, text the message must contain besides the field name and the value)
BAD_VALUES = [
    ("stem", "vgg", "'imagenet', 'cifar', 'deep'"),
    ("stem", None, "'imagenet', 'cifar', 'deep'"),
    ("block", "wide", "'basic', 'bottleneck'"),
    ("shortcut", "D", "'A', 'B', 'C', 'none'"),
    ("shortcut", "b", "'A', 'B', 'C', 'none'"),
    ("stride_at", "2x2", "'1x1', '3x3'"),
    ("width", 0, "1 to 8192"),
    ("width", 8193, "1 to 8192"),
    ("width", 64.5, "1 to 8192"),
    ("width", True, "1 to 8192"),
    ("width", "64", "1 to 8192"),
    ("num_classes", 0, "1 to 100000"),
    ("in_channels", 65, "1 to 64"),
    ("input_size", 7, "8 to 4096"),
    ("input_size", 4097, "8 to 4096"),
    ("preact", "yes", "True or False"),
    ("preact", 1, "True or False"),
]


@pytest.mark.parametrize(("field", "value", "allowed"), BAD_VALUES)
def test_bad_value_message_names_field_value_and_allowed(field: str, value, allowed: str) -> None:
    with pytest.raises(ValueError) as info:
        ResNetConfig(**{field: value})
    message = str(info.value)
    assert message.startswith(f"{field}: ")
    assert repr(value) in message or str(value) in message
    assert allowed in message


@pytest.mark.parametrize(
    ("stages", "field", "allowed"),
    [
        ((), "stages", "1 to 6 stages"),
        ((2, 2, 2, 2, 2, 2, 2), "stages", "1 to 6 stages"),
        ((2, 0, 2), "stages[2]", "1 to 500"),
        ((2, 2, 501), "stages[3]", "1 to 500"),
        ((2, 2.5), "stages[2]", "1 to 500"),
        ("3,4,6,3", "stages", "tuple of block counts"),
    ],
)
def test_bad_stages(stages, field: str, allowed: str) -> None:
    with pytest.raises(ValueError) as info:
        ResNetConfig(stages=stages)
    assert str(info.value).startswith(f"{field}: got ")
    assert allowed in str(info.value)


@pytest.mark.parametrize("field", ["width", "num_classes", "in_channels", "input_size"])
def test_int_limits_are_inclusive(field: str) -> None:
    lo, hi = LIMITS[field]
    assert getattr(ResNetConfig(**{field: lo}), field) == lo
    assert getattr(ResNetConfig(**{field: hi}), field) == hi
    for bad in (lo - 1, hi + 1):
        with pytest.raises(ValueError, match=f"^{field}: got {bad}; allowed: {lo} to {hi}$"):
            ResNetConfig(**{field: bad})


def test_config_is_frozen_and_hashable() -> None:
    a = ResNetConfig(stages=[3, 4, 6, 3], block="bottleneck")
    assert a.stages == (3, 4, 6, 3)  # lists from JSON / widgets become tuples
    assert a == PRESETS["resnet50"] and hash(a) == hash(PRESETS["resnet50"])
    assert len({a, PRESETS["resnet50"], PRESETS["resnet18"]}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.width = 32  # type: ignore[misc]
    with pytest.raises(ValueError, match="^width: "):  # replace validates too
        dataclasses.replace(a, width=-1)


def test_presets_match_the_issue() -> None:
    # The 2015 paper's presets; the successors (FAMILY_PRESETS) are checked in test_family*.py.
    paper = {name: c for name, c in PRESETS.items() if name not in FAMILY_PRESETS}
    assert set(paper) == {
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
        "plain18",
        "plain34",
        "resnet20",
        "resnet32",
        "resnet44",
        "resnet56",
        "resnet110",
        "resnet1202",
        "plain20",
        "plain32",
        "plain44",
        "plain56",
        "plain110",
    }
    for name, c in paper.items():
        assert (c.shortcut == "none") == name.startswith("plain"), name
        if c.stem == "cifar":  # Sec. 4.2: option A, 16/32/64 filters, 10 classes, 32 px, 6n+2 layers
            assert (c.width, c.num_classes, c.input_size, c.block) == (16, 10, 32, "basic"), name
            assert c.shortcut in ("A", "none") and len(set(c.stages)) == 1 and len(c.stages) == 3
            assert 6 * c.stages[0] + 2 == int(name.removeprefix("resnet").removeprefix("plain"))
        else:
            assert (c.width, c.num_classes, c.input_size, c.stride_at) == (64, 1000, 224, "3x3"), name
            assert c.shortcut in ("B", "none")


# --- URL round trip --------------------------------------------------------------------------------

CUSTOM = [
    dataclasses.replace(PRESETS["resnet50"], shortcut="C", stride_at="1x1"),
    dataclasses.replace(PRESETS["resnet18"], stem="deep", preact=True, input_size=97),
    dataclasses.replace(PRESETS["resnet56"], width=32, num_classes=100, in_channels=1),
    ResNetConfig(
        stem="cifar",
        stages=(1, 2, 3, 4, 5, 6),
        block="bottleneck",
        shortcut="none",
        stride_at="1x1",
        width=8,
        preact=True,
        num_classes=7,
        in_channels=4,
        input_size=4096,
    ),
]


def _through_url(query: dict[str, str]) -> dict[str, str]:
    # What a browser hands back after the link is copied and opened.
    return dict(urllib.parse.parse_qsl(urllib.parse.urlencode(query), strict_parsing=True))


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_round_trip(name: str) -> None:
    query = config_to_query(PRESETS[name])
    assert query == {"preset": name}  # a preset's link is just its name
    assert config_from_query(_through_url(query)) == (PRESETS[name], name, [])


@pytest.mark.parametrize("config", CUSTOM, ids=range(len(CUSTOM)))
def test_custom_round_trip(config: ResNetConfig) -> None:
    assert preset_name(config) is None
    query = config_to_query(config)
    assert all(isinstance(v, str) for v in query.values())
    got, base, errors = config_from_query(_through_url(query))
    assert errors == []
    assert got == config
    # Only what differs from the base preset travels in the link.
    assert set(query) - {"preset"} == set(config_diff(PRESETS[base], config))


def test_round_trip_keeps_the_chosen_base() -> None:
    config = dataclasses.replace(PRESETS["resnet50"], width=32)
    query = config_to_query(config, base="resnet50")
    assert query == {"preset": "resnet50", "width": "32"}
    assert config_from_query(query) == (config, "resnet50", [])
    # Unrelated parameters in the link (language, tracking) are ignored.
    assert config_from_query({**query, "lang": "zh", "utm_source": "x"}) == (config, "resnet50", [])


@pytest.mark.parametrize(
    ("query", "base", "needles"),
    [
        ({"preset": "resnet9000"}, "resnet18", ["preset", "'resnet9000'", "resnet50"]),
        ({"preset": "resnet50", "width": "abc"}, "resnet50", ["width", "'abc'", "1 to 8192"]),
        ({"preset": "resnet50", "width": "0"}, "resnet50", ["width", "0", "1 to 8192"]),
        ({"preset": "resnet50", "width": ""}, "resnet50", ["width", "''", "1 to 8192"]),
        ({"preset": "resnet20", "stages": "3,x,3"}, "resnet20", ["stages", "'3,x,3'", "3,4,6,3"]),
        ({"preset": "resnet20", "stages": "1,1,1,1,1,1,1"}, "resnet20", ["stages", "1 to 6"]),
        ({"preset": "resnet20", "preact": "maybe"}, "resnet20", ["preact", "'maybe'", "1 or 0"]),
        ({"preset": "resnet18", "shortcut": "Z"}, "resnet18", ["shortcut", "'Z'", "'none'"]),
        ({"preset": "resnet18", "stem": "<script>"}, "resnet18", ["stem", "'<script>'", "'deep'"]),
    ],
)
def test_bad_link_reports_and_falls_back(query: dict[str, str], base: str, needles: list[str]) -> None:
    config, got_base, errors = config_from_query(query)
    assert got_base == base
    assert config == PRESETS[base]  # falls back to a valid model
    assert len(errors) == 1
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_bad_link_reports_every_problem() -> None:
    config, base, errors = config_from_query({"preset": "nope", "width": "x", "block": "tri", "preact": "2"})
    assert (config, base) == (PRESETS["resnet18"], "resnet18")
    fields = {e.split(":")[0] for e in errors}
    assert {"preact", "preset", "width"} <= fields
