"""The Check panel: findings listed, filtered, and linked to the scan tree."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

from rtviewer.dicom.check import check_path
from rtviewer.ui.window.check_panel import CheckDock
from rtviewer.ui.window.main_window import MainWindow
from rtviewer.ui.window.scan_tree import PATH_ROLE

pytestmark = pytest.mark.corpus


def _rows(dock: CheckDock) -> list[tuple[str, str, str]]:
    table = dock.table
    return [(table.topLevelItem(i).text(0), table.topLevelItem(i).text(1),
             table.topLevelItem(i).text(2)) for i in range(table.topLevelItemCount())]


def test_dock_lists_errors_first_and_filters(qtbot, corpus):
    dock = CheckDock()
    qtbot.addWidget(dock)
    report = check_path(corpus / "rt-utils", use_cache=False)
    with qtbot.waitSignal(dock.checked):
        dock.show_report(report)
    rows = _rows(dock)
    assert len(rows) == len(report.findings) == 10
    assert [r[0] for r in rows[:3]] == ["error"] * 3
    assert ("error", "FRAME_OF_REFERENCE_MISMATCH", "mock_data/rt.dcm") in rows
    assert dock.summary.text().endswith("3 errors, 3 warnings, 4 information")
    assert dock.windowTitle() == "Check (3 errors, 3 warnings)"  # the tab label
    dock.filter.setCurrentIndex(2)  # errors only
    assert dock.row_count() == 3
    dock.filter.setCurrentIndex(1)  # errors and warnings
    assert dock.row_count() == 6
    tip = dock.table.topLevelItem(0).toolTip(4)
    assert "rtviewer assumes:" in tip and "SOP Instance UID" in tip


def test_selecting_a_finding_selects_its_instance(qtbot, corpus):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1300, 850)
    window.show()
    with qtbot.waitSignal(window.scan_finished, timeout=60_000):
        window.open_path(corpus / "rt-utils")
    qtbot.waitUntil(lambda: not window.is_scanning(), timeout=10_000)
    assert window.check.run_button.isEnabled()
    with qtbot.waitSignal(window.check.checked, timeout=120_000):
        qtbot.mouseClick(window.check.run_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.check.is_checking(), timeout=10_000)
    table = window.check.table
    row = next(i for i in range(table.topLevelItemCount())
               if table.topLevelItem(i).text(1) == "FRAME_OF_REFERENCE_MISMATCH")
    with qtbot.waitSignal(window.check.finding_selected) as selected:
        table.setCurrentItem(table.topLevelItem(row))
    expected = corpus / "rt-utils" / "mock_data" / "rt.dcm"
    assert selected.args[0] == expected
    current = window.tree.currentItem()
    assert current is not None and current.data(0, PATH_ROLE) == str(expected)
    assert not current.text(0).startswith("→")  # the instance, not a reference to it
    qtbot.wait(50)
    assert window.grab().save("/tmp/check_panel.png")
    window.close()


def test_a_running_check_can_be_cancelled(qtbot, corpus):
    dock = CheckDock()
    qtbot.addWidget(dock)
    dock.set_root(corpus)  # the whole corpus: a minute of work
    dock.run_check()
    assert dock.is_checking()
    dock.cancel_check()
    qtbot.waitUntil(lambda: not dock.is_checking(), timeout=20_000)
    assert dock.report is None  # nothing shown: the check stopped
    assert dock.run_button.isEnabled()


def test_an_open_folder_is_named_and_another_folders_findings_go(qtbot, corpus):
    """It said 'Open a folder, then check it.' with the demo open (issue 17's tour)."""
    dock = CheckDock()
    qtbot.addWidget(dock)
    dock.show()
    assert dock.summary.text() == "Open a folder, then check it."
    dock.set_root(corpus / "rt-utils")
    assert dock.summary.text().startswith("rt-utils: not checked yet. Check folder")
    assert dock.run_button.isEnabled() and dock.summary.isVisible()
    dock.show_report(check_path(corpus / "rt-utils", use_cache=False))
    dock.set_root(corpus / "rt-utils")  # a rescan of the same folder keeps its findings
    assert dock.row_count() == 10
    dock.set_root(corpus / "dicompyler-core")  # another folder: nothing of rt-utils stays
    assert dock.row_count() == 0 and dock.windowTitle() == "Check"
    assert dock.summary.text().startswith("dicompyler-core: not checked yet.")


def test_closing_the_checked_folder_leaves_nothing_of_it(qtbot, corpus):
    dock = CheckDock()
    qtbot.addWidget(dock)
    dock.set_root(corpus / "rt-utils")
    dock.show_report(check_path(corpus / "rt-utils", use_cache=False))
    dock.forget_root(corpus / "dicompyler-core", None)  # another folder: nothing changes
    assert dock.row_count() == 10
    dock.forget_root(corpus / "rt-utils", corpus / "dicompyler-core")
    assert dock.root == corpus / "dicompyler-core" and dock.row_count() == 0
    dock.forget_root(corpus / "dicompyler-core", None)  # the last folder closed
    assert dock.root is None and not dock.run_button.isEnabled()
    assert dock.summary.text() == "Open a folder, then check it."
