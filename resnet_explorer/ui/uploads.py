"""Uploads on a shared server: each uploader's own limit, refused and replaced files freed at once,
closed tabs' files freed, and a bound on what all sessions together hold (issue 26 §2).

Streamlit 1.67 keeps every uploaded file's bytes in one store per server process (its
``MemoryUploadedFileManager``) until the session that sent it shuts down, and checks one size for
every uploader (``server.maxUploadSize``). Measured before this module: the image box took 250 MB
files the page then refused (images stop at 25 MB), each held as long as its session; and a closed
tab's session, kept for reconnecting for ``server.disconnectedSessionTTL``, is then dropped from
Streamlit's reconnect store without being shut down, so its files were never freed at all.

- Each uploader gets the limit its content needs (``max_upload_size``): the browser refuses a larger
  file before sending a byte. ``server.maxUploadSize`` stays the door for any request (a scripted
  client), the largest uploader's limit.
- A file the page refuses (too large, a suffix the box does not take) or one replaced or removed in
  its box is taken out of the store at once, before anything copies it; a name with a NUL character,
  on which Streamlit itself would raise before the page runs, is refused at the door.
- A sweeper thread frees the files of sessions gone longer than Streamlit keeps them resumable.
- The store holds at most ``RESNET_EXPLORER_MAX_UPLOADS_MB`` for all sessions together: an upload
  that would pass it is refused (HTTP 413, the uploader shows its error) and nothing held is dropped.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit import config
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

from .. import settings
from ..classify.images import MAX_BYTES as IMAGE_MAX_BYTES
from .session import as_code, translator

__all__ = [
    "IMAGE_LIMIT_MB",
    "SWEEP_S",
    "checkpoint_limit_mb",
    "uploader",
    "install",
    "bounded_add",
    "held_bytes",
    "Sweeper",
]

MIB = 2**20
# The image box takes what the classifier reads (classify.images.MAX_BYTES, 25 MB), not the 300 MB
# a checkpoint may need.
IMAGE_LIMIT_MB = math.ceil(IMAGE_MAX_BYTES / MIB)
# How often the sweeper looks for files of sessions that are gone.
SWEEP_S = 10.0


def checkpoint_limit_mb() -> int:
    """The checkpoint box's limit: RESNET_EXPLORER_MAX_CHECKPOINT_MB, within the server's door."""
    door = int(config.get_option("server.maxUploadSize"))
    return max(1, min(door, math.ceil(settings.max_checkpoint_bytes_cap() / MIB)))


def _refuse(up: UploadedFile) -> None:
    """Free a refused file now: out of the store, and out of the widget's value, which the session
    keeps until its next run (a closed tab's for as long as Streamlit keeps the session)."""
    _remove([up.file_id])
    up.close()  # an UploadedFile is a BytesIO over the upload's bytes: closing lets them go


def _remove(file_ids: Sequence[str]) -> None:
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    for file_id in file_ids:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, file_id)


def uploader(label: str, key: str, suffixes: Sequence[str], limit_mb: int, mime: str) -> UploadedFile | None:
    """``st.file_uploader`` with its own limit; a refused file is freed and said under the box.

    ``mime`` (``image/*``, ``application/octet-stream``) goes to Streamlit beside the suffixes: the
    browser's file picker offers those, and with a MIME type in the list Streamlit leaves the suffix
    check to us. Its own check raises while it compares widget values before the page runs, so a
    scripted client's ``notes.exe`` would crash the page out of any ``try``. Returns the file, or None
    (nothing uploaded, or refused); the refusal stays under the box until it takes a file.
    """
    tr = translator()
    refused = f"{key}.refused"
    up = st.file_uploader(
        label, type=[*(s.lstrip(".") for s in suffixes), mime], key=key, max_upload_size=limit_mb
    )
    held = st.session_state.get(f"{key}.held")
    if held is not None and (up is None or up.file_id != held):
        _remove([held])  # replaced or removed in the box: its bytes are not needed any more
        st.session_state.pop(f"{key}.held", None)
    if up is not None and not up.name.lower().endswith(tuple(suffixes)):  # only a scripted client
        _refuse(up)
        st.session_state[refused] = ("upload.refused_type", {"name": up.name, "allowed": ", ".join(suffixes)})
        up = None
    if up is not None and up.size > limit_mb * MIB:  # only a scripted client gets past the browser
        _refuse(up)
        size = f"{up.size / MIB:.1f}"
        st.session_state[refused] = (
            "upload.refused_size",
            {"name": up.name, "size": size, "limit": limit_mb},
        )
        up = None
    if up is not None:
        st.session_state[f"{key}.held"] = up.file_id
        st.session_state.pop(refused, None)  # a file the box took: the last refusal is over
    if (note := st.session_state.get(refused)) is not None:
        msg, values = note
        # A file's name is the sender's text: shown only as code (ui/session.as_code).
        st.error(tr(msg, **{**values, "name": as_code(values["name"])}), icon=":material/block:")
    return up


