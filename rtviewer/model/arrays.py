"""Read-only numpy arrays for the frozen model objects."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = ["read_only"]


def read_only(values: ArrayLike, dtype: DTypeLike, *, ndim: int | None = None,
              name: str = "array") -> NDArray[Any]:
    """Return ``values`` as a C-contiguous array of ``dtype`` that cannot be written.

    The model takes ownership: an array that already has the right dtype and
    layout is frozen in place rather than copied (volumes are large).

    Parameters
    ----------
    values : array_like
        The data; copied only when its dtype or layout differs.
    dtype : dtype
        The dtype the model promises (``float32`` for voxels, ``float64`` for mm).
    ndim : int, optional
        Required number of dimensions.
    name : str
        Used in the error message.

    Raises
    ------
    ValueError
        When ``ndim`` is given and does not match.
    """
    array = np.ascontiguousarray(values, dtype=dtype)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {array.shape}")
    if array.flags.writeable:
        array.flags.writeable = False
    return array
