"""A network operation run off the GUI thread, its progress and result sent back as signals.

Shared by the Network menu (:mod:`rtviewer.ui.window.network_panel`) and the query/retrieve
dialog (:mod:`rtviewer.ui.dialogs.query_dialog`), which the menu opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["NetworkJob"]


class NetworkJob(DetachedThread):
    """Run ``work(progress, cancelled)`` off the GUI thread.

    Signals
    -------
    progress(int, int)
        Done and total, as the work reports them.
    succeeded(object)
        What ``work`` returned.
    failed(str)
        The error, as one sentence.
    """

    progress = QtCore.Signal(int, int)
    succeeded = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, work: Callable[[Callable[[int, int], None], Callable[[], bool]], Any]
                 ) -> None:
        super().__init__()
        self._work = work

    def run(self) -> None:  # noqa: D102 - QThread
        try:
            result = self._work(self.progress.emit, self._cancel.is_set)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            self.failed.emit(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
        else:
            self.succeeded.emit(result)
