"""File → Open Recent: the folders scanned before, remembered per user in QSettings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.model.index import ScanResult
from rtviewer.ui.window.settings_store import RecentFolders


def add_recent_menu(
    window: QtWidgets.QMainWindow,
    scan_finished: QtCore.SignalInstance,
    open_path: Callable[[str], object],
    recent: RecentFolders | None = None,
) -> QtWidgets.QMenu:
    """Add "Open Recent" to the window's File menu (before Quit) and keep it current.

    Every completed scan (``scan_finished`` carries a ``ScanResult``) puts its root
    first; choosing an entry calls ``open_path``. Folders that no longer exist are
    not offered.
    """
    folders = recent if recent is not None else RecentFolders()
    file_menu = _file_menu(window)
    submenu = QtWidgets.QMenu("Open &Recent", window)
    actions = file_menu.actions()
    quit_action = next((a for a in actions if a.text().replace("&", "") == "Quit"), None)
    if quit_action is not None:
        file_menu.insertMenu(quit_action, submenu)
    else:
        file_menu.addMenu(submenu)

    def refresh() -> None:
        submenu.clear()
        paths = folders.paths()
        for path in paths:
            action = submenu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: open_path(p))
        if not paths:
            submenu.addAction("(none yet)").setEnabled(False)

    def remember(result: ScanResult) -> None:
        if not result.cancelled and Path(result.root).is_dir():
            folders.add(result.root)

    submenu.aboutToShow.connect(refresh)
    scan_finished.connect(remember)
    refresh()
    return submenu


def _file_menu(window: QtWidgets.QMainWindow) -> QtWidgets.QMenu:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QtWidgets.QMenu) and action.text().replace("&", "") == "File":
            return menu
    return window.menuBar().addMenu("&File")
