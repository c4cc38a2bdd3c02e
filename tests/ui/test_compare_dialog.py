"""File → Compare Doses…: a 5 %-scaled proton dose compared in a worker, table filled."""

from __future__ import annotations

import pydicom
import pytest
from PySide6 import QtGui

from rtviewer.ui.dialogs.compare_dialog import SHOWN_METRICS, CompareDialog
from rtviewer.ui.window.main_window import MainWindow

pytestmark = pytest.mark.corpus

PLAN03 = "aptg-proton/plan03_ramp_full"
PLAN_DOSE = "RD1.2.752.243.1.1.20250523160113556.3000.73252.dcm"
RS = "RS1.2.752.243.1.1.20250522124652761.2000.43711.dcm"


def test_scaled_copy_differences_in_the_table(qtbot, corpus, tmp_path):
    ds = pydicom.dcmread(corpus / PLAN03 / PLAN_DOSE)
    ds.DoseGridScaling = float(ds.DoseGridScaling) * 1.05
    ds.save_as(tmp_path / "scaled.dcm")
    from rtviewer.dicom.scan import scan

    instances = scan(corpus / PLAN03).instances()
    dialog = CompareDialog(instances=instances)
    qtbot.addWidget(dialog)
    dialog.a_edit.setText(str(corpus / PLAN03 / PLAN_DOSE))
    dialog.b_edit.setText(str(tmp_path / "scaled.dcm"))
    dialog.rs_edit.setText(str(corpus / PLAN03 / RS))
    dialog.gamma_edit.setText("")  # no gamma: the test stays short
    dialog.start()
    assert not dialog.compare_button.isEnabled()  # the GUI thread is free meanwhile
    qtbot.waitUntil(lambda: dialog.comparison is not None, timeout=300_000)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert "Cube101010" in names
    row = names.index("Cube101010")
    dmean_a, dmean_b, diff = (float(dialog.table.item(row, c).text()) for c in (1, 2, 3))
    assert dmean_b == pytest.approx(1.05 * dmean_a, abs=2e-3)
    assert diff == pytest.approx(0.05 * dmean_a, abs=2e-3)
    # 0.10 Gy is above 2 % of A's maximum (2.21 Gy): highlighted
    assert dialog.table.item(row, 3).background().color() == QtGui.QColor(255, 205, 205)
    assert dialog.table.columnCount() == 1 + 3 * len(SHOWN_METRICS)  # no gamma column
    assert "max |B−A|" in dialog.status.text()
    # A and B in words, as the Compare tab names them (their plan, kind, maximum), not
    # by file name; the copy's file tail tells the two apart only as they are equal
    from rtviewer.view.dose_labels import plan_name

    plan = next(i for i in instances if i.kind == "rtionplan")
    label = plan_name(plan.summary)
    assert label == "Slope101010E_o_1"
    text = dialog.status.text()
    assert f"A (reference): {label} · PLAN dose, max 2.21 Gy, EFFECTIVE;" in text
    assert f"B: {label} · PLAN dose, max 2.32 Gy, EFFECTIVE;" in text
    assert "RD1.2.752" not in text and "scaled.dcm" not in text
    dialog.grab().save(str(tmp_path / "compare_dialog.png"))


def test_file_menu_opens_the_dialog(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    file_menu = win.menuBar().actions()[0].menu()
    action = next(a for a in file_menu.actions() if a.text() == "Compare &Doses…")
    action.trigger()
    assert any(isinstance(w, CompareDialog) for w in win.findChildren(CompareDialog))
    win.close()
