"""A cancellable worker thread that outlives the widget that started it."""

from __future__ import annotations

import threading
from typing import ClassVar

from PySide6 import QtCore

__all__ = ["DetachedThread"]


class DetachedThread(QtCore.QThread):
    """A parentless QThread with a cancel flag, referenced until it has finished.

    A QThread destroyed while running aborts the process, and the window that
    started one may be deleted before it ends: running threads are therefore kept
    in a class-level set and released (``deleteLater``) when they finish.
    Subclasses implement ``run`` and poll ``self._cancel``.
    """

    _running: ClassVar[set[DetachedThread]] = set()

    def __init__(self) -> None:
        super().__init__(None)  # no parent: its life is not tied to a window's
        self._cancel = threading.Event()
        self.finished.connect(self._release)

    def start_detached(self) -> None:
        """Start the thread; it stays referenced until it has finished."""
        DetachedThread._running.add(self)
        self.start()

    def cancel(self) -> None:
        """Ask the work to stop at its next opportunity."""
        self._cancel.set()

    def cancel_and_wait(self) -> None:
        """Cancel and block until the work has ended (nothing to do once it has finished).

        Safe after the thread finished and was released: ``_release`` runs in the
        GUI thread, so while the caller (the GUI thread) is here it cannot run.
        """
        if self in DetachedThread._running:
            self.cancel()
            self.wait()

    def _release(self) -> None:
        DetachedThread._running.discard(self)
        self.deleteLater()
