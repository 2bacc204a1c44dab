"""Two replicas behind nginx, started by ``deploy/trial.sh`` exactly as a school's setup runs them.

What is checked, each against nginx's own access log (which records, per request, the affinity key
that was hashed and ``$upstream_addr``, the replica or replicas that were tried):
- a first request is hashed on the same value as the cookie it is sent, so the page, its websocket
  and everything after reach one replica; fresh clients spread over both;
- a class of browsers each gets a working Explorer, each on one replica, with no CSP violation;
- an upload (Classify) reaches the replica that holds its session, on both replicas;
- SIGKILL of one replica costs only its own sessions: the others keep their websocket and answer,
  and a browser whose replica died reconnects through nginx to the live one and works again;
- the security headers, /_stcore/metrics hidden behind nginx, one cookie secret for all replicas,
  and SIGTERM to trial.sh stopping every process it started.
"""

from __future__ import annotations

import http.client
import io
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.conftest import ROOT, wait_for_app

pytestmark = pytest.mark.browser

if shutil.which("nginx") is None:
    pytest.skip(
        "the nginx binary is not installed (scripts/test.sh installs Debian's nginx)", allow_module_level=True
    )

RESNET18 = "11,689,512"  # torchvision resnet18's parameters: the Explorer's default model
RESNET34 = "21,797,672"
STREAM = "/_stcore/stream"  # Streamlit's websocket
LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) affinity=(?P<affinity>\S+) '
    r"upstream=(?P<upstream>.*?) upstream_status="
)
# Collects the page's Content-Security-Policy violations from its first script on.
CSP_LISTENER = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@dataclass
class Trial:
    """A running ``deploy/trial.sh``: its process, nginx's address and each replica's address and pid."""

    proc: subprocess.Popen
    stderr: io.BufferedWriter
    url: str
    logs: Path
    replicas: dict[str, int] = field(default_factory=dict)  # "127.0.0.1:PORT" -> pid

    def log(self) -> list[dict[str, str]]:
        """nginx's access log, parsed; ``upstream`` is the replica that finally answered."""
        rows = []
        for line in (self.logs / "access.log").read_text().splitlines():
            m = LOG_LINE.search(line)
            assert m, f"access log line not in the 'replicas' format: {line}"
            row = m.groupdict()
            row["tried"] = row["upstream"]
            row["upstream"] = row["upstream"].split(", ")[-1]
            rows.append(row)
        return rows

    def lines_of(self, affinity: str, at_least: int = 0, path: str | None = None) -> list[dict[str, str]]:
        """The log's lines for one client; waits (up to 10 s) for ``at_least`` of them (for ``path``).

        nginx writes a line after the response has gone out, and a websocket's when it closes, so a
        client can be ahead of the log.
        """
        deadline = time.monotonic() + 10
        while True:
            lines = [r for r in self.log() if r["affinity"] == affinity]
            if (
                len([r for r in lines if path in (None, r["path"])]) >= at_least
                or time.monotonic() > deadline
            ):
                return lines
            time.sleep(0.2)

    def cookie_for(self, replica: str) -> str:
        """An affinity cookie that nginx's hash sends to ``replica`` (found by asking nginx)."""
        for _ in range(64):
            value = secrets.token_hex(16)
            get(f"{self.url}/_stcore/health", cookie=value)
            if [r["upstream"] for r in self.lines_of(value, at_least=1)] == [replica]:
                return value
        raise AssertionError(f"no affinity cookie reached {replica} in 64 tries")


def _free_base_port(n: int) -> int:
    """A port P with P..P+n all free on 127.0.0.1."""
    for _ in range(200):
        base = secrets.randbelow(30000) + 20000
        try:
            for p in range(base, base + n + 1):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return base
    raise RuntimeError("no run of free ports found")


def _read_lines(stream, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)
    lines.put("")  # end of output: trial.sh exited


