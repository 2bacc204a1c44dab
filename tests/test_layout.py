"""The architecture is in the tree: Streamlit only at the edge, core/ standing on its own, thin pages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "resnet_explorer"
PAGES = sorted((ROOT / "pages").glob("*.py"))
SUBPACKAGES = ("core", "visual", "classify", "train", "ui", "cli", "i18n")


def _imports(path: Path) -> set[str]:
    """Absolute module names ``path`` imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _library_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _library_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_ui_imports_streamlit(path: Path) -> None:
    uses = {name for name in _imports(path) if name == "streamlit" or name.startswith("streamlit.")}
    if path.is_relative_to(PACKAGE / "ui"):
        return
    assert not uses, f"{path.relative_to(ROOT)} imports {sorted(uses)}; only resnet_explorer/ui/ may"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_do_not_import_torch_and_stay_thin(path: Path) -> None:
    torch = {n for n in _imports(path) if n == "torch" or n.startswith("torch.")}
    assert not torch, f"{path.name} imports {sorted(torch)}: pages display, the library computes"
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 150, f"{path.name} has {lines} lines; a page is widgets and layout, at most 150"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_stands_on_its_own(path: Path) -> None:
    outside = [["resnet_explorer", s] for s in ("visual", "classify", "train", "ui", "cli")]
    above = {n for n in _imports(path) if n.split(".")[:2] in outside}
    assert not above, f"core/{path.name} imports {sorted(above)}: core uses only itself, settings, formatting"


def test_importing_core_loads_no_streamlit() -> None:
    code = (
        "import sys, resnet_explorer, resnet_explorer.core.compare, resnet_explorer.core.paper, "
        "resnet_explorer.core.checkpoints; sys.exit('streamlit' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_the_package_top_level_stays_small() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 6, f"top-level modules {modules}: new code belongs in a sub-package"
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert set(SUBPACKAGES) <= set(folders), folders


def test_the_public_api_is_importable_from_the_package() -> None:
    import resnet_explorer

    for name in (
        "ResNetConfig",
        "PRESETS",
        "build_model",
        "analyze",
        "Analysis",
        "block_arithmetic",
        "model_from_checkpoint",
    ):
        assert name in resnet_explorer.__all__ and hasattr(resnet_explorer, name), name


def test_every_page_is_routed_and_every_route_has_a_page() -> None:
    from resnet_explorer.ui.router import PAGES as ROUTES

    assert sorted(spec.path for spec in ROUTES) == sorted(f"pages/{p.name}" for p in PAGES)
