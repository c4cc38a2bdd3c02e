"""Opening a file from the desktop loads its folder and selects the file under its patient."""

from __future__ import annotations

from pathlib import Path

from rtviewer.ui.window.desktop_open import open_from_desktop
from rtviewer.ui.window.main_window import MainWindow
from rtviewer.ui.window.scan_tree import PATH_ROLE


def _window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    return window


def test_a_file_opens_its_folder_and_is_selected(qtbot, corpus):
    window = _window(qtbot)
    plan = corpus / "dicompyler-core" / "rtplan.dcm"
    with qtbot.waitSignal(window.scan_finished, timeout=60000) as blocker:
        target = open_from_desktop(window, plan)
    result = blocker.args[0]
    assert target.folder == plan.parent.resolve()
    assert Path(result.root).resolve() == plan.parent.resolve()
    modalities = {i.modality for i in result.instances()}
    assert {"CT", "RTSTRUCT", "RTPLAN", "RTDOSE"} <= modalities, "the whole export is loaded"
    qtbot.waitUntil(lambda: window.tree.currentItem() is not None, timeout=5000)
    current = window.tree.currentItem()
    assert Path(current.data(0, PATH_ROLE)).resolve() == plan.resolve()
    patient = current
    while patient.parent() is not None and patient.parent().parent() is not None:
        patient = patient.parent()
    assert "123456" in patient.text(0), "selected under the plan's patient"


def test_a_folder_opens_without_selecting(qtbot, corpus):
    window = _window(qtbot)
    folder = corpus / "rt-utils"
    with qtbot.waitSignal(window.scan_finished, timeout=60000) as blocker:
        target = open_from_desktop(window, folder)
    assert target.selected_file is None
    assert Path(blocker.args[0].root).resolve() == folder.resolve()
    assert window.tree.currentItem() is None
