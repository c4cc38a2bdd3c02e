"""Scan a folder: every file accounted for, headers only, with a per-file cache.

``scan(root)`` walks the folder (:mod:`rtviewer.dicom.discover`), reads each regular
file's header into a plain record (:mod:`rtviewer.dicom.header`) -- or takes it from
the cache when size and mtime are unchanged -- and builds the patient → study →
series → instance index with resolved references (:mod:`rtviewer.dicom.index_builder`).
Large folders are read by a small process pool (parsing is CPU-bound in Python).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import Any

from rtviewer.dicom.discover import FoundFile, discover
from rtviewer.dicom.header import PREFIX_BYTES, read_record
from rtviewer.dicom.index_builder import build_index
from rtviewer.dicom.scan_cache import load_cache, load_index, save_cache, save_index
from rtviewer.errors import UnreadableFileError
from rtviewer.model.index import ScanResult
from rtviewer.process_pool import PoolBroken, ProcessPool

__all__ = ["scan", "close_pool", "POOL_THRESHOLD"]

#: Fewer files than this to read are read in-process (a pool costs ~0.2 s to start).
POOL_THRESHOLD = 600
_CHUNK = 64
_log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool] | threading.Event | None


def _cancel_fn(cancel: Cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def _prefetch(items: list[tuple[str, int]]) -> None:
    """Ask the kernel to start reading every header of the chunk at once.

    On a cold cache the scan waits on one small read per file; announcing them all
    (``POSIX_FADV_WILLNEED``, asynchronous) lets the disk serve them in parallel.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path, _size in items:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            advise(fd, 0, PREFIX_BYTES, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def _read_chunk(items: list[tuple[str, int]]) -> list[tuple[str, dict[str, Any]]]:
    """Read a chunk of files (runs in a worker process)."""
    _prefetch(items)
    return [(path, _safe_read(path, size)) for path, size in items]


def _safe_read(path: str, size: int) -> dict[str, Any]:
    try:
        return read_record(path, size)
    except Exception as exc:  # noqa: BLE001 - a bad file must never stop the scan
        # One line for the user (the file becomes a problem entry); the traceback only
        # for a developer who turns on debug logging.
        _log.error("unexpected failure reading %s (%s: %s)", path, type(exc).__name__, exc)
        _log.debug("traceback of the failure reading %s", path, exc_info=True)
        return {"status": "problem", "reason": f"unexpected error ({type(exc).__name__}: {exc})"}


def _chunks(files: list[FoundFile]) -> Iterator[list[tuple[str, int]]]:
    for i in range(0, len(files), _CHUNK):
        yield [(f.path, f.size) for f in files[i:i + _CHUNK]]


def _workers(requested: int | None) -> int:
    if requested is not None:
        return max(1, requested)
    return min(2, os.cpu_count() or 1)


_POOL: ProcessPool | None = None
_POOL_WORKERS = 0
_POOL_LOCK = threading.Lock()


def _pool(workers: int) -> ProcessPool:
    """A process pool kept until :func:`close_pool` (starting one costs ~0.3 s)."""
    global _POOL, _POOL_WORKERS
    with _POOL_LOCK:
        if _POOL is None or _POOL.stopped is not None or workers != _POOL_WORKERS:
            if _POOL is not None:
                _POOL.close(wait=False)
            # the forkserver imports the readers once and forks ready workers from it
            _POOL = ProcessPool(workers, preload=["rtviewer.dicom.header",
                                                  "rtviewer.dicom.header_full"],
                                name="scan")
            _POOL_WORKERS = workers
        return _POOL


def close_pool() -> None:
    """Stop the reading processes and join them (end of a command, window closed)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.close()


def _read_pooled(files: list[FoundFile], workers: int, tick: Callable[[int], bool]
                 ) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    pool = _pool(workers)
    chunks = iter(_chunks(files))
    pending: set[Future[list[tuple[str, dict[str, Any]]]]] = set()
    try:
        for chunk in chunks:
            pending.add(pool.submit(_read_chunk, chunk))
            if len(pending) >= 4 * workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                results = fut.result()
                out.update(results)
                if not tick(len(results)):
                    for other in pending:
                        other.cancel()
                    return out
                nxt = next(chunks, None)
                if nxt is not None:
                    pending.add(pool.submit(_read_chunk, nxt))
    except PoolBroken as broken:
        # the broken pool is closed (its workers killed), never recovered: the rest of
        # the folder is read here
        _log.warning("the reading processes stopped (%s); reading the rest in-process", broken)
        pool.close(wait=False)
        rest = [f for f in files if f.path not in out]
        out.update(_read_serial(rest, tick))
    return out


def _read_serial(files: list[FoundFile], tick: Callable[[int], bool]
                 ) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(files):
        out.update(_read_chunk(chunk))
        if not tick(len(chunk)):
            break
    return out


def _check_root(root: str | Path) -> str:
    root_abs = os.path.abspath(os.fspath(root))
    try:
        os.stat(root_abs)
    except FileNotFoundError:
        raise UnreadableFileError("no such file or folder", path=root_abs) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read ({exc.strerror or exc})", path=root_abs) from None
    if not os.access(root_abs, os.R_OK) or (os.path.isdir(root_abs)
                                           and not os.access(root_abs, os.X_OK)):
        raise UnreadableFileError("permission denied", path=root_abs)
    return root_abs


def scan(root: str | Path, progress: Progress | None = None, cancel: Cancel = None, *,
         use_cache: bool = True, workers: int | None = None) -> ScanResult:
    """Scan a folder (or one file) for DICOM objects.

    Parameters
    ----------
    root : str or Path
        A folder, scanned recursively, or a single file.
    progress : callable(done, total), optional
        Called as files are accounted for (from the calling thread).
    cancel : callable returning bool, or threading.Event, optional
        When true/set, the scan stops early and returns what it has (``cancelled``).
    use_cache : bool, keyword-only
        Read and update the per-root index cache.
    workers : int, keyword-only
        Processes for reading (default: up to 2); 1 reads in-process.

    Returns
    -------
    ScanResult
        Every regular file under ``root`` as an instance, skipped file or problem.

    Raises
    ------
    UnreadableFileError
        ``root`` does not exist or cannot be read.
    """
    root_abs = _check_root(root)
    is_cancelled = _cancel_fn(cancel)
    base = root_abs if os.path.isdir(root_abs) else os.path.dirname(root_abs)
    found = discover(root_abs, is_cancelled)
    fingerprint = (root_abs, [(f.path, f.size, f.mtime_ns) for f in found.files],
                   found.skipped, found.problems)
    if use_cache and not found.cancelled:
        unchanged = load_index(base, fingerprint)
        if isinstance(unchanged, ScanResult):
            if progress is not None:
                progress(len(found.files), len(found.files))
            return unchanged
    cached = load_cache(base) if use_cache else {}
    records, n_read = _read_records(found.files, cached, progress, is_cancelled,
                                    _workers(workers))
    cancelled = found.cancelled or is_cancelled() or len(records) < len(found.files)
    if use_cache and (n_read or len(cached) != len(found.files)):
        # A single file updates its folder's cache; a whole folder replaces it.
        _update_cache(base, found.files, records, cached,
                      full=not cancelled and base == root_abs)
    result = build_index(Path(base), records, found.skipped, found.problems,
                         cancelled=cancelled)
    # Problems are re-checked on every scan (a permission fix changes no mtime).
    if use_cache and not cancelled and not result.problems and base == root_abs:
        save_index(base, fingerprint, result)
    return result


def _read_records(files: list[FoundFile], cached: dict[str, Any], progress: Progress | None,
                  is_cancelled: Callable[[], bool], n_workers: int
                  ) -> tuple[dict[str, dict[str, Any]], int]:
    """Records for every file: from the cache when size and mtime match, else read."""
    records: dict[str, dict[str, Any]] = {}
    to_read: list[FoundFile] = []
    for f in files:
        entry = cached.get(f.path)
        if entry and entry.get("size") == f.size and entry.get("mtime_ns") == f.mtime_ns:
            records[f.path] = entry["record"]
        else:
            to_read.append(f)
    total = len(files)
    done = [len(records)]

    def tick(n: int) -> bool:
        done[0] += n
        if progress is not None:
            progress(done[0], total)
        return not is_cancelled()

    if progress is not None:
        progress(done[0], total)
    if len(to_read) >= POOL_THRESHOLD and n_workers > 1 and not is_cancelled():
        records.update(_read_pooled(to_read, n_workers, tick))
    elif not is_cancelled():
        records.update(_read_serial(to_read, tick))
    return records, len(to_read)


def _update_cache(base: str, files: list[FoundFile], records: dict[str, dict[str, Any]],
                  old: dict[str, Any], *, full: bool) -> None:
    """Write the cache: problems are not cached (a permission fix must be seen)."""
    entries = {} if full else dict(old)
    for f in files:
        rec = records.get(f.path)
        if rec is not None and rec["status"] != "problem":
            entries[f.path] = {"size": f.size, "mtime_ns": f.mtime_ns, "record": rec}
    save_cache(base, entries)
