"""The window's pyqtgraph import (``startup.import_pyqtgraph``): every Qt name pyqtgraph
reaches is PySide6's own, pyqtgraph's own additions are there, and it draws; another
pyqtgraph version gets the plain import.

``startup.quicken_pyside_imports``: PySide6 records, for every module imported after it,
whether its source names "PySide6" (0) or not (-1), for its ``__feature__`` switching;
answered from the file's bytes, the record must be the same for every module the window
imports, and a check it was not written for is left alone.

Each case runs in a fresh interpreter: pyqtgraph is imported once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from testsupport import REPO_ROOT

_IMPORT = r"""
import json, sys
from rtviewer.ui.window import startup
if sys.argv[1] == "other-version":
    startup.MIRRORED_PYQTGRAPH = frozenset()
from PySide6 import QtCore, QtGui, QtWidgets
pg = startup.import_pyqtgraph()
from pyqtgraph import Qt as pg_qt
mirrored = type(pg_qt.QtCore).__name__ == "_QtMirror"
same = all(getattr(getattr(pg_qt, m), name) is getattr(source, name)
           for m, source in (("QtCore", QtCore), ("QtGui", QtGui), ("QtWidgets", QtWidgets))
           for name in dir(source) if not name.startswith("__"))
app = QtWidgets.QApplication([])
pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)
import numpy as np
plot = pg.PlotWidget()
plot.resize(200, 200)
image = pg.ImageItem(np.tile(np.linspace(0, 255, 64, dtype=np.float32), (64, 1)))
plot.addItem(image)
plot.addItem(pg.PlotCurveItem([0, 64], [0, 64], pen=pg.mkPen("r", width=3)))
plot.show()
app.processEvents()
picture = plot.grab().toImage()
colours = {picture.pixelColor(x, y).name() for x in range(0, 200, 7) for y in range(0, 200, 7)}
print(json.dumps({
    "mirrored": mirrored, "same": same,
    "file_system_model": pg_qt.QtGui.QFileSystemModel is QtWidgets.QFileSystemModel,
    "signal": pg_qt.QtCore.Signal is QtCore.Signal,
    "colours": len(colours), "red": any(c.startswith("#f") and c[3:] < "40" for c in colours),
}))
"""


def _run(mode: str, code: str = _IMPORT) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code, mode], capture_output=True,
                         text=True, cwd=REPO_ROOT, env=env, timeout=240)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_mirrored_import_gives_pyside6s_own_names_and_draws():
    from importlib import metadata

    from rtviewer.ui.window import startup

    out = _run("this-version")
    assert out["mirrored"] == (metadata.version("pyqtgraph") in startup.MIRRORED_PYQTGRAPH)
    assert out["same"] and out["file_system_model"] and out["signal"]
    assert out["colours"] > 10 and out["red"]  # the grey ramp and the red line


def test_pyqtgraph_version_read_from_its_source_is_its_metadata_version():
    from importlib import metadata

    from rtviewer.ui.window import startup

    assert startup._pyqtgraph_version() == metadata.version("pyqtgraph")


def test_another_pyqtgraph_version_is_imported_plainly():
    out = _run("other-version")
    assert not out["mirrored"]
    assert out["same"] and out["file_system_model"] and out["signal"]
    assert out["colours"] > 10 and out["red"]


_FEATURE_CHECK = r"""
import importlib, json, sys
from PySide6 import QtWidgets
from rtviewer.ui.window import startup
feature = sys.modules["shibokensupport.feature"]
original = feature._mod_uses_pyside
if sys.argv[1] == "other-check":
    feature._mod_uses_pyside = lambda module: original(module)  # not the one read
installed = feature._mod_uses_pyside
startup.quicken_pyside_imports()
quick = feature._mod_uses_pyside is not installed
startup.import_pyqtgraph()
for name in ("rtviewer.app", "rtviewer.ui.window.main_window",
             "rtviewer.ui.window.viewer_controller", "rtviewer.ui.views.viewer"):
    importlib.import_module(name)
table = dict(feature.pyside_feature_dict)
checked = {name: value for name, value in table.items() if name in sys.modules}
wrong = sorted(name for name, value in checked.items()
               if value != (0 if original(sys.modules[name]) else -1))
print(json.dumps({"quick": quick, "checked": len(checked), "wrong": wrong,
                  "pyside": checked.get("rtviewer.ui.views.viewer"),
                  "numpy": checked.get("numpy.linalg"), "pyqtgraph": checked.get("pyqtgraph.Qt")}))
"""


def test_the_quick_check_records_what_pysides_own_check_would():
    out = _run("this-check", _FEATURE_CHECK)
    assert out["quick"]
    assert out["checked"] > 300  # pyqtgraph's, numpy's and the window's modules
    assert out["wrong"] == []
    assert out["pyside"] == 0 and out["pyqtgraph"] == 0  # their sources name PySide6
    assert out["numpy"] == -1


def test_a_check_not_read_is_left_alone():
    out = _run("other-check", _FEATURE_CHECK)
    assert not out["quick"]
    assert out["wrong"] == []
