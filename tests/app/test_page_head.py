"""What every page puts in the browser's <head> without a browser: its tab icon and its language.

Issue 24: offline, a ``:material/…:`` page icon was fetched from fonts.gstatic.com (a console error
per page, an empty tab icon); the app now ships one PNG per page icon and sends it as a data: URL.
The <html lang> script is allowed by the deployment's CSP only by its hash, so the hash in
deploy/nginx.conf must be the script's. (tests/browser/test_html_lang.py and
test_offline_assets.py check both in Chromium.)
"""

from __future__ import annotations

import base64
import glob
import hashlib
import io
import re
import tomllib
from pathlib import Path

import pytest
from helpers import open_app
from PIL import Image

from resnet_explorer.i18n import LANGUAGES
from resnet_explorer.ui import router
from tests.conftest import ROOT

PACKAGE = ROOT / "resnet_explorer"
ICONS = PACKAGE / "assets" / "icons"
# Every page's first line: ui.page_setup("title.key") or ui.page_setup("title.key", ":material/name:").
PAGE_SETUP = re.compile(r'page_setup\(\s*"[^"]+"\s*(?:,\s*"(?P<icon>[^"]+)")?\s*\)')


def _csp() -> str:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    m = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', conf)
    assert m, "deploy/nginx.conf sets no Content-Security-Policy"
    return m.group(1)


def _page_icons() -> dict[str, str]:
    """Each page file's tab icon, as its page_setup call names it (the default when it names none)."""
    icons = {}
    for page in sorted((ROOT / "pages").glob("*.py")):
        m = PAGE_SETUP.search(page.read_text())
        assert m, f"{page.name} does not start with page_setup(...)"
        icons[page.name] = m.group("icon") or router.APP_ICON
    return icons


def test_every_page_has_a_page_setup_call() -> None:
    assert set(_page_icons()) == {Path(spec.path).name for spec in router.PAGES}


@pytest.mark.parametrize("icon", sorted({router.APP_ICON, *_page_icons().values()}))
def test_each_page_icon_is_shipped_as_a_data_url(icon: str) -> None:
    name = icon.removeprefix(":material/").removesuffix(":")
    assert (ICONS / f"{name}.png").is_file(), f"{icon}: no assets/icons/{name}.png (the tab would fall back)"
    url = router.favicon(icon)
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix), url[:60]
    png = base64.b64decode(url.removeprefix(prefix))
    assert png == (ICONS / f"{name}.png").read_bytes()
    image = Image.open(io.BytesIO(png))
    assert image.size == (64, 64) and image.mode == "RGBA"
    assert image.getchannel("A").getbbox() is not None, "the icon is blank"


def test_an_icon_without_a_png_gets_the_apps_icon_not_googles() -> None:
    assert router.favicon(":material/no_such_icon:") == router.favicon(router.APP_ICON)


def test_the_icons_are_package_data() -> None:
    """setuptools' package-data globs do not reach into assets/icons/ through ``assets/*``."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {
        Path(f)
        for pattern in patterns["resnet_explorer"]
        for f in glob.glob(str(PACKAGE / pattern))
        if Path(f).is_file()
    }
    icons = set(ICONS.glob("*.png"))
    assert icons and icons <= shipped, sorted(map(str, icons - shipped))


def test_every_language_has_an_html_lang_tag() -> None:
    assert set(router.HTML_LANG) == set(LANGUAGES)
    assert router.HTML_LANG["zh"] == "zh-CN" and router.HTML_LANG["en"] == "en"


def test_the_csp_allows_the_lang_script_by_its_hash() -> None:
    digest = base64.b64encode(hashlib.sha256(router.LANG_SCRIPT.encode()).digest()).decode()
    assert router.LANG_SCRIPT_CSP == f"'sha256-{digest}'"
    script_src = next(d for d in _csp().split(";") if d.strip().startswith("script-src"))
    assert router.LANG_SCRIPT_CSP in script_src.split(), (
        f"deploy/nginx.conf's script-src lacks {router.LANG_SCRIPT_CSP} (router.LANG_SCRIPT changed?)"
    )
    # Still by hash: the script must not have opened the door to every inline script.
    assert "'unsafe-inline'" not in script_src


def test_the_csp_names_no_outside_host() -> None:
    """The page needs nothing from another host; the CSP should not allow one (it allowed Google's)."""
    assert not re.search(r"https?://", _csp()), _csp()


def _lang_scripts(at) -> list[str]:
    """The data-lang of each <html lang> script the run drew."""
    bodies = [h.proto.body for h in at.get("html")]
    return [
        m.group(1)
        for b in bodies
        if (m := re.fullmatch(r'<script data-lang="([^"]+)">(.*)</script>', b, re.S))
    ]


def test_each_run_declares_the_sessions_language() -> None:
    """One script per run, with the session's tag: after the link's language and after a switch."""
    at = open_app("pages/Paper.py", {"lang": "zh"}).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _lang_scripts(at) == ["zh-CN"]
    script = next(h.proto for h in at.get("html") if "data-lang" in h.proto.body)
    assert script.unsafe_allow_javascript
    assert script.body.endswith(f">{router.LANG_SCRIPT}</script>"), "the CSP hash covers exactly this text"
    at.sidebar.segmented_control(key="lang_select").set_value("en").run()
    assert _lang_scripts(at) == ["en"]
