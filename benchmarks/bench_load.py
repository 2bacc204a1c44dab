"""A class opening the link at once: the Explorer's server against a one-line Streamlit app.

A protocol-level client (asyncio + ``websockets``, no browser) speaks Streamlit's own websocket
protocol to real servers started side by side in one run, each on its own free port, from the
repository root (so ``.streamlit/config.toml`` applies to all of them alike): our app
(``streamlit run app.py``), a one-line app (``st.write("hello")``) and ``skeleton_app.py``, the
Explorer's own elements with no library behind them (what Streamlit charges for such a page; the run
prints whether its element types and counts still match the Explorer's). Each session connects to
``/_stcore/stream`` (subprotocol ``streamlit``) and sends the ``rerun_script`` BackMsg a browser sends
on load (its query string and the page's url path as ``page_name``; the server resolves the page),
then reads ForwardMsgs until ``script_finished``.

- First paint: the first delta with the element a reader waits for — the Explorer's first
  ``metric`` (the parameter count), the trivial app's ``markdown`` ("hello").
- Finish: ``script_finished``.
- Correct numbers: session i opens ``?preset=P_i`` (cycling over the presets with an outside count
  in ``tests/known_answers.py``: torchvision's and timm's); the parameter metric it is sent must
  equal that count. A session that sees another's number, an exception or no metric fails.
- Server CPU per session: utime + stime of the server and its child processes (``/proc``), before
  and after each burst (sockets closed and a short settle included), divided by the sessions.

Sections: bursts of ``--sessions`` opening at once (rounds interleaved over the servers), with
``runner.postScriptGC`` on and off (``--gc both``) for both apps (``--baseline DIR`` adds app.py
run from another checkout); a soak of ``--soak`` sessions in bursts of 30 (RSS after each); the
p95 of a light rerun (the Explorer's width knob, a new value each time, 0.2 s apart) idle and
while four sessions classify (the Classify page's digit picker, a new digit ``--think`` seconds
after each answer, so each pick is a job for the worker) and one trains (the Training lab's Start
button, pressed as a widget BackMsg; the run is its own process); and one replica against two
behind nginx (``deploy/trial.sh``, skipped if absent; no affinity cookie is sent, so nginx keys
each websocket by its own request id) for the largest burst. The Classify sessions under load use
the page's own held-out digits; the upload soak sends ``--upload-soak`` photos of ``--upload-mb`` MB
(250: what a browser's box refuses, so a scripted client), each from its own tab to the Classify
page's image box (a PUT as the browser sends it, then the page runs on it), closing the tab after,
and prints the server's RSS warm, after them and after ``--idle-min`` quiet minutes, and what its
upload store still holds, beside our app with Streamlit's default upload setting (and ``--baseline``).
``--loop both`` adds app.py
on the standard library's event loop (uvloop hidden from that server) to the bursts and the light
reruns; each server's loop is read from what its process has loaded and printed at the start.

    python benchmarks/bench_load.py [--sessions 30,60] [--rounds 2] [--gc both] [--loop both] [--quick]
        [--upload-soak 30 --upload-mb 250 --idle-min 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from known_answers import TIMM_PARAMS, TORCHVISION_PARAMS  # noqa: E402

from resnet_explorer import PRESETS  # noqa: E402
from resnet_explorer.i18n import t  # noqa: E402

# Outside counts for the presets that have one (timm's resnetv2_50 is no preset name here).
EXPECTED = {k: v for k, v in {**TORCHVISION_PARAMS, **TIMM_PARAMS}.items() if k in PRESETS}
PRESET_CYCLE = list(EXPECTED)
PARAMS_LABEL = t("metric.params", "en")
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
TRIVIAL_APP = 'import streamlit as st\n\nst.write("hello")\n'
# The Explorer's elements with no library behind them: what Streamlit itself charges for the page.
SKELETON_APP = "benchmarks/skeleton_app.py"


# --- the servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def process_tree(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(tree.get(p, []))
    return out


def cpu_ms(pid: int) -> float:
    """CPU time of ``pid`` and its descendants (children already reaped count in cutime/cstime)."""
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total * TICK_MS


def event_loop(pid: int) -> str:
    """The event loop a server process runs, read from what it has loaded: uvloop's compiled loop
    module mapped into it (``/proc/<pid>/maps``) means uvloop, else the standard library's."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return "uvloop" if "/uvloop/loop." in maps else "asyncio"


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MiB."""
    kb = 0
    for p in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kb += int(line.split()[1])
    return kb / 1024


def own_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` alone, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_healthy(port: int, proc: subprocess.Popen | None, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not answer /_stcore/health in {timeout:.0f} s")


@dataclass
class Server:
    name: str
    script: str
    gc: bool | None  # runner.postScriptGC; None: as .streamlit/config.toml says
    paint: str  # the element type that counts as first paint
    role: str = "ours"  # "ours" (its numbers are checked), "trivial" or "skeleton" (yardsticks)
    loop: str = "installed"  # "installed": uvloop when importable (as Streamlit does); "asyncio": hidden
    cwd: Path = ROOT  # the checkout it runs from (--baseline: another one)
    flags: tuple[str, ...] = ()  # more `streamlit run` flags
    env: dict[str, str] = field(default_factory=dict)  # more environment
    port: int = 0
    proc: subprocess.Popen | None = None
    log: Path | None = None

    def start(self, logdir: Path) -> None:
        self.port = free_port()
        self.log = logdir / f"{self.name}.log"
        flags = ["--server.address", "127.0.0.1", "--server.port", str(self.port)]
        flags += ["--server.headless", "true"]
        if self.gc is not None:
            flags += ["--runner.postScriptGC", str(self.gc).lower()]
        flags += list(self.flags)
        env = dict(os.environ) | self.env
        if self.loop == "asyncio":
            # Streamlit imports uvloop if it can and falls back to asyncio on ModuleNotFoundError
            # (streamlit.web.bootstrap): a package of that name that raises it, ahead on the path.
            hide = logdir / "no-uvloop" / "uvloop"
            hide.mkdir(parents=True, exist_ok=True)
            (hide / "__init__.py").write_text('raise ModuleNotFoundError("hidden by bench_load --loop")\n')
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hide.parent), env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", self.script, *flags],
            cwd=self.cwd,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() takes its workers too
        )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# --- the protocol-level client ----------------------------------------------------------------------


@dataclass
class Run:
    first_paint_s: float | None = None
    finish_s: float | None = None
    params: int | None = None  # the parameter metric's number, if the page sent one
    errors: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)  # element and layout-block types sent


class Session:
    """One browser tab, as Streamlit's websocket sees it."""

    def __init__(self, port: int, page: str = "", query: str = "") -> None:
        self.port, self.page, self.query = port, page, query
        self.ws: websockets.ClientConnection | None = None
        self.page_hash = ""
        self.session_id = ""  # the server's id for this session (uploads are sent under it)
        self.widgets: dict[str, object] = {}  # user key -> the widget's element proto

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream",
            subprotocols=[websockets.Subprotocol("streamlit")],
            max_size=None,
            open_timeout=120,
            ping_interval=None,
        )

    async def rerun(
        self, paint: str, states: list[WidgetState] | None = None, start: float | None = None
    ) -> Run:
        """Send a ``rerun_script`` and read until ``script_finished`` (times from ``start``)."""
        assert self.ws is not None
        start = time.perf_counter() if start is None else start
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_name = self.page
        msg.rerun_script.page_script_hash = self.page_hash
        if states:
            msg.rerun_script.widget_states.widgets.extend(states)
        await self.ws.send(msg.SerializeToString())
        run = Run()
        async for raw in self.ws:
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                etype = element.WhichOneof("type")
                run.kinds[etype] += 1
                if etype == paint and run.first_paint_s is None:
                    run.first_paint_s = time.perf_counter() - start
                if etype == "metric" and element.metric.label == PARAMS_LABEL:
                    run.params = int(element.metric.body.replace(",", ""))
                elif etype == "exception":
                    run.errors.append(f"{element.exception.type}: {element.exception.message}")
                elif etype == "alert" and element.alert.format == 1:  # ERROR
                    run.errors.append(element.alert.body)
                widget = getattr(element, etype)
                wid = getattr(widget, "id", "")
                if isinstance(wid, str) and "-" in wid:
                    self.widgets[wid.rsplit("-", 1)[1]] = widget
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "add_block":
                run.kinds[f"block:{fwd.delta.add_block.WhichOneof('type')}"] += 1
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {self.page!r}")
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                run.finish_s = time.perf_counter() - start
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.errors.append("compile error")
                break
        return run

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _open_once(port: int, query: str, paint: str, start: float, page: str = "") -> Run:
    session = Session(port, page, query)
    try:
        await session.connect()
        return await session.rerun(paint, start=start)
    except Exception as exc:  # a refused or dropped connection is a failed session, not a crash
        return Run(errors=[f"{type(exc).__name__}: {exc}"])
    finally:
        await session.close()