# --- the process-wide part: the bound and the sweeper ---------------------------------------------------


def held_bytes(store: Any) -> int:
    """What the upload store holds now, from its own statistics (Streamlit keeps the count)."""
    return sum(stat.byte_length for stats in store.get_stats().values() for stat in stats)


def bounded_add(add: Callable[[str, UploadedFileRec], None], held: Callable[[], int], limit: int):
    """``add_file`` that refuses a file which would take the store past ``limit`` bytes.

    Streamlit's upload route calls the store's ``add_file`` on its event loop after reading the body;
    raising there answers the request with 413 and drops the bytes. Adds run one at a time on that
    loop, so the check and the add cannot interleave with another upload.
    """
    from starlette.exceptions import HTTPException

    def add_file(session_id: str, file: UploadedFileRec) -> None:
        if "\0" in file.name:  # Streamlit would raise on it before any page could refuse it in words
            raise HTTPException(status_code=400, detail="a file name may not hold a NUL character")
        if held() + len(file.data) > limit:
            raise HTTPException(
                status_code=413,
                detail=f"this server holds its limit of uploads ({limit // MIB} MB, "
                "RESNET_EXPLORER_MAX_UPLOADS_MB); try again when others have finished",
            )
        add(session_id, file)

    return add_file


class Sweeper:
    """Frees the files of sessions gone for longer than Streamlit keeps a session resumable.

    ``active(session_id)`` says whether a browser is connected to the session now. A session that
    has not been connected for ``ttl_s`` cannot come back (Streamlit's reconnect store has let it go,
    without shutting it down), so its files are freed.
    """

    def __init__(self, store: Any, active: Callable[[str], bool], ttl_s: float, clock=time.monotonic) -> None:
        self.store, self.active, self.ttl_s, self.clock = store, active, ttl_s, clock
        self.gone_since: dict[str, float] = {}

    def sweep(self) -> list[str]:
        """One look at the store; returns the sessions whose files were freed."""
        now, freed = self.clock(), []
        try:
            sessions = tuple(self.store.file_storage)
        except RuntimeError:  # the store changed while it was read: look again next time
            return freed
        for sid in sessions:
            if self.active(sid):
                self.gone_since.pop(sid, None)
            elif now - self.gone_since.setdefault(sid, now) >= self.ttl_s:
                self.store.remove_session_files(sid)
                self.gone_since.pop(sid, None)
                freed.append(sid)
        for sid in set(self.gone_since) - set(sessions):
            del self.gone_since[sid]
        return freed


_install_lock = threading.Lock()
_installed: list[Any] = []  # the store installed on, once per process


def install() -> None:
    """Once per server process: the bound on held bytes and the sweeper thread (no server: nothing)."""
    from streamlit import runtime

    if not runtime.exists():  # AppTest runs scripts without a server
        return
    with _install_lock:
        if _installed:
            return
        rt = runtime.get_instance()
        store = rt.uploaded_file_mgr
        limit = settings.max_upload_bytes_held()
        store.add_file = bounded_add(store.add_file, lambda: held_bytes(store), limit)
        ttl = float(config.get_option("server.disconnectedSessionTTL"))
        sweeper = Sweeper(store, rt.is_active_session, ttl)

        def sweep_forever() -> None:
            while True:
                time.sleep(SWEEP_S)
                sweeper.sweep()

        threading.Thread(target=sweep_forever, name="upload-sweeper", daemon=True).start()
        _installed.append(store)
