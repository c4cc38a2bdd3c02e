"""Share independent computations between this process and one forked copy of it.

``rtviewer dvh`` computes one DVH per structure, each independent of the others.  In
one process two threads do not help: a DVH is thousands of numpy calls, most of them
short, and the two threads pass the GIL back and forth at each one (measured on the
30-ROI benchmark, 2 idle cores: the same wall time as one thread, 1.5x the CPU time).
A forked child has its own interpreter and already holds every input (the dose array,
the solids) without copying or pickling them; only the results travel back, pickled
through a pipe.

The parent and the child take the next item from one shared counter, so the work
balances itself whatever each item costs.  Fork is used only where it is safe and can
pay: Linux (macOS's system libraries, Accelerate among them, are not safe in a forked
child; Windows has no ``fork``), a process with no other thread (``fork()`` from a
process with threads -- the window's, Qt's -- is unsafe; the window computes DVHs in
its own pool, :mod:`rtviewer.view.dvh_jobs`), at least two usable cores and two items.  Otherwise,
and for any item the child did not return (it failed or died), the parent computes
the items itself, so the results never depend on the child.

Written here because :mod:`multiprocessing` pools start their workers by forkserver or
spawn in this project (:mod:`rtviewer.process_pool`): a fresh interpreter that imports
numpy and receives the dose, far slower than the half second shared; a bare ``fork``
of the process that already holds everything costs a few milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["forked_map", "usable_cores"]

T = TypeVar("T")


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _can_fork(count: int) -> bool:
    return (count >= 2 and sys.platform.startswith("linux") and usable_cores() >= 2
            and threading.active_count() == 1)


def forked_map(function: Callable[[int], T], order: Sequence[int]) -> dict[int, T]:
    """``function(n)`` for every ``n`` of ``order``, by this process and a forked child.

    Parameters
    ----------
    function : callable taking an int
        Computes item ``n``; its result must pickle.  Must not depend on which process
        runs it (no side effects the caller relies on).
    order : sequence of int
        The items, in the order they are taken (put the costliest first).

    Returns
    -------
    dict
        ``{n: function(n)}`` for every ``n`` of ``order``.  An exception of ``function``
        propagates (raised by this process, computing the item itself).
    """
    if not _can_fork(len(order)):
        return {n: function(n) for n in order}
    taken = multiprocessing.get_context("fork").Value("q", 0)  # shared: next place in order

    def take() -> int | None:
        with taken.get_lock():
            place = int(taken.value)
            taken.value = place + 1
        return order[place] if place < len(order) else None

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        os.close(read_end)
        _child(function, take, write_end)
    os.close(write_end)
    results: dict[int, T] = {}
    try:
        while (n := take()) is not None:
            results[n] = function(n)
        with os.fdopen(read_end, "rb") as pipe:
            read_end = -1
            payload = pipe.read()
    finally:
        if read_end >= 0:  # an exception above: the child's work is not wanted
            os.close(read_end)
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    try:
        theirs: dict[int, T] = pickle.loads(payload) if payload else {}
    except Exception:  # noqa: BLE001 - a child killed mid-write: compute its items here
        theirs = {}
    results.update(theirs)
    for n in order:  # what the child failed to return
        if n not in results:
            results[n] = function(n)
    return results


def _child(function: Callable[[int], object], take: Callable[[], int | None],
           write_end: int) -> None:
    """The forked child: compute items until none is left, send them, exit."""
    status = 0
    results: dict[int, object] = {}
    try:
        while (n := take()) is not None:
            results[n] = function(n)
    except BaseException:  # noqa: BLE001 - the parent computes this item again and raises
        status = 1
    try:
        payload = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - the parent computes the items itself
        status = 1
    os._exit(status)
