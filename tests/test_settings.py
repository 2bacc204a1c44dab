"""Every RESNET_EXPLORER_* variable is parsed in one place; a bad value stops the CLI and the app."""

from __future__ import annotations

import subprocess
import sys

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
