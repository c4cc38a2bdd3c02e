"""Presenter mode at 1024×768 and 1280×720: nothing cut off, nothing small, keys work."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.window.presenter import LINE_SCALE, PRESENTER_MIN_PT
from tests.ui.presenter_checks import clipped, too_small
from tests.ui.window_fixture import demo_folder, demo_window  # noqa: F401 - fixtures


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)])
def test_presenter_mode_reads_from_the_back_of_the_room(demo_window, qtbot, size):  # noqa: F811
    window, _controller = demo_window
    presenter = window.presenter
    presenter.full_screen = False  # the window at the projector's size instead
    window.resize(*size)
    presenter.set_active(True)
    try:
        qtbot.waitUntil(lambda: window.size().width() == size[0], timeout=5000)
        for _ in range(5):
            QtWidgets.QApplication.processEvents()
        assert not window.menuBar().isVisible()
        viewer = window.viewer_controller.viewer
        assert not viewer.tabs.isVisible() and not window.viewer_controller.tree_dock.isVisible()
        assert all(v.line_scale == LINE_SCALE for v in viewer.views.values())
        assert viewer.views["axial"].h_line.pen.widthF() >= 3
        assert too_small(window, PRESENTER_MIN_PT) == []
        assert clipped(window) == []
        assert viewer.readout.font().pointSizeF() >= PRESENTER_MIN_PT + 6
    finally:
        presenter.set_active(False)
    assert window.menuBar().isVisible() and viewer.tabs.isVisible()
    assert all(v.line_scale == 1.0 for v in viewer.views.values())


def test_presenter_keys_step_slices_black_screen_and_escape(demo_window, qtbot):  # noqa: F811
    window, _controller = demo_window
    presenter = window.presenter
    presenter.full_screen = False
    presenter.set_active(True)
    viewer = window.viewer_controller.viewer
    z0 = viewer.state.crosshair_mm[2]
    axial = viewer.views["axial"]
    try:
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_PageDown)  # no lesson: the next slice
        z1 = viewer.state.crosshair_mm[2]
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_PageDown)
        # one slice of the CT (its slice centres' spacing), not the ten of normal mode
        spacing = float(np.median(np.abs(np.diff(viewer.scene.slice_centres("axial")))))
        assert spacing > 0
        assert abs(viewer.state.crosshair_mm[2] - z1) == pytest.approx(spacing)
        assert abs(z1 - z0) <= spacing + 1e-6
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_PageUp)
        assert np.isclose(viewer.state.crosshair_mm[2], z1)
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_B)
        assert presenter.black.isVisible()
        assert presenter.black.geometry() == window.rect()
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_Escape)  # first Esc: the picture back
        assert not presenter.black.isVisible() and presenter.active
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_Escape)
        assert not presenter.active
    finally:
        presenter.set_active(False)