# --- uploads (HTTP, as the browser sends them) ------------------------------------------------------


def put_file(port: int, session_id: str, file_id: str, name: str, data: bytes) -> int:
    """PUT one file into the server's upload store for ``session_id``, as Streamlit's uploader does
    (multipart, with the XSRF cookie the health check sets echoed in its header); the HTTP status."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request("GET", "/_stcore/health")
        health = conn.getresponse()
        health.read()
        cookie = health.getheader("Set-Cookie", "").split(";", 1)[0]  # _streamlit_xsrf=<token>
        boundary = "bench-load-boundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        conn.putrequest("PUT", f"/_stcore/upload_file/{session_id}/{file_id}")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(head) + len(data) + len(tail)))
        conn.putheader("Cookie", cookie)
        conn.putheader("X-Xsrftoken", cookie.split("=", 1)[1] if "=" in cookie else "")
        conn.endheaders()
        for part in (head, memoryview(data), tail):
            conn.send(part)
        response = conn.getresponse()
        response.read()
        return response.status
    except (BrokenPipeError, ConnectionResetError):  # refused mid-body: the server closed on us
        return 413
    finally:
        conn.close()


def upload_bytes_held(port: int) -> int:
    """Bytes in the server's upload store, from its own metrics (``cache_memory_bytes``)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("cache_memory_bytes") and "UploadedFileManager" in line
    )


