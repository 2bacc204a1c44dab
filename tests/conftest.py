"""Shared fixtures: a live ``streamlit run app.py`` server and a headless Chromium page.

Browser tests are marked ``browser``; screenshots go to ``artifacts/screenshots/`` so a person
(and CI logs) can look at what a student would see.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class AppServer:
    url: str
    pid: int  # the server process itself (``python -m streamlit`` does not fork)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Start ``streamlit run app.py`` once for the session; yield its base URL and process id."""
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()}")
    else:
        proc.kill()
        pytest.fail(f"streamlit did not become healthy in 120 s:\n{log.read_text()}")
    yield AppServer(url, proc.pid)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_url(app_server: AppServer) -> str:
    """The live server's base URL."""
    return app_server.url


@pytest.fixture(scope="session")
def playwright():
    """The one Playwright of the test session: its sync API runs an event loop of its own, and a second
    ``sync_playwright()`` while this one is open fails ("Sync API inside the asyncio loop")."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium not found: .ci/run installs Debian's chromium package")
    b = playwright.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture
def projector(browser):
    """A page at a projector's 1366×768."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def screenshot(pg, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(pg, timeout_s: float = 120) -> None:
    """Wait until Streamlit has drawn the page and finished running the script.

    The running indicator may not have appeared yet when the page first loads on a busy machine,
    and a spinner can flash between two steps of a run, so the page must look idle (content in
    the main area; no running indicator, spinner or skeleton) in three checks 0.4 s apart.
    """
    idle = """() => !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')
        && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
        && !document.querySelector('[data-testid="stSpinner"]')
        && !document.querySelector('[data-testid="stSkeleton"]')"""
    pg.wait_for_selector('[data-testid="stApp"]')
    deadline = time.monotonic() + timeout_s
    streak = 0
    while streak < 3:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app was still running after {timeout_s:.0f} s")
        streak = streak + 1 if pg.evaluate(idle) else 0
        pg.wait_for_timeout(400)


def pytest_configure(config: pytest.Config) -> None:
    # AppTest runs scripts in this process; Streamlit then logs "missing ScriptRunContext" for
    # every cached call made outside a script run. That noise hides real failures.
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
