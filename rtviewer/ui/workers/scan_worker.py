"""Run :func:`rtviewer.dicom.scan.scan` off the GUI thread, with progress and cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from rtviewer.dicom.scan import scan
from rtviewer.errors import RtViewerError
from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["ScanWorker"]


class ScanWorker(DetachedThread):
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

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)

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
