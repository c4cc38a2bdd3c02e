"""A detached worker thread running one computation that reports progress and can stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["ProgressWorker", "Work"]

#: ``work(progress(done, steps, what), cancelled()) -> result`` (None: cancelled).
Work = Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any]


class ProgressWorker(DetachedThread):
    """Runs ``work`` off the GUI thread; ``done(result, error)`` on the GUI thread.

    Signals
    -------
    progressed(int, int, str)
        Steps done, steps in all, what is being done.
    done(object, str)
        The result (None when cancelled or failed) and the error's text ("" without).
        ``ValueError``, ``KeyError`` and ``MemoryError`` become the error's text: the
        computations say in them what the data lacks.
    """

    progressed = QtCore.Signal(int, int, str)
    done = QtCore.Signal(object, str)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self._work = work

    def run(self) -> None:
        """Run the work (in the thread) and hand its result or error to ``done``."""
        try:
            result = self._work(self.progressed.emit, self._cancel.is_set)
        except (ValueError, KeyError, MemoryError) as exc:
            self.done.emit(None, str(exc).strip("'\""))
            return
        self.done.emit(result, "")
