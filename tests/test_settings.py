"""Server settings from the environment: a whole number above zero is taken, anything else is not."""

import pytest

from resnet_explorer import jobs, training_runs
from resnet_explorer.settings import env_positive_int


@pytest.mark.parametrize("raw, expected", [("3", 3), ("12", 12), ("0", 7), ("-2", 7), ("2.5", 7), ("x", 7),
                                           ("", 7)])
def test_env_positive_int(monkeypatch, raw: str, expected: int) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_TEST_SETTING", raw)
    assert env_positive_int("RESNET_EXPLORER_TEST_SETTING", 7) == expected


def test_worker_settings_read_their_variables(monkeypatch) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_CLASSIFY_THREADS", "5")
    monkeypatch.setenv("RESNET_EXPLORER_TRAIN_THREADS", "4")
    monkeypatch.setenv("RESNET_EXPLORER_MAX_TRAINING_RUNS", "6")
    got = (jobs.worker_threads(), training_runs.worker_threads(), training_runs.default_max_runs())
    assert got == (5, 4, 6)
    monkeypatch.delenv("RESNET_EXPLORER_MAX_TRAINING_RUNS")
    assert training_runs.default_max_runs() >= 1
