"""DVH computation in a separate process, so scrolling stays smooth meanwhile.

A DVH is seconds of numpy and Python work; in a thread of the window's process it
holds the GIL often enough to stall slice scrolling (136 ms median per step while
DVHs computed, 56 ms after). :class:`DvhJobs` hands each structure to a process
pool instead: the dose array and grid go to the worker once (pool initializer),
each job carries only the structure's closed contours (``(N, 3)`` mm arrays), and
the :class:`~rtviewer.core.dvh.Dvh` (arrays and floats) comes back.

No Qt here: the child process imports only numpy and ``rtviewer.core``. When no
process can start (a frozen bundle without ``freeze_support``, a sandbox), the
same jobs run in one thread of this process, as before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.grid import Grid
from rtviewer.core.structure_model import DEFAULT_MODEL, build_structure_model

__all__ = ["DvhJobs", "default_workers", "dvh_of_contours"]

log = logging.getLogger(__name__)

#: Called with (roi number, DVH) as each structure finishes (from a pool thread).
ResultCallback = Callable[[int, Dvh], None]

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


def _process_context() -> multiprocessing.context.BaseContext:
    # fork() from the GUI process (threads, Qt) is unsafe: forkserver where it exists,
    # spawn elsewhere (Windows, macOS) and in a frozen bundle (what PyInstaller supports,
    # with freeze_support in packaging/rtviewer_*.py)
    if "forkserver" in multiprocessing.get_all_start_methods() and not getattr(
            sys, "frozen", False):
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def default_workers() -> int:
    """Worker processes: leave one core to the window (at least 1, at most 2)."""
    return max(1, min(2, (os.cpu_count() or 1) - 1))


class DvhJobs:
    """DVHs of one dose, computed in worker processes (one thread as the fallback).

    Every call returns at once: starting a worker process sends it the dose (tens of
    MB through a pipe, up to a second), so jobs are handed to the pool by a
    dispatcher thread, never by the caller (the GUI thread).

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
    """

    def __init__(self, dose_gy: np.ndarray, grid: Grid, on_result: ResultCallback,
                 *, processes: bool = True, model: str = DEFAULT_MODEL) -> None:
        self._dose, self._grid, self._on_result = dose_gy, grid, on_result
        self.model = model
        self._lock = threading.Lock()
        self._cancelled = False
        self._queued = 0  # submitted and not yet finished (or dropped)
        self._dispatcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvh-dispatch")
        self._executor: Executor = self._start(processes)

    @property
    def uses_processes(self) -> bool:
        """Whether the jobs run in worker processes (not the thread fallback)."""
        return isinstance(self._executor, ProcessPoolExecutor)

    def _start(self, processes: bool) -> Executor:
        if processes:
            try:
                return ProcessPoolExecutor(max_workers=default_workers(),
                                           mp_context=_process_context(),
                                           initializer=_set_dose,
                                           initargs=(self._dose, self._grid))
            except (OSError, ValueError, RuntimeError, NotImplementedError) as exc:
                log.warning("DVHs computed in a thread: no worker process (%s)", exc)
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvh")

    def submit(self, roi_number: int, polygons_mm: list[np.ndarray]) -> None:
        """Queue the DVH of one structure (its closed contours, patient mm)."""
        with self._lock:
            if self._cancelled:
                return
            self._queued += 1
        try:
            self._dispatcher.submit(self._dispatch, roi_number, polygons_mm)
        except RuntimeError:  # cancelled meanwhile (from another thread)
            self._finished()

    def _dispatch(self, roi_number: int, polygons_mm: list[np.ndarray]) -> None:
        """Hand one job to the pool (in the dispatcher thread)."""
        try:
            if self._cancelled:
                raise RuntimeError("cancelled")
            if self.uses_processes:
                future = self._executor.submit(_job, polygons_mm, self.model)
            else:
                future = self._executor.submit(dvh_of_contours, polygons_mm, self._dose,
                                               self._grid, self.model)
        except RuntimeError:  # cancelled, or the pool was shut down meanwhile
            self._finished()
            return
        future.add_done_callback(lambda f: self._done(f, roi_number, polygons_mm))

    def _finished(self) -> None:
        with self._lock:
            if not self._cancelled:  # cancel() already counted everything as dropped
                self._queued -= 1

    def _done(self, future: Future[Dvh | None], roi_number: int,
              polygons: list[np.ndarray]) -> None:
        # counted as finished only after the result is handed on: wait() returns when
        # every result has been delivered, not merely computed
        try:
            if self._cancelled or future.cancelled():
                return
            error = future.exception()
            if isinstance(error, BrokenProcessPool):
                self._fall_back(roi_number, polygons, error)
            elif error is not None:
                log.error("DVH of ROI %s failed", roi_number, exc_info=error)
            elif (dvh := future.result()) is not None:
                self._on_result(roi_number, dvh)
        finally:
            self._finished()

    def _fall_back(self, roi_number: int, polygons: list[np.ndarray],
                   error: BaseException) -> None:
        """A worker process could not start or died: redo this job in a thread."""
        with self._lock:
            if self.uses_processes:
                log.warning("DVH worker process failed (%s); computing in a thread", error)
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvh")
        self.submit(roi_number, polygons)

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
        """Drop queued structures and stop the workers, without waiting.

        A structure being computed finishes in its process; its result is ignored.
        The pool is shut down by the dispatcher thread (it may be starting a worker).
        """
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            self._queued = 0
        # queued dispatches see the flag and return; then the pool is shut down
        self._dispatcher.submit(self._executor_shutdown)
        self._dispatcher.shutdown(wait=False)

    def _executor_shutdown(self) -> None:
        with self._lock:
            executor = self._executor
        executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Cancel and join the dispatcher and the workers (before the application exits)."""
        self.cancel()
        self._dispatcher.shutdown(wait=True)
        self._executor.shutdown(wait=True)
