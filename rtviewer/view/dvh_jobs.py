"""DVH computation in a separate process, so scrolling stays smooth meanwhile.

A DVH is seconds of numpy and Python work; in a thread of the window's process it
holds the GIL often enough to stall slice scrolling (136 ms median per step while
DVHs computed, 56 ms after). :class:`DvhJobs` hands each structure to a process
pool instead: the dose array and grid go to the worker once (pool initializer),
each job carries only the structure's closed contours (``(N, 3)`` mm arrays), and
the :class:`~rtviewer.core.dvh.Dvh` (arrays and floats) comes back. A structure's
*model spread* (``view.model_spread``: its statistics under every structure model,
for a small or thin one) is a job of its own, queued after the DVHs: the smooth solid
it needs costs up to a second (and scipy's import), which in the window's thread
froze the window right after the curves arrived.

No Qt here: the child process imports only numpy and ``rtviewer.core``. When no
process can start (a frozen bundle without ``freeze_support``, a sandbox) or a
worker dies, the same jobs run in one thread of this process. The pool is
:class:`rtviewer.process_pool.ProcessPool`, which never hangs on a dead worker
(CPython gh-94777 hangs ``ProcessPoolExecutor`` at exit on Python 3.11.2).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import cast

import numpy as np

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.grid import Grid
from rtviewer.core.structure_model import DEFAULT_MODEL, build_structure_model
from rtviewer.process_pool import PoolBroken, ProcessPool
from rtviewer.view.model_spread import ModelSpread, spread_of_contours

__all__ = ["DvhJobs", "default_workers", "dvh_of_contours"]

log = logging.getLogger(__name__)

#: Called with (roi number, DVH) as each structure finishes (from a pool thread).
ResultCallback = Callable[[int, Dvh], None]
#: Called with (roi number, model spread or None: not model-dependent) per spread job.
SpreadCallback = Callable[[int, "ModelSpread | None"], None]

_DOSE: tuple[np.ndarray, Grid] | None = None  # set in each worker process
#: Scheduling niceness added to the worker processes (POSIX).
WORKER_NICENESS = 10


def dvh_of_contours(polygons_mm: Sequence[np.ndarray], dose_gy: np.ndarray,
                    grid: Grid, model: str = DEFAULT_MODEL) -> Dvh | None:
    """The DVH the viewer shows for one structure (None without closed contours).

    Parameters
    ----------
    polygons_mm : sequence of (N, 3) ndarray
        The ROI's CLOSED_PLANAR contours in patient mm (``Roi.closed_polygons_mm()``).
    dose_gy : (nk, nj, ni) ndarray
        Dose in Gy on ``grid``.
    grid : Grid
        The dose grid.
    model : str
        Structure model (``core.structure_model``).
    """
    solid = build_structure_model(list(polygons_mm), model) if len(polygons_mm) else None
    if solid is None:
        return None
    return compute_dvh(solid, dose_gy, grid)


def _set_dose(dose_gy: np.ndarray, grid: Grid) -> None:
    global _DOSE
    _DOSE = (dose_gy, grid)
    if hasattr(os, "nice"):  # the window's thread comes first when cores are busy
        os.nice(WORKER_NICENESS)


def _job(polygons_mm: list[np.ndarray], model: str = DEFAULT_MODEL) -> Dvh | None:
    assert _DOSE is not None, "pool initializer did not run"
    return dvh_of_contours(polygons_mm, *_DOSE, model)


def _spread_job(polygons_mm: list[np.ndarray]) -> ModelSpread | None:
    assert _DOSE is not None, "pool initializer did not run"
    return spread_of_contours(polygons_mm, *_DOSE)


def default_workers() -> int:
    """Worker processes: leave one core to the window (at least 1, at most 2)."""
    return max(1, min(2, (os.cpu_count() or 1) - 1))


class DvhJobs:
    """DVHs of one dose, computed in worker processes (one thread as the fallback).

    Every call returns at once: the pool's driver threads start the workers and
    send them the dose (tens of MB through a pipe, up to a second), never the
    caller (the GUI thread). When a worker dies, its jobs and every later one run
    in a thread of this process; the broken pool is closed, not recovered.

    Parameters
    ----------
    dose_gy : (nk, nj, ni) ndarray
        Dose in Gy, sent once to each worker.
    grid : Grid
        The dose grid.
    on_result : callable
        ``on_result(roi_number, dvh)``, called from a pool thread when a structure
        finishes; not called after :meth:`cancel`, nor for failed structures.
    processes : bool
        False runs the jobs in a thread of this process from the start.
    model : str
        Structure model of every job (``core.structure_model``).
    on_spread : callable, optional
        ``on_spread(roi_number, spread)`` for :meth:`submit_spread` (spread None: the
        structure's statistics do not depend visibly on the model).
    """

    def __init__(self, dose_gy: np.ndarray, grid: Grid, on_result: ResultCallback,
                 *, processes: bool = True, model: str = DEFAULT_MODEL,
                 on_spread: SpreadCallback | None = None) -> None:
        self._dose, self._grid, self._on_result = dose_gy, grid, on_result
        self._on_spread = on_spread
        self.model = model
        self._lock = threading.Lock()
        self._cancelled = False
        self._queued = 0  # submitted and not yet finished (or dropped)
        self._pool: ProcessPool | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._retired: list[ProcessPool] = []  # broken pools, joined by close()
        if processes:
            self._pool = ProcessPool(default_workers(), initializer=_set_dose,
                                     initargs=(dose_gy, grid), name="dvh")
        else:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvh")

    @property
    def uses_processes(self) -> bool:
        """Whether the jobs run in worker processes (not the thread fallback)."""
        return self._pool is not None

    def submit(self, roi_number: int, polygons_mm: list[np.ndarray]) -> None:
        """Queue the DVH of one structure (its closed contours, patient mm)."""
        self._submit(roi_number, polygons_mm, spread=False)

    def submit_spread(self, roi_number: int, polygons_mm: list[np.ndarray]) -> None:
        """Queue the model spread of one structure (``view.model_spread``) for ``on_spread``."""
        if self._on_spread is None:
            raise ValueError("DvhJobs made without on_spread")
        self._submit(roi_number, polygons_mm, spread=True)

    def _submit(self, roi_number: int, polygons_mm: list[np.ndarray], *, spread: bool) -> None:
        with self._lock:
            if self._cancelled:
                return
            self._queued += 1
            pool, thread = self._pool, self._thread
        try:
            if pool is not None:
                future = (pool.submit(_spread_job, polygons_mm) if spread
                          else pool.submit(_job, polygons_mm, self.model))
            else:
                assert thread is not None
                future = (thread.submit(spread_of_contours, polygons_mm, self._dose, self._grid)
                          if spread else
                          thread.submit(dvh_of_contours, polygons_mm, self._dose, self._grid,
                                        self.model))
        except PoolBroken as error:  # broke since (a worker died) or cancelled meanwhile
            if not self._cancelled:
                self._fall_back(roi_number, polygons_mm, error, spread=spread)
            self._finished()
            return
        except RuntimeError:  # the thread was shut down by cancel() meanwhile
            self._finished()
            return
        future.add_done_callback(
            lambda f: self._done(f, roi_number, polygons_mm, spread=spread))

    def _finished(self) -> None:
        with self._lock:
            if not self._cancelled:  # cancel() already counted everything as dropped
                self._queued -= 1

    def _done(self, future: Future[object], roi_number: int,
              polygons: list[np.ndarray], *, spread: bool) -> None:
        # counted as finished only after the result is handed on: wait() returns when
        # every result has been delivered, not merely computed
        try:
            if self._cancelled or future.cancelled():
                return
            error = future.exception()
            if isinstance(error, PoolBroken):
                self._fall_back(roi_number, polygons, error, spread=spread)
            elif error is not None:
                log.error("%s of ROI %s failed", "Model spread" if spread else "DVH",
                          roi_number, exc_info=error)
            elif spread:
                assert self._on_spread is not None
                self._on_spread(roi_number, cast("ModelSpread | None", future.result()))
            elif (dvh := cast("Dvh | None", future.result())) is not None:
                self._on_result(roi_number, dvh)
        finally:
            self._finished()

    def _fall_back(self, roi_number: int, polygons: list[np.ndarray],
                   error: BaseException, *, spread: bool) -> None:
        """A worker process could not start or died: redo this job in a thread."""
        with self._lock:
            broken = self._pool
            if broken is not None:
                log.warning("DVH worker process failed (%s); computing in a thread", error)
                self._pool = None
                self._retired.append(broken)
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvh")
        if broken is not None:
            broken.close(wait=False)  # may run in one of its own threads: joined by close()
        self._submit(roi_number, polygons, spread=spread)

    def pending(self) -> int:
        """Structures queued or being computed."""
        with self._lock:
            return self._queued

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until every queued structure is done (True) or the timeout passes."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while self.pending():
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def cancel(self) -> None:
        """Drop queued structures and kill the workers, without waiting.

        A structure being computed in a thread finishes; its result is ignored.
        """
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            self._queued = 0
            pool, thread = self._pool, self._thread
        if pool is not None:
            pool.close(wait=False)
        if thread is not None:
            thread.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Cancel, then join the workers and their threads (before the application exits)."""
        self.cancel()
        with self._lock:
            pools = [*self._retired, *([self._pool] if self._pool is not None else [])]
            thread = self._thread
        for pool in pools:
            pool.close()
        if thread is not None:
            thread.shutdown(wait=True)