def uploader_state(widget: object, file_id: str, name: str, size: int) -> WidgetState:
    """The widget state a browser sends once its uploader has sent a file."""
    state = WidgetState(id=widget.id)  # type: ignore[attr-defined]
    info = state.file_uploader_state_value.uploaded_file_info.add()
    info.file_id, info.name, info.size = file_id, name, size
    return state


def presets_for(n: int) -> list[str]:
    return [PRESET_CYCLE[i % len(PRESET_CYCLE)] for i in range(n)]


@dataclass
class Burst:
    runs: list[Run]
    wrong: int
    cpu_ms: float
    rss_before: float
    rss_after: float
    wall_s: float


def burst(pid_of: list[int], port: int, n: int, paint: str, check: bool) -> Burst:
    """``n`` sessions opening at once; CPU of the processes ``pid_of`` over the whole burst."""
    presets = presets_for(n)
    rss0, cpu0 = sum(map(rss_mb, pid_of)), sum(map(cpu_ms, pid_of))
    start = time.perf_counter()

    async def all_at_once() -> list[Run]:
        return await asyncio.gather(*(_open_once(port, f"preset={p}", paint, start) for p in presets))

    runs = asyncio.run(all_at_once())
    wall = time.perf_counter() - start
    time.sleep(0.5)  # let the server finish closing the sessions (and, with GC on, collecting)
    cpu = sum(map(cpu_ms, pid_of)) - cpu0
    wrong = 0
    for run, preset in zip(runs, presets, strict=True):
        bad = run.errors or run.finish_s is None or run.first_paint_s is None
        if check and run.params != EXPECTED[preset]:
            bad = True
            run.errors.append(f"{preset}: shown {run.params}, expected {EXPECTED[preset]}")
        wrong += bool(bad)
    return Burst(runs, wrong, cpu / n, rss0, sum(map(rss_mb, pid_of)), wall)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the sections -----------------------------------------------------------------------------------


