"""The CLI's refusal of a flag the model cannot take, in the run's language (issue 10).

``--lang zh`` translated the CLI's own messages, but a value the config refused (a cross-field
check, a range) came through as the library's English ValueError.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from resnet_explorer import ResNetConfig
from resnet_explorer.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")

CASES = [
    (["--shortcut", "A", "--shortcut-pool"], "needs a projection", ("shortcut_pool", "B", "C")),
    (["--groups", "32"], "basic blocks allow only 1/64", ("groups", "32/64", "bottleneck")),
    (["--se-ratio", "100"], "would squeeze to 0", ("se_ratio", "100", "64")),
    (["--width", "99999"], "allowed: 1 to 8192", ("width", "99999", "8192")),
]


@pytest.mark.parametrize(("flags", "english", "shown"), CASES)
def test_refused_flag_is_said_in_chinese(
    flags: list[str], english: str, shown: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "zh", "summary", "--preset", "resnet18", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert CJK.search(err) and len(err.splitlines()) == 1, err
    # Field names and the values given stay as typed; every other word should be Chinese.
    kept = {"ResNet", "ResNeXt", *shown, *(f.name for f in dataclasses.fields(ResNetConfig))}
    leftover = [w for w in re.findall(r"\b[A-Za-z_]{2,}\b", err) if w not in kept]
    assert not leftover, f"English left in {err!r}: {leftover}"
    for part in shown:
        assert part in err, err


@pytest.mark.parametrize(("flags", "english", "shown"), CASES)
def test_refused_flag_in_english_is_the_library_message(
    flags: list[str], english: str, shown: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "summary", "--preset", "resnet18", *flags]) == 2
    err = capsys.readouterr().err
    assert english in err and not CJK.search(err), err
