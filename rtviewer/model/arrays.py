"""Read-only numpy arrays for the frozen model objects."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = ["FloatArray", "read_only", "freeze_field", "frozen_array"]

#: The model's array of millimetres, degrees, seconds or weights.
FloatArray = NDArray[np.float64]


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
    return _freeze(np.ascontiguousarray(values, dtype=dtype), ndim, name)


def freeze_field(instance: object, name: str, dtype: DTypeLike, *, ndim: int) -> NDArray[Any]:
    """Replace the array field ``name`` of a frozen dataclass by its :func:`read_only` form.

    For ``__post_init__``: the dataclass is frozen, so the field is set with
    ``object.__setattr__``. Returns the array for further checks.

    Raises
    ------
    ValueError
        When the array does not have ``ndim`` dimensions.
    """
    array = read_only(getattr(instance, name), dtype, ndim=ndim, name=name)
    object.__setattr__(instance, name, array)
    return array


def frozen_array(values: ArrayLike | None, *, ndim: int | None = None) -> FloatArray | None:
    """Return a read-only float64 *copy* of ``values`` (``None`` stays ``None``).

    Unlike :func:`read_only` the caller's array is never frozen in place (readers
    pass arrays they go on using); units are whatever ``values`` holds.

    Raises
    ------
    ValueError
        When ``ndim`` is given and the array has another number of dimensions.
    """
    if values is None:
        return None
    return _freeze(np.array(values, dtype=np.float64), ndim, "array")


def _freeze(array: NDArray[Any], ndim: int | None, name: str) -> NDArray[Any]:
    """Check ``ndim`` and clear the writeable flag (in place)."""
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {array.shape}")
    if array.flags.writeable:
        array.flags.writeable = False
    return array
