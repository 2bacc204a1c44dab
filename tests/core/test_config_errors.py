"""ConfigError: the library's English message unchanged, its parts kept for a translation."""

from __future__ import annotations

import dataclasses
import pickle
import re

import pytest

from resnet_explorer import PRESETS, ResNetConfig
from resnet_explorer.core.config import ConfigError, read_link


@pytest.mark.parametrize(
    ("base", "change", "message", "kind"),
    [
        ("resnet18", {"width": 99999}, "width: got 99999; allowed: 1 to 8192", "range"),
        ("resnet18", {"shortcut": "X"}, "shortcut: got 'X'; allowed: 'A', 'B', 'C', 'none'", "choice"),
        (
            "resnet50",
            {"shortcut": "A", "shortcut_pool": True},
            "allowed with shortcut 'B' or 'C'",
            "pool_projection",
        ),
        ("resnet18", {"se_ratio": 100}, "channels would squeeze to 0", "se_squeeze"),
    ],
)
def test_message_is_english_and_parts_are_kept(base: str, change: dict, message: str, kind: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        dataclasses.replace(PRESETS[base], **change)
    assert isinstance(info.value, ConfigError) and info.value.kind == kind
    again = pickle.loads(pickle.dumps(info.value))
    assert (str(again), again.kind, again.values) == (str(info.value), kind, info.value.values)


def test_link_conflict_keeps_the_reason_through_pickle() -> None:
    _, _, (problem,) = read_link({"preset": "resnet18", "groups": "32"})
    assert problem.kind == "conflict" and problem.reason[0] == "basic_groups"
    again = pickle.loads(pickle.dumps(problem.in_column("c2")))
    assert (again.reason, again.column, str(again)) == (problem.reason, "c2", f"c2: {problem}")


def test_range_problems_keep_their_bounds() -> None:
    _, _, (problem,) = read_link({"width": "abc"})
    assert problem.bounds == (1, 8192) and problem.allowed == "1 to 8192"
    assert ResNetConfig().width == 64
