"""A detached worker thread running one computation that reports progress and can stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.printable import printable
from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["ProgressTask", "ProgressWorker", "Work"]

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


class ProgressTask:
    """One computation at a time behind a progress bar; a new one supersedes the running one.

    The superseded worker is asked to stop and its result is ignored; ``done(result,
    error)`` is called on the GUI thread for the current one only.
    """

    def __init__(self, bar: QtWidgets.QProgressBar) -> None:
        self.bar = bar
        self._worker: ProgressWorker | None = None
        bar.setVisible(False)

    @property
    def running(self) -> bool:
        """Whether a computation is under way."""
        return self._worker is not None

    def start(self, work: Work, done: Callable[[Any, str], None]) -> None:
        """Run ``work`` in a worker; ``done`` gets its result and error text."""
        self.stop()
        worker = ProgressWorker(work)
        worker.progressed.connect(self._on_progress)
        worker.done.connect(lambda result, error, w=worker: self._finished(w, result, error,
                                                                           done))
        self._worker = worker
        self.bar.setVisible(True)
        self.bar.setRange(0, 0)
        worker.start_detached()

    def stop(self) -> None:
        """Cancel the running computation (its result is ignored)."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        self.bar.setVisible(False)

    def wait(self, timeout_ms: int) -> None:
        """Block until the running computation has been handled (tests, headless use)."""
        worker = self._worker
        if worker is not None:
            worker.wait(timeout_ms)
        QtCore.QCoreApplication.sendPostedEvents()
        QtCore.QCoreApplication.processEvents()

    def _on_progress(self, done: int, steps: int, what: str) -> None:
        self.bar.setRange(0, max(steps, 1))
        self.bar.setValue(done)
        self.bar.setFormat(printable(f"{what} (%v/%m)"))

    def _finished(self, worker: ProgressWorker, result: Any, error: str,
                  done: Callable[[Any, str], None]) -> None:
        if worker is not self._worker:
            return  # superseded
        self._worker = None
        self.bar.setVisible(False)
        done(result, error)
