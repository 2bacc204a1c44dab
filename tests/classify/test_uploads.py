"""Uploads on a shared server (issue 26 §2, §5): each uploader's own limit, refused files freed at
once, closed tabs' files freed, a bound on what all sessions hold, a bad suffix refused in words."""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from helpers import ROOT, open_app, run_coroutine
from starlette.exceptions import HTTPException
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from resnet_explorer.classify.images import IMAGE_SUFFIXES, MAX_BYTES
from resnet_explorer.core.checkpoints import CHECKPOINT_SUFFIXES
from resnet_explorer.i18n import t
from resnet_explorer.ui import uploads

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_load  # noqa: E402

MIB = 2**20


def _rec(n: int, name: str = "x.png") -> UploadedFileRec:
    return UploadedFileRec(file_id=str(uuid.uuid4()), name=name, type="image/png", data=b"\0" * n)


def _classify_upload(lang: str = "en"):
    at = open_app("pages/Classify.py", {"preset": "resnet18", "lang": lang}).run()
    at.radio(key="cls.source").set_value("random").run()  # any image that got through would be classified
    at.segmented_control(key="cls.input").set_value("upload").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- each uploader's limit -------------------------------------------------------------------------------


def test_each_uploader_has_the_limit_its_content_needs(monkeypatch) -> None:
    # Before: both boxes had Streamlit's one limit, server.maxUploadSize (300 MB): the image box took
    # files ten times what the classifier reads.
    at = _classify_upload()
    assert at.file_uploader(key="cls.image").proto.max_upload_size_mb == MAX_BYTES // MIB == 25
    monkeypatch.setenv("RESNET_EXPLORER_MAX_CHECKPOINT_MB", "120")
    at.radio(key="cls.source").set_value("upload").run()
    assert at.file_uploader(key="cls.ckpt").proto.max_upload_size_mb == 120
    assert uploads.checkpoint_limit_mb() == 120


def test_the_checkpoint_limit_stays_within_the_servers_door(monkeypatch) -> None:
    monkeypatch.setenv("RESNET_EXPLORER_MAX_CHECKPOINT_MB", "5000")
    assert uploads.checkpoint_limit_mb() == 300  # .streamlit/config.toml's server.maxUploadSize


# --- what a scripted client can send ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_image_over_its_limit_is_refused_in_words_before_the_worker(lang) -> None:
    at = _classify_upload(lang)
    big = b"\x89PNG" + b"\0" * (MAX_BYTES + 10)
    at.file_uploader(key="cls.image").set_value(("big.png", big, "image/png")).run()
    assert not at.exception, at.exception
    text = " ".join(e.value for e in at.error)
    assert t("upload.refused_size", lang, name="`big.png`", size=f"{len(big) / MIB:.1f}", limit=25) in text
    assert not at.metric, "the refused image reached the classifier"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("key", ["cls.image", "cls.ckpt"])
def test_a_suffix_the_box_does_not_take_is_refused_without_crashing_the_page(lang, key) -> None:
    # Before: Streamlit raised StreamlitAPIException while reading the box: the page showed a crash.
    at = _classify_upload(lang)
    if key == "cls.ckpt":
        at.radio(key="cls.source").set_value("upload").run()
    at.file_uploader(key=key).set_value(("notes.exe", b"MZ\0\0", "application/octet-stream")).run()
    assert not at.exception, at.exception[0].value
    text = " ".join(e.value for e in at.error)
    allowed = ", ".join(CHECKPOINT_SUFFIXES if key == "cls.ckpt" else IMAGE_SUFFIXES)
    assert t("upload.refused_type", lang, name="`notes.exe`", allowed=allowed) in text, text


# --- the store: freeing and the bound ---------------------------------------------------------------


def test_the_sweeper_frees_a_session_only_after_it_can_no_longer_come_back() -> None:
    store, now, connected = MemoryUploadedFileManager("/u"), [0.0], {"a"}
    store.add_file("a", _rec(10))
    store.add_file("b", _rec(20))
    sweeper = uploads.Sweeper(store, lambda sid: sid in connected, ttl_s=120, clock=lambda: now[0])
    assert sweeper.sweep() == []
    now[0] = 119.0
    assert sweeper.sweep() == [], "b may still reconnect"
    connected.add("b")  # b came back: its clock starts again when it next leaves
    now[0] = 130.0
    assert sweeper.sweep() == []
    connected.discard("b")
    now[0] = 140.0
    sweeper.sweep()
    now[0] = 260.0
    assert sweeper.sweep() == ["b"]
    assert uploads.held_bytes(store) == 10


