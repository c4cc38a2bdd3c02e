"""Dose sampled over a structure's solid: the integration engine behind every DVH.

The solid is the slab model (:mod:`rtviewer.core.slab_model`).  In each contour plane,
rows of pitch ``h`` cross the even-odd region; the exact spans along each row are cut
into pieces no longer than ``h`` (:func:`~rtviewer.core.rasterise.in_plane_samples`).
Rows are shifted from plane to plane by a golden-ratio sequence so that sample
positions do not form a staircase that a dose gradient would turn into steps.

Along the normal each in-plane sample becomes a line segment through its slab, cut at
every dose-grid plane it crosses (when the dose grid has an axis along the normal, the
usual case) or into pieces of at most half a dose step (oblique grids).  The dose is
evaluated trilinearly at the cut points (voxel centres, no half-voxel shift); on each
piece it is linear, and the piece contributes a *uniform* dose distribution between its
end values -- exact for the trilinear dose along that line, so contour spacing never
turns into dose steps.

Sample volumes are scaled per plane to add up to exactly the model's volume, hence the
DVH's total volume equals :func:`~rtviewer.core.structure_volume.structure_volume_cc`.
The pitch is a quarter of the finest dose step, at most 1/30 of the structure's size
(sub-voxel sampling for small structures), coarsened to fit ``max_samples`` evaluations.
Dmin and Dmax also use the dose at every contour vertex on both faces of its slab: the
region's corners, where a dose linear across the region has its exact extremes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import sample_at_indices, sample_lines_along_axis
from rtviewer.core.rasterise import model_samples
from rtviewer.core.slab_model import SlabModel, SlabPlane
from rtviewer.core.small_linalg import apply_affine

__all__ = ["DoseSamples", "SamplingPlan", "choose_sampling", "sample_dose"]

FloatArray = NDArray[np.float64]

#: Default cap on dose evaluations per structure.
DEFAULT_MAX_SAMPLES = 50_000


@dataclass(frozen=True)
class SamplingPlan:
    """Sampling resolution for one structure.

    Attributes
    ----------
    pitch_mm : float
        In-plane row pitch and largest piece length.
    max_piece_mm : float
        Largest piece along the normal when the dose grid has no axis along it.
    """

    pitch_mm: float
    max_piece_mm: float


@dataclass(frozen=True, eq=False)
class DoseSamples:
    """Dose over the pieces of a structure: each piece has a linear dose profile.

    Attributes
    ----------
    dose_low_gy, dose_high_gy : (N,) float64 ndarrays
        Dose at the two ends of each piece (``low <= high``); the piece's volume is
        spread uniformly between them.
    volume_mm3 : (N,) float64 ndarray
        Volume of each piece; sums to the model's volume.
    extreme_dose_gy : (M,) float64 ndarray
        Dose at the contour vertices on every slab face (for Dmin/Dmax).
    outside_volume_mm3 : float
        Volume of pieces touching points outside the dose grid (given ``outside_gy``).
    plan : SamplingPlan
        The resolution used.
    """

    dose_low_gy: FloatArray
    dose_high_gy: FloatArray
    volume_mm3: FloatArray
    extreme_dose_gy: FloatArray
    outside_volume_mm3: float
    plan: SamplingPlan


def _normal_axis(model: SlabModel, grid: Grid) -> int | None:
    """The grid axis (0 i, 1 j, 2 k) parallel to the model's normal, if any."""
    cosines = np.abs(grid.directions.T @ model.normal)
    axis = int(np.argmax(cosines))
    return axis if cosines[axis] > 1 - 1e-6 else None


def _cuts(planes: list[SlabPlane], model: SlabModel, grid: Grid, max_piece_mm: float
          ) -> tuple[NDArray[np.intp], FloatArray]:
    """Offsets along the normal where each slab's lines are cut (faces included).

    Returns the number of cuts per plane and all cuts concatenated plane after plane.
    """
    lower = np.array([p.lower_mm for p in planes])
    upper = np.array([p.upper_mm for p in planes])
    axis = _normal_axis(model, grid)
    if axis is not None:
        step = float(grid.affine[:3, axis] @ model.normal)
        first = float(grid.affine[:3, 3] @ model.normal)
        dose_planes = np.sort(first + step * np.arange(grid.shape[::-1][axis]))
        begin = np.searchsorted(dose_planes, lower + 1e-9, side="left")
        inner = np.searchsorted(dose_planes, upper - 1e-9, side="left") - begin
        inner = np.maximum(inner, 0)
    else:
        pieces = np.maximum(np.ceil((upper - lower) / max_piece_mm - 1e-9), 1).astype(np.intp)
        inner = pieces - 1
    n_cuts = (inner + 2).astype(np.intp)
    start = np.concatenate([[0], np.cumsum(n_cuts)[:-1]])
    owner = np.repeat(np.arange(len(planes)), inner)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(inner) - inner, inner)
    cuts = np.empty(int(n_cuts.sum()))
    cuts[start] = lower
    cuts[start + n_cuts - 1] = upper
    if axis is not None:
        cuts[start[owner] + 1 + rank] = dose_planes[begin[owner] + rank]
    else:
        cuts[start[owner] + 1 + rank] = lower[owner] + (rank + 1) * (
            (upper - lower) / (inner + 1))[owner]
    return n_cuts, cuts


