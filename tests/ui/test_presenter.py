"""Presenter mode at 1024×768 and 1280×720: nothing cut off, nothing small, keys work.

Geometry is checked once the window has settled (``window_fixture.settled``): a step's
DVHs compute in the background and their arrival rewrites the DVH tab's texts, which
are cut until the next layout pass (this test flaked under load while they arrived).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.window.presenter import LINE_SCALE, PLOT_SCREEN_SHARE, PRESENTER_MIN_PT
from rtviewer.view.lesson import Lesson, LessonStep
from rtviewer.view.lesson_file import builtin_lesson_paths, read_lesson
from tests.ui.presenter_checks import clipped, too_small
from tests.ui.window_fixture import demo_folder, demo_window, settled, wait_for  # noqa: F401


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)])
def test_presenter_mode_reads_from_the_back_of_the_room(demo_window, qtbot, size):  # noqa: F811
    window, controller = demo_window
    presenter = window.presenter
    presenter.full_screen = False  # the window at the projector's size instead
    window.resize(*size)
    lesson = next(p for p in builtin_lesson_paths() if p.name.startswith("2-"))
    window.lessons.open_file(lesson)  # with a caption and a side-panel page on screen
    window.lessons.go(1)
    wait_for(lambda: settled(window, controller))
    presenter.set_active(True)
    window.resize(*size)  # what full screen does on a projector of this size
    try:
        qtbot.waitUntil(lambda: window.size().width() == size[0], timeout=5000)
        for _ in range(5):
            QtWidgets.QApplication.processEvents()
        # nothing's minimum size pushes the window past the projector's screen
        assert (window.width(), window.height()) == size
        assert not window.menuBar().isVisible()
        viewer = window.viewer_controller.viewer
        assert not window.viewer_controller.tree_dock.isVisible()
        assert viewer.tabs.currentWidget() is viewer.rt_views.bev and viewer.tabs.isVisible()
        assert window.lessons.caption.isVisible() and not viewer.tabs.tabBar().isVisible()
        assert all(v.line_scale == LINE_SCALE for v in viewer.views.values())
        assert viewer.views["axial"].h_line.pen.widthF() >= 3
        assert too_small(window, PRESENTER_MIN_PT) == []
        assert clipped(window) == []
        assert viewer.readout.font().pointSizeF() >= PRESENTER_MIN_PT + 2
        assert viewer.readout.font().bold()
        screen_h = window.screen().geometry().height()
        assert viewer.dvh_panel.plot.minimumHeight() >= int(PLOT_SCREEN_SHARE * screen_h)
        first = read_lesson(lesson).steps[0]
        views_alone = LessonStep(caption="The views alone.", patient_id=first.patient_id,
                                 plan_uid=first.plan_uid, layout=3)
        window.lessons.open_lesson(Lesson("No side panel", (views_alone,)))
        wait_for(lambda: settled(window, controller))
        assert not viewer.tabs.isVisible()
        assert clipped(window) == []
    finally:
        presenter.set_active(False)
        window.lessons.hide()
        window.lessons.lesson = None
    assert window.menuBar().isVisible() and viewer.tabs.isVisible()
    assert all(v.line_scale == 1.0 for v in viewer.views.values())
    assert viewer.dvh_panel.plot.minimumHeight() < int(PLOT_SCREEN_SHARE * screen_h)


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)])
def test_presenter_every_builtin_lesson_page_fits(demo_window, qtbot, size):  # noqa: F811
    """Every side-panel page a built-in lesson step shows: no text cut, none small."""
    window, controller = demo_window
    presenter = window.presenter
    presenter.full_screen = False
    viewer = window.viewer_controller.viewer
    window.resize(*size)
    presenter.set_active(True)
    window.resize(*size)
    problems: list[str] = []
    pages: set[str] = set()
    try:
        for path in builtin_lesson_paths():
            assert window.lessons.open_file(path)
            for index in range(len(window.lessons.lesson.steps)):
                window.lessons.go(index)
                wait_for(lambda: settled(window, controller))
                for _ in range(5):
                    QtWidgets.QApplication.processEvents()
                assert (window.width(), window.height()) == size
                where = f"{path.name} step {index + 1}"
                if viewer.tabs.isVisible():
                    pages.add(window.lessons.shown_step.tab)
                problems += [f"{where}: {p}" for p in clipped(window)]
                problems += [f"{where}: {p}" for p in too_small(window, PRESENTER_MIN_PT)]
    finally:
        presenter.set_active(False)
        window.lessons.hide()
        window.lessons.lesson = None
    # the test saw the pages it is about
    assert {"dvh", "brachy", "plan", "records", "structures", "beams_eye"} <= pages
    assert not problems, "\n".join(problems)


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
        qtbot.keyClick(viewer.dvh_panel.v_levels, QtCore.Qt.Key.Key_B)  # typed, not a key
        assert not presenter.black.isVisible()
        assert viewer.dvh_panel.v_levels.text() == "b"
        viewer.dvh_panel.v_levels.clear()
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_B)
        assert presenter.black.isVisible()
        assert presenter.black.geometry() == window.rect()
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_Escape)  # first Esc: the picture back
        assert not presenter.black.isVisible() and presenter.active
        qtbot.keyClick(axial, QtCore.Qt.Key.Key_Escape)
        assert not presenter.active
    finally:
        presenter.set_active(False)
