"""Stack slices at measured positions into a regular grid, saying what was done.

Image series and RT Dose frames both arrive as 2-D planes at positions along
the slice normal. A :class:`~rtviewer.core.grid.Grid` needs one constant step,
so this module decides, from the positions alone, how the planes map to ``k``:

* ``regular``: every plane within a small tolerance of ``first + k * step``;
* ``gaps``: planes sit on the regular lattice but some lattice positions have
  no plane (missing slices) — the caller chooses a constant fill (images: the
  lowest value, visibly empty, never invented anatomy) or linear interpolation
  (dose, which is smooth);
* ``resample``: positions that fit no lattice — planes are linearly
  interpolated along the normal onto a regular step (with a finding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["StackPlan", "plan_stack", "assemble_stack"]

#: positions closer than this (mm) to the lattice count as on it
ABSOLUTE_TOLERANCE_MM = 0.01
#: ... or closer than this fraction of the step
RELATIVE_TOLERANCE = 0.02


@dataclass(frozen=True)
class StackPlan:
    """How measured planes map onto a regular ``k`` axis.

    Parameters
    ----------
    mode : str
        ``"regular"``, ``"gaps"`` or ``"resample"``.
    step_mm : float
        Signed step between consecutive ``k`` along the measured axis.
    n_slices : int
        Number of ``k`` positions of the regular grid.
    k_of_plane : tuple of int
        For ``regular`` and ``gaps``: the ``k`` of each input plane.
    offsets_mm : tuple of float
        The measured offsets of the input planes from the first one.
    max_deviation_mm : float
        Largest distance of a plane from its lattice position.
    """

    mode: str
    step_mm: float
    n_slices: int
    k_of_plane: tuple[int, ...]
    offsets_mm: tuple[float, ...]
    max_deviation_mm: float

    @property
    def missing_k(self) -> tuple[int, ...]:
        """``k`` positions without a plane (``gaps`` mode)."""
        present = set(self.k_of_plane)
        return tuple(k for k in range(self.n_slices) if k not in present)


def plan_stack(offsets_mm: Sequence[float]) -> StackPlan:
    """Decide how planes at ``offsets_mm`` (monotonic, first 0) become a regular grid.

    Parameters
    ----------
    offsets_mm : sequence of float
        Signed positions of the planes along the slice axis relative to the
        first plane, strictly monotonic, at least two.

    Returns
    -------
    StackPlan

    Raises
    ------
    ValueError
        Fewer than two planes, or offsets not strictly monotonic.
    """
    offsets = np.asarray(offsets_mm, dtype=np.float64) - float(offsets_mm[0])
    diffs = np.diff(offsets)
    if offsets.size < 2:
        raise ValueError("at least two planes are needed")
    if not (np.all(diffs > 0) or np.all(diffs < 0)):
        raise ValueError("plane offsets must be strictly monotonic")
    step = float(np.median(diffs))
    # the smallest step decides the lattice when gaps make the median larger
    smallest = float(diffs[np.argmin(np.abs(diffs))])
    tolerance = max(ABSOLUTE_TOLERANCE_MM, RELATIVE_TOLERANCE * abs(smallest))
    offsets_t = tuple(float(v) for v in offsets)
    uniform_step = float(offsets[-1]) / (offsets.size - 1)
    uniform = offsets - uniform_step * np.arange(offsets.size)
    if np.max(np.abs(uniform)) <= tolerance:
        ks = tuple(range(offsets.size))
        return StackPlan("regular", uniform_step, offsets.size, ks, offsets_t,
                         float(np.max(np.abs(uniform))))
    k_float = offsets / smallest
    k_int = np.rint(k_float).astype(int)
    deviation = np.abs(offsets - k_int * smallest)
    if np.max(deviation) <= tolerance and len(set(k_int.tolist())) == offsets.size:
        n = int(k_int[-1]) + 1
        lattice_step = float(offsets[-1]) / (n - 1)
        return StackPlan("gaps", lattice_step, n, tuple(int(k) for k in k_int), offsets_t,
                         float(np.max(deviation)))
    n = int(round(abs(float(offsets[-1]) / step))) + 1
    resample_step = float(offsets[-1]) / (n - 1)
    lattice = resample_step * np.arange(n)
    nearest = np.min(np.abs(offsets[:, None] - lattice[None, :]), axis=1)
    return StackPlan("resample", resample_step, n, (), offsets_t, float(np.max(nearest)))


def assemble_stack(planes: Sequence[NDArray[np.floating]], plan: StackPlan, *,
                   gap_fill: float | None = None) -> NDArray[np.float32]:
    """Build the ``(k, j, i)`` float32 volume from 2-D planes following ``plan``.

    Parameters
    ----------
    planes : sequence of (rows, columns) arrays
        In the order of ``plan.offsets_mm``.
    plan : StackPlan
        From :func:`plan_stack`.
    gap_fill : float or None, keyword-only
        ``gaps`` mode: the value of missing planes; None interpolates them.

    Returns
    -------
    ndarray, (plan.n_slices, rows, columns) float32
        Measured planes as they are; ``resample`` (and unfilled gaps): each
        regular position linearly interpolated between the two nearest planes.
    """
    rows, columns = planes[0].shape
    fill = np.nan if gap_fill is None else gap_fill
    volume = np.full((plan.n_slices, rows, columns), fill, dtype=np.float32)
    if plan.mode == "regular" or (plan.mode == "gaps" and gap_fill is not None):
        for k, plane in zip(plan.k_of_plane, planes, strict=True):
            volume[k] = plane
        return volume
    offsets = np.asarray(plan.offsets_mm) * np.sign(plan.step_mm)
    for k in range(plan.n_slices):
        target = abs(plan.step_mm) * k
        upper = int(np.clip(np.searchsorted(offsets, target), 1, len(offsets) - 1))
        lower = upper - 1
        weight = (target - offsets[lower]) / (offsets[upper] - offsets[lower])
        weight = float(np.clip(weight, 0.0, 1.0))
        volume[k] = (1.0 - weight) * planes[lower] + weight * planes[upper]
    return volume
