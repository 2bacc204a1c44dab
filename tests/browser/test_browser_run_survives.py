"""A Training-lab run belongs to the student's browser session, not to the script on screen (issue 26).

The app runs with ``runner.fastReruns``: any click stops the page's running script with the exception a
closed tab gives. AppTest has no fast reruns and no websocket, so only a real browser shows it: start a
run, open another page and come back, switch language, lose the network for a second — the run goes on
and its bar keeps moving (a reconnected page is live, not frozen at the drop); Stop then says "stopped by
you"; and a run left alone finishes and draws its results without a click."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from resnet_explorer.i18n import t
from tests.conftest import screenshot, wait_for_app
from tests.helpers import BlipProxy


def _stop_button(page, lang: str):
    return page.locator('[data-testid="stBaseButton-secondary"]', has_text=t("train.stop", lang))


def _running(page, lang: str, timeout_ms: int = 60_000) -> bool:
    """The live run is on screen: its Stop is enabled (a run that ended disables it). Waits, since
    Streamlit disables every widget while it reconnects and enables them once the page is back."""
    try:
        expect(_stop_button(page, lang).first).to_be_enabled(timeout=timeout_ms)
    except AssertionError:
        return False
    return True


# The live bar shows "Epoch 1/4 · plain-20 · step …" once the child trains (before: "Starting…").
_TRAINING = """() => [...document.querySelectorAll('[data-testid="stProgress"]')]
    .some(e => e.innerText.includes('·'))"""


_BAR = """[...document.querySelectorAll('[data-testid="stProgress"]')].map(e => e.innerText).join(' ')"""


def _bar(page) -> str:
    return page.evaluate(f"() => {_BAR}")


def _start(page, lang: str, epochs: int) -> None:
    """Start plain-20 against ResNet-20 (the smallest pair: 86 steps an epoch) for ``epochs``."""
    page.get_by_label(t("train.depth", lang)).click()
    page.get_by_role("option", name="20", exact=True).click()
    wait_for_app(page)
    box = page.get_by_label(t("train.epochs", lang))
    box.fill(str(epochs))
    box.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name=t("train.start", lang), exact=True).click()
    assert _running(page, lang, 120_000), "Start did not start a run"
    # the child is training, not still starting (a spawned interpreter importing torch on a busy
    # machine; a full test run's server has served every other browser test before this one)
    page.wait_for_function(_TRAINING, timeout=600_000)


def _sidebar_link(page, key: str, lang: str):
    return page.locator('[data-testid="stSidebarNav"] a', has_text=t(key, lang)).first


@pytest.mark.browser
@pytest.mark.slow
def test_a_run_survives_page_switch_language_switch_and_a_network_blip(app_url, browser):
    proxy = BlipProxy(urlparse(app_url).port)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"http://127.0.0.1:{proxy.port}/Training_lab?lang=en")
        wait_for_app(page)
        if page.locator('[role="dialog"]').count():
            page.keyboard.press("Escape")
        _start(page, "en", epochs=40)  # long enough to outlast what follows

        # another page, then back: the run is still live and its curves go on
        _sidebar_link(page, "nav.explorer", "en").click()
        page.wait_for_url("**/?*")
        wait_for_app(page)
        page.wait_for_timeout(2000)
        _sidebar_link(page, "nav.training", "en").click()
        page.wait_for_url("**/Training_lab*")
        page.wait_for_function(_TRAINING)
        assert _running(page, "en"), "the run ended when the student opened another page"

        # the language switch (a widget on every page: a rerun of the running script)
        page.get_by_text("简体中文").click()
        page.get_by_role("button", name=t("train.start", "zh"), exact=True).wait_for()
        page.wait_for_function(_TRAINING)
        assert _running(page, "zh"), "the run ended at the language switch"

        # a one-second network outage: the websocket drops, the browser reconnects to its session
        proxy.blip(1.0)
        page.wait_for_timeout(1500)
        page.wait_for_function(_TRAINING, timeout=60_000)
        assert _running(page, "zh"), "the run ended at a one-second network blip"
        # and the page is live, not a picture of the moment the connection dropped: the bar moves on
        before = _bar(page)
        page.wait_for_function(f"() => !{_BAR}.includes({json.dumps(before)})", timeout=300_000)
        screenshot(page, "training_run_after_blip_zh")

        # Stop, pressed while the run goes (its click is a fast rerun too), is the student's stop
        _stop_button(page, "zh").first.click()
        page.get_by_text(t("train.reason.user", "zh")).first.wait_for(timeout=60_000)
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert t("train.reason.left", "zh") not in body, body[-1500:]
        screenshot(page, "training_run_stopped_by_you_zh")

        # and a run left to itself finishes: its results replace the live bar by themselves
        _start(page, "zh", epochs=1)
        done = t("train.status.done", "zh", s="__S__").split("__S__")[0]
        page.get_by_text(done).first.wait_for(timeout=600_000)
        start = page.get_by_role("button", name=t("train.start", "zh"), exact=True)
        expect(start).to_be_enabled()
    finally:
        context.close()
        proxy.close()
