"""Worker processes that can die, or be closed, without hanging the program.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: when one of its workers
dies while a call is being written to the shared call queue, the executor's
management thread deadlocks on the queue's feeder thread, and the interpreter
then hangs at exit joining it (CPython gh-94777; fixed in later 3.11 patch
releases, not in Debian 12's 3.11.2). Its shutdown with ``wait=False`` also races
with its exit handler (CPython gh-125451: ``OSError: [Errno 9]``).

:class:`ProcessPool` gives every worker its own pipe and one parent thread that
drives it: the thread writes a call, then waits for the reply *or* the process's
death (``multiprocessing.connection.wait`` on the pipe and the process sentinel).
A dead worker's pipe end is closed, so a write to it fails at once (``EPIPE``)
instead of blocking; nothing is left in a queue. Results travel back as the
call's return value. :meth:`ProcessPool.close` kills the workers and joins the
threads, so it always returns; pools still open at interpreter exit are closed
by an ``atexit`` hook. A worker whose parent disappears (``SIGKILL``) reads end of
file on its pipe and exits. No Qt and nothing of rtviewer here.
"""

from __future__ import annotations

import atexit
import multiprocessing
import queue
import signal
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing import connection as mp_connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any

__all__ = ["PoolBroken", "ProcessPool", "close_all_pools", "process_context"]


class PoolBroken(RuntimeError):
    """A job did not run to its end: a worker process died, or the pool was closed."""


class _WorkerLost(Exception):
    """Internal: the worker of one driver thread is gone (its reason in ``args[0]``)."""


def process_context(preload: Sequence[str] = ()) -> BaseContext:
    """The start method for workers: forkserver where it exists, else spawn.

    ``fork()`` from a process with threads (the GUI, Qt) is unsafe. The forkserver
    imports ``preload`` once and forks ready workers from it. Windows and macOS
    have only spawn, and a PyInstaller bundle supports only spawn (with
    ``freeze_support``).
    """
    if "forkserver" in multiprocessing.get_all_start_methods() and not getattr(
            sys, "frozen", False):
        server = multiprocessing.get_context("forkserver")
        if preload:
            server.set_forkserver_preload(list(preload))
        return server
    return multiprocessing.get_context("spawn")


def _serve(conn: mp_connection.Connection) -> None:
    """Worker process: answer calls on ``conn`` until the parent closes it."""
    # Ctrl-C reaches the whole process group; the parent decides and closes the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            fn, args = ForkingPickler.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return  # the pool was closed, or the parent is gone
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed to the caller's future
            reply = (False, exc)
        try:
            payload = ForkingPickler.dumps(reply)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
            payload = ForkingPickler.dumps(
                (False, RuntimeError(f"{fn.__name__}: reply cannot be pickled: {exc}")))
        try:
            conn.send_bytes(payload)
        except OSError:
            return


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: BaseContext, name: str) -> None:
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child_end,), name=name, daemon=True)
        try:
            self.process.start()
        finally:
            child_end.close()  # only the child holds it now: its death closes the pipe
        self.conn = parent_end

    def call(self, payload: bytes) -> tuple[bool, Any]:
        """Send one pickled call; return ``(ok, value)`` or raise :class:`_WorkerLost`."""
        try:
            self.conn.send_bytes(payload)
            ready = mp_connection.wait([self.conn, self.process.sentinel])
            if self.conn in ready:
                reply: tuple[bool, Any] = ForkingPickler.loads(self.conn.recv_bytes())
                return reply
        except (EOFError, OSError):
            pass
        except Exception as exc:  # noqa: BLE001 - a reply that cannot be unpickled
            return False, RuntimeError(f"the worker's reply cannot be read: {exc!r}")
        raise _WorkerLost(self.why_gone())

    def why_gone(self) -> str:
        self.process.join(1.0)
        code = self.process.exitcode
        if code is None:
            return f"worker process {self.process.pid} stopped answering"
        if code < 0:
            return f"worker process {self.process.pid} was killed by signal {-code}"
        return f"worker process {self.process.pid} exited with status {code}"

    def stop(self) -> None:
        """Kill the process (idempotent) and reap it."""
        if self.process.exitcode is None:
            self.process.kill()
        self.process.join()
        self.conn.close()


@dataclass
class _Job:
    future: Future[Any]
    payload: bytes


#: Pools not yet closed, closed at interpreter exit.
_OPEN: weakref.WeakSet[ProcessPool] = weakref.WeakSet()


