"""Plan sums: weighted sums of dose distributions stored on different grids.

Core knows nothing of DICOM, so a component carries its Dose Summation Type and
referenced plan as plain strings.  A PLAN (or FRACTION) dose already contains its own
BEAM doses: adding both counts those beams twice, so :func:`sum_doses` refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import resample_to_grid

__all__ = ["DoseComponent", "check_summable", "covering_grid", "sum_doses"]

#: Summation types that already include every beam of their plan.
_WHOLE_PLAN_TYPES = frozenset({"PLAN", "FRACTION", "MULTI_PLAN"})
#: Summation types that are a part of a plan.
_PART_TYPES = frozenset({"BEAM", "BEAM_SESSION", "CONTROL_POINT"})


@dataclass(frozen=True, eq=False)
class DoseComponent:
    """One dose distribution in a sum.

    Attributes
    ----------
    dose_gy : (nk, nj, ni) ndarray
        Dose in Gy on ``grid``, indexed ``[k, j, i]``.
    grid : Grid
        Geometry of ``dose_gy``.
    weight : float
        Multiplier (e.g. number of fractions, or 1.0).
    summation_type : str
        DICOM Dose Summation Type (``"PLAN"``, ``"BEAM"``, ``"FRACTION"`` …).
    plan_uid : str or None
        SOP Instance UID of the referenced RT Plan, when known.
    """

    dose_gy: NDArray[np.floating]
    grid: Grid
    weight: float = 1.0
    summation_type: str = "PLAN"
    plan_uid: str | None = None


def check_summable(components: Sequence[DoseComponent]) -> None:
    """Raise ``ValueError`` when a whole-plan dose is summed with a part of the same plan.

    Parameters
    ----------
    components : sequence of DoseComponent
        The doses to add.
    """
    whole = {c.plan_uid for c in components
             if c.plan_uid and c.summation_type.upper() in _WHOLE_PLAN_TYPES}
    for c in components:
        if c.plan_uid in whole and c.summation_type.upper() in _PART_TYPES:
            raise ValueError(
                f"components: a {c.summation_type} dose of plan {c.plan_uid} cannot be added "
                "to that plan's PLAN dose, which already contains it")


def covering_grid(grids: Sequence[Grid], *, tolerance_mm: float = 1e-3,
                  axes: NDArray[np.float64] | None = None) -> Grid:
    """The finest grid, in the first grid's axes, whose voxel centres cover every grid.

    Parameters
    ----------
    grids : sequence of Grid
        The component grids (one Frame of Reference).
    tolerance_mm : float, keyword-only
        Extents within this of a whole number of steps are not rounded up to one more
        voxel (floating-point noise in Image Position).
    axes : (3, 3) ndarray, optional, keyword-only
        Unit ``i, j, k`` directions of the result as columns (default: those of
        ``grids[0]``), e.g. to put a dose on the axes of another grid.

    Returns
    -------
    Grid
        Axes (directions) of ``grids[0]`` or ``axes``; step along each axis the smallest
        step any grid has along it; origin and shape spanning the union of all grids' voxel centres.
        When every grid is the same, ``grids[0]`` itself.

    Examples
    --------
    >>> a = Grid(affine=np.diag([2.0, 2.0, 3.0, 1.0]), shape=(3, 4, 5))
    >>> b = Grid(affine=np.diag([1.0, 4.0, 3.0, 1.0]), shape=(2, 2, 2))
    >>> c = covering_grid([a, b])
    >>> c.spacing_mm, c.shape
    ((1.0, 2.0, 3.0), (3, 4, 9))
    """
    if not grids:
        raise ValueError("grids: no grid to cover")
    first = grids[0]
    same_axes = axes is None or np.allclose(axes, first.directions, atol=1e-9)
    if same_axes and all(g.same_geometry(first, tolerance_mm=1e-6) for g in grids):
        return first
    axes = first.directions if axes is None else np.asarray(axes, dtype=np.float64)
    steps = np.array([_finest_step(g, axes[:, n]) for n in range(3) for g in grids])
    step = steps.reshape(3, len(grids)).min(axis=1)
    corners = np.concatenate([g.corners_mm() for g in grids]) @ axes  # in first's axes
    low, high = corners.min(axis=0), corners.max(axis=0)
    counts = np.floor((high - low) / step + tolerance_mm / step).astype(int) + 1
    affine = np.eye(4)
    affine[:3, :3] = axes * step
    affine[:3, 3] = axes @ low
    ni, nj, nk = (int(n) for n in counts)
    return Grid(affine=affine, shape=(nk, nj, ni),
                frame_of_reference_uid=first.frame_of_reference_uid)


def _finest_step(grid: Grid, axis: NDArray[np.float64]) -> float:
    """Sampling step of ``grid`` along a unit ``axis``: its finest step not orthogonal to it."""
    projections = np.abs(grid.directions.T @ axis)
    spacing = np.array(grid.spacing_mm)
    # A grid axis at angle θ to ``axis`` samples it every spacing / cos θ.
    useful = projections > 1e-6
    return float(np.min(spacing[useful] / projections[useful]))


def sum_doses(
    components: Sequence[DoseComponent], target: Grid, *, outside_gy: float = 0.0
) -> NDArray[np.float32]:
    """Weighted sum of doses resampled (trilinearly) onto one grid.

    Parameters
    ----------
    components : sequence of DoseComponent
        The doses; each is resampled onto ``target`` (no copy when the grid is the same).
    target : Grid
        Grid of the result.
    outside_gy : float, keyword-only
        Dose assumed where a target voxel lies outside a component's grid.

    Returns
    -------
    float32 ndarray, target.shape
        ``Σ weight · dose`` in Gy.
    """
    if not components:
        raise ValueError("components: nothing to sum")
    check_summable(components)
    total = np.zeros(target.shape, dtype=np.float32)
    for c in components:
        if c.grid.same_geometry(target, tolerance_mm=1e-6):
            total += np.float32(c.weight) * c.dose_gy.astype(np.float32, copy=False)
        else:
            total += np.float32(c.weight) * resample_to_grid(c.dose_gy, c.grid, target,
                                                             outside=outside_gy)
    return total
