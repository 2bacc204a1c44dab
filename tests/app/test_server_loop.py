"""The live server's event loop is uvloop's, not the standard library's.

Each element a page draws reaches the server's event loop through ``call_soon_threadsafe``. The
standard library's selector loop wakes itself with a socket write per call, which lets go of the
GIL; while other sessions' pages are running, the drawing thread then waits for the GIL again at
every element. Streamlit uses uvloop whenever it can import it, so the pinned requirement is all it
takes, and all it takes to lose it is an install that skipped it (docs/notes.md has the figures).

What this checks is the process, not the package: that the server ``streamlit run app.py`` started
has uvloop's compiled loop module mapped into its memory (``/proc/<pid>/maps``, Linux).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/maps")


def _mapped_files(pid: int) -> set[str]:
    files = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].startswith("/"):
            files.add(fields[5])
    return files


def test_the_server_runs_its_event_loop_on_uvloop(app_server) -> None:
    mapped = _mapped_files(app_server.pid)
    loops = [f for f in mapped if "/uvloop/loop." in f and f.endswith(".so")]
    assert loops, (
        "the server has not loaded uvloop's event loop, so Streamlit runs the standard library's; "
        "install the pinned requirements (requirements.txt)"
    )


def test_the_reader_sees_what_a_process_has_loaded() -> None:
    # The reader on a process whose files are known: this test's own interpreter binary is mapped.
    assert os.path.realpath(sys.executable) in _mapped_files(os.getpid())
