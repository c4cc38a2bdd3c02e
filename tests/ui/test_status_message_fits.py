"""A load message longer than the status bar's room ends in "…" and is whole on hover."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from tests.ui.window_fixture import window_on


@pytest.mark.corpus
@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_gamma_knife_load_message_is_elided_not_clipped(qtbot, corpus, size):
    # "...; crosshair at the dose grid centre (the plan isocentre (100.0, 100.0, 100.0) mm
    # lies outside the images, dose and structures)": clipped at "lies outside th" by the
    # readout, mid-word and without a sign
    window, controller = window_on(qtbot, corpus / "pps-vendor-plans"
                                   / "GK_test_data_gkdosefile", size)
    bar = window.statusBar()
    message = bar.currentMessage()  # whole, as said
    assert message.endswith("lies outside the images, dose and structures)")
    drawn = QtWidgets.QStatusBar.currentMessage(bar)  # as drawn
    readout = controller.viewer.readout
    room = readout.mapTo(bar, QtCore.QPoint(0, 0)).x()
    assert readout.isVisible() and room > 0
    assert bar.fontMetrics().horizontalAdvance(drawn) < room  # ends before the readout
    if drawn != message:
        assert drawn.endswith("…") and message.startswith(drawn[:-1])
        assert bar.toolTip() == message
    # a wider window gives it more room: re-elided, not left short
    window.resize(size[0] + 400, size[1])
    for _ in range(10):
        QtWidgets.QApplication.processEvents()
    wider = QtWidgets.QStatusBar.currentMessage(bar)
    assert len(wider) >= len(drawn) and bar.currentMessage() == message
    # cleared: nothing left in the tooltip
    bar.clearMessage()
    assert bar.currentMessage() == "" and bar.toolTip() == ""
    window.close()
