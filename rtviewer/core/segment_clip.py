"""Where a linear function along segments stays within bounds (Liang-Barsky in 1-D).

Used to cut contour edges to a slab's band and brachy channels to a view's slab:
a height or depth that varies linearly along each segment is kept in ``[low, high]``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["inside_interval"]

FloatArray = NDArray[np.float64]


def inside_interval(f0: FloatArray, f1: FloatArray, low: FloatArray | float,
                    high: FloatArray | float) -> tuple[FloatArray, FloatArray]:
    """Segment parameters ``[first, last]`` (0 at ``f0``, 1 at ``f1``) where ``low <= f <= high``.

    Parameters
    ----------
    f0, f1 : ndarray, (N,)
        The function at each segment's start and end.
    low, high : float or ndarray, (N,)
        Bounds (may be infinite).

    Returns
    -------
    first, last : ndarray, (N,)
        The kept part; a segment with ``last <= first`` keeps nothing.

    Examples
    --------
    >>> inside_interval(np.array([-4.0]), np.array([4.0]), -1.0, 1.0)
    (array([0.375]), array([0.625]))
    """
    step = f1 - f0
    flat = np.abs(step) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = (low - f0) / step, (high - f0) / step
    inside = (f0 >= low) & (f0 <= high)
    first = np.where(flat, np.where(inside, 0.0, 1.0), np.maximum(0.0, np.minimum(a, b)))
    last = np.where(flat, np.where(inside, 1.0, 0.0), np.minimum(1.0, np.maximum(a, b)))
    return first, last
