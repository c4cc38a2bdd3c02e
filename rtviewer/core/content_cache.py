"""A small least-recently-used cache keyed by the *content* of numpy arrays.

A structure's solid is built from its contours by the reader (for the ROI's volume),
again by the DVH engine, again by the CLI's model-dependence note and by the viewer's
scene: the same arrays, the same work (about a tenth of ``rtviewer dvh``'s time on the
30-ROI benchmark).  Keying by a digest of the bytes -- not by object identity -- is
correct whatever the caller does with its arrays afterwards; hashing is a few
milliseconds for a whole structure set.  The cache is bounded by a cost the caller
gives (e.g. the number of contour vertices), so memory stays small.

Written here because ``functools.lru_cache`` can neither hash numpy arrays nor bound
a cache by anything but the number of entries.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["ContentCache", "arrays_digest"]

T = TypeVar("T")


def arrays_digest(arrays: Sequence[NDArray[np.generic]]) -> bytes:
    """A 128-bit digest of the arrays' dtypes, shapes and values, in order.

    Examples
    --------
    >>> a = np.arange(6.0).reshape(2, 3)
    >>> arrays_digest([a]) == arrays_digest([a.copy()]) != arrays_digest([a.T])
    True
    """
    digest = hashlib.blake2b(digest_size=16)
    for array in arrays:
        contiguous = np.ascontiguousarray(array)
        digest.update(f"{contiguous.dtype.str}{contiguous.shape};".encode())
        digest.update(contiguous.data)
    return digest.digest()


class ContentCache(Generic[T]):
    """Least-recently-used values by key, holding at most ``max_cost`` in total.

    Parameters
    ----------
    max_cost : int
        Largest total cost of the values kept (a value costlier than this is never kept).
    """

    def __init__(self, max_cost: int) -> None:
        self._max_cost = max_cost
        self._entries: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._cost = 0
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T], cost: int) -> T:
        """The value cached under ``key``, else ``build()`` (then kept when it fits).

        ``build`` runs outside the lock: two threads missing the same key both build,
        and either result is kept (they are equal by construction).
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]
        value = build()
        if cost > self._max_cost:
            return value
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, cost)
                self._cost += cost
            while self._cost > self._max_cost:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._cost -= dropped
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._cost = 0
