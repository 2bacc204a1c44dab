"""The classify worker runs below the server (and above a training run), so a page's light reruns
are not queued behind a classification."""

from __future__ import annotations

import os

from resnet_explorer.classify.worker import WORKER_NICE, ClassifyWorker
from resnet_explorer.train.runs import RUN_NICE


def test_classify_worker_is_niced_between_server_and_training():
    worker = ClassifyWorker(max_workers=1, threads=1)
    try:
        pid = worker._pool().submit(os.getpid).result(timeout=120)
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert pid != os.getpid()
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + WORKER_NICE)
        assert 0 < WORKER_NICE < RUN_NICE
    finally:
        worker.shutdown()
