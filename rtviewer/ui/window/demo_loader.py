"""``rtviewer --demo`` on a first run: the window at once, the demo made behind a progress bar.

Generating the teaching patients takes seconds (about 8 s on an idle machine, a
minute on a loaded one). The window shows first; a worker thread writes the demo
into the cache (:func:`rtviewer.demo.generate.ensure_cached_demo`) while a bar in
the status bar names each step, then the demo opens as any folder does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from rtviewer.demo.thorax_patient import PATIENT_ID as THORAX_PATIENT_ID
from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["DemoWorker", "open_demo_when_ready"]

log = logging.getLogger(__name__)


class _Cancelled(Exception):
    """The window closed while the demo was being generated."""


class DemoWorker(DetachedThread):
    """Generate the demo into the cache (or find it there) in a thread.

    Signals
    -------
    progress(int, int, str)
        Steps done, steps in all, the step now running.
    ready(str)
        The demo folder, complete.
    failed(str)
        One line saying why the demo could not be made.
    """

    progress = QtCore.Signal(int, int, str)
    ready = QtCore.Signal(str)
    failed = QtCore.Signal(str)

    def run(self) -> None:  # noqa: D102 - QThread entry point
        from rtviewer.demo.generate import ensure_cached_demo

        def report(done: int, total: int, what: str) -> None:
            if self._cancel.is_set():
                raise _Cancelled  # ensure_cached_demo removes its partial folder
            self.progress.emit(done, total, what)

        try:
            folder = ensure_cached_demo(progress=report)
        except _Cancelled:
            return
        except Exception as exc:  # noqa: BLE001 - told to the user, logged in full
            log.exception("the demo could not be generated")
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.ready.emit(str(folder))


class _DemoBar(QtWidgets.QProgressBar):
    """The status-bar bar; its slots run in the GUI thread (queued from the worker)."""

    def __init__(self, window: QtWidgets.QMainWindow, open_path: Callable[[str], object]
                 ) -> None:
        super().__init__()
        self._window, self._open_path = window, open_path
        self.setObjectName("demoProgress")
        self.setRange(0, 1)
        self.setValue(0)
        self.setMinimumWidth(420)
        self.setFormat("Generating the demo patients (first run only) …")

    @QtCore.Slot(int, int, str)
    def step(self, done: int, total: int, what: str) -> None:
        self.setRange(0, total)
        self.setValue(done)
        self.setFormat(f"Generating the demo (first run only): {what} (%v of %m)")

    @QtCore.Slot(str)
    def ready(self, folder: str) -> None:
        self._finish()
        controller = getattr(self._window, "viewer_controller", None)
        if controller is not None:  # the README shows the external-beam patient first
            controller.preferred_patient = THORAX_PATIENT_ID
        self._open_path(folder)

    @QtCore.Slot(str)
    def failed(self, reason: str) -> None:
        self._finish()
        QtWidgets.QMessageBox.warning(self._window, "rtviewer: demo",
                                      f"The demo patients could not be generated:\n{reason}")

    def _finish(self) -> None:
        # Out of the status bar and handed to Python, which deletes it with its last
        # reference. removeWidget + deleteLater (Qt's delete of a widget PySide also
        # took back by removeWidget) crashed in ~QWidget about one run in three.
        self._window.statusBar().removeWidget(self)
        self.setParent(None)


def open_demo_when_ready(window: QtWidgets.QMainWindow,
                         open_path: Callable[[str], object]) -> DemoWorker:
    """Start generating the demo; a status-bar bar shows progress; open it when ready.

    Returns the running worker (the caller cancels and waits for it before exiting).
    """
    bar = _DemoBar(window, open_path)
    window.statusBar().addPermanentWidget(bar)
    worker = DemoWorker()
    worker.progress.connect(bar.step)
    worker.ready.connect(bar.ready)
    worker.failed.connect(bar.failed)
    worker.start_detached()
    return worker
