"""File → Open Recent remembers scanned folders and reopens them."""

from __future__ import annotations

from PySide6 import QtCore

from rtviewer.ui.window.main_window import MainWindow
from rtviewer.ui.window.recent_menu import add_recent_menu
from rtviewer.ui.window.settings_store import RecentFolders


def test_scanned_folders_are_offered_and_reopened(qtbot, corpus, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "rtviewer.ini"), QtCore.QSettings.Format.IniFormat)
    window = MainWindow()
    qtbot.addWidget(window)
    reopened: list[str] = []
    menu = add_recent_menu(window, window.scan_finished, reopened.append,
                           RecentFolders(settings))
    assert [a.text() for a in menu.actions()] == ["(none yet)"]  # first run
    file_actions = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert file_actions.index("Open &Recent") < file_actions.index("&Quit")

    folder = corpus / "rt-utils"
    with qtbot.waitSignal(window.scan_finished, timeout=60000):
        window.open_path(str(folder))
    menu.aboutToShow.emit()
    (entry,) = menu.actions()
    assert entry.text() == str(folder)
    entry.trigger()
    assert reopened == [str(folder)]
    assert RecentFolders(QtCore.QSettings(settings.fileName(),
                                          QtCore.QSettings.Format.IniFormat)).paths() == [
        str(folder)]
