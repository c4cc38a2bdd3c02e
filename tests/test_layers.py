"""The headless layers never import Qt."""

import subprocess
import sys


def test_core_model_dicom_do_not_import_qt():
    code = (
        "import sys\n"
        "import rtviewer.core, rtviewer.model, rtviewer.dicom, rtviewer.errors, rtviewer.cli\n"
        "import pkgutil, importlib\n"
        "for pkg in (rtviewer.core, rtviewer.model, rtviewer.dicom):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
