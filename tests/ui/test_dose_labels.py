"""Labels of doses, studies and the compact dock layout (the data behind them unchanged)."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.dicom.scan import scan
from rtviewer.ui.dose_labels import dose_label, short_name, study_label
from rtviewer.ui.main_window import MainWindow
from rtviewer.ui.viewer_controller import BOTTOM_DOCK_PX, attach_viewer


def test_labels_of_the_dicompyler_dose_and_study(corpus):
    result = scan(corpus / "dicompyler-core")
    (study,) = result.patients[0].studies
    # no Study Description in the file: the date names the study, not its UID
    assert study_label(study) == "Study 1901-01-01"
    (dose,) = [i for i in result.instances() if i.kind == "rtdose"]
    assert dose_label(dose.path, dose) == "PLAN dose rtdose.dcm"
    assert dose_label(dose.path, None) == "rtdose.dcm"


def test_uid_file_names_keep_their_tail():
    path = Path("RD1.2.752.243.1.1.20180405140837345.1800.72851.dcm")
    assert short_name(path) == "…72851"
    assert short_name(Path("rtdose.dcm")) == "rtdose.dcm"


def test_window_tree_and_dose_combo_show_the_labels(qtbot, corpus):
    window = MainWindow()
    qtbot.addWidget(window)
    controller = attach_viewer(window)
    result = scan(corpus / "dicompyler-core")
    window.results[result.root] = result
    window.tree.show_result(result)
    study = window.tree.topLevelItem(0).child(0).child(0)
    assert study.text(0) == "Study 1901-01-01"
    assert study.text(1) == ("Study Instance UID "
                             "2.16.840.1.113662.2.12.0.3057.1241703565.35")
    from rtviewer.ui.chain import default_chain

    controller.offer_doses(default_chain(result)[0])
    combo = controller.dose_choice
    assert combo.itemText(0) == "PLAN dose rtdose.dcm"
    assert combo.itemData(0) == str(corpus / "dicompyler-core" / "rtdose.dcm")
    window.resize(1600, 1000)
    window.show()
    qtbot.waitUntil(lambda: window.check.height() <= BOTTOM_DOCK_PX + 30, timeout=5000)
    bottom = [d for d in window.findChildren(QtWidgets.QDockWidget)
              if window.dockWidgetArea(d) == QtCore.Qt.DockWidgetArea.BottomDockWidgetArea]
    assert all(d.height() < 0.15 * window.height() for d in bottom if d.isVisible())
    controller.shutdown()
    window.close()
