"""The real main window (``app.build_window``) on the generated demo patients."""

from __future__ import annotations

import time

import pytest
from PySide6 import QtCore, QtWidgets


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    """The demo patients, generated once per test module."""
    from rtviewer.demo.generate import generate_demo

    out = tmp_path_factory.mktemp("demo") / "demo"
    generate_demo(out)
    return out


def wait_for(condition, timeout_s: float = 120.0) -> None:
    """Run the event loop until ``condition()`` holds; fail after ``timeout_s``."""
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            pytest.fail("the window did not get there in time")
        QtWidgets.QApplication.processEvents()
        time.sleep(0.01)


def settled(window, controller) -> bool:
    """Nothing left that changes the window by itself: no lesson step or file loading,
    and no DVH on its way (each arriving DVH redraws the DVH tab's legend, table and
    notes; a text set just before a geometry check is cut until its layout pass).

    The DVH tab's start is posted after a load finishes: posted events go first.
    """
    QtCore.QCoreApplication.sendPostedEvents()
    lessons = getattr(window, "lessons", None)
    if controller._workers or (lessons is not None and lessons._waiting_for is not None):
        return False
    panel = controller.viewer.tabs.built("dvh")
    return panel is None or panel.settled


@pytest.fixture(scope="module")
def demo_window(qapp, demo_folder):
    """``(window, controller)``: the window at 1280×720 showing the demo thorax plan."""
    from rtviewer.app import build_window

    window, controller, open_path = build_window(opening=True)
    controller.viewer.dvh_panel.use_processes = False
    window.resize(1280, 720)
    window.show()
    open_path(str(demo_folder))
    wait_for(lambda: controller.viewer.scene.plan is not None and not controller._workers
             and not window.is_scanning())
    window.demo_folder = demo_folder
    yield window, controller
    controller.shutdown()
    window.close()
    window.deleteLater()
    QtWidgets.QApplication.processEvents()


def window_on(qtbot, folder, size=(1280, 800)):
    """``(window, controller)``: the real window at ``size`` with ``folder`` loaded."""
    from rtviewer.app import build_window

    window, controller, open_path = build_window(opening=False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(controller.loaded, timeout=60000):
        open_path(str(folder))
    controller.wait()
    for _ in range(10):
        QtWidgets.QApplication.processEvents()
    return window, controller


def viewer_window_on(qtbot, folder, size=None):
    """``(window, controller)``: a MainWindow with the viewer attached, ``folder`` loaded.

    Without the application's composition (``build_window``): no menus beyond the
    window's own, no settings read.
    """
    from rtviewer.ui.window.main_window import MainWindow
    from rtviewer.ui.window.viewer_controller import attach_viewer

    window = MainWindow()
    qtbot.addWidget(window)
    controller = attach_viewer(window)
    if size is not None:
        window.resize(*size)
    window.show()
    with qtbot.waitSignal(controller.loaded, timeout=60000):
        window.open_path(str(folder))
    return window, controller
