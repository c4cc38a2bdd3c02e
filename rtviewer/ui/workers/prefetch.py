"""The folder the window starts on, scanned and read by a forked child while Qt starts.

``rtviewer open PATH`` spends its first second importing Qt, pyqtgraph and the
window's modules on one core; the other core is idle. :func:`start`, called before
anything of Qt is imported, forks a child that imports numpy and pydicom, scans the
folder (:func:`rtviewer.dicom.scan.scan`, the same call, cache and all, as the
window's scan), picks the chain the window would show
(:func:`rtviewer.view.chain.window_chain`) and reads it
(:func:`rtviewer.ui.workers.scene_load.load_scene`). The window's scan and load
workers then take the child's results instead of reading the files again.

Contract: the child computes exactly what the window's own workers would, and
anything it does not deliver -- it failed, died, was too slow to matter, or the
window asks for something else -- the window reads itself. Numbers and pictures
never depend on the child. Fork is used only where it is safe (Linux, no other
thread yet: before Qt; macOS's system libraries are not fork-safe, Windows has no
``fork``) and can pay (two usable cores); elsewhere :func:`start` returns None and
the window reads in-process, as it always did.

Transport: messages are pickled by one :class:`pickle.Pickler` for the child's whole
life, so an object sent twice (the CT of each partial scene) travels once; numpy
arrays travel out of band (protocol 5) in an anonymous shared file
(``memfd_create``) that the window maps copy-on-write: the voxels are neither
copied through the pipe nor duplicated. The pickle and the table of its arrays go
into the shared file too; the pipe carries one fixed-size frame per message saying
where they are, so the child never waits for the window to read.

Written here rather than with :mod:`multiprocessing`: its start methods in this
project (forkserver, spawn; :mod:`rtviewer.process_pool`) begin with a fresh
interpreter, which would import numpy and pydicom *after* being asked -- the half
second this module exists to hide; and its queues copy every array through a pipe.
"""

from __future__ import annotations

import array
import contextlib
import io
import logging
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rtviewer.model.index import ScanResult
    from rtviewer.ui.workers.scene_load import LoadResult
    from rtviewer.view.chain import Chain

__all__ = ["Prefetch", "start"]

log = logging.getLogger(__name__)

#: A message on the pipe: where its bytes begin in the shared file, where its table of
#: buffers (offset, size pairs) begins, their count, where its pickle begins, where it ends.
_FRAME = struct.Struct("<5Q")
#: Buffers start at this alignment in the shared file (numpy's widest SIMD loads).
_ALIGN = 64


def start(path: str | os.PathLike[str]) -> Prefetch | None:
    """Fork the child that scans and reads the folder of ``path``; None where it cannot.

    Call before Qt (or any thread) starts. The folder is the one the window opens
    for ``path`` (a file opens its folder: :func:`rtviewer.dicom.open_target`).
    """
    if not _can_fork():
        return None
    from rtviewer.dicom.open_target import open_target

    try:
        folder = open_target(path).folder
    except (OSError, ValueError):  # the window's own scan says what is wrong
        return None
    _import_shared_modules()
    read_fd, write_fd = os.pipe()
    shared_fd = os.memfd_create("rtviewer-prefetch", os.MFD_CLOEXEC)
    for stream in (sys.stdout, sys.stderr):  # else the child's exit could repeat them
        if stream is not None:
            stream.flush()
    pid = os.fork()
    if pid == 0:  # never returns
        os.close(read_fd)
        _child(folder, write_fd, shared_fd)
    os.close(write_fd)
    log.info("start-up loader %d reads %s", pid, folder)
    return Prefetch(folder, pid, read_fd, shared_fd)


def _import_shared_modules() -> None:
    """Import, once before the fork, what both processes import anyway.

    numpy, the model and the scene (0.1-0.2 s): the window needs them for its views,
    the child to read; imported here the child inherits them instead of importing them
    again on a core another program may need. numpy's BLAS is fork-safe (as in
    :mod:`rtviewer.cli.fork_share`, which forks after numpy too).
    """
    import numpy  # noqa: F401

    from rtviewer.model import index  # noqa: F401
    from rtviewer.ui.workers import scene_load  # noqa: F401
    from rtviewer.view import chain  # noqa: F401


