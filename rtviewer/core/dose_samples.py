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
from rtviewer.core.interpolation import sample_at_indices
from rtviewer.core.rasterise import in_plane_samples
from rtviewer.core.slab_model import SlabModel, SlabPlane

__all__ = ["DoseSamples", "SamplingPlan", "choose_sampling", "sample_dose"]

FloatArray = NDArray[np.float64]

#: Default cap on dose evaluations per structure.
DEFAULT_MAX_SAMPLES = 600_000
_GOLDEN = 0.6180339887498949
_PLASTIC = 0.7548776662466927


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


def _cut_offsets(plane: SlabPlane, model: SlabModel, grid: Grid, plan: SamplingPlan
                 ) -> FloatArray:
    """Offsets along the normal where the slab's lines are cut (faces included)."""
    axis = _normal_axis(model, grid)
    inner: FloatArray
    if axis is not None:
        step = float(grid.affine[:3, axis] @ model.normal)
        first = float(grid.affine[:3, 3] @ model.normal)
        count = grid.shape[::-1][axis]
        m_low = math.floor((plane.lower_mm - first) / step)
        m_high = math.ceil((plane.upper_mm - first) / step)
        m = np.arange(max(min(m_low, m_high), 0), min(max(m_low, m_high), count - 1) + 1)
        inner = (first + m * step).astype(np.float64)
        inner = inner[(inner > plane.lower_mm + 1e-9) & (inner < plane.upper_mm - 1e-9)]
    else:
        pieces = max(1, math.ceil(plane.thickness_mm / plan.max_piece_mm - 1e-9))
        inner = np.linspace(plane.lower_mm, plane.upper_mm, pieces + 1)[1:-1]
    result: FloatArray = np.sort(np.concatenate([[plane.lower_mm], inner, [plane.upper_mm]]))
    return result


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
    estimate = sum(p.area_mm2 / pitch**2 * len(_cut_offsets(p, model, grid, plan))
                   for p in model.planes)
    if estimate > max_samples:
        plan = SamplingPlan(pitch_mm=pitch * math.sqrt(estimate / max_samples),
                            max_piece_mm=dose_step / 2.0)
    return plan


def _plane_indices(model: SlabModel, grid: Grid, uv: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Grid indices of in-plane points at offset 0, and the index step per mm of normal."""
    inv = grid.inverse_affine
    to_index = inv[:3, :3] @ np.column_stack([model.u, model.v])
    base: FloatArray = uv @ to_index.T + inv[:3, 3]
    step: FloatArray = inv[:3, :3] @ model.normal
    return base, step


def _vertex_doses(model: SlabModel, plane: SlabPlane, dose_gy: NDArray[np.floating],
                  grid: Grid, outside_gy: float) -> FloatArray:
    vertices = np.vstack(plane.polygons_uv)
    base, step = _plane_indices(model, grid, vertices)
    faces = np.array([plane.lower_mm, plane.upper_mm])
    ijk = base[None, :, :] + faces[:, None, None] * step
    return sample_at_indices(dose_gy, ijk.reshape(-1, 3), outside=outside_gy)


def _plane_pieces(model: SlabModel, plane: SlabPlane, index: int, dose_gy: NDArray[np.floating],
                  grid: Grid, plan: SamplingPlan) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Dose at both ends of every piece of one slab (NaN outside the grid), and volumes."""
    phase = (0.5 + index * _GOLDEN) % 1.0
    points, area = in_plane_samples(plane, plan.pitch_mm, row_phase=phase,
                                    column_seed=(index * _PLASTIC) % 1.0)
    cuts = _cut_offsets(plane, model, grid, plan)
    base, step = _plane_indices(model, grid, points)
    ijk = base[None, :, :] + cuts[:, None, None] * step
    dose = sample_at_indices(dose_gy, ijk, outside=np.nan)  # (cuts, points)
    volume = np.diff(cuts)[:, None] * area[None, :]
    return dose[:-1].reshape(-1), dose[1:].reshape(-1), volume.reshape(-1)


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
    lows, highs, volumes, extremes = [], [], [], []
    for index, plane in enumerate(model.planes):
        if plane.area_mm2 <= 0 or plane.thickness_mm <= 0:
            continue
        a, b, v = _plane_pieces(model, plane, index, dose_gy, grid, plan)
        lows.append(a)
        highs.append(b)
        volumes.append(v)
        extremes.append(_vertex_doses(model, plane, dose_gy, grid, outside_gy))
    if not volumes:
        empty = np.empty(0)
        return DoseSamples(empty, empty, empty, empty, 0.0, plan)
    a, b, volume = np.concatenate(lows), np.concatenate(highs), np.concatenate(volumes)
    outside = np.isnan(a) | np.isnan(b)
    a[np.isnan(a)] = outside_gy
    b[np.isnan(b)] = outside_gy
    return DoseSamples(dose_low_gy=np.minimum(a, b), dose_high_gy=np.maximum(a, b),
                       volume_mm3=volume, extreme_dose_gy=np.concatenate(extremes),
                       outside_volume_mm3=float(volume[outside].sum()), plan=plan)
