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


def sample_lines_along_axis(
    volume: NDArray[np.floating], ijk_base: FloatArray, axis: int, t: FloatArray,
    group_start: NDArray[np.intp], *, outside: float,
) -> FloatArray:
    """Trilinear samples on lines parallel to one grid axis, sharing in-plane weights.

    Point ``m`` has fractional indices ``ijk_base[m]`` (its component along ``axis`` is
    ignored); its samples are ``t[group_start[m]:group_start[m + 1]]``, positions along
    ``axis`` in index units, each group sorted (ascending or descending).  The bilinear
    value on every grid slice a line crosses is computed once and shared by the samples
    between slices: the same result as :func:`sample_at_indices`, with half the memory
    gathers.

    Parameters
    ----------
    volume : (nk, nj, ni) array
        Values at voxel centres.
    ijk_base : (M, 3) array
        In-plane fractional indices of the lines.
    axis : int
        0, 1 or 2 for ``i``, ``j`` or ``k``.
    t : (P,) array
        Positions along ``axis`` (index units), grouped by line.
    group_start : (M,) intp array
        Start of each line's samples in ``t`` (every line has at least one).
    outside : float, keyword-only
        Value beyond the outermost voxel centres.

    Returns
    -------
    (P,) ndarray
        Interpolated values.
    """
    if len(t) == 0:
        return np.empty(0)
    sizes = volume.shape[::-1]
    counts = np.diff(group_start, append=len(t))
    if sizes[axis] < 2:
        ijk = np.repeat(ijk_base, counts, axis=0)
        ijk[:, axis] = t
        return sample_at_indices(volume, ijk, outside=outside)
    p, q = (a for a in (0, 1, 2) if a != axis)
    strides = (1, sizes[0], sizes[0] * sizes[1])
    p0, fp, in_p = _axis_weights(ijk_base[:, p], sizes[p])
    q0, fq, in_q = _axis_weights(ijk_base[:, q], sizes[q])
    sp = strides[p] if sizes[p] > 1 else 0
    sq = strides[q] if sizes[q] > 1 else 0
    s0 = np.clip(np.floor(t), 0, sizes[axis] - 2).astype(np.intp)
    frac = np.clip(t, 0, sizes[axis] - 1) - s0
    # each group is monotonic, so its slices run between its first and last samples'
    s_ends = s0[group_start], s0[group_start + counts - 1]
    s_first = np.minimum(*s_ends)
    n_slices = np.maximum(*s_ends) - s_first + 2
    table_start = np.cumsum(n_slices) - n_slices
    line_lin = p0 * strides[p] + q0 * strides[q] + (s_first - table_start) * strides[axis]
    lin = np.repeat(line_lin, n_slices) + np.arange(int(n_slices.sum())) * strides[axis]
    wp, wq = np.repeat(fp, n_slices), np.repeat(fq, n_slices)
    up, uq = np.repeat(1 - fp, n_slices), np.repeat(1 - fq, n_slices)  # per line, not per entry
    data = volume.reshape(-1)
    # shifted views instead of shifted index arrays: no index arithmetic per corner
    table = (uq * (up * data.take(lin) + wp * data[sp:].take(lin))
             + wq * (up * data[sq:].take(lin) + wp * data[sp + sq:].take(lin)))
    index = np.repeat(table_start - s_first, counts) + s0
    result: FloatArray = (1 - frac) * table.take(index) + frac * table[1:].take(index)
    top = sizes[axis] - 1 + _EDGE_TOLERANCE
    in_plane = in_p & in_q
    if not (in_plane.all() and t.min() >= -_EDGE_TOLERANCE and t.max() <= top):
        inside = (t >= -_EDGE_TOLERANCE) & (t <= top)
        inside &= np.repeat(in_plane, counts)
        result[~inside] = outside
    return result
