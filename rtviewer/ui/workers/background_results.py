"""Results computed in background threads, cached by key, delivered on the GUI thread."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

__all__ = ["BackgroundResults"]


class BackgroundResults(QtCore.QObject):
    """A cache filled by daemon threads (the DRR and the fluence of the beam's-eye view).

    With ``asynchronous`` (the window) :meth:`_start` runs the computation in a
    thread and, when the key is still the one wanted, ``updated(note)`` carries what
    :meth:`_present` drew; ``rtviewer render`` computes in place instead. Plain daemon
    threads: a QThread still running when its widget is deleted aborts the process.
    """

    updated = QtCore.Signal(str)
    _computed = QtCore.Signal(object, object)  # key, result

    def __init__(self, parent: QtCore.QObject | None = None, *,
                 asynchronous: bool = False) -> None:
        super().__init__(parent)
        self.asynchronous = asynchronous
        self._cache: dict[tuple, Any] = {}
        self._wanted: tuple | None = None
        self._workers: dict[tuple, threading.Thread] = {}
        self._computed.connect(self._on_computed)

    def clear_cache(self) -> None:
        """Forget computed results (a new CT or plan)."""
        self._cache.clear()
        self._wanted = None

    def stop(self) -> None:
        """Wait for running workers (before the widget goes away)."""
        for worker in list(self._workers.values()):
            worker.join(timeout=30.0)
        self._workers.clear()

    def _start(self, key: tuple, compute: Callable[..., Any], *args: Any) -> None:
        """Compute ``compute(*args)`` in a thread, once per key."""
        if key in self._workers:
            return
        worker = threading.Thread(target=self._run, args=(key, compute, args), daemon=True,
                                  name="rtviewer-background")
        self._workers[key] = worker
        worker.start()

    def _run(self, key: tuple, compute: Callable[..., Any], args: tuple) -> None:
        """Worker thread: compute, then hand the result to the GUI thread (queued signal)."""
        result = compute(*args)
        with contextlib.suppress(RuntimeError):  # the view was closed meanwhile
            self._computed.emit(key, result)

    def _on_computed(self, key: tuple, result: Any) -> None:
        self._workers.pop(key, None)
        self._cache[key] = result
        if key == self._wanted:
            self.updated.emit(self._present(key))

    def _present(self, key: tuple) -> str:
        """Draw the cached result of ``key``; a sentence saying what is shown."""
        raise NotImplementedError
