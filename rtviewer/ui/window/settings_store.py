r"""Per-user settings kept with QSettings: recent folders and the window layout.

``QSettings()`` without arguments uses the organisation and application names set
once in ``rtviewer/app.py`` (Linux: ``~/.config/rtviewer/rtviewer.conf``; Windows:
the registry under ``HKCU\Software\rtviewer``; macOS: a plist in
``~/Library/Preferences``). Nothing has to exist on first run: every reader has a
default.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from PySide6 import QtCore, QtWidgets

RECENT_KEY = "recent/folders"
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
#: How many recent folders the File menu offers.
RECENT_LIMIT = 10


def _list(value: object) -> list[str]:
    # QSettings returns a lone string for one-element lists in INI files, None when unset.
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    return []


class RecentFolders:
    """Most-recent-first list of opened folders, persisted in QSettings."""

    def __init__(self, settings: QtCore.QSettings | None = None, *, limit: int = RECENT_LIMIT):
        self._settings = settings if settings is not None else QtCore.QSettings()
        self._limit = limit

    def paths(self) -> list[str]:
        """Return the remembered folders that still exist, most recent first."""
        stored = _list(self._settings.value(RECENT_KEY))
        return [p for p in stored if os.path.isdir(p)]

    def add(self, folder: str | os.PathLike[str]) -> list[str]:
        """Put ``folder`` (made absolute) first, drop duplicates and the oldest; return the list."""
        path = os.path.abspath(os.fspath(folder))
        stored = [p for p in _list(self._settings.value(RECENT_KEY)) if p != path]
        updated = [path, *stored][: self._limit]
        self._settings.setValue(RECENT_KEY, updated)
        return updated

    def clear(self) -> None:
        """Forget every recent folder."""
        self._settings.remove(RECENT_KEY)


def save_window_layout(window: QtWidgets.QMainWindow,
                       settings: QtCore.QSettings | None = None) -> None:
    """Remember the window's geometry and its docks' and toolbars' state."""
    store = settings if settings is not None else QtCore.QSettings()
    store.setValue(GEOMETRY_KEY, window.saveGeometry())
    store.setValue(STATE_KEY, window.saveState())
    store.sync()


def restore_window_layout(window: QtWidgets.QMainWindow,
                          settings: QtCore.QSettings | None = None) -> bool:
    """Restore what :func:`save_window_layout` stored; False (and no change) on first run."""
    store = settings if settings is not None else QtCore.QSettings()
    geometry = store.value(GEOMETRY_KEY)
    state = store.value(STATE_KEY)
    restored = False
    if isinstance(geometry, QtCore.QByteArray) and not geometry.isEmpty():
        restored = window.restoreGeometry(geometry)
    if isinstance(state, QtCore.QByteArray) and not state.isEmpty():
        restored = window.restoreState(state) and restored
    # the viewer keeps the user's dock sizes instead of its compact defaults
    window.setProperty("layout_restored", restored)
    if not restored:
        fill_screen(window)
    return restored


def fill_screen(window: QtWidgets.QMainWindow) -> None:
    """First run: the window takes the screen's available area, maximised.

    A viewer of three slice views, a patient tree and a side panel needs the screen
    (at the default 1100 x 750 the views got a quarter of a 1600 x 1000 screen). The
    geometry is for a desktop without a window manager (it does not maximise); with
    one, the maximised state wins and un-maximising keeps that size.
    """
    screen = window.screen() or QtWidgets.QApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    window.setGeometry(area)
    window.setWindowState(window.windowState() | QtCore.Qt.WindowState.WindowMaximized)