def warm(server: Server, check: bool) -> float:
    """Open every preset once, one after another: the teacher tried the link before class.

    Returns the first session's finish time (the server's cold start)."""
    first = None
    for preset in PRESET_CYCLE if check else ["resnet18"]:
        run = asyncio.run(_open_once(server.port, f"preset={preset}", server.paint, time.perf_counter()))
        if run.errors or run.finish_s is None:
            raise RuntimeError(f"{server.name}: warm-up session failed: {run.errors}; log {server.log}")
        first = run.finish_s if first is None else first
    return first or 0.0


def compare_inventory(ours: Server, skeleton: Server) -> None:
    """Print whether the skeleton app still sends the Explorer's elements (ResNet-18's first run)."""
    runs = [
        asyncio.run(_open_once(s.port, "preset=resnet18", s.paint, time.perf_counter()))
        for s in (ours, skeleton)
    ]
    a, b = runs[0].kinds, runs[1].kinds
    diff = {k: (a[k], b[k]) for k in sorted(a.keys() | b.keys()) if a[k] != b[k]}
    print(f"  elements of a first run: ours {sum(a.values())}, skeleton {sum(b.values())}", end="; ")
    print("same types and counts" if not diff else f"differ (ours, skeleton): {diff}")


def bursts(servers: list[Server], sizes: list[int], rounds: int) -> dict[tuple[str, int], list[Burst]]:
    results: dict[tuple[str, int], list[Burst]] = {}
    print(f"\n## {', '.join(map(str, sizes))} sessions opening at once, {rounds} round(s), interleaved")
    for r in range(rounds):
        for n in sizes:
            order = servers[r % len(servers) :] + servers[: r % len(servers)]  # rotate who goes first
            for s in order:
                b = burst([s.pid], s.port, n, s.paint, check=s.role == "ours")
                results.setdefault((s.name, n), []).append(b)
                paint = [x.first_paint_s for x in b.runs if x.first_paint_s is not None]
                done = [x.finish_s for x in b.runs if x.finish_s is not None]
                print(
                    f"  round {r + 1} {n:>3} sessions {s.name:<16} paint p95 {pct(paint, 0.95):6.2f} s  "
                    f"finish p95 {pct(done, 0.95):6.2f} s  CPU {b.cpu_ms:6.0f} ms/session  "
                    f"RSS {b.rss_before:5.0f}->{b.rss_after:5.0f} MB  wrong {b.wrong}  load {load()}"
                )
                for x in b.runs:
                    if x.errors:
                        print(f"      {x.errors[0][:200]}")
                        break
    return results


def summarise(results: dict[tuple[str, int], list[Burst]], pairs: list[tuple[str, str]]) -> None:
    print("\n## summary (median over rounds of each burst's p50/p95; CPU: median ms/session)")
    print(
        "| sessions | server | paint p50 / p95 s | finish p50 / p95 s | CPU ms/session | RSS MB after |"
        " wrong |"
    )
    print("|---|---|---|---|---|---|---|")

    def stats(bs: list[Burst]) -> dict[str, float]:
        med = statistics.median
        paint = [[r.first_paint_s or float("nan") for r in b.runs] for b in bs]
        done = [[r.finish_s or float("nan") for r in b.runs] for b in bs]
        return {
            "p50": med(pct(p, 0.5) for p in paint),
            "p95": med(pct(p, 0.95) for p in paint),
            "f50": med(pct(d, 0.5) for d in done),
            "f95": med(pct(d, 0.95) for d in done),
            "cpu": med(b.cpu_ms for b in bs),
            "rss": bs[-1].rss_after,
            "wrong": sum(b.wrong for b in bs),
        }

    table = {key: stats(bs) for key, bs in results.items()}
    for (name, n), s in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(
            f"| {n} | {name} | {s['p50']:.2f} / {s['p95']:.2f} | {s['f50']:.2f} / {s['f95']:.2f} | "
            f"{s['cpu']:.0f} | {s['rss']:.0f} | {s['wrong']:.0f} |"
        )
    print("\nratios ours / yardstick (the goal, <= 1.5 each, is against the trivial app):")
    for ours, yardstick in pairs:
        for n in sorted({k[1] for k in table}):
            a, b = table.get((ours, n)), table.get((yardstick, n))
            if a and b:
                print(
                    f"  {n:>3} sessions {ours} / {yardstick}: paint p95 {a['p95'] / b['p95']:.2f}×  "
                    f"finish p95 {a['f95'] / b['f95']:.2f}×  CPU/session {a['cpu'] / b['cpu']:.2f}×"
                )


