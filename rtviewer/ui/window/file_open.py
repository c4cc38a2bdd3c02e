"""macOS "open document" events: a folder dropped on the Dock icon or opened from Finder.

macOS does not pass such paths on the command line; Qt turns them into
``QFileOpenEvent`` on the application. An event filter on the ``QApplication``
catches them -- also those that arrive before the main window exists, which are
queued until a handler is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6 import QtCore, QtGui

log = logging.getLogger(__name__)


class FileOpenFilter(QtCore.QObject):
    """Event filter calling ``handler(path)`` for each ``QFileOpenEvent``."""

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self._handler: Callable[[str], object] | None = None
        self._pending: list[str] = []

    def set_handler(self, handler: Callable[[str], object]) -> None:
        """Route file-open events to ``handler``, first replaying those queued so far."""
        self._handler = handler
        pending, self._pending = self._pending, []
        for path in pending:
            handler(path)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """Consume ``QEvent.FileOpen``; let every other event through."""
        if event.type() != QtCore.QEvent.Type.FileOpen or not isinstance(
            event, QtGui.QFileOpenEvent
        ):
            return False
        path = event.file() or event.url().toLocalFile()
        if not path:
            return False
        log.info("file-open event: %s", path)
        if self._handler is None:
            self._pending.append(path)
        else:
            self._handler(path)
        return True