def start_trial(tmp_path: Path, replicas: int = 2, env: dict[str, str] | None = None) -> Trial:
    port = _free_base_port(replicas)
    err = open(tmp_path / "trial.stderr", "wb")  # closed by stop_trial
    proc = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "trial.sh"), "--replicas", str(replicas), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        start_new_session=True,
        env={
            **os.environ,
            **(env or {}),
            "TMPDIR": str(tmp_path),
        },  # its prefix folder and logs go with the test's
    )
    trial = Trial(proc=proc, stderr=err, url="", logs=Path())
    lines: queue.Queue[str] = queue.Queue()  # read by a thread: select() cannot see Python's buffer
    threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + 240
    while not trial.url:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            stop_trial(trial)
            pytest.fail(
                f"trial.sh printed no 'ready' line in 240 s:\n{(tmp_path / 'trial.stderr').read_text()}"
            )
        if not line:
            pytest.fail(f"trial.sh exited ({proc.wait()}):\n{(tmp_path / 'trial.stderr').read_text()}")
        words = line.split()
        if words[0] == "replica":  # replica K http://127.0.0.1:PORT pid PID
            trial.replicas[words[2].removeprefix("http://")] = int(words[4])
        elif words[0] == "logs":
            trial.logs = Path(words[1])
        elif words[0] == "ready":
            trial.url = words[1]
    assert trial.url == f"http://127.0.0.1:{port}"
    assert sorted(trial.replicas) == [f"127.0.0.1:{port + k}" for k in range(1, replicas + 1)]
    return trial


def stop_trial(trial: Trial) -> None:
    """SIGTERM to trial.sh, which must stop nginx and every replica with their workers."""
    trial.proc.send_signal(signal.SIGTERM)
    try:
        trial.proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(trial.proc.pid, signal.SIGKILL)
        raise AssertionError("trial.sh did not exit within 60 s of SIGTERM") from None
    finally:
        trial.stderr.close()
    left = [pid for pid in trial.replicas.values() if _alive_group(pid)]
    assert not left, f"processes of replicas {left} outlived trial.sh"


