"""A minimum height that passes for a moment does not leave the window taller than before.

Qt grows a top-level window whose layout asks for more than its size and never shrinks it
back: the DVH tab's tools, wrapped for a moment at a narrow width as a lesson dock opened at
1280x720, left the window 31 px below the screen's edge (and ``docs/screenshots/make.sh``
wrote ``lesson-lung-goals.png`` at 1280x720 or 1280x751 by timing).
"""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.window.main_window import MainWindow


def _spin() -> None:
    for _ in range(10):
        QtWidgets.QApplication.processEvents()


def _dock_asking(window: MainWindow, height_px: int) -> QtWidgets.QWidget:
    dock = QtWidgets.QDockWidget("tall for a moment", window)
    content = QtWidgets.QWidget()
    content.setMinimumHeight(height_px)
    dock.setWidget(content)
    window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    return content


def test_window_gets_its_size_back_when_a_passing_minimum_falls(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    window.resize(area.width() - 100, area.height() - 100)
    window.show()
    qtbot.waitExposed(window)
    content = _dock_asking(window, area.height() + 60)
    # while the minimum is there, the window must hold it (Qt grows it past the screen)
    qtbot.waitUntil(lambda: window.height() >= area.height() + 60, timeout=5_000)
    tall = window.height()
    # half the excess goes: the window is as tall as the minimum asks, no taller
    content.setMinimumHeight(area.height() + 30)
    qtbot.waitUntil(lambda: window.height() < tall, timeout=5_000)
    assert window.height() == window.minimumHeight() == tall - 30
    content.setMinimumHeight(10)
    qtbot.waitUntil(lambda: window.height() < area.height(), timeout=5_000)
    assert window.size() == QtCore.QSize(area.width() - 100, area.height() - 100)


@pytest.mark.parametrize("extra", [(200, 150), (-100, -100)])
def test_a_size_set_on_purpose_is_kept(qtbot, extra):
    """Larger than the screen (as tests set it) or smaller: a minimum that fits takes nothing."""
    window = MainWindow()
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    size = QtCore.QSize(area.width() + extra[0], area.height() + extra[1])
    window.resize(size)
    window.show()
    qtbot.waitExposed(window)
    content = _dock_asking(window, 50)
    _spin()
    content.setMinimumHeight(20)
    _spin()
    assert window.size() == size
