"""Every RESNET_EXPLORER_* variable is parsed in one place; a bad value stops the CLI and the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import APP, ROOT

from resnet_explorer import settings
from resnet_explorer.core.model import memory_limit_bytes


@pytest.mark.parametrize("raw, expected", [("3", 3), ("12", 12), (" 4 ", 4), ("", 7)])
def test_whole_numbers_are_taken(monkeypatch, raw: str, expected: int) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_TRAIN_THREADS", raw)
    monkeypatch.setattr(settings, "_cores", lambda: 14)  # default: half the cores
    assert settings.train_threads() == expected


# "²" passes str.isdigit() and then breaks int(); "٣" (Arabic-Indic three) likewise.
@pytest.mark.parametrize("raw", ["0", "-2", "2.5", "x", "²", "٣", "1e3", "99999999"])
def test_bad_thread_counts_are_refused_by_name(monkeypatch, raw: str) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_TRAIN_THREADS", raw)
    with pytest.raises(settings.SettingsError) as err:
        settings.train_threads()
    assert "RESNET_EXPLORER_TRAIN_THREADS" in str(err.value) and "1 to 1024" in str(err.value)


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "nan", "inf", "12MB"])
def test_bad_memory_limits_are_refused(monkeypatch, raw: str) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_MAX_MODEL_MB", raw)
    with pytest.raises(settings.SettingsError, match="RESNET_EXPLORER_MAX_MODEL_MB: got"):
        memory_limit_bytes()


def test_megabytes_are_mebibytes(monkeypatch) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_MAX_MODEL_MB", "1.5")
    assert memory_limit_bytes() == 1.5 * 2**20
    monkeypatch.delenv("RESNET_EXPLORER_MAX_MODEL_MB")
    assert memory_limit_bytes() == 2048 * 2**20


def test_each_variable_is_read_by_its_setting(monkeypatch) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_CLASSIFY_THREADS", "5")
    monkeypatch.setenv("RESNET_EXPLORER_TRAIN_THREADS", "4")
    monkeypatch.setenv("RESNET_EXPLORER_MAX_TRAINING_RUNS", "6")
    assert (settings.classify_threads(), settings.train_threads(), settings.max_training_runs()) == (5, 4, 6)
    monkeypatch.delenv("RESNET_EXPLORER_MAX_TRAINING_RUNS")
    monkeypatch.setattr(settings, "_cores", lambda: 16)
    assert settings.max_training_runs() == 2  # 16 cores / (2 × 4 threads)


def test_validate_all_lists_every_bad_variable_and_unknown_names(monkeypatch) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_MAX_MODEL_MB", "abc")
    monkeypatch.setenv("RESNET_EXPLORER_TRAIN_THREADS", "-1")
    monkeypatch.setenv("RESNET_EXPLORER_MAX_MODEL_M", "100")  # a typo is not silently ignored
    with pytest.raises(settings.SettingsError) as err:
        settings.validate_all()
    text = str(err.value)
    assert "RESNET_EXPLORER_MAX_MODEL_MB: got 'abc'" in text
    assert "RESNET_EXPLORER_TRAIN_THREADS: got '-1'" in text
    assert "RESNET_EXPLORER_MAX_MODEL_M: not a setting" in text


@pytest.mark.parametrize("raw", ["abc", "-1"])
def test_the_cli_stops_with_one_line_naming_the_variable(raw: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "RESNET_EXPLORER_MAX_MODEL_MB": raw}
    out = subprocess.run(
        [sys.executable, "-m", "resnet_explorer", "summary", "--preset", "resnet18"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.strip().count("\n") == 0 and "Traceback" not in out.stderr
    assert f"RESNET_EXPLORER_MAX_MODEL_MB: got '{raw}'" in out.stderr


def test_the_app_shows_the_bad_setting_and_runs_no_page(monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RESNET_EXPLORER_MAX_MODEL_MB", "abc")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert "misconfigured" in at.error[0].value
    assert "RESNET_EXPLORER_MAX_MODEL_MB: got 'abc'" in at.code[0].value
    assert not at.metric and not at.title  # no page ran


# --- the data folder (issue 26 §5) -----------------------------------------------------------------


def test_a_data_folder_that_is_a_file_or_cannot_be_made_is_refused_at_start(monkeypatch, tmp_path) -> None:
    afile = tmp_path / "a_file"
    afile.write_text("x")
    for raw, why in ((str(afile), "not a folder"), (str(afile / "under"), "cannot be made")):
        monkeypatch.setenv("RESNET_EXPLORER_DATA", raw)
        with pytest.raises(settings.SettingsError) as err:
            settings.validate_all()
        assert f"RESNET_EXPLORER_DATA: got {raw!r} ({why}" in str(err.value), str(err.value)


def test_a_missing_data_folder_is_made(monkeypatch, tmp_path) -> None:
    wanted = tmp_path / "made" / "here"
    monkeypatch.setenv("RESNET_EXPLORER_DATA", str(wanted))
    settings.validate_all()
    assert wanted.is_dir()


def test_a_read_only_data_folder_is_said_as_such_not_as_no_internet(tmp_path) -> None:
    from resnet_explorer.train.data import DatasetUnavailableError, cifar10_status, load_cifar10

    # /proc/self is a folder no one, root included, can create a file in (chmod would not stop root)
    status, detail = cifar10_status(Path("/proc/self"))
    assert status == "readonly" and "/proc/self: not writable" in detail, (status, detail)
    with pytest.raises(DatasetUnavailableError, match="data folder cannot be written"):
        load_cifar10(8, root=Path("/proc/self"))


def test_lower_case_names_are_reported_like_misspelt_ones(monkeypatch) -> None:
    monkeypatch.setenv("resnet_explorer_data", "/tmp")
    with pytest.raises(settings.SettingsError) as err:
        settings.validate_all()
    assert "resnet_explorer_data: not a setting of this app (names are upper case)" in str(err.value)