def _alive_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` (with the affinity cookie when given); status, headers, body, also for 4xx."""
    request = urllib.request.Request(url, headers={"Cookie": f"re_affinity={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def affinity_of(context) -> str:
    values = [c["value"] for c in context.cookies() if c["name"] == "re_affinity"]
    assert len(values) == 1, f"expected one re_affinity cookie, got {context.cookies()}"
    return values[0]


def open_context(browser, trial: Trial, cookie: str | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(CSP_LISTENER)
    if cookie is not None:
        context.add_cookies([{"name": "re_affinity", "value": cookie, "url": trial.url}])
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


def wait_for_metric(page, value: str, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "v => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.innerText === v)",
        arg=value,
        timeout=timeout_ms,
    )


def set_stages(page, stages: str) -> None:
    box = page.get_by_label("Blocks per stage", exact=True).and_(page.get_by_role("textbox"))
    box.fill(stages)
    box.press("Enter")


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    t = start_trial(tmp_path_factory.mktemp("trial"))
    yield t
    stop_trial(t)


def test_headers_metrics_and_one_cookie_secret(trial):
    status, headers, body = get(f"{trial.url}/")
    assert status == 200 and b"<html" in body.lower()
    csp = headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "connect-src 'self' ws: wss:", "frame-ancestors 'self'"):
        assert directive in csp, f"CSP lacks {directive!r}: {csp!r}"
    assert headers.get("X-Frame-Options") == "SAMEORIGIN"
    assert headers.get("Referrer-Policy") == "same-origin"
    assert headers.get("X-Content-Type-Options") == "nosniff"

    status, headers, _ = get(f"{trial.url}/_stcore/metrics")
    assert status == 404, "nginx must not serve Streamlit's metrics"
    assert headers.get("X-Frame-Options") == "SAMEORIGIN", "error pages carry the headers too"
    for replica in trial.replicas:
        assert get(f"http://{replica}/_stcore/metrics")[0] == 200, f"{replica} itself serves its metrics"

    secret_of = {}
    for replica, pid in trial.replicas.items():
        env = dict(
            item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item
        )
        secret_of[replica] = env.get("STREAMLIT_SERVER_COOKIE_SECRET", "")
    assert len(set(secret_of.values())) == 1 and len(next(iter(secret_of.values()))) >= 32, secret_of


def test_the_upload_limit_is_streamlits(trial):
    """nginx refuses a body Streamlit would refuse (maxUploadSize MiB + 1 MiB of multipart envelope)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    limit_mb = config["server"]["maxUploadSize"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(rf"^\s*client_max_body_size {limit_mb + 1}m;", nginx, re.M), (
        "nginx's limit != Streamlit's"
    )
    conn = http.client.HTTPConnection(trial.url.removeprefix("http://"), timeout=30)
    try:  # nginx answers from the Content-Length alone, before any of the body is sent
        conn.putrequest("PUT", "/_stcore/upload_file/some-session/some-file")
        conn.putheader("Content-Length", str((limit_mb + 1) * 2**20 + 1))
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()


def test_first_request_is_hashed_on_the_cookie_it_sets(trial):
    seen = set()
    for _ in range(24):  # 24 fresh clients (no cookie yet): all on one replica once in 8 million
        status, headers, _ = get(f"{trial.url}/")
        assert status == 200
        m = re.fullmatch(r"re_affinity=([0-9a-f]{32}); Path=/; HttpOnly; SameSite=Lax", headers["Set-Cookie"])
        assert m, f"unexpected Set-Cookie: {headers['Set-Cookie']!r}"
        cookie = m.group(1)
        for path in ("/_stcore/health", "/_stcore/host-config", "/"):
            status, headers, _ = get(f"{trial.url}{path}", cookie=cookie)
            assert status == 200 and "Set-Cookie" not in headers, f"{path} with a cookie: {status} {headers}"
        lines = trial.lines_of(cookie, at_least=4)
        assert [r["path"] for r in lines] == ["/", "/_stcore/health", "/_stcore/host-config", "/"], lines
        assert len({r["upstream"] for r in lines}) == 1, (
            f"one client's requests reached two replicas: {lines}"
        )
        seen.add(lines[0]["upstream"])
    assert seen == set(trial.replicas), f"24 clients all landed on {seen}"


def test_a_class_of_browsers_each_on_one_replica(browser, trial):
    opened = [open_context(browser, trial) for _ in range(10)]
    try:
        for _, page in opened:
            page.goto(trial.url)  # all ten load at once, as a class does
        for _, page in opened:
            wait_for_metric(page, RESNET18)
            wait_for_app(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.evaluate("window.__csp") == [], "the CSP blocked something Streamlit needs"
        cookies = [affinity_of(context) for context, _ in opened]
    finally:
        for context, _ in opened:
            context.close()
    landed = {_one_replica(trial, cookie) for cookie in cookies}
    # Ten random keys all hash to one of two replicas once in 512 classes; then more students come
    # in, one at a time, until one lands on the other replica (all 20 on one: once in 500,000).
    for _ in range(10):
        if landed == set(trial.replicas):
            break
        context, page = open_context(browser, trial)
        try:
            page.goto(trial.url)
            wait_for_metric(page, RESNET18)
            cookie = affinity_of(context)
        finally:
            context.close()
        landed.add(_one_replica(trial, cookie))
    assert landed == set(trial.replicas), f"twenty browsers all landed on {landed}"


def _one_replica(trial: Trial, cookie: str) -> str:
    """The one replica that served every request of a browser, its websocket included."""
    lines = trial.lines_of(cookie, at_least=1, path=STREAM)
    assert any(r["path"] == STREAM for r in lines), f"no websocket for {cookie}: {lines}"
    replicas = {r["upstream"] for r in lines}
    assert len(replicas) == 1, f"client {cookie} reached {replicas}: {lines}"
    return replicas.pop()


def test_pictures_and_graphs_draw_under_the_csp(browser, trial):
    """The architecture picture's script is imported from a blob: URL (components v2: the CSP's
    script-src blob:), and st.graphviz_chart compiles WebAssembly ('wasm-unsafe-eval')."""
    context, page = open_context(browser, trial)
    try:
        page.goto(f"{trial.url}/Compare")
        wait_for_app(page)
        page.locator(".av-root .av-tick").first.wait_for()  # Compare's pictures, drawn by our script
        page.goto(f"{trial.url}/?preset=resnet18")
        wait_for_app(page)
        page.locator('[data-id="layer3"]').click()  # the Explorer's picture, and it answers a click
        page.locator('[data-id="layer3.0"]').wait_for()
        page.get_by_role("radio", name="Graph", exact=True).click()
        page.wait_for_selector('[data-testid="stGraphVizChart"] svg')
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()


def _digit_png(path: Path) -> Path:
    img = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(img).line([(20, 12), (40, 12), (28, 52)], fill=255, width=6)  # a 7
    buf = io.BytesIO()
    img.save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_an_upload_reaches_the_replica_of_its_session(browser, trial, tmp_path):
    png = _digit_png(tmp_path / "seven.png")
    for replica in sorted(trial.replicas):  # one student on each replica
        cookie = trial.cookie_for(replica)
        context, page = open_context(browser, trial, cookie)
        try:
            page.goto(f"{trial.url}/Classify")
            wait_for_app(page)
            page.wait_for_selector('[data-testid="stMetric"]')  # the digits model on a sample
            page.get_by_role("radio", name="Upload", exact=True).click()
            wait_for_app(page)
            assert page.locator('[data-testid="stMetric"]').count() == 0, "no result before the upload"
            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(png))
            page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
            wait_for_app(page)
            assert (
                page.locator('[data-testid="stAlertContentError"], [data-testid="stException"]').count() == 0
            )
            assert "Top 5 classes" in page.locator('[data-testid="stPlotlyChart"]').inner_text()
        finally:
            context.close()
        uploads = [r for r in trial.lines_of(cookie) if r["path"].startswith("/_stcore/upload_file/")]
        assert uploads, f"no upload went through nginx for {replica}"
        assert {(r["upstream"], r["status"][0]) for r in uploads} == {(replica, "2")}, uploads


def test_losing_one_replica_costs_only_its_own_sessions(browser, tmp_path):
    trial = start_trial(tmp_path)
    try:
        doomed, survivor = sorted(trial.replicas)
        students = {
            replica: [open_context(browser, trial, trial.cookie_for(replica)) for _ in range(2)]
            for replica in (doomed, survivor)
        }
        try:
            for group in students.values():
                for _, page in group:
                    page.goto(trial.url)
            for group in students.values():
                for _, page in group:
                    wait_for_metric(page, RESNET18)
                    wait_for_app(page)

            os.kill(trial.replicas[doomed], signal.SIGKILL)  # mid-class
            time.sleep(1)
            assert trial.proc.poll() is None, "trial.sh must keep serving with one replica left"

            for _, page in students[survivor]:  # a rerun still answers, on the same websocket
                set_stages(page, "3,4,6,3")
                wait_for_metric(page, RESNET34, timeout_ms=60_000)
            for _, page in students[doomed]:  # Streamlit's client reconnects; nginx picks the live one
                deadline = time.monotonic() + 120
                while True:
                    try:
                        wait_for_app(page, timeout_s=30)
                        set_stages(page, "3,4,6,3")
                        wait_for_metric(page, RESNET34, timeout_ms=15_000)
                        break
                    except Exception:
                        if time.monotonic() > deadline:
                            raise
                assert page.locator('[data-testid="stException"]').count() == 0
            cookies = {replica: [affinity_of(c) for c, _ in group] for replica, group in students.items()}
        finally:
            for group in students.values():
                for context, _ in group:
                    context.close()
        for cookie in cookies[survivor]:
            lines = trial.lines_of(cookie, at_least=1, path=STREAM)
            assert {r["tried"] for r in lines} == {survivor}, (
                f"a session on {survivor} was disturbed: {lines}"
            )
            streams = [r for r in lines if r["path"] == STREAM]
            assert len(streams) == 1, f"a survivor's session had to reconnect: {streams}"
        for cookie in cookies[doomed]:
            lines = trial.lines_of(cookie, at_least=2, path=STREAM)
            streams = [r["upstream"] for r in lines if r["path"] == STREAM]
            assert streams[0] == doomed and streams[-1] == survivor, f"{cookie}'s websockets: {streams}"
    finally:
        stop_trial(trial)