def _can_fork() -> bool:
    """Linux, no thread yet (Qt not even imported: its threads are not Python's), 2 cores."""
    return (sys.platform.startswith("linux") and hasattr(os, "memfd_create")
            and threading.active_count() == 1 and "PySide6" not in sys.modules
            and _usable_cores() >= 2)


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Prefetch:
    """The window's end of the start-up loader.

    Each result is taken once: :meth:`scan_for` by the window's scan of
    :attr:`folder`, :meth:`load_for` by the load of the chain the child chose.
    Any thread may call them (the workers' threads block on the pipe); whatever is
    not taken is dropped at :meth:`cancel`.
    """

    def __init__(self, folder: Path, pid: int, read_fd: int, shared_fd: int) -> None:
        self.folder = folder
        self._pid: int | None = pid
        self._pipe: int | None = read_fd
        self._shared_fd = shared_fd
        self._lock = threading.Lock()  # one reader of the pipe at a time
        self._pid_lock = threading.Lock()  # a pid is signalled only until it is reaped
        self._feed = _Feed()
        self._buffers: deque[memoryview] = deque()
        self._unpickler = pickle.Unpickler(self._feed, buffers=_drain(self._buffers))
        self._scan_taken = self._load_taken = False
        self._chain: Chain | None = None

    # -- what the window asks -------------------------------------------------------------
    def scan_for(self, path: str | os.PathLike[str]) -> ScanResult | None:
        """The child's scan result when ``path`` is its folder, else None (once only).

        Blocks until the child has scanned; None when it could not (the caller scans).
        """
        if self._scan_taken or Path(path) != self.folder:  # a later folder: no waiting
            return None  # for the lock a start-up load's worker may hold
        with self._lock:
            if self._scan_taken or Path(path) != self.folder:
                return None
            self._scan_taken = True
            what, value = self._next()
            if what != "scan":
                self._stop()
                return None
            self._chain = self._next_value("chain")
            if self._chain is None:  # nothing to read: the child has ended
                self._stop(ended=True)
            return value

    def load_for(self, chain: object) -> Iterator[tuple[str, LoadResult]] | None:
        """The child's load of ``chain``: ``("partial" | "loaded", LoadResult)`` messages.

        None unless ``chain`` is the one the child reads (and its scan was taken); the
        child is then stopped, its work not wanted. The first partial scene (the image
        alone: the first picture needs no more) always comes; a later one is skipped
        when a newer one has already arrived. The iterator ends early when the child
        fails; the caller then reads the chain.
        """
        with self._lock:
            wanted = (self._scan_taken and not self._load_taken and self._chain is not None
                      and chain == self._chain)
            self._load_taken = True
            if not wanted:
                self._stop()
                return None
        return self._replay()

    def cancel(self) -> None:
        """Stop the child (its scan cache stays consistent) and release the pipe.

        The child is signalled first: a worker blocked reading it then sees the end.
        """
        self._terminate()
        with self._lock:
            self._stop()

    # -- reading ------------------------------------------------------------------------
    def _replay(self) -> Iterator[tuple[str, LoadResult]]:
        first = True
        while True:
            with self._lock:
                what, value = self._next()
                newer = what == "partial" and self._ready()
            if what == "loaded":
                with self._lock:
                    self._stop(ended=True)
                yield what, value
                return
            if what != "partial":  # the child failed or ended early
                return
            if first or not newer:
                yield what, value
            first = False

    def _ready(self) -> bool:
        """Whether another message is waiting in the pipe."""
        return self._pipe is not None and bool(select.select([self._pipe], [], [], 0)[0])

    def _next_value(self, expected: str) -> Any:
        what, value = self._next()
        return value if what == expected else None

    def _next(self) -> tuple[str, Any]:
        """The next message, or ``("end", None)`` at the end of the pipe or a bad message."""
        if self._pipe is None:
            return "end", None
        try:
            start, places_at, count, payload_at, end = _FRAME.unpack(
                _read_exactly(self._pipe, _FRAME.size))
            view = self._map(start, end)
            places = view[places_at - start:payload_at - start].cast("Q")
            self._buffers.extend(view[places[2 * k] - start:places[2 * k] - start
                                      + places[2 * k + 1]] for k in range(count))
            self._feed.set(view[payload_at - start:end - start].tobytes())
            what, value = self._unpickler.load()
            return what, value
        except EOFError:  # the child has ended (or failed)
            self._stop(ended=True)
            return "end", None
        except Exception:  # noqa: BLE001 - whatever went wrong, the window reads itself
            log.exception("the start-up loader's message could not be read")
            self._stop()
            return "end", None

    def _map(self, start: int, end: int) -> memoryview:
        """Bytes ``start:end`` of the shared file, mapped copy-on-write.

        The map begins at the page below ``start`` (as mmap requires); the view
        returned begins at ``start``.
        """
        page = start - start % mmap.ALLOCATIONGRANULARITY
        mapped = mmap.mmap(self._shared_fd, end - page, access=mmap.ACCESS_COPY, offset=page)
        return memoryview(mapped)[start - page:]

    def _stop(self, *, ended: bool = False) -> None:
        """Stop and reap the child, close the pipe and the shared file (the lock is held).

        ``ended``: the child has sent its last message and exits by itself. What was
        mapped stays valid: a mapping outlives its file descriptor.
        """
        if not ended:
            self._terminate()
        with self._pid_lock:
            pid, self._pid = self._pid, None
            if pid is not None:
                os.waitpid(pid, 0)
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            os.close(pipe)
            os.close(self._shared_fd)

    def _terminate(self) -> None:
        with self._pid_lock:
            if self._pid is not None:
                with contextlib.suppress(ProcessLookupError):  # ended, not yet reaped
                    os.kill(self._pid, signal.SIGTERM)


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes of ``fd``; EOFError when it ends first."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _drain(buffers: deque[memoryview]) -> Iterator[memoryview]:
    """The out-of-band buffers, in order, as the unpickler asks for them."""
    while True:
        yield buffers.popleft()


