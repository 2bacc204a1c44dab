"""What several test files share: the repository's paths and opening the app at a page's address."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from resnet_explorer.ui.router import PAGES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_app(page: str | None = None, query: dict[str, str] | None = None, timeout: float = 120) -> AppTest:
    """A new session opened at ``page``'s address (``pages/Compare.py`` -> ``/Compare``) with ``query``.

    Through the router, as a browser reaches it. ``AppTest.switch_page`` resolves a custom
    ``url_path`` only after a first run, and a first run on the Explorer would rewrite the link, so
    the session starts on the page's hash, which is what a browser opening that address asks for.
    Call ``.run()`` on the result.
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query or {})
    if page is not None:
        spec = next(p for p in PAGES if p.path == page)
        at._page_hash = calc_hash(spec.url_path)
    return at


class BlipProxy:
    """A TCP proxy on loopback in front of the app whose :meth:`blip` is a network outage.

    A blip closes every open connection (the page's websocket included) and, for its length, closes
    new ones as soon as they are accepted, as a dropped Wi-Fi link does; then traffic flows again.
    """

    def __init__(self, target_port: int) -> None:
        import socket
        import threading

        self._target = target_port
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._down_until = 0.0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading
        import time

        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if time.monotonic() < self._down_until:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with self._lock:
                    self._open.discard(s)
                try:
                    s.close()
                except OSError:
                    pass

    def blip(self, seconds: float) -> None:
        """Drop every connection now and refuse new ones for ``seconds``."""
        import socket
        import time

        self._down_until = time.monotonic() + seconds
        with self._lock:
            conns = list(self._open)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        self._server.close()
        self.blip(0)


def run_to_the_end(at: AppTest, timeout: float = 600.0) -> AppTest:
    """Run the Training lab's session until its run has ended and the page shows the results.

    In a browser the live panel is a fragment that a timer reruns; AppTest runs a page once and has
    no timer, so each ``run()`` here is one tick, and the last one draws the finished run."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        handle = at.session_state["train.handle"] if "train.handle" in at.session_state else None
        if handle is not None and handle.finished and "train.queued" not in at.session_state:
            return at.run()
        time.sleep(0.2)
        at.run()
    raise AssertionError(f"the run did not end in {timeout:.0f} s")


def run_coroutine(coro):
    """``asyncio.run(coro)`` on a thread of its own: a test session that has used Playwright's sync API
    keeps an event loop running on the main thread, where ``asyncio.run`` refuses to start."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def png_header_only(w: int, h: int) -> bytes:
    """A valid PNG signature and IHDR declaring w×h, with a tiny (bogus) data stream: a bomb's header."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
