"""The package installs (``pip install -e .``) with a ``resnet-explorer`` console script."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from importlib.metadata import entry_points

from helpers import ROOT
from known_answers import TORCHVISION_PARAMS


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
