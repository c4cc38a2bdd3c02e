"""Run :func:`rtviewer.dicom.scan.scan` off the GUI thread, with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore

from rtviewer.errors import RtViewerError
from rtviewer.model.index import ScanResult
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

    def __init__(self, path: str | Path,
                 prefetched: Callable[[], ScanResult | None] | None = None) -> None:
        """``prefetched``: the start-up loader's scan of ``path`` (None: scan here)."""
        super().__init__()
        self.path = Path(path)
        self.prefetched = prefetched

    def run(self) -> None:  # noqa: D102 - QThread entry point
        if self.prefetched is not None and (result := self.prefetched()) is not None:
            self.scanned.emit(result)
            return
        # here, not at the top: the window starts without pydicom when its start-up
        # loader scans (rtviewer.ui.workers.prefetch)
        from rtviewer.dicom.scan import scan

        try:
            result = scan(self.path, progress=self.progress.emit, cancel=self._cancel)
        except RtViewerError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the window must survive any failure
            self.failed.emit(f"{self.path}: the scan failed ({type(exc).__name__}: {exc})")
            return
        self.scanned.emit(result)
