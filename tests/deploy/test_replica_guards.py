"""What a replica refuses before it costs anyone anything (issue 26 §4), run through ``deploy/trial.sh``:

- a replica with a bad ``RESNET_EXPLORER_*`` setting never listens, so its health check fails and
  trial.sh never prints ``ready`` (it answered "ok" while students got the misconfiguration page);
- a request carrying another site's Origin is refused by nginx, and a replica reached directly never
  asks checkip.amazonaws.com for its external address, which Streamlit does, blocking its event loop
  up to 2 s, for every foreign-origin websocket. The "internet" here is a loopback black hole that
  accepts connections and never answers (the proxy of the replicas' HTTP client): it counts the tries.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.deploy.test_nginx_replicas import _free_base_port, start_trial, stop_trial

pytestmark = pytest.mark.browser


def test_a_misconfigured_replica_never_reports_ready(tmp_path: Path) -> None:
    env = {**os.environ, "RESNET_EXPLORER_MAX_MODEL_MB": "abc", "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "trial.sh"), "--replicas", "1", "--port", str(_free_base_port(1))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    for line in proc.stdout:  # until trial.sh exits, or says ready (then it would run on: stop it)
        if line.startswith("ready"):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            pytest.fail(f"trial.sh printed {line.strip()!r} for a replica with a bad setting")
    assert proc.wait() != 0
    assert "RESNET_EXPLORER_MAX_MODEL_MB: got 'abc'" in proc.stderr.read()


class BlackHole:
    """A loopback listener that accepts every connection and never says a word; counts them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port, self.tries, self.held = self.sock.getsockname()[1], 0, []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.tries += 1
            self.held.append(conn)  # kept open and unanswered, as a dropped packet leaves a client

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def handshake(address: str, origin: str | None) -> int:
    """The status a websocket handshake to Streamlit's stream gets (101: accepted)."""
    host, port = address.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": "streamlit",
    }
    if origin:
        headers["Origin"] = origin
    try:
        conn.request("GET", "/_stcore/stream", headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_foreign_origins_are_refused_without_an_address_lookup(tmp_path: Path) -> None:
    hole = BlackHole()
    proxy = f"http://127.0.0.1:{hole.port}"
    env = {k: proxy for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")}
    env |= {"no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}
    trial = start_trial(tmp_path, replicas=1, env=env)
    try:
        front = trial.url.removeprefix("http://")
        (replica,) = trial.replicas
        assert handshake(front, f"http://{front}") == 101, "the page's own websocket must pass"
        assert handshake(front, None) == 101
        for origin in ("http://evil.example", "https://school.example.org", f"http://{front}.evil.example"):
            assert handshake(front, origin) == 403, f"nginx let {origin} through"
        assert handshake(replica, "http://evil.example") == 403, "the replica itself refuses it too"
        assert hole.tries == 0, f"a replica tried {hole.tries} time(s) to reach the internet for its address"
    finally:
        stop_trial(trial)
        hole.close()