def soak(servers: list[Server], total: int, size: int = 30) -> None:
    print(f"\n## soak: {total} sessions in bursts of {size}, RSS after each burst (MB)")
    rows: dict[str, list[float]] = {s.name: [] for s in servers}
    for _ in range(max(1, total // size)):
        for s in servers:  # interleaved burst by burst
            b = burst([s.pid], s.port, size, s.paint, check=True)
            rows[s.name].append(b.rss_after)
            if b.wrong:
                print(f"  {s.name}: {b.wrong} wrong sessions in a soak burst")
    for name, rss in rows.items():
        print(
            f"  {name:<16} "
            + " ".join(f"{v:.0f}" for v in rss)
            + f"   (first {rss[0]:.0f}, last {rss[-1]:.0f})"
        )
    print(f"  load {load()}")


async def _refused_upload(port: int, size: int) -> tuple[int, list[str]]:
    """One tab sends a ``size``-byte photo to the Classify page's image box, as a scripted client
    would (the browser refuses it first), lets the page run on it, and closes. (PUT status, errors)."""
    s = Session(port, "Classify")
    await s.connect()
    try:
        await s.rerun("markdown")
        mode = s.widgets["cls.input"]
        upload = WidgetState(id=mode.id)  # type: ignore[attr-defined]
        upload.string_array_value.data.append(mode.options[1].content)  # type: ignore[attr-defined]
        await s.rerun("markdown", [upload])
        file_id, data = os.urandom(16).hex(), b"\x89PNG" + bytes(size - 4)
        status = await asyncio.to_thread(put_file, port, s.session_id, file_id, "big.png", data)
        del data
        if status != 204:
            return status, []
        run = await s.rerun(
            "markdown", [upload, uploader_state(s.widgets["cls.image"], file_id, "big.png", size)]
        )
        return status, run.errors
    finally:
        await s.close()


def upload_soak(servers: list[Server], n: int, mb: int, idle_min: float) -> None:
    """RSS after ``n`` refused ``mb`` MB uploads (each from its own tab, closed after), and after
    ``idle_min`` quiet minutes, against the warm server's; servers interleaved upload by upload."""
    print(
        f"\n## upload soak: {n} refused {mb} MB photos, each from a tab then closed, "
        f"then {idle_min:g} min idle"
    )
    warm = {s.name: (rss_mb(s.pid), own_rss_mb(s.pid)) for s in servers}
    statuses: dict[str, Counter[int]] = {s.name: Counter() for s in servers}
    for _ in range(n):
        for s in servers:
            status, errors = asyncio.run(_refused_upload(s.port, mb * 2**20))
            statuses[s.name][status] += 1
            if status == 204 and not any("MB" in e for e in errors):
                print(f"  {s.name}: the page did not refuse the photo: {errors[:1]}")
    after = {s.name: (rss_mb(s.pid), own_rss_mb(s.pid)) for s in servers}
    time.sleep(idle_min * 60)
    idle = {s.name: (rss_mb(s.pid), own_rss_mb(s.pid)) for s in servers}
    print("RSS MB: the server with its workers (the server process alone)")
    print("| server | PUT answers | RSS warm | after uploads | after idle | uploads held after idle MB |")
    print("|---|---|---|---|---|---|")
    for s in servers:
        answers = ", ".join(f"{k}×{v}" for k, v in sorted(statuses[s.name].items()))
        cells = " | ".join(f"{t[s.name][0]:.0f} ({t[s.name][1]:.0f})" for t in (warm, after, idle))
        print(f"| {s.name} | {answers} | {cells} | {upload_bytes_held(s.port) / 2**20:.0f} |")
    print(f"  load {load()}")


def _state(widget: object, value: object) -> WidgetState:
    state = WidgetState(id=widget.id)  # type: ignore[attr-defined]
    if isinstance(value, bool):
        state.trigger_value = value
    elif isinstance(value, int):
        state.int_value = value
    else:
        state.string_value = str(value)
    return state


async def _light_reruns(port: int, seconds: float, counter: list[int]) -> list[float]:
    """An Explorer session turning its width knob to a new value every 0.2 s, for ``seconds``."""
    s = Session(port, "", "preset=resnet18")
    await s.connect()
    try:
        await s.rerun("metric")
        times: list[float] = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            counter[0] += 1
            width = 8 + counter[0] % 4000  # never seen before: no cache answers
            run = await s.rerun("metric", [_state(s.widgets["cfg.width"], width)])
            if run.errors or run.finish_s is None:
                raise RuntimeError(f"light rerun failed: {run.errors}")
            times.append(run.finish_s * 1000)
            await asyncio.sleep(0.2)
        return times
    finally:
        await s.close()


async def _classifier(
    port: int, stop: asyncio.Event, done: list[int], errors: list[str], think: float
) -> None:
    """A Classify session picking a new held-out digit ``think`` seconds after each result."""
    s = Session(port, "Classify")
    await s.connect()
    try:
        run = await s.rerun("markdown")  # the page classifies its default sample at once
        done[0] += 1
        picker = s.widgets.get("cls.digit")
        if run.errors or picker is None:
            errors.append(f"Classify: {run.errors or 'no cls.digit picker (digits model missing?)'}")
            return
        options = list(picker.options)  # type: ignore[attr-defined]
        k = 0
        while not stop.is_set():
            k += 1
            run = await s.rerun("markdown", [_state(picker, options[k % len(options)])])
            if run.errors:
                errors.append(f"Classify: {run.errors[0]}")
                return
            done[0] += 1
            await asyncio.sleep(think)  # a student reads the answer before picking the next digit
    finally:
        await s.close()


async def _trainer(port: int, stop: asyncio.Event, running: asyncio.Event, errors: list[str]) -> None:
    """A Training lab session pressing Start, then reading the live run until told to stop."""
    s = Session(port, "Training_lab")
    await s.connect()
    try:
        await s.rerun("markdown")
        start = s.widgets.get("train.start")
        if start is None:
            errors.append("Training lab: no train.start button")
            running.set()
            return
        assert s.ws is not None
        msg = BackMsg()
        msg.rerun_script.page_name, msg.rerun_script.page_script_hash = s.page, s.page_hash
        msg.rerun_script.widget_states.widgets.append(_state(start, True))
        await s.ws.send(msg.SerializeToString())
        while not stop.is_set():  # the lab's run loop keeps the script running and drawing
            try:
                raw = await asyncio.wait_for(s.ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            if fwd.WhichOneof("type") == "delta" and fwd.delta.new_element.WhichOneof("type") == "progress":
                running.set()  # the run's progress bar: epochs are being trained
            elif fwd.WhichOneof("type") == "script_finished" and not running.is_set():
                errors.append("Training lab: the script finished without showing a running run")
                running.set()
    finally:
        await s.close()


def under_load(server: Server, seconds: float, think: float) -> None:
    print(
        f"\n## light rerun (Explorer width knob, new value each time) on {server.name}, {seconds:.0f} s each"
    )
    counter = [0]
    idle = asyncio.run(_light_reruns(server.port, seconds, counter))
    load_idle = load()

    async def busy() -> tuple[list[float], int, list[str], float]:
        stop, running, done, errors = asyncio.Event(), asyncio.Event(), [0], []
        jobs = [asyncio.create_task(_classifier(server.port, stop, done, errors, think)) for _ in range(4)]
        jobs.append(asyncio.create_task(_trainer(server.port, stop, running, errors)))
        # Measure once every classifier has its first result and the training run shows progress.
        end = time.perf_counter() + 180
        while (done[0] < 4 or not running.is_set()) and time.perf_counter() < end and not errors:
            await asyncio.sleep(0.2)
        cpu0, done0 = cpu_ms(server.pid), done[0]
        times = await _light_reruns(server.port, seconds, counter)
        cpu, jobs_done = cpu_ms(server.pid) - cpu0, done[0] - done0
        stop.set()
        await asyncio.gather(*jobs)
        return times, jobs_done, errors, cpu

    times, done, errors, cpu = asyncio.run(busy())
    p_idle, p_busy = pct(idle, 0.95), pct(times, 0.95)
    print(
        f"  idle                        p95 {p_idle:7.0f} ms  median {statistics.median(idle):6.0f} ms"
        f"  ({len(idle)} reruns, load {load_idle})"
    )
    print(
        f"  4 classifying + 1 training  p95 {p_busy:7.0f} ms  median {statistics.median(times):6.0f} ms"
        f"  ({len(times)} reruns, load {load()}; {done} classifications done meanwhile, "
        f"server+children CPU {cpu / 1000:.0f} s)"
    )
    print(f"  (each classifying session picks a new digit {think:g} s after its last answer)")
    print(f"  ratio busy / idle p95: {p_busy / p_idle:.2f}× (goal <= 1.5)")
    for e in errors:
        print(f"  problem: {e}")


@contextlib.contextmanager
def trial(replicas: int) -> Iterator[tuple[int, list[int]]]:
    port = free_port()
    while any(_busy(port + k) for k in range(1, replicas + 1)):
        port = free_port()
    proc = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "trial.sh"), "--replicas", str(replicas), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    pids: list[int] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("replica "):
                pids.append(int(line.split()[-1]))
            if line.startswith("ready "):
                break
        else:
            raise RuntimeError("deploy/trial.sh stopped before printing ready")
        yield port, pids
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def replicas_section(n: int, rounds: int) -> None:
    script = ROOT / "deploy" / "trial.sh"
    print(f"\n## one replica against two behind nginx (deploy/trial.sh), {n} sessions opening at once")
    if not script.exists():
        print("  skipped: deploy/trial.sh is not there")
        return
    if subprocess.run(["which", "nginx"], capture_output=True).returncode:
        print("  skipped: nginx is not installed")
        return
    p95: dict[int, list[float]] = {}
    for k in (1, 2):
        with trial(k) as (port, pids):
            for _ in range(2):  # warm each replica: nginx spreads sessions over both
                asyncio.run(_open_once(port, "preset=resnet18", "metric", time.perf_counter()))
            for p in PRESET_CYCLE:
                asyncio.run(_open_once(port, f"preset={p}", "metric", time.perf_counter()))
            for r in range(rounds):
                b = burst(pids, port, n, "metric", check=True)
                done = [x.finish_s for x in b.runs if x.finish_s is not None]
                paint = [x.first_paint_s for x in b.runs if x.first_paint_s is not None]
                p95.setdefault(k, []).append(pct(done, 0.95))
                print(
                    f"  {k} replica(s) round {r + 1}: paint p95 {pct(paint, 0.95):.2f} s  finish p50 "
                    f"{pct(done, 0.5):.2f} / p95 {pct(done, 0.95):.2f} s  CPU {b.cpu_ms:.0f} ms/session "
                    f"(replicas only)  wrong {b.wrong}  load {load()}"
                )
    a, b2 = statistics.median(p95[1]), statistics.median(p95[2])
    print(f"  finish p95 two / one replica: {b2 / a:.2f}× (2 cores: two replicas share the same CPUs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="30,60", help="burst sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=2, help="bursts per size and server")
    parser.add_argument(
        "--gc",
        choices=("on", "off", "both", "config"),
        default="both",
        help="runner.postScriptGC for the servers ('config': as .streamlit/config.toml says)",
    )
    parser.add_argument("--soak", type=int, default=300, help="soak sessions (0: skip)")
    # 40 s is about 165 reruns a phase: a p95 set by its 8 slowest, not by 3 as at 15 s.
    parser.add_argument("--seconds", type=float, default=40.0, help="light-rerun phase length")
    parser.add_argument(
        "--think",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[1.0, 0.0],
        help="seconds a classifying session waits after each answer, comma-separated (one phase each)",
    )
    parser.add_argument(
        "--loop",
        choices=("installed", "both"),
        default="installed",
        help="'both': also run app.py on the standard library's event loop (uvloop hidden from it)",
    )
    parser.add_argument(
        "--upload-soak", type=int, default=30, help="refused uploads in the upload soak (0: skip)"
    )
    parser.add_argument("--upload-mb", type=int, default=250, help="size of each refused upload, MB")
    parser.add_argument("--idle-min", type=float, default=10.0, help="quiet minutes after the upload soak")
    parser.add_argument("--skip", default="", help="sections to skip: bursts,soak,uploads,load,replicas")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also run app.py from this checkout as 'baseline' (e.g. `git worktree add /tmp/base HEAD~1`)",
    )
    parser.add_argument("--quick", action="store_true", help="one round, 30 sessions, short soak and load")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sessions.split(",")]
    if args.quick:
        args.rounds, sizes, args.soak, args.seconds, args.think = 1, sizes[:1], 60, 8.0, args.think[:1]
    skip = set(filter(None, args.skip.split(",")))
    modes = {"on": [True], "off": [False], "both": [True, False], "config": [None]}[args.gc]

    logdir = Path(tempfile.mkdtemp(prefix="bench_load."))
    trivial_script = logdir / "hello.py"
    trivial_script.write_text(TRIVIAL_APP)
    servers: list[Server] = []
    for gc in modes:
        tag = "" if gc is None else f" gc={'on' if gc else 'off'}"
        servers.append(Server(f"ours{tag}", "app.py", gc, "metric"))
        servers.append(Server(f"trivial{tag}", str(trivial_script), gc, "markdown", "trivial"))
        servers.append(Server(f"skeleton{tag}", SKELETON_APP, gc, "metric", "skeleton"))
        if args.loop == "both":
            servers.append(Server(f"ours{tag} asyncio", "app.py", gc, "metric", loop="asyncio"))
        if args.baseline:
            servers.append(Server(f"baseline{tag}", "app.py", gc, "metric", cwd=args.baseline.resolve()))
    print(f"bench_load: {os.cpu_count()} cores, load {load()}, logs in {logdir}")
    try:
        for s in servers:
            s.start(logdir)
        for s in servers:
            wait_healthy(s.port, s.proc)
            cold = warm(s, check=s.role == "ours")
            print(
                f"  {s.name:<16} port {s.port}  first session after start {cold:.2f} s  "
                f"RSS {rss_mb(s.pid):.0f} MB  event loop {event_loop(s.pid)}"
            )
        for s in servers:
            if s.role == "skeleton":
                compare_inventory(next(o for o in servers if o.role == "ours" and o.gc == s.gc), s)
        if "bursts" not in skip:
            results = bursts(servers, sizes, args.rounds)
            yardsticks = [s for s in servers if s.role != "ours"]
            pairs = [
                (s.name, y.name) for s in servers if s.role == "ours" for y in yardsticks if y.gc == s.gc
            ]
            # uvloop against the standard library's loop, the same app otherwise.
            pairs += [
                (s.name, a.name)
                for s in servers
                if s.role == "ours" and s.loop == "installed" and s.cwd == ROOT
                for a in servers
                if a.loop == "asyncio" and a.gc == s.gc
            ]
            summarise(results, pairs)
        ours = [s for s in servers if s.role == "ours" and s.cwd == ROOT]
        if "soak" not in skip and args.soak:
            soak(ours, args.soak)
        if "uploads" not in skip and args.upload_soak:
            # The yardstick: our app with Streamlit's default upload setting (server.maxUploadSize 200 MB)
            # and none of ours: a photo over 200 MB is refused at the door, a smaller one held as
            # Streamlit holds it.
            default = Server(
                "Streamlit default", "app.py", ours[-1].gc, "metric", flags=("--server.maxUploadSize", "200")
            )
            servers.append(default)
            default.start(logdir)
            wait_healthy(default.port, default.proc)
            warm(default, check=True)
            baselines = [s for s in servers if s.cwd != ROOT and s.gc == ours[-1].gc]  # --baseline
            upload_soak([ours[-1], default, *baselines], args.upload_soak, args.upload_mb, args.idle_min)
        if "load" not in skip:
            for think in args.think:
                for s in [s for s in ours if s.gc == ours[-1].gc]:  # both loops with --loop both
                    under_load(s, args.seconds, think)
    finally:
        for s in servers:
            s.stop()
    if "replicas" not in skip:
        replicas_section(max(sizes), 1 if args.quick else args.rounds)


if __name__ == "__main__":
    main()
