"""``python -m resnet_explorer summary`` / ``blocks``, run as a user runs them (a subprocess).

Totals are compared with torchvision's published numbers, not with the library itself.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torchvision

from resnet_explorer import PRESETS, ResNetConfig, build_model
from resnet_explorer.cli import main

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resnet_explorer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


def inproc(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The same entry point without paying another interpreter start-up (torch import)."""
    assert main(list(args)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_summary_table_default_resnet18() -> None:
    r = cli("summary")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    out = r.stdout
    assert "preset resnet18" in out
    # Layer rows: name, type, kernel/stride, output shape, params, MACs with thousands separators.
    assert re.search(r"^conv1\s+Conv2d\s+7×7/2\s+64×112×112\s+9,408\s+118,013,952$", out, re.M)
    projection = r"^layer2\.0\.downsample\.0\s+Conv2d\s+1×1/2\s+128×28×28\s+8,192\s+6,422,528$"
    assert re.search(projection, out, re.M)
    assert re.search(r"^fc\s+Linear\s+1000\s+513,000\s+512,000$", out, re.M)
    # Per-stage totals and the headline numbers (torchvision: 11,689,512 params, 1.814 GFLOPS).
    assert re.search(r"^layer4\s+2\s+512×7×7\s+8,393,728\s+", out, re.M)
    assert re.search(r"^total\s+8\s+1000\s+11,689,512\s+", out, re.M)
    assert "parameters         11,689,512" in out
    assert "multiply-adds      1,814,073,344" in out
    assert "depth              18 weighted layers" in out
    assert f"parameter memory   {11_689_512 * 4 / 2**20:.2f} MiB" in out  # float32: 4 bytes a parameter
    assert "activation memory" in out


def test_summary_table_columns_are_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    lines = inproc(capsys, "summary", "--preset", "resnet20").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("layer "))
    rule = lines[header + 1]
    rows = lines[header + 2 : lines.index("", header)]
    # stem conv/bn/relu + 9 blocks of 6 leaves + 2 zero-pad shortcuts (option A) + avgpool/fc
    assert len(rows) == 3 + 9 * 6 + 2 + 2
    macs_end = len(rule)  # the MACs column is the last, right-aligned to the rule's end
    assert all(len(row) == macs_end for row in rows), "MACs column not right-aligned"


@pytest.mark.parametrize(("name", "how"), [("resnet50", "subprocess"), ("resnet152", "in-process")])
def test_summary_json_matches_torchvision(name: str, how: str, capsys: pytest.CaptureFixture[str]) -> None:
    if how == "subprocess":
        r = cli("summary", "--preset", name, "--json")
        assert r.returncode == 0, r.stderr
        stdout = r.stdout
    else:
        stdout = inproc(capsys, "summary", "--preset", name, "--json")
    data = json.loads(stdout)
    meta = {
        "resnet50": torchvision.models.ResNet50_Weights,
        "resnet152": torchvision.models.ResNet152_Weights,
    }[name].IMAGENET1K_V1.meta
    assert data["total_params"] == meta["num_params"]
    assert round(data["total_macs"] / 1e9, 3) == meta["_ops"]
    assert data["depth"] == int(name.removeprefix("resnet"))
    assert data["preset"] == name
    assert data["config"]["stages"] == list(PRESETS[name].stages)
    assert sum(s["params"] for s in data["stages"]) == data["total_params"]
    assert sum(s["macs"] for s in data["stages"]) == data["total_macs"]
    assert sum(layer["params"] for layer in data["layers"]) == data["total_params"]
    assert [s["stage"] for s in data["stages"]] == ["stem", "layer1", "layer2", "layer3", "layer4", "head"]
    assert data["layers"][0] == {
        **data["layers"][0],
        "name": "conv1",
        "type": "Conv2d",
        "kernel": 7,
        "stride": 2,
        "output_shape": "64×112×112",
        "params": 9408,
    }
    assert data["param_bytes"] == 4 * meta["num_params"]


def test_summary_flags_override_the_preset(capsys: pytest.CaptureFixture[str]) -> None:
    # Flags spell out ResNet-50 from the ResNet-18 default: the preset is recognised.
    data = json.loads(cli("summary", "--stages", "3,4,6,3", "--block", "bottleneck", "--json").stdout)
    assert data["preset"] == "resnet50"
    assert data["total_params"] == 25_557_032
    # The paper's stride placement: same weights, Table 1's 3.8 G multiply-adds (3.86 G).
    data = json.loads(inproc(capsys, "summary", "--preset", "resnet50", "--stride-at", "1x1", "--json"))
    assert data["preset"] is None
    assert data["config"]["stride_at"] == "1x1"
    assert (data["total_params"], round(data["total_macs"] / 1e9, 2)) == (25_557_032, 3.86)


