"""The architecture picture against the graph it replaced on the first screen, in one run.

    python benchmarks/bench_archview.py [--presets resnet152,resnet1202] [--repeat 5]

Starts ``streamlit run app.py`` on a free loopback port and drives headless Chromium (Debian's, as the
tests do). For each preset it times, in the same browser, alternating the two:
  * knob change -> new overview: from the Enter keydown in "Blocks per stage" (one more block in the
    third stage) until the picture shows the new ``×N`` on that stage (timed in the page: a capturing
    keydown listener and a MutationObserver, so Playwright's polling is not counted);
  * knob change -> new graph: the same change with the Explorer's Graph view open, until Graphviz's
    drawing in the browser shows the new folded count;
  * open a stage: from the click until the frame after its blocks are drawn (no rerun), and close it.
It prints medians and the ratio graph / picture. Goals (issue 20): the overview within 0.3 s for
ResNet-152 and 1 s for ResNet-1202; opening or closing a stage within 0.2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM_ARGS, wait_for_app  # noqa: E402

from resnet_explorer import PRESETS  # noqa: E402
from resnet_explorer.i18n import t  # noqa: E402


def _server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("streamlit did not start")


def _stages_box(page):
    return page.get_by_label(t("cfg.stages", "en"), exact=True)


# Timed in the page: from the Enter keydown (a capturing listener) to the DOM change that shows the
# new count (a MutationObserver), so neither Playwright's polling nor its round trips are counted.
_ARM = """([selector, text]) => {
    const b = (window.__bench = {t0: null, t1: null});
    const start = (e) => {
        if (e.key === "Enter" && b.t0 === null) b.t0 = performance.now();
    };
    document.addEventListener("keydown", start, {capture: true});
    const shadows = () => [...document.querySelectorAll("*")].filter((e) => e.shadowRoot)
        .map((e) => e.shadowRoot);
    const look = () => {
        for (const h of [document, ...shadows()]) {
            for (const n of h.querySelectorAll(selector)) if (n.textContent.includes(text)) return true;
        }
        return false;
    };
    const obs = new MutationObserver(() => {
        if (b.t0 !== null && b.t1 === null && look()) {
            b.t1 = performance.now();
            obs.disconnect();
        }
    });
    const what = {subtree: true, childList: true, characterData: true};
    for (const h of [document, ...shadows()]) obs.observe(h, what);
}"""


def _knob(page, stages: list[int], selector: str, text: str) -> float:
    box = _stages_box(page)
    box.fill(",".join(map(str, stages)))
    page.evaluate(_ARM, [selector, text])
    box.press("Enter")
    page.wait_for_function("() => window.__bench.t1 !== null", timeout=120_000)
    return page.evaluate("() => (window.__bench.t1 - window.__bench.t0) / 1000")


def _knob_to_picture(page, stages: list[int]) -> float:
    return _knob(page, stages, '[data-id="layer3"]', f"×{stages[2]}")


def _knob_to_graph(page, stages: list[int]) -> float:
    # the folded identity blocks of the third stage: one fewer than the stage has
    return _knob(page, stages, '[data-testid="stGraphVizChart"] svg', f"×{stages[2] - 1}")


# A click on a stage, dispatched in the page, to the next frame after its blocks are drawn (opening)
# or gone (closing): all of it happens in the browser, with no rerun.
_CLICK = """(e) => new Promise((done) => {
    const t0 = performance.now();
    e.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    requestAnimationFrame(() => done((performance.now() - t0) / 1000));
})"""


def _open_close(page) -> tuple[float, float]:
    stage = page.locator('[data-id="layer3"]')
    opened = stage.evaluate(_CLICK)
    assert page.locator('[data-id="layer3.0"]').count() == 1
    closed = page.locator('[data-id="layer3"]').evaluate(_CLICK)
    assert page.locator('[data-id="layer3.0"]').count() == 0
    return opened, closed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", default="resnet152,resnet1202")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    proc, url = _server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            rows = []
            for name in args.presets.split(","):
                base = list(PRESETS[name].stages)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.set_default_timeout(120_000)
                page.goto(f"{url}/?preset={name}")
                wait_for_app(page)
                page.locator(".av-frame").wait_for()
                graph = browser.new_page(viewport={"width": 1366, "height": 768})
                graph.set_default_timeout(120_000)
                graph.goto(f"{url}/?preset={name}")
                wait_for_app(graph)
                graph.get_by_role("radio", name=t("view.graph", "en"), exact=True).click()
                graph.locator('[data-testid="stGraphVizChart"] svg').first.wait_for()
                ours, theirs, opens, closes = [], [], [], []
                for i in range(args.repeat):
                    stages = [*base[:2], base[2] + 1 + i, *base[3:]]
                    ours.append(_knob_to_picture(page, stages))
                    theirs.append(_knob_to_graph(graph, stages))
                    wait_for_app(page)
                    o, c = _open_close(page)
                    opens.append(o)
                    closes.append(c)
                page.close()
                graph.close()
                rows.append((name, *map(statistics.median, (ours, theirs, opens, closes))))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print(
        f"{'preset':<12} {'picture s':>10} {'graph s':>9} {'graph/picture':>14} {'open s':>8} {'close s':>8}"
    )
    for name, ours, theirs, o, c in rows:
        print(f"{name:<12} {ours:>10.3f} {theirs:>9.3f} {theirs / ours:>14.2f} {o:>8.3f} {c:>8.3f}")


if __name__ == "__main__":
    main()
