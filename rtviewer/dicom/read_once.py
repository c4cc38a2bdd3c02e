"""Read each RT object once within a run (a report reads the same files from several places).

Inside ``with reading_once():`` a reader wrapped by :func:`once` returns the object it
read before for the same file, instead of parsing it again.  Outside such a block
(the window, other commands) every call reads the file: a viewer must see a file that
changed on disk.  The objects are frozen dataclasses and carry their findings
(warnings captured at reading), so a second user sees exactly what the first did.
A failed read is not remembered: the next caller gets the same exception afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from rtviewer.model.kind import Kind

__all__ = ["once", "reading_once"]

T = TypeVar("T")

_CACHE: ContextVar[dict[tuple[Kind, Path], object] | None] = ContextVar(
    "rtviewer_read_once", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within the block, each file is read once per reader (a fresh cache per block)."""
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def once(kind: Kind, path: Path, read: Callable[[], T]) -> T:
    """``read()``, or what it returned before for ``(kind, path)`` inside :func:`reading_once`."""
    cache = _CACHE.get()
    if cache is None:
        return read()
    key = (kind, path.resolve())
    if key not in cache:
        cache[key] = read()
    return cache[key]  # type: ignore[return-value]