class ProcessPool:
    """Up to ``workers`` processes running submitted calls; the result as a Future.

    Processes start when the first calls arrive (by the driver threads, never by
    the caller, so :meth:`submit` returns at once even when the initializer sends
    tens of MB). When a worker dies, the pool is *broken*: that job and every
    queued one fail with :class:`PoolBroken`, the other workers are killed, and
    later submits raise :class:`PoolBroken`; the caller decides what to do instead.

    Parameters
    ----------
    workers : int
        Number of worker processes (at least 1).
    initializer : callable, optional
        Run as ``initializer(*initargs)`` in each worker before its first call (by
        reference: a module-level function). If it raises, the pool is broken.
    initargs : tuple
        Arguments of ``initializer``, sent once to each worker.
    preload : sequence of str
        Modules the forkserver imports once (POSIX).
    name : str
        Prefix of the thread and process names.
    """

    def __init__(self, workers: int, *, initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = (), preload: Sequence[str] = (),
                 name: str = "rtviewer-pool") -> None:
        self._ctx = process_context(preload)
        # pickled by each driver thread as its worker starts, never by the caller
        self._init = None if initializer is None else (initializer, initargs)
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopped: str | None = None  # why no more jobs run: closed or broken
        self._broken = False  # stopped by a worker's death (not by close)
        self._workers: list[_Worker] = []
        self._threads = [threading.Thread(target=self._drive, name=f"{name}-{i}", daemon=True)
                         for i in range(max(1, workers))]
        for thread in self._threads:
            thread.start()
        _OPEN.add(self)

    @property
    def stopped(self) -> str | None:
        """Why the pool runs no more jobs (closed, or the worker that died); else None."""
        return self._stopped

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        """Queue ``fn(*args)`` (``fn`` at module level); the Future holds its result.

        Raises
        ------
        PoolBroken
            The pool is closed or broken.
        """
        payload = ForkingPickler.dumps((fn, args))  # a pickling error raises here
        future: Future[Any] = Future()
        with self._lock:
            if self._stopped is not None:
                raise PoolBroken(self._stopped)
            self._jobs.put(_Job(future, bytes(payload)))
        return future

    def close(self, *, wait: bool = True) -> None:
        """Cancel queued jobs, kill the workers; with ``wait``, join everything.

        Jobs running in a killed worker fail with :class:`PoolBroken`. Idempotent.
        """
        self._stop("the pool was closed")
        if wait:
            for thread in self._threads:
                if thread is not threading.current_thread():
                    thread.join()
        _OPEN.discard(self)

    # -- driver threads -------------------------------------------------------------
    def _stop(self, why: str, *, broken: bool = False) -> None:
        with self._lock:
            if self._stopped is not None:
                return
            self._stopped, self._broken = why, broken
            workers = list(self._workers)
        for _ in self._threads:
            self._jobs.put(None)  # wakes every driver waiting for a job
        for worker in workers:
            if worker.process.exitcode is None:
                worker.process.kill()  # a driver waiting on it wakes up and reaps it

    def _drive(self) -> None:
        worker: _Worker | None = None
        try:
            while (job := self._jobs.get()) is not None:
                if self._stopped is not None:
                    self._fail(job)
                    continue
                if not job.future.set_running_or_notify_cancel():
                    continue  # cancelled by the caller while queued
                try:
                    worker = worker or self._start_worker()
                    ok, value = worker.call(job.payload)
                except _WorkerLost as lost:
                    self._stop(lost.args[0], broken=True)
                    job.future.set_exception(PoolBroken(self._stopped))
                    continue
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)
        finally:
            if worker is not None:
                worker.stop()

    def _fail(self, job: _Job) -> None:
        """A queued job after the pool stopped: cancelled when closed, failed when broken."""
        if self._broken:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(PoolBroken(self._stopped))
        else:
            job.future.cancel()

    def _start_worker(self) -> _Worker:
        try:
            worker = _Worker(self._ctx, f"{self._name}-worker")
        except (OSError, ValueError, RuntimeError) as exc:
            raise _WorkerLost(f"no worker process could start ({exc})") from exc
        with self._lock:
            self._workers.append(worker)
            stopped = self._stopped
        try:
            if stopped is not None:
                raise _WorkerLost(stopped)
            if self._init is not None:
                try:
                    payload = ForkingPickler.dumps(self._init)
                except Exception as exc:  # noqa: BLE001 - arguments that cannot be sent
                    raise _WorkerLost(f"the initializer's arguments cannot be sent: {exc}"
                                      ) from exc
                ok, value = worker.call(bytes(payload))
                if not ok:
                    raise _WorkerLost(f"the worker's initializer failed: {value!r}")
        except _WorkerLost:
            worker.stop()
            raise
        return worker


def close_all_pools() -> None:
    """Close every open pool and join its threads (end of a command, window closed)."""
    for pool in list(_OPEN):
        pool.close()


atexit.register(close_all_pools)
