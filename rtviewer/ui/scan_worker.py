"""Run :func:`rtviewer.dicom.scan.scan` off the GUI thread, with progress and cancel."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6 import QtCore

from rtviewer.dicom.scan import scan
from rtviewer.errors import RtViewerError

__all__ = ["ScanWorker"]


class ScanWorker(QtCore.QThread):
    """Scans one folder or file in a worker thread.

    Signals
    -------
    progress(int, int)
        Files accounted for, and the total.
    scanned(object)
        The :class:`~rtviewer.model.index.ScanResult` (``cancelled`` when stopped).
    failed(str)
        One sentence when the path cannot be read at all.
    """

    progress = QtCore.Signal(int, int)
    scanned = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    #: Running workers, kept alive here: a QThread destroyed while running aborts the
    #: process, and the window that started one may be deleted before it ends.
    _running: set[ScanWorker] = set()

    def __init__(self, path: str | Path) -> None:
        super().__init__(None)  # no parent: its life is not tied to the window's
        self.path = Path(path)
        self._cancel = threading.Event()
        self.finished.connect(self._release)

    def start_scan(self) -> None:
        """Start the thread; it stays alive until it has finished."""
        ScanWorker._running.add(self)
        self.start()

    def _release(self) -> None:
        ScanWorker._running.discard(self)
        self.deleteLater()

    def cancel(self) -> None:
        """Ask the scan to stop; it returns what it has read so far."""
        self._cancel.set()

    def run(self) -> None:  # noqa: D102 - QThread entry point
        try:
            result = scan(self.path, progress=self.progress.emit, cancel=self._cancel)
        except RtViewerError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the window must survive any failure
            self.failed.emit(f"{self.path}: the scan failed ({type(exc).__name__}: {exc})")
            return
        self.scanned.emit(result)
