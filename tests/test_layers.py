"""The headless layers never import Qt, and the view logic never imports pydicom."""

import subprocess
import sys


def _loaded_after_importing(packages: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """``libraries`` loaded by a fresh interpreter that imports every module of ``packages``."""
    code = (
        "import sys, pkgutil, importlib\n"
        "import rtviewer.errors, rtviewer.cli\n"
        f"for name in {packages!r}:\n"
        "    pkg = importlib.import_module(name)\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {libraries!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_core_model_dicom_view_do_not_import_qt():
    packages = ("rtviewer.core", "rtviewer.model", "rtviewer.dicom", "rtviewer.view")
    assert _loaded_after_importing(packages, ("PySide6", "pyqtgraph")) == ""


def test_view_imports_no_pydicom():
    """The view logic draws from the model: no DICOM library, not even through dicom/."""
    assert _loaded_after_importing(("rtviewer.view",), ("pydicom", "pynetdicom")) == ""
