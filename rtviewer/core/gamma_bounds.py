"""Reference voxels whose gamma surely exceeds a limit, from bounds of B cell by cell.

Gamma at a reference point ``x`` is ``min_r sqrt(|r|²/DTA² + (B(x + r) − A(x))²/ΔD²)``
(Low et al. 1998).  Points beyond ``|r| = R = L·DTA`` give more than ``L``.  Within, B
is trilinear in each cell of its grid (pymedphys interpolates so), hence between the
cell's smallest and largest corner value, and every point of a cell is at least the
cell's distance ``ρ`` from ``x``; so over one cell gamma is at least
``sqrt(ρ²/DTA² + d²/ΔD²)``, ``d`` the distance of ``A(x)`` from the cell's value range.
The smallest of these over the cells within ``R`` bounds gamma from below: where it
exceeds ``L``, gamma does, without the search (which costs thousands of interpolations
per failing voxel; this costs a few hundred look-ups).  Cells are first split in two
along each axis (a trilinear function is trilinear on each half, so the corner values
of the halves are exact), which halves the slack of the bound.

The bound is conservative: a voxel it cannot decide is searched, so the pass rates are
exactly those of the full search.  No library offers it; it is written here with numpy
(and SciPy's linear ``map_coordinates`` for B at the voxel: the same trilinear
interpolant).
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

__all__ = ["surely_above"]

Axes = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]

#: Largest split copy of B (voxels) made (8 bytes each); beyond it cells are not split
#: (a looser bound, as sound).
_MAX_SPLIT_VOXELS = 16_000_000


def surely_above(reference_gy: NDArray[np.float64], reference_axes: Axes,
                 evaluated_gy: NDArray[np.float64], evaluated_axes: Axes, *,
                 radius_mm: float, tolerance_gy: float | NDArray[np.float64],
                 wanted: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
    """Reference voxels where every point within ``radius`` gives a gamma above ``L``.

    Parameters
    ----------
    reference_gy, evaluated_gy : (nk, nj, ni) float64 ndarray
        A and B, each on its own grid with the same (orthogonal) axes.
    reference_axes, evaluated_axes : tuple of three increasing 1-D float64 ndarray
        Voxel-centre coordinates (mm) along the array axes ``(k, j, i)``, regularly spaced.
    radius_mm : float
        Search radius ``R = L·DTA`` in mm.
    tolerance_gy : float or ndarray like ``reference_gy``
        ``L·ΔD`` in Gy (an array for local gamma).
    wanted : (nk, nj, ni) bool ndarray, optional, keyword-only
        The voxels to decide (e.g. those above the cut-off).  Default: all.

    Returns
    -------
    (nk, nj, ni) bool ndarray
        True where gamma surely exceeds ``L``.  False where undecided, and wherever the
        reference voxel lies outside B's grid (pymedphys leaves it unevaluated when
        its whole search falls outside).
    """
    from scipy import ndimage  # here: the window imports this module at start-up

    result = np.zeros(reference_gy.shape, dtype=bool)
    steps = np.array([_step(ev) for ev in evaluated_axes])
    mesh = np.meshgrid(*[(ref - ev[0]) / s for ref, ev, s in
                         zip(reference_axes, evaluated_axes, steps, strict=True)],
                       indexing="ij", sparse=True)
    inside = np.ones(reference_gy.shape, dtype=bool)
    for position, size in zip(mesh, evaluated_gy.shape, strict=True):
        inside &= (position >= 0) & (position <= size - 1)
    chosen = inside if wanted is None else inside & wanted
    where = np.nonzero(chosen)
    position = np.column_stack([np.broadcast_to(m, reference_gy.shape)[where] for m in mesh])
    a_gy = reference_gy[where]
    tolerance = np.broadcast_to(np.asarray(tolerance_gy, dtype=np.float64),
                                reference_gy.shape)[where]
    # B at the voxel itself within the tolerance: gamma at r = 0 is at most L already
    b_gy = ndimage.map_coordinates(evaluated_gy, position.T, order=1, mode="nearest")
    hard = np.abs(b_gy - a_gy) > tolerance
    if not hard.any():
        return result
    position, a_gy, tolerance = position[hard], a_gy[hard], tolerance[hard]
    low, high, origin, split = _cell_ranges(evaluated_gy, position, steps, radius_mm)
    fine = (position - origin) * split  # in units of split cells
    with np.errstate(divide="ignore", invalid="ignore"):  # local gamma where A is 0: NaN
        bound2 = _lower_bound_squared(fine, a_gy, tolerance, low, high, steps / split,
                                      radius_mm)
    above = bound2 > 1.0 + 1e-9  # gamma² / L² beyond 1, with a hair for rounding
    result[tuple(w[hard][above] for w in where)] = True
    return result


def _step(axis: NDArray[np.float64]) -> float:
    """Spacing of a regular axis in mm (1 for a single voxel: any positive value works)."""
    return float(axis[1] - axis[0]) if axis.size > 1 else 1.0


def _cell_ranges(evaluated_gy: NDArray[np.float64], position: NDArray[np.float64],
                 steps_mm: NDArray[np.float64], radius_mm: float
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int_], int]:
    """Smallest and largest corner value of each (split) cell of B near the positions.

    Returns ``(low, high, origin, split)``: per cell arrays over B cropped to the
    positions' reach (``origin``: the crop's first voxel) and split ``split`` times.
    """
    reach = np.ceil(radius_mm / steps_mm).astype(int) + 1
    shape = np.array(evaluated_gy.shape)
    origin = np.maximum(np.floor(position.min(axis=0)).astype(int) - reach, 0)
    stop = np.minimum(np.ceil(position.max(axis=0)).astype(int) + reach + 1, shape)
    crop = evaluated_gy[tuple(slice(a, b) for a, b in zip(origin, stop, strict=True))]
    split = 2 if crop.size * 8 <= _MAX_SPLIT_VOXELS else 1  # halves along each axis
    if split > 1:
        for axis in range(3):
            crop = _halve_cells(crop, axis)
    n = np.array(crop.shape) - 1
    corners = [crop[dk:dk + n[0], dj:dj + n[1], di:di + n[2]]
               for dk, dj, di in itertools.product((0, 1), repeat=3)]
    return (np.minimum.reduce(corners), np.maximum.reduce(corners), origin, split)


def _halve_cells(values: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
    """Values at the voxels and half-way between them along ``axis`` (linear).

    Done along each axis in turn, this gives the trilinear interpolant at every half
    voxel: trilinear interpolation is linear interpolation along each axis in turn.
    """
    shape = list(values.shape)
    shape[axis] = 2 * shape[axis] - 1
    out = np.empty(shape)
    whole = [slice(None)] * 3
    whole[axis] = slice(0, None, 2)
    out[tuple(whole)] = values
    whole[axis] = slice(1, None, 2)
    low, high = [slice(None)] * 3, [slice(None)] * 3
    low[axis], high[axis] = slice(0, -1), slice(1, None)
    out[tuple(whole)] = 0.5 * (values[tuple(low)] + values[tuple(high)])
    return out


def _lower_bound_squared(position: NDArray[np.float64], a_gy: NDArray[np.float64],
                         tolerance: NDArray[np.float64], low: NDArray[np.float64],
                         high: NDArray[np.float64], steps_mm: NDArray[np.float64],
                         radius_mm: float) -> NDArray[np.float64]:
    """``min over cells within R of (ρ² / R² + d² / tolerance²)``, per position.

    ``position`` in cell units of ``low`` / ``high``.  Gamma exceeds ``L`` wherever
    the result exceeds 1.
    """
    reach = np.ceil(radius_mm / steps_mm).astype(int) + 1
    # padding: cells off B hold an empty range (+inf, -inf), so they never lower the bound
    low = np.pad(low, [(r, r) for r in reach], constant_values=np.inf)
    high = np.pad(high, [(r, r) for r in reach], constant_values=-np.inf)
    base = np.floor(position).astype(np.intp)
    fraction = position - base
    flat = np.ravel_multi_index(tuple((base + reach).T), low.shape)
    strides = np.array(low.strides) // low.itemsize
    low_flat, high_flat = low.ravel(), high.ravel()
    # squared distance (in R²) from each position to the cells at each offset, per axis
    gaps = [{o: (np.maximum(np.maximum(o - f, f - o - 1), 0) * step / radius_mm) ** 2
             for o in range(-r, r)} for f, step, r in zip(fraction.T, steps_mm, reach,
                                                            strict=True)]
    bound = np.full(len(position), np.inf)
    for offset in itertools.product(*[range(-r, r) for r in reach]):
        nearest_mm = np.maximum(np.abs(np.array(offset)) - 1, 0) * steps_mm
        if float(nearest_mm @ nearest_mm) > radius_mm**2:
            continue  # no position in its cell reaches this cell
        index = flat + int(np.dot(offset, strides))
        d = np.maximum(np.maximum(low_flat[index] - a_gy, a_gy - high_flat[index]), 0.0)
        rho2 = gaps[0][offset[0]] + gaps[1][offset[1]] + gaps[2][offset[2]]
        np.minimum(bound, rho2 + (d / tolerance) ** 2, out=bound)
    return bound