def test_an_upload_past_the_servers_bound_is_refused_and_nothing_held_is_dropped() -> None:
    store = MemoryUploadedFileManager("/u")
    add = uploads.bounded_add(store.add_file, lambda: uploads.held_bytes(store), 100)
    add("a", _rec(60))
    with pytest.raises(HTTPException) as refused:
        add("b", _rec(41))
    assert refused.value.status_code == 413 and "RESNET_EXPLORER_MAX_UPLOADS_MB" in refused.value.detail
    add("b", _rec(40))
    assert uploads.held_bytes(store) == 100


# --- a live server ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    logdir = Path(tempfile.mkdtemp(prefix="uploads-test."))
    s = bench_load.Server(
        "uploads",
        "app.py",
        None,
        "markdown",
        flags=("--server.disconnectedSessionTTL", "2"),
        env={"RESNET_EXPLORER_MAX_UPLOADS_MB": "40"},
    )
    s.start(logdir)
    try:
        bench_load.wait_healthy(s.port, s.proc)
        yield s
    finally:
        s.stop()


async def _classify_session(port: int) -> bench_load.Session:
    session = bench_load.Session(port, "Classify")
    await session.connect()
    await session.rerun("markdown")
    mode = session.widgets["cls.input"]
    upload = mode.options[1].content  # type: ignore[attr-defined]
    await session.rerun("markdown", [_mode_state(mode, upload)])
    return session


def _mode_state(widget, label: str):
    state = bench_load.WidgetState(id=widget.id)
    state.string_array_value.data.append(label)
    return state


def _wait_until_held(port: int, want: int, timeout: float = 180) -> int:
    # Streamlit's metrics keep the memory figures for 5 s: ask until they show ``want``.
    end, held = time.monotonic() + timeout, -1
    while time.monotonic() < end:
        held = bench_load.upload_bytes_held(port)
        if held == want:
            return held
        time.sleep(0.5)
    return held


def test_a_live_server_frees_refused_files_closed_tabs_and_bounds_the_rest(server) -> None:
    # Before: the refused 30 MB image stayed in the store as long as its session, a closed tab's files
    # stayed for good (Streamlit drops the session from its reconnect store without shutting it down),
    # and nothing bounded what all sessions held.
    port = server.port

    async def scenario() -> tuple[list[str], int, int, int]:
        s = await _classify_session(port)
        try:
            big = b"\x89PNG" + b"\0" * (30 * MIB)
            fid = str(uuid.uuid4())
            assert bench_load.put_file(port, s.session_id, fid, "big.png", big) == 204
            assert _wait_until_held(port, len(big)) == len(big)
            mode = s.widgets["cls.input"]
            upload = mode.options[1].content  # type: ignore[attr-defined]
            states = [
                _mode_state(mode, upload),
                bench_load.uploader_state(s.widgets["cls.image"], fid, "big.png", len(big)),
            ]
            run = await s.rerun("markdown", states)
            after_refusal = _wait_until_held(port, 0)
            # The bound (40 MB): 25 MB fits, another 25 MB would pass it.
            first = bench_load.put_file(port, s.session_id, str(uuid.uuid4()), "a.png", b"\0" * (25 * MIB))
            second = bench_load.put_file(port, s.session_id, str(uuid.uuid4()), "b.png", b"\0" * (25 * MIB))
            assert (first, second) == (204, 413)
            return run.errors, after_refusal, first, second
        finally:
            await s.close()

    errors, after_refusal, _, _ = run_coroutine(scenario())
    assert any("25 MB" in e for e in errors), errors  # the page said why (an error alert)
    assert after_refusal == 0, f"the refused image is still held: {after_refusal} bytes; {errors}"
    # The tab is closed: its 25 MB go once Streamlit can no longer resume the session (2 s here).
    assert _wait_until_held(port, 0) == 0
