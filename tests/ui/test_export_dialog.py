"""Export… from the tree: the patient's files, the free text edited, the export verified."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from PySide6 import QtCore

from rtviewer.dicom.scan import scan
from rtviewer.ui.dialogs.export_dialog import ExportDialog
from rtviewer.ui.window.export_menu import _open_dialog, seeds_under
from rtviewer.ui.window.main_window import MainWindow
from rtviewer.ui.window.scan_tree import PATH_ROLE

pytestmark = pytest.mark.corpus
NAMES = {"rtdose.dcm", "rtplan.dcm", "rtss.dcm", "ct.0.dcm"}


def test_patient_item_seeds_all_its_files(qtbot, corpus):
    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.scan_finished, timeout=120_000):
        win.open_path(corpus / "dicompyler-core")
    qtbot.waitUntil(lambda: not win.is_scanning(), timeout=10_000)
    top = win.tree.topLevelItem(0)
    patient = top.child(0)
    assert {p.name for p in seeds_under(patient)} == NAMES
    assert win.tree.contextMenuPolicy() == QtCore.Qt.ContextMenuPolicy.CustomContextMenu
    # what the menu's Export… does (its dialog imported then, not with the window)
    _open_dialog(win.tree, win.results[Path(top.data(0, PATH_ROLE))], seeds_under(patient))
    dialog = win.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=60_000)
    dialog.close()
    win.close()


def test_one_right_click_shows_one_menu_with_export_and_close(qtbot, corpus):
    # the export entry had a context-menu handler of its own: a second menu (Close
    # folder) popped up after the first was closed
    from PySide6 import QtWidgets

    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.scan_finished, timeout=120_000):
        win.open_path(corpus / "dicompyler-core")
    shown: list[list[str]] = []

    def close_popup() -> None:
        popup = QtWidgets.QApplication.activePopupWidget()
        if isinstance(popup, QtWidgets.QMenu):
            shown.append([a.text() for a in popup.actions()])
            popup.close()

    timer = QtCore.QTimer()
    timer.timeout.connect(close_popup)
    timer.start(50)
    patient = win.tree.topLevelItem(0).child(0)
    win.tree.customContextMenuRequested.emit(win.tree.visualItemRect(patient).center())
    timer.stop()
    assert shown == [["Close folder dicompyler-core",
                      "Export… (with its chain, optionally anonymised)"]]
    win.close()


def test_dialog_edits_free_text_and_exports_verified(qtbot, corpus, tmp_path):
    result = scan(corpus / "dicompyler-core", use_cache=False)
    dialog = ExportDialog(result, result.instances())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=60_000)
    rows = {(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text()): r
            for r in range(dialog.table.rowCount())}
    dialog.table.item(rows[("ROIName", "Scar")], 3).setText("Tumour bed")
    assert dialog.text_edits() == {("ROIName", "Scar"): "Tumour bed"}
    dialog.out_edit.setText(str(tmp_path / "case"))
    dialog.shift.setValue(-30)
    dialog.show()
    dialog.grab().save("/tmp/i22_export_dialog.png")
    dialog.start_export()
    qtbot.waitUntil(lambda: "verified" in dialog.status.toPlainText()
                    or "failed" in dialog.status.toPlainText().lower(), timeout=120_000)
    assert "verified: no original identifier found" in dialog.status.toPlainText()
    rs = next(pydicom.dcmread(p) for p in Path(tmp_path / "case").glob("*.dcm")
              if pydicom.dcmread(p, stop_before_pixels=True).Modality == "RTSTRUCT")
    assert "Tumour bed" in {r.ROIName for r in rs.StructureSetROISequence}
    dialog.close()
