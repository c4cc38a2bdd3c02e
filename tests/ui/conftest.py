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


def _left_computing() -> list[str]:
    """DVH panels of closed (hidden) windows still holding DVH workers, and worker threads."""
    import gc
    import threading

    from shiboken6 import isValid

    from rtviewer.ui.panels.dvh_panel import DvhPanel

    found = [f"{type(o).__name__} of a closed window still computing ({o.computing} DVHs, "
             f"{len(o._checking)} model checks)"
             for o in gc.get_objects()  # type(): a lazy module's __class__ imports
             if issubclass(type(o), DvhPanel) and isValid(o) and o.holds_workers
             and not o.window().isVisible()]
    found += [f"thread {t.name}" for t in threading.enumerate()
              if t.name.startswith(("dvh", "rtviewer-drr"))]
    return found


@pytest.fixture(scope="module", autouse=True)
def _closed_windows_stop_computing(request):
    """Fail a module whose closed windows or panels keep DVH workers computing.

    A panel left behind by an earlier module redrew in a later one as its model spreads
    arrived: the test process pools close after each test, and the DVH jobs of a
    forgotten panel then fell back to a thread of the test process and went on.
    """
    yield
    import time

    from PySide6 import QtWidgets

    deadline = time.monotonic() + 10.0  # a worker ends at its next structure
    while (left := _left_computing()) and time.monotonic() < deadline:
        QtWidgets.QApplication.processEvents()
        time.sleep(0.05)
    if left:
        pytest.fail(f"{request.module.__name__} left workers computing: {left}")
