"""Qt fixtures for the viewer tests: offscreen, pyqtgraph row-major, no leaked windows."""

from __future__ import annotations

import importlib
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest.importorskip("PySide6")


@pytest.fixture(scope="session", autouse=True)
def _pyqtgraph_config():
    importlib.import_module("PySide6")  # bind pyqtgraph to PySide6, not another Qt
    pg = importlib.import_module("pyqtgraph")

    pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)


@pytest.fixture(autouse=True)
def _catch_qt_leaks(request, qapp):
    """Fail a test that leaves top-level widgets alive (as ndv's conftest does)."""
    from PySide6 import QtWidgets

    before = set(QtWidgets.QApplication.topLevelWidgets())
    yield
    QtWidgets.QApplication.processEvents()
    leaked = [w for w in QtWidgets.QApplication.topLevelWidgets()
              if w not in before and w.isVisible()]
    for widget in leaked:
        widget.close()
    if leaked:
        pytest.fail(f"{request.node.name} leaked top-level widgets: {leaked}")
