"""Reading a :class:`Chain` into a :class:`Scene`, with progress, in a worker thread.

The reading itself is :mod:`rtviewer.ui.workers.scene_load` (no Qt); a load the
start-up loader already made in its forked child (:mod:`rtviewer.ui.workers.prefetch`)
is replayed instead of read again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6 import QtCore

from rtviewer.ui.workers.scene_load import LoadResult, load_scene
from rtviewer.view.chain import Chain

__all__ = ["LoadResult", "LoadWorker", "load_scene"]

#: A load made elsewhere: yields ``("partial" | "loaded", LoadResult)``; ends early when
#: it fails (the worker then reads the chain itself).
Prefetched = Callable[[], Iterable[tuple[str, LoadResult]]]


class LoadWorker(QtCore.QThread):
    """Runs :func:`load_scene` off the GUI thread.

    Signals
    -------
    progress(int, int, str)
        Done, total and what is being read.
    partial(object)
        A :class:`LoadResult` still lacking the plan or structures (see :func:`load_scene`).
    loaded(object)
        The :class:`LoadResult`.
    """

    progress = QtCore.Signal(int, int, str)
    partial = QtCore.Signal(object)
    loaded = QtCore.Signal(object)

    def __init__(self, chain: Chain, parent: QtCore.QObject | None = None,
                 prefetched: Prefetched | None = None) -> None:
        super().__init__(parent)
        self.chain = chain
        self.prefetched = prefetched

    def run(self) -> None:  # noqa: D102 - QThread entry point
        if self.prefetched is not None:
            for what, result in self.prefetched():
                if what == "loaded":
                    self.loaded.emit(result)
                    return
                self.partial.emit(result)
        result = load_scene(self.chain, lambda d, t, w: self.progress.emit(d, t, w),
                            self.partial.emit)
        self.loaded.emit(result)