def test_summary_custom_config_against_pytorch(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "--preset",
        "resnet20",
        "--shortcut",
        "C",
        "--width",
        "8",
        "--classes",
        "100",
        "--in-channels",
        "1",
        "--input-size",
        "28",
        "--preact",
    ]
    data = json.loads(inproc(capsys, "summary", *args, "--json"))
    c = data["config"]
    assert (c["shortcut"], c["width"], c["num_classes"], c["in_channels"], c["input_size"], c["preact"]) == (
        "C",
        8,
        100,
        1,
        28,
        True,
    )
    model = build_model(ResNetConfig(**{**c, "stages": tuple(c["stages"])}), "meta")
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    assert data["output_shape"] == [100]
    text = inproc(capsys, "summary", *args)
    assert text.startswith("custom config (resnet20 with ")
    assert "shortcut=C" in text and "width=8" in text


def test_summary_of_a_model_too_large_to_build(capsys: pytest.CaptureFixture[str]) -> None:
    # Analysed from the plan alone: nothing is allocated, and the report says it would not fit.
    text = inproc(capsys, "summary", "--preset", "resnet152", "--width", "8192")
    weights = sum(
        p.numel()
        for p in build_model(dataclasses.replace(PRESETS["resnet152"], width=8192), "meta").parameters()
    )
    assert f"parameters         {weights:,} " in text
    assert f"parameter memory   {4 * weights / 2**30:,.2f} GiB" in text
    assert "too large to build on this server: limit 2.00 GiB" in text


def test_blocks_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    r = cli("blocks", "--channels", "256")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "same 256-d map" in out and "Fig. 5" in out
    assert "3·3·256·256·2 = 1,179,648" in out
    assert "1·1·256·64 + 3·3·64·64 + 1·1·64·256 = 69,632" in out
    assert "16.94×" in out
    assert "3·3·64·64·2 = 73,728" in out
    assert "BN 1,024" in out and "BN 768" in out
    data = json.loads(inproc(capsys, "blocks", "--channels", "256", "--json"))
    assert data["same_width"]["basic"]["weights"] == 1_179_648
    assert data["same_width"]["bottleneck"]["weights"] == 69_632
    assert round(data["same_width"]["ratio"], 2) == 16.94
    assert data["fig5"]["basic"] == {
        "channels": 64,
        "formula": "3·3·64·64·2",
        "weights": 73_728,
        "bn_params": 256,
    }
    assert data["fig5"]["bottleneck"]["channels"] == 256


# --- bad flags: non-zero exit, one line on stderr, no traceback ----------------------------------------

BAD = [
    (["summary", "--preset", "resnet9000"], "preset: got 'resnet9000'"),
    (["summary", "--width", "abc"], "--width: invalid int value: 'abc'"),
    (["summary", "--stages", "3,x"], "--stages: got '3,x'"),
    (["summary", "--stages", "0,1"], "stages[1]: got 0; allowed: 1 to 500"),
    (["summary", "--shortcut", "D"], "shortcut: got 'D'; allowed: 'A', 'B', 'C', 'none'"),
    (["summary", "--stride-at", "2x2"], "stride_at: got '2x2'"),
    (["summary", "--input-size", "5000"], "input_size: got 5000; allowed: 8 to 4096"),
    (["summary", "--bogus"], "unrecognized arguments: --bogus"),
    (["blocks", "--channels", "30"], "channels: got 30; allowed: a multiple of 4"),
    (["blocks", "--channels", "x"], "--channels: invalid int value: 'x'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "required: command"),
]


# Each kind of failure once through a real interpreter (argparse type error, config ValueError,
# unknown sub-command); every case in-process below.
@pytest.mark.parametrize(("argv", "needle"), [BAD[1], BAD[4], BAD[-2]], ids=lambda v: " ".join(v) or "-")
def test_bad_flags_subprocess(argv: list[str], needle: str) -> None:
    r = cli(*argv)
    assert r.returncode != 0
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ") and needle in lines[0]


@pytest.mark.parametrize(("argv", "needle"), BAD, ids=lambda v: " ".join(v) or "-")
def test_bad_flags_in_process(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, err
