"""The import-linter contracts catch each forbidden import planted in a copy of the package.

Each case copies ``rtviewer/`` and the contracts (``pyproject.toml``) into a temporary
folder, appends one import to one module and runs ``lint-imports`` on the copy: the
named contract must break. The unplanted copy must keep every contract, so a failure
is the plant's and not the copy's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from testsupport import REPO_ROOT

pytest.importorskip("importlinter")

QT = "Qt only in the UI and the GUI composition root, not even indirectly"
DICOM_LIBS = ("pydicom (dicom, demo, net) and pynetdicom (net) stay out of view and below, "
              "not even indirectly")
CORE = "core is pure numerics"
LAYERS = "Layers: cli > app > ui/net > view > dicom/demo/review > model > core > shared modules"
PYNETDICOM = "pynetdicom only in net (and the CLI that drives it), not even indirectly"
EDGES = "settings, log set-up and desktop integration only in net, ui, app and cli"
ROOT = "the package root imports no third-party library"

# (module file under rtviewer/, planted line, contract that must break)
PLANTS = [
    ("config.py", "import PySide6", QT),
    ("core/grid.py", "from rtviewer import config", CORE),
    ("model/__init__.py", "import pynetdicom", DICOM_LIBS),
    ("errors.py", "import pydicom", DICOM_LIBS),
    ("logfile.py", "import rtviewer.ui", LAYERS),
    ("dicom/files.py", "import pynetdicom", PYNETDICOM),
    ("dicom/files.py", "from rtviewer import config", EDGES),
    ("printable.py", "import pydicom", DICOM_LIBS),
    ("__init__.py", "import pyqtgraph", ROOT),
    ("view/scene.py", "import pyqtgraph", QT),
    ("view/chain.py", "from rtviewer.dicom import scan", DICOM_LIBS),
    ("view/chain.py", "from rtviewer.ui.views import view_state", LAYERS),
    ("view/dvh_jobs.py", "from rtviewer import config", EDGES),
]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the package copy under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    run = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    cmd = [sys.executable, "-c", run, "--no-cache", "--config", str(root / "pyproject.toml")]
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def _broken(report: str) -> set[str]:
    """Names of the contracts the report marks BROKEN (names may wrap over lines)."""
    flat = " ".join(report.split())
    return {name for name in (QT, DICOM_LIBS, CORE, LAYERS, PYNETDICOM, EDGES, ROOT)
            if re.search(re.escape(name) + r" BROKEN", flat)}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its contracts that keeps every contract."""
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(REPO_ROOT / "rtviewer", root / "rtviewer",
                    ignore=shutil.ignore_patterns("__pycache__", "resources"))
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    result = _lint(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    return root


@pytest.mark.parametrize(("module", "line", "contract"), PLANTS,
                         ids=[f"{m}:{line}" for m, line, _ in PLANTS])
def test_planted_import_breaks_its_contract(pristine, tmp_path, module, line, contract):
    root = tmp_path / "planted"
    shutil.copytree(pristine, root)
    target = root / "rtviewer" / module
    target.write_text(target.read_text() + f"\n{line}  # planted\n")
    result = _lint(root)
    assert result.returncode != 0
    assert contract in _broken(result.stdout), result.stdout


def test_qt_in_a_shared_module_is_reported_for_the_layers_that_reach_it(pristine, tmp_path):
    # The hole this closes: indirect imports used to be allowed, so Qt in config.py
    # passed although the network code and CLI import config.
    root = tmp_path / "planted"
    shutil.copytree(pristine, root)
    target = root / "rtviewer" / "config.py"
    target.write_text(target.read_text() + "\nimport PySide6  # planted\n")
    report = _lint(root).stdout
    assert re.search(r"rtviewer\.net\.\S+ -> rtviewer\.config", report), report


def test_every_top_level_module_has_a_layer():
    # A new module beside the packages would belong to no layer and escape every contract.
    contracts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in contracts["tool"]["importlinter"]["contracts"]
                  if c["type"] == "layers")["layers"]
    layered = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    package = REPO_ROOT / "rtviewer"
    top = {f"rtviewer.{p.stem}" for p in package.glob("*.py")
           if p.stem not in ("__init__", "__main__")}
    top |= {f"rtviewer.{p.parent.name}" for p in package.glob("*/__init__.py")}
    data_only = {"rtviewer.resources"}  # icons and desktop files, no code
    assert [f.name for f in (package / "resources").glob("*.py")] == ["__init__.py"]
    assert top - layered - data_only == set()
    assert len(top) >= 12
