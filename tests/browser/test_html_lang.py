"""Chromium reads <html lang> as the page's language: zh-CN for 简体中文, en for English (issue 24).

Streamlit's index.html always says lang="en"; the router's page_setup sets it from the session's
language with a small inline script. That script must run under the deployment's
Content-Security-Policy, so every page here is loaded with the CSP of deploy/nginx.conf added to
its document (as nginx adds it) and a listener for CSP violations. It must also take no room on
the page: the first thing on the page still starts right at the top of the main area.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import CHROMIUM_ARGS, ROOT, SCREENSHOTS, wait_for_app

pytestmark = pytest.mark.browser

# Collects the page's CSP violations from its first script on.
CSP_LISTENER = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""
HTML_LANG = "() => document.documentElement.lang"
# How far below the top of the main area's content box its first visible element starts: 0 unless
# something hidden (the lang script's element) still takes a row and its gap.
TOP_GAP = """() => {
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    const top = block.getBoundingClientRect().top + parseFloat(getComputedStyle(block).paddingTop);
    const rows = [...block.querySelector('[data-testid="stVerticalBlock"]').children];
    const first = rows.find(r => r.getBoundingClientRect().height > 0);
    return first.getBoundingClientRect().top - top;
}"""
# An inline script the CSP does not list: it must not run, or the CSP was not applied at all.
CSP_PROBE = """() => {
    const s = document.createElement('script');
    s.textContent = 'window.__probe = 1';
    document.body.append(s);
    return window.__probe === undefined;
}"""
LANG_BOX_SHOWN = """() => [...document.querySelectorAll('.st-key-re_html_lang')].some(
    e => getComputedStyle(e.parentElement).display !== 'none' || e.getBoundingClientRect().height > 0)"""


def _deploy_csp() -> str:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    m = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', conf)
    assert m, "deploy/nginx.conf sets no Content-Security-Policy"
    return m.group(1)


def _is_page_address(url: str) -> bool:
    """The app's pages (/, /Lesson?lang=zh): not Streamlit's scripts, styles, fonts or endpoints."""
    path = urlsplit(url).path
    return "." not in path and not path.startswith(("/static/", "/_stcore/", "/media/", "/component"))


@pytest.fixture(scope="module")
def lna_browser(playwright) -> Iterator:
    """Chromium as conftest starts it, without its Local Network Access check.

    A document that Playwright fulfils (to add the CSP header) has no network address, so Chromium
    counts it as a public site and refuses its websocket to 127.0.0.1; behind nginx the header comes
    with a real response and the check never fires. Launched from the session's one Playwright.
    """
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium not found: .ci/run installs Debian's chromium package")
    b = playwright.chromium.launch(
        executable_path=exe, args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"]
    )
    yield b
    b.close()


@pytest.fixture
def csp_page(lna_browser) -> Iterator:
    """A 1366×768 page whose documents carry deploy/nginx.conf's CSP, with violations in ``window.__csp``."""
    csp = _deploy_csp()
    context = lna_browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(CSP_LISTENER)

    def add_csp(route) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": csp})

    context.route(_is_page_address, add_csp)
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    yield pg
    # Last, as it leaves a violation behind: the page ran under the CSP (it refuses a stray script).
    assert pg.evaluate(CSP_PROBE), "the test's CSP was not in force"
    context.close()


def _open(pg, url: str) -> None:
    pg.goto(url)
    wait_for_app(pg)


def _expect_lang(pg, tag: str) -> None:
    """``<html lang>`` becomes ``tag`` (the script runs once React has drawn its element)."""
    try:
        pg.wait_for_function(f"() => document.documentElement.lang === {tag!r}", timeout=15_000)
    except Exception:
        pytest.fail(f"<html lang> is {pg.evaluate(HTML_LANG)!r}, expected {tag!r} on {pg.url}")


def _check_page(pg) -> None:
    # Inline scripts only: the lang script is one, and Streamlit's own is allowed by its hash. The
    # rest of the policy is tests/deploy/test_nginx_replicas.py's (behind real nginx).
    inline = [v for v in pg.evaluate("window.__csp") if v.endswith(" inline")]
    assert inline == [], f"the deployment's CSP refused an inline script: {inline}"
    assert not pg.evaluate(LANG_BOX_SHOWN), "the lang script's element is visible"
    gap = pg.evaluate(TOP_GAP)
    assert abs(gap) < 1, f"the page's first element starts {gap:.1f} px below the top of the main area"


def _pick_language(pg, label: str) -> None:
    pg.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click()
    wait_for_app(pg)


@pytest.mark.parametrize("path", ["/", "/Lesson"], ids=["explorer", "lesson"])
def test_chinese_link_then_switch_to_english(csp_page, app_url: str, path: str) -> None:
    _open(csp_page, f"{app_url}{path}?lang=zh")
    _expect_lang(csp_page, "zh-CN")
    _check_page(csp_page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    csp_page.screenshot(path=str(SCREENSHOTS / f"html_lang_{path.strip('/') or 'explorer'}_zh.png"))

    _pick_language(csp_page, "English")
    _expect_lang(csp_page, "en")
    _check_page(csp_page)

    _pick_language(csp_page, "简体中文")  # and back: every switch, not just the first
    _expect_lang(csp_page, "zh-CN")
    _check_page(csp_page)


def test_chinese_stays_declared_on_the_next_page(csp_page, app_url: str) -> None:
    """Moving to another page through the sidebar keeps zh-CN (a new page, the same session)."""
    _open(csp_page, f"{app_url}/?lang=zh")
    _expect_lang(csp_page, "zh-CN")
    csp_page.locator('[data-testid="stSidebarNav"] a[href$="/Paper"]').click()
    csp_page.wait_for_url(re.compile(r"/Paper"))
    wait_for_app(csp_page)
    _expect_lang(csp_page, "zh-CN")
    _check_page(csp_page)


@pytest.mark.parametrize("path", ["/", "/Lesson"], ids=["explorer", "lesson"])
def test_english_link_declares_en(csp_page, app_url: str, path: str) -> None:
    _open(csp_page, f"{app_url}{path}?lang=en")
    _expect_lang(csp_page, "en")
    # Streamlit's own index.html already says "en": the app's script must have said it too.
    said = csp_page.evaluate(
        "() => [...document.querySelectorAll('script[data-lang]')].map(s => s.dataset.lang)"
    )
    assert said == ["en"], said
    _check_page(csp_page)