def choose_sampling(model: SlabModel, grid: Grid, *, max_samples: int) -> SamplingPlan:
    """Pick the in-plane pitch and the piece length along the normal (module docstring).

    Parameters
    ----------
    model : SlabModel
        The structure.
    grid : Grid
        The dose grid (its finest step sets the base resolution).
    max_samples : int, keyword-only
        Upper bound on dose evaluations.
    """
    dose_step = min(grid.spacing_mm)
    size = max(model.volume_mm3, 1e-9) ** (1.0 / 3.0)
    pitch = min(dose_step / 4.0, size / 30.0)
    plan = SamplingPlan(pitch_mm=pitch, max_piece_mm=dose_step / 2.0)
    planes = [p for p in model.planes if p.area_mm2 > 0 and p.thickness_mm > 0]
    if not planes:
        return plan
    n_cuts, _ = _cuts(planes, model, grid, plan.max_piece_mm)
    estimate = float(np.dot([p.area_mm2 for p in planes], n_cuts)) / pitch**2
    if estimate > max_samples:
        plan = SamplingPlan(pitch_mm=pitch * math.sqrt(estimate / max_samples),
                            max_piece_mm=dose_step / 2.0)
    return plan


def _plane_indices(model: SlabModel, grid: Grid, uv: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Grid indices of in-plane points at offset 0, and the index step per mm of normal."""
    inv = grid.inverse_affine
    to_index = inv[:3, :3] @ np.column_stack([model.u, model.v])
    base: FloatArray = apply_affine(uv, to_index, inv[:3, 3])
    step: FloatArray = inv[:3, :3] @ model.normal
    return base, step


def _vertex_doses(model: SlabModel, planes: list[SlabPlane], dose_gy: NDArray[np.floating],
                  grid: Grid, outside_gy: float) -> FloatArray:
    """Dose at every contour vertex on both faces of its slab."""
    vertices = np.vstack([np.vstack(p.polygons_uv) for p in planes])
    counts = [sum(len(poly) for poly in p.polygons_uv) for p in planes]
    lower = np.repeat([p.lower_mm for p in planes], counts)
    upper = np.repeat([p.upper_mm for p in planes], counts)
    base, step = _plane_indices(model, grid, vertices)
    ijk = np.concatenate([base + lower[:, None] * step, base + upper[:, None] * step])
    return sample_at_indices(dose_gy, ijk, outside=outside_gy)


def _pieces(model: SlabModel, planes: list[SlabPlane], dose_gy: NDArray[np.floating],
            grid: Grid, plan: SamplingPlan) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Dose at both ends of every piece (NaN outside the grid) and the piece volumes."""
    points, area, plane_index = model_samples(planes, plan.pitch_mm)
    n_cuts, all_cuts = _cuts(planes, model, grid, plan.max_piece_mm)
    cut_start = np.concatenate([[0], np.cumsum(n_cuts)[:-1]])
    per_point = n_cuts[plane_index]
    point = np.repeat(np.arange(len(points)), per_point)
    first_of_point = np.cumsum(per_point) - per_point
    cut = (np.repeat(cut_start[plane_index], per_point)
           + np.arange(len(point)) - np.repeat(first_of_point, per_point))
    offsets = all_cuts[cut]
    base, step = _plane_indices(model, grid, points)
    axis = _normal_axis(model, grid)
    if axis is None:
        dose = sample_at_indices(dose_gy, base[point] + offsets[:, None] * step, outside=np.nan)
    else:  # lines along a grid axis: share each point's in-plane weights
        t = base[point, axis] + offsets * step[axis]
        dose = sample_lines_along_axis(dose_gy, base, axis, t, first_of_point, outside=np.nan)
    inner = np.ones(len(point) - 1, dtype=bool)  # consecutive cuts of the same point
    inner[(first_of_point + per_point - 1)[:-1]] = False
    volume = area[point[:-1][inner]] * np.diff(offsets)[inner]
    return dose[:-1][inner], dose[1:][inner], volume


def sample_dose(
    model: SlabModel,
    dose_gy: NDArray[np.floating],
    grid: Grid,
    *,
    outside_gy: float = 0.0,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    plan: SamplingPlan | None = None,
) -> DoseSamples:
    """Sample a dose distribution over a structure's solid.

    Parameters
    ----------
    model : SlabModel
        The structure (see :func:`~rtviewer.core.slab_model.build_slab_model`).
    dose_gy : (nk, nj, ni) array
        Dose in Gy on ``grid``, indexed ``[k, j, i]``.
    grid : Grid
        Dose grid geometry (any orientation).
    outside_gy : float, keyword-only
        Dose assigned to parts of the structure outside the dose grid.
    max_samples : int, keyword-only
        Cap on dose evaluations (the pitch coarsens to fit).
    plan : SamplingPlan, optional, keyword-only
        Explicit resolution, overriding the automatic choice.

    Returns
    -------
    DoseSamples
    """
    if tuple(dose_gy.shape) != grid.shape:
        raise ValueError(f"dose_gy shape {dose_gy.shape} does not match grid {grid.shape}")
    plan = plan or choose_sampling(model, grid, max_samples=max_samples)
    planes = [p for p in model.planes if p.area_mm2 > 0 and p.thickness_mm > 0]
    if not planes:
        empty = np.empty(0)
        return DoseSamples(empty, empty, empty, empty, 0.0, plan)
    a, b, volume = _pieces(model, planes, dose_gy, grid, plan)
    extremes = _vertex_doses(model, planes, dose_gy, grid, outside_gy)
    outside = np.isnan(a) | np.isnan(b)
    a[np.isnan(a)] = outside_gy
    b[np.isnan(b)] = outside_gy
    return DoseSamples(dose_low_gy=np.minimum(a, b), dose_high_gy=np.maximum(a, b),
                       volume_mm3=volume, extreme_dose_gy=extremes,
                       outside_volume_mm3=float(volume[outside].sum()), plan=plan)
