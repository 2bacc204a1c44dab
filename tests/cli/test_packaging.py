"""The package installs (``pip install -e .``) with a ``resnet-explorer`` console script, and its wheel
builds with the setuptools its ``build-system`` bound allows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from helpers import ROOT
from known_answers import TORCHVISION_PARAMS
from packaging.requirements import Requirement
from packaging.version import Version


def test_pyproject_declares_the_build_the_package_and_the_script() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"
    assert project["project"]["scripts"]["resnet-explorer"] == "resnet_explorer.cli:main"
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["resnet_explorer*"]


def test_the_installed_console_script_runs_the_cli() -> None:
    # scripts/test.sh installs the project with `pip install -e .` before the tests run.
    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "resnet-explorer"]
    assert script.value == "resnet_explorer.cli:main"
    exe = shutil.which("resnet-explorer")
    assert exe, "resnet-explorer is not on PATH: run `pip install -e .`"
    out = subprocess.run(
        [exe, "summary", "--preset", "resnet50"], capture_output=True, text=True, cwd="/", timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert f"{TORCHVISION_PARAMS['resnet50']:,}" in out.stdout


# --- the build-system bound builds the wheel, the release before it does not ---------------------
# pyproject.toml's `license = "MIT"` is a PEP 639 SPDX expression, which setuptools reads from 77.0.0 on
# (77.0.1 is the first release PyPI holds); 76.1.0 is the release before it there.
BELOW_BOUND = "76.1.0"
# pip's words when PyPI cannot be reached (then nothing about the bound is learnt: skip, saying so).
_OFFLINE = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ProxyError",
)


def _setuptools_bound() -> str:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    (spec,) = [Requirement(r).specifier for r in requires if Requirement(r).name == "setuptools"]
    (lower,) = list(spec)
    assert lower.operator == ">=", f"setuptools{spec}: expected one lower bound"
    return lower.version


def _build_wheel(tmp_path: Path, setuptools: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`pip wheel` of a copy of the project, built by exactly setuptools ``setuptools``, no isolation."""
    target = tmp_path / f"setuptools-{setuptools}"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--retries", "1", "--timeout", "60"]
        + ["--target", str(target), f"setuptools=={setuptools}"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    said = install.stdout + install.stderr
    if install.returncode != 0 and any(word in said for word in _OFFLINE):
        pytest.skip(f"PyPI unreachable, setuptools {setuptools} not installed: {said[-300:]}")
    assert install.returncode == 0, said
    # A copy, so the build's build/ and *.egg-info stay out of the working tree.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "resnet_explorer", src / "resnet_explorer", ignore=ignore)
    out = tmp_path / "wheels"
    # PYTHONPATH comes before site-packages, so the build backend imports the target's setuptools.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")])),
    }
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index"]
        + ["--wheel-dir", str(out), str(src)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    return build, out


@pytest.mark.slow
def test_the_declared_setuptools_bound_builds_the_wheel(tmp_path: Path) -> None:
    bound = _setuptools_bound()
    build, out = _build_wheel(tmp_path, bound)
    said = build.stdout + build.stderr
    assert build.returncode == 0 and "Successfully built resnet-explorer" in build.stdout, said
    (wheel,) = out.glob("resnet_explorer-*.whl")
    with zipfile.ZipFile(wheel) as whl:
        info = {Path(n).name: whl.read(n).decode() for n in whl.namelist() if ".dist-info/" in n}
    assert f"Generator: setuptools ({bound})" in info["WHEEL"]  # built by that release, not this machine's
    assert "License-Expression: MIT" in info["METADATA"].splitlines()


@pytest.mark.slow
def test_the_release_below_the_bound_refuses_the_licence_string(tmp_path: Path) -> None:
    assert Version(BELOW_BOUND) < Version(_setuptools_bound())
    build, _ = _build_wheel(tmp_path, BELOW_BOUND)
    said = build.stdout + build.stderr
    assert build.returncode != 0, said
    assert f"/setuptools-{BELOW_BOUND}/setuptools/" in said  # the error is that release's
    assert "`project.license` must be valid exactly by one definition" in said, said
