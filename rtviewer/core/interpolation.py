"""Trilinear sampling of a volume at patient points, and resampling onto another grid.

Voxel values sit at voxel centres (``Grid`` index ``(i, j, k)``), so a point exactly on
a voxel centre returns that voxel's value: there is no half-voxel shift.  Points beyond
the outermost voxel centres (by more than ``1e-6`` voxel) get the caller's explicit
``outside`` value; the grid is not extrapolated.

Written with numpy rather than ``scipy.ndimage.map_coordinates`` because core is
limited to numpy and scikit-image, and because a gather of the 8 neighbours on the
flattened array is as fast for the point counts used here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.grid import Grid

__all__ = ["resample_to_grid", "sample_at_indices", "trilinear_sample"]

FloatArray = NDArray[np.float64]

_EDGE_TOLERANCE = 1e-6


def _check_volume(volume: NDArray[np.floating], grid: Grid) -> None:
    if volume.ndim != 3 or tuple(volume.shape) != grid.shape:
        raise ValueError(f"volume shape {volume.shape} does not match grid shape {grid.shape}")


def _axis_weights(
    position: FloatArray, size: int
) -> tuple[NDArray[np.intp], FloatArray, NDArray[np.bool_]]:
    """Lower neighbour index, weight of the upper neighbour, inside flag along one axis."""
    inside = (position >= -_EDGE_TOLERANCE) & (position <= size - 1 + _EDGE_TOLERANCE)
    if size == 1:
        return np.zeros(position.shape, np.intp), np.zeros(position.shape), inside
    clipped = np.clip(position, 0.0, size - 1.0)
    lower = np.minimum(clipped.astype(np.intp), size - 2)
    return lower, clipped - lower, inside


def sample_at_indices(
    volume: NDArray[np.floating], ijk: ArrayLike, *, outside: float
) -> FloatArray:
    """Trilinear interpolation at fractional voxel indices.

    Parameters
    ----------
    volume : (nk, nj, ni) array
        Values at voxel centres, indexed ``[k, j, i]``.
    ijk : (..., 3) array_like
        Fractional indices ordered ``(i, j, k)``; integers are voxel centres.
    outside : float, keyword-only
        Value for points beyond the outermost voxel centres.

    Returns
    -------
    ndarray, (...)
        Interpolated values (float64).
    """
    idx = np.asarray(ijk, dtype=np.float64)
    nk, nj, ni = volume.shape
    shape = idx.shape[:-1]
    flat = idx.reshape(-1, 3)
    i0, fi, in_i = _axis_weights(flat[:, 0], ni)
    j0, fj, in_j = _axis_weights(flat[:, 1], nj)
    k0, fk, in_k = _axis_weights(flat[:, 2], nk)
    data = volume.reshape(-1)
    si = 1 if ni > 1 else 0
    sj = ni if nj > 1 else 0
    sk = ni * nj if nk > 1 else 0
    base = (k0 * nj + j0) * ni + i0
    result = np.zeros(len(flat))
    for dk, wk in ((0, 1.0 - fk), (sk, fk)):
        for dj, wj in ((0, 1.0 - fj), (sj, fj)):
            w = wk * wj
            result += w * ((1.0 - fi) * data[base + dk + dj] + fi * data[base + dk + dj + si])
    result[~(in_i & in_j & in_k)] = outside
    return result.reshape(shape)


def trilinear_sample(
    volume: NDArray[np.floating], grid: Grid, points_mm: ArrayLike, *, outside: float
) -> FloatArray:
    """Trilinear interpolation of a volume at patient points.

    Parameters
    ----------
    volume : (nk, nj, ni) array
        Values at the voxel centres of ``grid``, indexed ``[k, j, i]``.
    grid : Grid
        Geometry of ``volume`` (any orientation, oblique included).
    points_mm : (..., 3) array_like
        Patient ``(x, y, z)`` in mm.
    outside : float, keyword-only
        Value for points beyond the outermost voxel centres (e.g. ``0.0`` or ``nan``).

    Returns
    -------
    ndarray, (...)
        Values at the points (float64).

    Examples
    --------
    >>> g = Grid(affine=np.diag([2.0, 2.0, 2.0, 1.0]), shape=(2, 2, 2))
    >>> v = np.arange(8.0).reshape(2, 2, 2)  # value = 4k + 2j + i
    >>> float(trilinear_sample(v, g, [1.0, 1.0, 1.0], outside=np.nan))
    3.5
    """
    _check_volume(volume, grid)
    return sample_at_indices(volume, grid.patient_to_index(points_mm), outside=outside)


def resample_to_grid(
    volume: NDArray[np.floating],
    grid: Grid,
    target: Grid,
    *,
    outside: float,
    dtype: type = np.float32,
) -> NDArray[np.floating]:
    """Resample a volume onto the voxel centres of another grid, slice by slice.

    Parameters
    ----------
    volume : (nk, nj, ni) array
        Values on ``grid``.
    grid, target : Grid
        Source and target geometries (patient coordinates must be shared).
    outside : float, keyword-only
        Value for target voxels outside the source's voxel centres.
    dtype : numpy dtype, keyword-only
        dtype of the result (float32 by default to keep memory low).

    Returns
    -------
    ndarray, target.shape
        The resampled values, indexed ``[k, j, i]`` on ``target``.
    """
    _check_volume(volume, grid)
    nk, nj, ni = target.shape
    out: NDArray[np.floating] = np.empty(target.shape, dtype=dtype)
    jj, ii = np.meshgrid(np.arange(nj, dtype=np.float64), np.arange(ni, dtype=np.float64),
                         indexing="ij")
    # Composite map target index -> source index, applied one target slice at a time.
    composite = grid.inverse_affine @ target.affine
    for k in range(nk):
        ijk = (ii[..., None] * composite[:3, 0] + jj[..., None] * composite[:3, 1]
               + (k * composite[:3, 2] + composite[:3, 3]))
        out[k] = sample_at_indices(volume, ijk, outside=outside)
    return out
