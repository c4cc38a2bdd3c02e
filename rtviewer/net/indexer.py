"""Index the store as objects arrive: one background rescan per burst, not one per file.

The scan cache (:mod:`rtviewer.dicom.scan_cache`) makes a rescan read only new files;
coalescing requests keeps a 300-slice CT from costing 300 index builds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rtviewer.dicom.scan import scan
from rtviewer.model.index import ScanResult
from rtviewer.net.store import INCOMING

__all__ = ["StoreIndexer"]

_log = logging.getLogger(__name__)


def _without_incoming(result: ScanResult) -> ScanResult:
    """Drop files being written by another association (``STORE/.incoming``) from the index."""
    incoming = result.root / INCOMING
    return replace(result,
                   skipped=tuple(f for f in result.skipped if incoming not in f.path.parents),
                   problems=tuple(f for f in result.problems if incoming not in f.path.parents))


class StoreIndexer:
    """Rescans ``store`` in a worker thread whenever :meth:`request` was called.

    Parameters
    ----------
    store : Path
    on_index : callable(ScanResult), optional
        Called (from the worker thread) with each new index of the store.
    """

    def __init__(self, store: Path,
                 on_index: Callable[[ScanResult], None] | None = None) -> None:
        self.store = Path(store)
        self._on_index = on_index
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._generation = 0  # requests seen
        self._done = 0  # requests covered by the latest index
        self.latest: ScanResult | None = None
        self._thread = threading.Thread(target=self._loop, name="rtviewer-store-indexer",
                                        daemon=True)
        self._thread.start()

    def request(self) -> None:
        """Ask for a rescan (returns at once)."""
        with self._idle:
            self._generation += 1
        self._wanted.set()

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until every request so far is in :attr:`latest`; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._done >= self._generation, timeout_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the running scan (if any) and end the worker."""
        self._stopping.set()
        self._wanted.set()
        self._thread.join(timeout_s)

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping.is_set():
                return
            self._wanted.clear()
            with self._idle:
                target = self._generation
            try:
                result = _without_incoming(scan(self.store, workers=1))
            except Exception:  # noqa: BLE001 - keep indexing later arrivals
                _log.exception("indexing %s failed", self.store)
                result = None
            if result is not None:
                self.latest = result
                if self._on_index is not None:
                    self._on_index(result)
            with self._idle:
                self._done = target
                self._idle.notify_all()
