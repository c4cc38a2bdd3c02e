"""The tools above the views stay on one row at 1280x800 with a brachy plan's dose combo."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from rtviewer.model.tg43_mark import TG43_DOSE_NAME
from rtviewer.ui.panels.dose_choice import fit_dose_combo
from tests.ui.window_fixture import window_on


@pytest.mark.corpus
def test_a_brachy_plans_toolbar_is_one_row_at_1280x800(qtbot, corpus):
    # the dose combo offers "TG-43 (rtviewer) from dwells" for every brachy plan; counted
    # as 28 characters it was 274 px wide, and Screenshot… wrapped to a second row (the
    # views lost its 26 px)
    window, controller = window_on(qtbot, corpus / "pytg43-brachy" / "HDR", (1280, 800))
    viewer, combo = controller.viewer, controller.dose_choice
    label = f"{TG43_DOSE_NAME} from dwells"
    assert label in [combo.itemText(i) for i in range(combo.count())]
    tools = [combo, viewer.preset, viewer.layout_button, viewer.reset_zoom, viewer.screenshot]
    bar = viewer._toolbar
    tops = {tool.mapTo(bar, QtCore.QPoint(0, 0)).y() for tool in tools}
    assert all(tool.isVisible() for tool in tools)
    assert max(tops) - min(tops) < min(tool.height() for tool in tools) / 2, "one row"
    # no icon room: the Dose combo is as tall as the W/L combo beside it (it was 2 px taller)
    assert combo.height() == viewer.preset.height()
    assert bar.height() <= max(tool.height() for tool in tools) + 8
    # and the combo still shows its longest label whole: its text area holds the text
    option = QtWidgets.QStyleOptionComboBox()
    combo.initStyleOption(option)
    text_area = combo.style().subControlRect(
        QtWidgets.QStyle.ComplexControl.CC_ComboBox, option,
        QtWidgets.QStyle.SubControl.SC_ComboBoxEditField, combo)
    assert combo.fontMetrics().horizontalAdvance(label) <= text_area.width()
    window.close()


def test_the_dose_combo_is_as_wide_as_its_labels_within_bounds(qtbot):
    combo = QtWidgets.QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("No dose")
    fit_dose_combo(combo)
    assert combo.minimumContentsLength() == 14  # the floor
    combo.addItem("PLAN dose, max 787.9 Gy")
    fit_dose_combo(combo)
    x = combo.fontMetrics().horizontalAdvance("x")
    needed = combo.fontMetrics().horizontalAdvance("PLAN dose, max 787.9 Gy")
    assert (combo.minimumContentsLength() - 1) * x < needed <= combo.minimumContentsLength() * x
    combo.addItem("RTDOSE_2.16.840.1.113669.2.931128.305045163.20180315140850.870100.dcm")
    fit_dose_combo(combo)
    assert combo.minimumContentsLength() == 26  # never a vendor file name's width


@pytest.mark.corpus
def test_the_only_dose_is_named_in_black_not_greyed(qtbot, corpus):
    window, controller = window_on(qtbot, corpus / "dicompyler-core", (1280, 800))
    combo = controller.dose_choice
    assert combo.count() == 1 and combo.currentText() == "PLAN dose, max 14.7 Gy"
    assert combo.isEnabled()  # drawn in the window text colour, not the disabled grey
    window.close()
    # and "No dose" alone stays greyed: there is nothing to choose
    window, controller = window_on(qtbot, corpus / "slicerrt-eclipse-prostate", (1280, 800))
    combo = controller.dose_choice
    assert combo.currentText() == "No dose" and not combo.isEnabled()
    window.close()
