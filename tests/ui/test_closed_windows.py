"""Closed windows and panels stop and release their workers (nothing computes on).

A load that finished as its window closed showed its scene in the closed window and
started the DVH tab's workers there; once the test's process pools closed, those jobs
fell back to a thread of the test process and went on into later tests (one module's
panel redrew in the next as its model spreads arrived). ``tests/ui/conftest.py`` also
checks every module's end for such workers.
"""

from __future__ import annotations

import threading

import pytest
from factories.phantom import make_phantom
from PySide6 import QtWidgets

from rtviewer.ui.panels.dvh_panel import DvhPanel
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.scene import Scene
from tests.ui.window_fixture import viewer_window_on


def _dvh_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("dvh")]


@pytest.mark.corpus
def test_a_window_closed_as_its_load_finishes_starts_no_dvh_workers(qtbot, corpus):
    window, controller = viewer_window_on(qtbot, corpus / "dicompyler-core")
    window.close()  # the DVH tab's start is still queued
    for _ in range(20):
        QtWidgets.QApplication.processEvents()
    panel = controller.viewer.tabs.built("dvh")
    assert panel is None or not panel.holds_workers
    assert _dvh_threads() == []


def test_a_stopped_panel_computes_nothing_until_shown_again(qtbot):
    image, structures, dose = make_phantom()
    state = ViewState()
    panel = DvhPanel(state)
    panel.use_processes = False
    qtbot.addWidget(panel)
    panel.show()
    panel.set_scene(Scene(image=image, structures=structures, dose=dose))
    state.set_visible_rois({1})
    assert panel.holds_workers and panel.computing
    panel.stop_workers()  # its window closes
    panel.hide()
    assert not panel.holds_workers and panel.computing == 0 and panel.settled
    state.set_visible_rois({1, 2})  # state changes reaching a closed window
    panel.set_scene(Scene(image=image, structures=structures, dose=dose))
    assert not panel.holds_workers and panel.dvhs == {}
    qtbot.waitUntil(lambda: _dvh_threads() == [], timeout=20_000)
    panel.show()  # shown again: what is missing is computed
    assert panel.holds_workers
    qtbot.waitUntil(lambda: set(panel.dvhs) == {1, 2}, timeout=30_000)
    panel.stop_workers()


@pytest.mark.corpus
def test_closing_the_window_stops_a_playing_beams_eye_view(qtbot, corpus):
    """A beam played through its control points went on redrawing in the closed window."""
    from tests.ui.window_fixture import window_on

    window, controller = window_on(qtbot, corpus / "dicompyler-core")
    viewer = controller.viewer
    bev = viewer.rt_views.bev
    viewer.tabs.setCurrentWidget(bev)
    bev.play.setChecked(True)  # the user presses Play
    assert bev.timer.isActive()
    window.close()
    assert not bev.timer.isActive()
    assert [t.name for t in threading.enumerate() if t.name == "rtviewer-background"] == []
