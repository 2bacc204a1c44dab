"""Issue 13: the CLI's sources for a MACs count, its one-line errors, its checks before work, its offline
advice and its language. Expected numbers come from the paper's Table 1, torchvision's metadata and the
catalogues' own text (the exact message a user reads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from resnet_explorer.cli import main
from resnet_explorer.i18n import t

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run(
        [sys.executable, "-m", "resnet_explorer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**base, **env},
        timeout=300,
    )


def test_resnet50_says_which_count_is_whose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--preset", "resnet50"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("stride on the 3×3, torchvision's V1.5")
    assert "multiply-adds      4,089,184,256" in out
    assert "= torchvision's resnet50" in out and "its published 4.089 GFLOPS" in out  # torchvision's _ops
    # Table 1 prints 3.8: the paper's layout (stride on the first 1x1) is 3,857,973,248, cut off.
    assert (
        "3,857,973,248 MACs = 3.858 G, printed there as 3.8: cut off, not rounded (rounding gives 3.9)" in out
    )
    assert main(["summary", "--preset", "resnet34", "--shortcut", "A"]) == 0
    out = capsys.readouterr().out
    assert "= the paper's Table 1 ResNet-34 (shortcut A, zero-padding): 3.644 G, printed there as 3.6" in out
    assert "3,663,761,408 MACs = its published 3.664 GFLOPS" in out


def _one_line(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode != 0 and "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


# Every sub-command with a bad input, and the ones that need something this machine lacks.
BAD = [
    (["summary", "--preset", "nope"], "preset: got 'nope'"),
    (["blocks", "--channels", "3"], "channels: got 3"),
    (["train", "--epochs", "0"], "--epochs: got 0; allowed: whole numbers 1 to 200"),
    (["train", "--batch-size", "0"], "--batch-size: got 0; allowed: whole numbers 2 to 4096"),
    (["train", "--lr", "nan"], "--lr: got nan; allowed: numbers from 1e-05 to 10"),
    (["weights", "download", "resnet9"], "invalid choice: 'resnet9'"),
    (["weights", "bogus"], "invalid choice: 'bogus'"),
    (["--lang", "fr", "summary"], "--lang: got 'fr'; allowed: en (English), zh (简体中文)"),
]


@pytest.mark.parametrize(("argv", "needle"), BAD, ids=lambda v: " ".join(v))
def test_bad_input_is_one_line_without_traceback(argv: list[str], needle: str) -> None:
    line = _one_line(cli(*argv))
    assert line.startswith("error: ") and needle in line


def test_bad_train_flag_is_refused_before_any_work() -> None:
    r = cli("train", "--epochs", "0", "--dataset", "cifar10")
    assert r.stdout == ""  # no header, and no attempt at the dataset: the flag is named first
    assert "CIFAR" not in _one_line(r) and "--epochs" in r.stderr


def test_unavailable_cifar10_and_weights_offline(tmp_path: Path) -> None:
    # A closed local port as the only route out: "offline" wherever the test runs.
    env = {
        "RESNET_EXPLORER_DATA": str(tmp_path / "data"),
        "TORCH_HOME": str(tmp_path / "th"),
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    line = _one_line(cli("train", "--dataset", "cifar10", "--epochs", "1", **env))
    assert line.startswith("error: --dataset cifar10:") and "--dataset digits" in line
    r = cli("weights", "download", "resnet18", **env)
    line = _one_line(r) if not r.stderr.startswith("downloading") else r.stderr.strip().splitlines()[-1]
    assert r.returncode == 2 and "Traceback" not in r.stderr
    # Advice that works offline: --file, or TORCH_HOME holding hub/checkpoints/<the exact file name>.
    assert "--file PATH" in line and "FOLDER/hub/checkpoints/resnet18-f37072fd.pth" in line
    assert "TORCH_HOME=FOLDER" in line
    assert "weights download resnet18 —" not in line  # not the command that just failed


def test_every_subcommand_refuses_an_unknown_flag_in_one_line() -> None:
    from resnet_explorer.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:  # includes sub-commands added later
        line = _one_line(cli(name, "--no-such-flag"))
        assert "unrecognized arguments: --no-such-flag" in line or "required" in line, (name, line)


@pytest.mark.parametrize("how", ["flag", "LANG"])
def test_chinese_by_flag_or_locale(
    how: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["summary", "--preset", "resnet18"]
    if how == "flag":
        argv += ["--lang", "zh"]
    else:
        monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith(t("cli.summary.preset", "zh", name="resnet18"))
    headings = out.splitlines()[2].split()
    assert headings == [
        t(k, "zh")
        for k in (
            "cli.col.layer",
            "cli.col.type",
            "cli.col.kernel",
            "cli.col.output",
            "cli.col.params",
            "cli.col.macs",
        )
    ]
    assert t("cli.summary.params", "zh") + " " in out and "11,689,512" in out
    assert main(["train", "--epochs", "0"] + (["--lang", "zh"] if how == "flag" else [])) == 2
    err = capsys.readouterr().err
    assert (
        err
        == t("cli.error", "zh", message=t("cli.bad_whole", "zh", flag="--epochs", value=0, lo="1", hi="200"))
        + "\n"
    )


def test_flag_beats_locale(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["--lang", "en", "blocks"]) == 0
    assert capsys.readouterr().out.startswith("Conv weights of one block")