class _Feed(io.RawIOBase):
    """The unpickler's file: one message's pickle at a time."""

    def __init__(self) -> None:
        super().__init__()
        self._data = io.BytesIO()

    def set(self, payload: bytes) -> None:
        self._data = io.BytesIO(payload)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)

    def readline(self, size: int | None = -1) -> bytes:
        return self._data.readline(size)


# -- the child ------------------------------------------------------------------------
def _child(folder: Path, write_fd: int, shared_fd: int) -> None:
    """Scan ``folder``, read the chain the window would show, send both; never returns."""
    status = 1

    def terminate(_sig: int, _frame: object) -> None:
        raise SystemExit(0)  # unwinds: the scan cache's temporary file is removed

    try:
        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the window's to handle
        with os.fdopen(write_fd, "wb") as pipe:
            _Sender(pipe, shared_fd).run(folder)
        status = 0
    except SystemExit:  # the window stopped it (SIGTERM)
        status = 0
    except BaseException:  # noqa: BLE001 - the window reads the folder itself
        log.debug("the start-up loader stopped", exc_info=True)
    finally:
        try:
            from rtviewer.dicom.scan import close_pool

            close_pool()  # a large folder's reading processes
        finally:
            os._exit(status)  # never the window's exit handlers


class _Sender:
    """The child's end: one pickler for every message, arrays into the shared file."""

    def __init__(self, pipe: Any, shared_fd: int) -> None:
        self.pipe = pipe
        self.shared_fd = shared_fd
        self.offset = 0
        self.out = io.BytesIO()
        self.buffers: list[pickle.PickleBuffer] = []
        self.pickler = pickle.Pickler(self.out, protocol=5, buffer_callback=self.buffers.append)

    def run(self, folder: Path) -> None:
        from rtviewer.dicom.scan import scan
        from rtviewer.ui.workers.scene_load import load_scene
        from rtviewer.view.chain import window_chain

        result = scan(folder)
        self.send("scan", result)
        chain, _why = window_chain(result)
        if not chain.renderable and chain.plan is None:
            self.send("chain", None)
            return
        self.send("chain", chain)
        loaded = load_scene(chain, partial=lambda partial: self.send("partial", partial))
        self.send("loaded", loaded)

    def send(self, what: str, value: object) -> None:
        """Pickle ``(what, value)`` into the shared file; say where on the pipe.

        Arrays, their table and the pickle go into the file; the pipe gets a fixed
        frame, so it never fills.
        """
        self.out.seek(0)
        self.out.truncate()
        self.buffers.clear()
        self.pickler.dump((what, value))
        start = self._aligned()
        table = array.array("Q")
        for buffer in self.buffers:
            table.extend(self._write(buffer.raw()))
        places_at = self._write(memoryview(table).cast("B"))[0]
        payload_at = self._write(self.out.getbuffer())[0]
        self.pipe.write(_FRAME.pack(start, places_at, len(self.buffers), payload_at,
                                    self.offset))
        self.pipe.flush()

    def _aligned(self) -> int:
        return -(-self.offset // _ALIGN) * _ALIGN

    def _write(self, data: memoryview) -> tuple[int, int]:
        """Append ``data`` to the shared file; its ``(offset, size)``."""
        offset = self._aligned()
        done = 0
        while done < data.nbytes:
            done += os.pwrite(self.shared_fd, data[done:], offset + done)
        self.offset = offset + data.nbytes
        return offset, data.nbytes
