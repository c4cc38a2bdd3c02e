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
(sub-voxel sampling for small structures), coarsened to about ``max_samples``
evaluations for the bulk of a large structure -- whose hot tail is then sampled again
at half the dose step (:func:`_refine_hot`): D0.03cc, D0.1cc, D2cc, D2 % and D1 % are
never estimated from a capped sample.

Dmin and Dmax are exhaustive: besides the pieces they use the dose at **every dose
voxel whose centre lies inside the solid** (the structure's mask on the dose grid,
:func:`~rtviewer.core.rasterise.structure_mask`) and along every contour vertex's line
through its slab, at both faces and at every dose plane between them (the region's
corners, where a dose linear across the region has its exact extremes).  So a
structure's Dmax is never below the hottest voxel inside it, and a structure that
contains another never reports a lower Dmax or a higher Dmin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import sample_at_indices, sample_lines_along_axis
from rtviewer.core.rasterise import model_samples, structure_mask
from rtviewer.core.slab_model import SlabModel, SlabPlane
from rtviewer.core.small_linalg import apply_affine, project
from rtviewer.core.smooth_model import SmoothModel

__all__ = ["DoseSamples", "SamplingPlan", "choose_sampling", "line_pieces", "sample_dose"]

FloatArray = NDArray[np.float64]

#: Default target of dose evaluations per structure for its bulk; the hot tail of a
#: large structure is sampled again finer (:func:`choose_sampling`).
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
    grid_pitch_mm : float or None
        Pitch of the hot-tail refinement when ``pitch_mm`` is coarser (a large
        structure): half the finest dose step (:func:`sample_dose`).
    """

    pitch_mm: float
    max_piece_mm: float
    grid_pitch_mm: float | None = None


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
        Dose at the contour vertices on every slab face and at every dose voxel whose
        centre lies inside the solid (for Dmin/Dmax).
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


class _Frame(Protocol):
    """A structure's frame: contour-plane normal and in-plane axes (patient, unit)."""

    @property
    def normal(self) -> FloatArray: ...

    @property
    def u(self) -> FloatArray: ...

    @property
    def v(self) -> FloatArray: ...


def _normal_axis(model: _Frame, grid: Grid) -> int | None:
    """The grid axis (0 i, 1 j, 2 k) parallel to the model's normal, if any."""
    cosines = np.abs(grid.directions.T @ model.normal)
    axis = int(np.argmax(cosines))
    return axis if cosines[axis] > 1 - 1e-6 else None


def _cuts(lower: FloatArray, upper: FloatArray, model: _Frame, grid: Grid,
          max_piece_mm: float) -> tuple[NDArray[np.intp], FloatArray]:
    """Offsets along the normal where lines from ``lower`` to ``upper`` are cut (ends included).

    Returns the number of cuts per line and all cuts concatenated line after line.
    """
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
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
    start = np.concatenate([[0], np.cumsum(n_cuts)[:-1]]).astype(np.intp)
    owner = np.repeat(np.arange(len(lower)), inner)
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


def _plane_cuts(planes: list[SlabPlane], model: _Frame, grid: Grid, max_piece_mm: float
                ) -> tuple[NDArray[np.intp], FloatArray]:
    """:func:`_cuts` of each slab, face to face."""
    return _cuts(np.array([p.lower_mm for p in planes]), np.array([p.upper_mm for p in planes]),
                 model, grid, max_piece_mm)


def choose_sampling(model: SlabModel | SmoothModel, grid: Grid, *, max_samples: int
                    ) -> SamplingPlan:
    """Pick the in-plane pitch and the piece length along the normal (module docstring).

    Parameters
    ----------
    model : SlabModel
        The structure.
    grid : Grid
        The dose grid (its finest step sets the base resolution).
    max_samples : int, keyword-only
        Target number of dose evaluations for the bulk; beyond it the plan also gets a
        ``grid_pitch_mm`` (half the dose step) for the hot tail.
    """
    dose_step = min(grid.spacing_mm)
    size = max(model.volume_mm3, 1e-9) ** (1.0 / 3.0)
    pitch = min(dose_step / 4.0, size / 30.0)
    plan = SamplingPlan(pitch_mm=pitch, max_piece_mm=dose_step / 2.0)
    planes = [p for p in model.planes if p.area_mm2 > 0 and p.thickness_mm > 0]
    if not planes:
        return plan
    n_cuts, _ = _plane_cuts(planes, model, grid, plan.max_piece_mm)  # estimate: slab faces
    estimate = float(np.dot([p.area_mm2 for p in planes], n_cuts)) / pitch**2
    if estimate > max_samples:
        coarse = pitch * math.sqrt(estimate / max_samples)
        # the hot tail is sampled again finer than the dose grid: a one-voxel hot spot
        fine = max(pitch, dose_step / 2.0)
        plan = SamplingPlan(pitch_mm=coarse, max_piece_mm=dose_step / 2.0,
                            grid_pitch_mm=fine if fine < coarse else None)
    return plan


def _plane_indices(model: _Frame, grid: Grid, uv: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Grid indices of in-plane points at offset 0, and the index step per mm of normal."""
    inv = grid.inverse_affine
    to_index = inv[:3, :3] @ np.column_stack([model.u, model.v])
    base: FloatArray = apply_affine(uv, to_index, inv[:3, 3])
    step: FloatArray = inv[:3, :3] @ model.normal
    return base, step


def _vertex_doses(model: SlabModel, planes: list[SlabPlane], dose_gy: NDArray[np.floating],
                  grid: Grid, outside_gy: float, max_piece_mm: float) -> FloatArray:
    """Dose along every contour vertex's line through its slab: faces and dose planes.

    The trilinear dose along such a line is linear between dose-grid planes, so its
    extremes lie at the faces or at those planes -- the cuts of :func:`_cuts`.
    """
    vertices = np.vstack([np.vstack(p.polygons_uv) for p in planes])
    counts = np.array([sum(len(poly) for poly in p.polygons_uv) for p in planes])
    n_cuts, all_cuts = _plane_cuts(planes, model, grid, max_piece_mm)
    cut_start = np.concatenate([[0], np.cumsum(n_cuts)[:-1]])
    plane_of = np.repeat(np.arange(len(planes)), counts)
    per_vertex = n_cuts[plane_of]
    vertex = np.repeat(np.arange(len(vertices)), per_vertex)
    rank = np.arange(len(vertex)) - np.repeat(np.cumsum(per_vertex) - per_vertex, per_vertex)
    offsets = all_cuts[cut_start[plane_of[vertex]] + rank]
    return _dose_at_cuts(model, vertices, per_vertex, offsets, dose_gy, grid, outside_gy)


def _dose_at_cuts(model: _Frame, points: FloatArray, per_point: NDArray[np.intp],
                  offsets: FloatArray, dose_gy: NDArray[np.floating], grid: Grid,
                  outside: float) -> FloatArray:
    """Trilinear dose on each point's line at its cuts ``offsets`` (grouped by point, sorted).

    When a grid axis runs along the normal, each line's in-plane weights are shared by
    all its cuts (:func:`~rtviewer.core.interpolation.sample_lines_along_axis`).
    """
    base, step = _plane_indices(model, grid, points)
    axis = _normal_axis(model, grid)
    if axis is None:
        dose: FloatArray = sample_at_indices(
            dose_gy, np.repeat(base, per_point, axis=0) + offsets[:, None] * step,
            outside=outside)
        return dose
    first_of_point = np.cumsum(per_point) - per_point
    t = np.repeat(base[:, axis], per_point) + offsets * step[axis]
    return sample_lines_along_axis(dose_gy, base, axis, t, first_of_point, outside=outside)


def _voxel_doses(model: SlabModel, dose_gy: NDArray[np.floating], grid: Grid
                 ) -> tuple[FloatArray, tuple[slice, slice, slice]]:
    """Dose at every dose-grid voxel whose centre lies inside the solid, and their box."""
    crop = structure_mask(model, grid)
    k, j, i = crop.offset_kji
    dk, dj, di = crop.mask.shape
    box = (slice(k, k + dk), slice(j, j + dj), slice(i, i + di))
    inside: FloatArray = np.asarray(dose_gy[box][crop.mask], dtype=np.float64)
    return inside, box


#: The hottest volume re-sampled at the fine pitch: this many cc or % of the structure,
#: whichever is larger, times a safety factor (covers D0.03cc, D0.1cc, D2cc, D2 %, D1 %).
HOT_TAIL_CC, HOT_TAIL_PERCENT, HOT_TAIL_SAFETY = 2.0, 2.0, 1.5


def _hot_threshold(voxel_dose_gy: FloatArray, volume_mm3: float, grid: Grid) -> float:
    """Dose above which the structure's hottest tail lies, from its voxels (Gy)."""
    if len(voxel_dose_gy) == 0:
        return -np.inf
    tail_mm3 = HOT_TAIL_SAFETY * max(HOT_TAIL_CC * 1000.0, HOT_TAIL_PERCENT / 100 * volume_mm3)
    count = int(np.ceil(tail_mm3 / grid.voxel_volume_mm3))
    if count >= len(voxel_dose_gy):
        return -np.inf
    return float(np.partition(voxel_dose_gy, len(voxel_dose_gy) - count)[-count])


#: the voxels that may hold a dose of the hot tail: flags over a box and its first (k, j, i)
HotBox = tuple[NDArray[np.bool_], NDArray[np.intp]]


def _neighbourhood(model: SlabModel, planes: list[SlabPlane], grid: Grid) -> list[int]:
    """Half-sizes ``(k, j, i)`` of the voxel box whose maximum bounds a sample's doses.

    A sample is located by its nearest voxel ``c`` at its plane's middle (within half a
    voxel of the sample along every index axis); its line reaches ``t_a`` index units
    further along axis ``a`` (the slab's reach beyond the middle times the normal's
    index step), and the trilinear dose anywhere on it mixes voxels less than one index
    from the point: all within ``ceil(t_a + 1/2)`` of ``c``.
    """
    reach = max(max(p.offset_mm - p.lower_mm, p.upper_mm - p.offset_mm) for p in planes)
    step = np.abs(grid.inverse_affine[:3, :3] @ model.normal)  # index units per mm, (i, j, k)
    return [int(np.ceil(reach * float(step[a]) + 0.5 - 1e-9)) for a in (2, 1, 0)]


def _hot_voxels(dose_gy: NDArray[np.floating], half: list[int],
                box: tuple[slice, slice, slice], threshold: float) -> HotBox:
    """Voxels of ``box`` with a dose at or above ``threshold`` within ``half`` voxels ``(k, j, i)``.

    The largest voxel dose around a voxel bounds the trilinear dose on any sample line
    whose nearest voxel this is (:func:`_neighbourhood`), so these are the voxel columns
    where the hot tail can be.  Computed as a dilation of the voxels at or above the
    threshold, over their own bounding box grown by ``half`` only (the hot tail of a
    body outline is a few percent of its box, and the flags are one byte a voxel): a
    voxel further away has no such voxel around it.  Doses are compared in float32, as
    the float32 maximum filter over the structure's whole box did before.  Voxels
    outside the returned box are not hot (:func:`_hot_flags`); with a threshold of
    ``-inf`` the box is the whole grown box, which holds every sample's nearest voxel.
    """
    grown = tuple(slice(max(b.start - h - 1, 0), min(b.stop + h + 1, n))
                  for b, h, n in zip(box, half, dose_gy.shape, strict=True))
    start = np.array([g.start for g in grown], dtype=np.intp)
    seeds = dose_gy[grown].astype(np.float32, copy=False) >= threshold
    extent = []
    for axis in range(3):
        found = np.flatnonzero(np.any(seeds, axis=tuple(a for a in range(3) if a != axis)))
        if len(found) == 0:
            return np.zeros((0, 0, 0), dtype=bool), start
        extent.append(slice(max(int(found[0]) - half[axis], 0),
                            min(int(found[-1]) + half[axis] + 1, seeds.shape[axis])))
    region = tuple(extent)
    hot = _dilate_box(seeds[region], half)
    return hot, start + np.array([e.start for e in extent], dtype=np.intp)


def _dilate_box(flags: NDArray[np.bool_], half: list[int]) -> NDArray[np.bool_]:
    """True where a voxel within ``half`` voxels ``(k, j, i)`` of ``flags`` (a box) is True.

    The maximum filter of size ``2 * half + 1`` with edge replication (scipy's
    ``maximum_filter(mode="nearest")``), exact for flags: a box's maximum is the
    maximum along each axis in turn, and at an edge the replicated voxels repeat one
    the clipped window already holds.  Written with numpy ORs of shifted slices so
    that a DVH does not import scipy.ndimage (about 0.3 s of a report's start-up).
    """
    out = flags.copy()
    for axis, reach in enumerate(half):
        before = out.copy()  # this axis dilates the previous axes' result
        for shift in range(1, reach + 1):
            if shift >= out.shape[axis]:
                break
            lead = [slice(None)] * out.ndim
            tail = [slice(None)] * out.ndim
            lead[axis], tail[axis] = slice(None, -shift), slice(shift, None)
            out[tuple(lead)] |= before[tuple(tail)]
            out[tuple(tail)] |= before[tuple(lead)]
    return out


def _hot_flags(model: SlabModel, planes: list[SlabPlane], grid: Grid, points: FloatArray,
               plane_index: NDArray[np.intp], hot_voxels: HotBox) -> NDArray[np.bool_]:
    """Samples whose nearest voxel column may hold a dose of the hot tail.

    Axis by axis on 1-D index arrays and one gather from the box's hot flags by flat
    index: this runs on every fine and coarse sample of a large structure (about a
    quarter of its DVH time with ``(M, 3)`` temporaries and a 3-index gather).
    """
    base, step = _plane_indices(model, grid, points)
    middle = np.array([p.offset_mm for p in planes])[plane_index]
    hot, start_kji = hot_voxels
    box_kji = hot.shape
    stride_kji = (box_kji[1] * box_kji[2], box_kji[2], 1)
    inside_grid = np.ones(len(points), dtype=bool)
    in_box = np.ones(len(points), dtype=bool)
    flat = np.zeros(len(points), dtype=np.intp)
    for axis, size in enumerate(grid.shape[::-1]):  # i, j, k
        index = np.rint(base[:, axis] + middle * step[axis]).astype(np.intp)
        inside_grid &= (index >= 0) & (index < size)
        local = np.clip(index, 0, size - 1) - start_kji[2 - axis]
        in_box &= (local >= 0) & (local < box_kji[2 - axis])
        flat += local * stride_kji[2 - axis]
    if hot.size == 0:
        return np.zeros(len(points), dtype=bool)
    near = hot.reshape(-1)[np.where(in_box, flat, 0)] & in_box
    flags: NDArray[np.bool_] = inside_grid & near
    return flags


def _cell_extent(grid: Grid, direction: FloatArray) -> float:
    """Half the extent of one voxel cell along a unit direction (mm)."""
    return 0.5 * float(np.sum(np.array(grid.spacing_mm) * np.abs(grid.directions.T @ direction)))


def _hot_windows(model: SlabModel, planes: list[SlabPlane], grid: Grid, hot_voxels: HotBox
                 ) -> tuple[NDArray[np.intp], FloatArray]:
    """Planes that may hold hot samples and, for each, the ``(u, v)`` box that holds them.

    Taken from the hot voxels themselves (ceiling at or above the threshold), not from
    the coarse samples, so a hot spot narrower than the coarse pitch is never missed: a
    sample is hot when its nearest voxel is, so it lies in that voxel's cell, and the
    plane must cut the cell (the cell's extent along the normal) and the sample lies
    within the cell's extent along ``u`` and ``v`` of the voxel centre.
    """
    flags, start_kji = hot_voxels
    hot = np.argwhere(flags) + start_kji  # (k, j, i)
    if len(hot) == 0:
        return np.empty(0, dtype=np.intp), np.empty((0, 4))
    centres = grid.index_to_patient(hot[:, ::-1].astype(np.float64))
    offset = project(centres, model.normal)
    middles = np.array([p.offset_mm for p in planes])
    reach = _cell_extent(grid, model.normal) + 1e-9
    first = np.searchsorted(middles, offset - reach, side="left")
    count = np.searchsorted(middles, offset + reach, side="right") - first
    voxel = np.repeat(np.arange(len(hot)), count)
    plane = (np.repeat(first, count) + np.arange(len(voxel))
             - np.repeat(np.cumsum(count) - count, count))
    u, v = project(centres[voxel], model.u), project(centres[voxel], model.v)
    hot_planes, slot = np.unique(plane, return_inverse=True)
    windows = np.empty((len(hot_planes), 4))
    windows[:, :2] = np.inf
    windows[:, 2:] = -np.inf
    np.minimum.at(windows[:, 0], slot, u)
    np.minimum.at(windows[:, 1], slot, v)
    np.maximum.at(windows[:, 2], slot, u)
    np.maximum.at(windows[:, 3], slot, v)
    margin = np.array([_cell_extent(grid, model.u), _cell_extent(grid, model.v)])
    windows[:, :2] -= margin
    windows[:, 2:] += margin
    return hot_planes.astype(np.intp), windows


def _refine_hot(model: SlabModel, planes: list[SlabPlane], grid: Grid,
                dose_gy: NDArray[np.floating], plan: SamplingPlan,
                voxels: tuple[FloatArray, tuple[slice, slice, slice]], points: FloatArray,
                area: FloatArray, plane_index: NDArray[np.intp]
                ) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """Replace the coarse samples of the hot tail's voxel columns by fine ones.

    A voxel column is hot when the largest voxel dose around it (over the slab's
    thickness) reaches the tail's threshold (:func:`_hot_threshold`).  Coarse and fine
    samples are both assigned to their nearest voxel column, so the hot region is the
    same set for both.  Fine samples are generated only over each plane's box of hot
    voxels (:func:`_hot_windows`); per plane they keep their own area (pitch × exact
    span length) and the remaining coarse samples share the rest of the plane's exact
    area.
    """
    assert plan.grid_pitch_mm is not None
    threshold = _hot_threshold(voxels[0], model.volume_mm3, grid)
    hot_voxels = _hot_voxels(dose_gy, _neighbourhood(model, planes, grid), voxels[1], threshold)
    hot_planes, windows = _hot_windows(model, planes, grid, hot_voxels)
    if len(hot_planes) == 0:
        return points, area, plane_index
    fine, fine_area, local = model_samples([planes[i] for i in hot_planes], plan.grid_pitch_mm,
                                           windows_uv=windows)
    fine_plane = hot_planes[local]
    keep = _hot_flags(model, planes, grid, fine, fine_plane, hot_voxels)
    fine, fine_area, fine_plane = fine[keep], fine_area[keep], fine_plane[keep]
    hot = _hot_flags(model, planes, grid, points, plane_index, hot_voxels)
    hot_area = np.bincount(fine_plane, weights=fine_area, minlength=len(planes))
    hot &= hot_area[plane_index] > 0  # a plane no fine row crosses keeps its coarse samples
    points, area, plane_index = points[~hot], area[~hot], plane_index[~hot]
    exact = np.array([p.area_mm2 for p in planes])
    cold_area = np.bincount(plane_index, weights=area, minlength=len(planes))
    has_cold = cold_area > 0
    # the coarse rest of a plane takes what the fine hot part leaves of its exact area;
    # a plane left without coarse samples gives its whole area to the fine ones
    area = area * (np.maximum(exact - hot_area, 0.0) / np.where(has_cold, cold_area, 1.0)
                   )[plane_index]
    fine_area = fine_area * np.where(has_cold, 1.0, exact / np.where(hot_area > 0, hot_area,
                                                                      1.0))[fine_plane]
    return (np.vstack([points, fine]), np.concatenate([area, fine_area]),
            np.concatenate([plane_index, fine_plane]))


def line_pieces(model: _Frame, points_uv: FloatArray, lower_mm: FloatArray,
                upper_mm: FloatArray, area_mm2: FloatArray, dose_gy: NDArray[np.floating],
                grid: Grid, max_piece_mm: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Dose pieces of lines along the normal: one line per in-plane point.

    Parameters
    ----------
    model : SlabModel or any frame with ``normal``, ``u``, ``v``
        The structure's frame.
    points_uv : (M, 2) array
        In-plane points (mm).
    lower_mm, upper_mm : (M,) arrays
        Where each point's line enters and leaves the solid along the normal (mm).
    area_mm2 : (M,) array
        Area each line stands for.
    dose_gy, grid
        The dose and its grid.
    max_piece_mm : float
        Largest piece when the grid has no axis along the normal.

    Returns
    -------
    dose_a, dose_b, volume_mm3 : (N,) ndarrays
        Dose at both ends of every piece (NaN outside the grid) and its volume.
    """
    n_cuts, all_cuts = _cuts(lower_mm, upper_mm, model, grid, max_piece_mm)
    return _evaluate_lines(model, points_uv, n_cuts, all_cuts, area_mm2, dose_gy, grid)


def _evaluate_lines(model: _Frame, points: FloatArray, per_point: NDArray[np.intp],
                    offsets: FloatArray, area: FloatArray, dose_gy: NDArray[np.floating],
                    grid: Grid) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Dose at the cuts ``offsets`` (``per_point`` of them per point, concatenated)."""
    dose = _dose_at_cuts(model, points, per_point, offsets, dose_gy, grid, np.nan)
    inner = np.ones(max(len(offsets) - 1, 0), dtype=bool)  # consecutive cuts of one point
    inner[np.cumsum(per_point)[:-1] - 1] = False
    start = np.flatnonzero(inner)  # one index array, taken thrice: cheaper than three masks
    length = offsets[1:].take(start) - offsets.take(start)
    volume = np.repeat(area, np.maximum(per_point - 1, 0)) * length
    return dose.take(start), dose[1:].take(start), volume


def _pieces(model: SlabModel, planes: list[SlabPlane], dose_gy: NDArray[np.floating],
            grid: Grid, plan: SamplingPlan,
            voxels: tuple[FloatArray, tuple[slice, slice, slice]]
            ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Dose at both ends of every piece (NaN outside the grid) and the piece volumes.

    With ``plan.grid_pitch_mm`` (a large structure sampled coarsely), every coarse cell
    that may hold a dose of the structure's hottest tail (the largest voxel dose around
    it reaches the tail's threshold, :func:`_hot_threshold`) is sampled again at the
    fine pitch: the small-volume metrics see every hot voxel.
    """
    points, area, plane_index = model_samples(planes, plan.pitch_mm)
    n_cuts, all_cuts = _plane_cuts(planes, model, grid, plan.max_piece_mm)
    if plan.grid_pitch_mm is not None:
        points, area, plane_index = _refine_hot(model, planes, grid, dose_gy, plan,
                                                voxels, points, area, plane_index)
    cut_start = np.concatenate([[0], np.cumsum(n_cuts)[:-1]])
    per_point = n_cuts[plane_index]
    first_of_point = np.cumsum(per_point) - per_point
    cut = (np.repeat(cut_start[plane_index], per_point)
           + np.arange(int(per_point.sum())) - np.repeat(first_of_point, per_point))
    return _evaluate_lines(model, points, per_point, all_cuts[cut], area, dose_gy, grid)


def _voxel_lattice(model: SmoothModel, grid: Grid) -> tuple[float, float] | None:
    """The voxel pitch along ``u`` and ``v`` when the grid's i and j run along them."""
    directions = grid.directions
    along = (float(directions[:, 0] @ model.u), float(directions[:, 1] @ model.v),
             abs(float(directions[:, 2] @ model.normal)))
    if min(along) > 1 - 1e-6:
        return float(grid.spacing_mm[0]), float(grid.spacing_mm[1])
    return None


def _smooth_voxel_doses(model: SmoothModel, dose_gy: NDArray[np.floating], grid: Grid
                        ) -> FloatArray:
    """Dose at every dose voxel whose centre lies inside the smooth solid."""
    offsets = [s.offset_mm for s in model.shapes]
    reach = max((float(c.reach_mm[-1]) for c in model.caps), default=0.0)
    box = np.array([s.bounds_uv for s in model.shapes])
    corners = np.array([model.to_patient(np.array([a, b]), t)
                        for a in (box[:, 0].min(), box[:, 2].max())
                        for b in (box[:, 1].min(), box[:, 3].max())
                        for t in (min(offsets) - reach, max(offsets) + reach)])
    ijk = grid.patient_to_index(corners)
    upper = np.array(grid.shape[::-1]) - 1
    lo = np.clip(np.floor(ijk.min(axis=0)), 0, upper).astype(np.intp)
    hi = np.clip(np.ceil(ijk.max(axis=0)), 0, upper).astype(np.intp)
    lattice = _voxel_lattice(model, grid)
    if lattice is not None:  # dose slices parallel to the contours, axes along u and v
        pu, pv = lattice
        found: list[NDArray[np.floating]] = []
        for k in range(int(lo[2]), int(hi[2]) + 1):
            corner = grid.index_to_patient(np.array([float(lo[0]), float(lo[1]), float(k)]))
            flags = model.contains_lattice(
                float(corner @ model.normal), (float(corner @ model.u), float(corner @ model.v)),
                (pu, pv), (int(hi[1] - lo[1] + 1), int(hi[0] - lo[0] + 1)))
            found.append(dose_gy[k, lo[1]:hi[1] + 1, lo[0]:hi[0] + 1][flags])
        return np.concatenate(found).astype(np.float64)
    kk, jj, ii = np.meshgrid(*(np.arange(lo[a], hi[a] + 1) for a in (2, 1, 0)), indexing="ij")
    index = np.column_stack([ii.ravel(), jj.ravel(), kk.ravel()])
    inside = model.contains(grid.index_to_patient(index.astype(np.float64)))
    chosen = index[inside]
    values: FloatArray = np.asarray(dose_gy[chosen[:, 2], chosen[:, 1], chosen[:, 0]],
                                    dtype=np.float64)
    return values


def _sample_smooth(model: SmoothModel, dose_gy: NDArray[np.floating], grid: Grid,
                   outside_gy: float, plan: SamplingPlan) -> DoseSamples:
    """:func:`sample_dose` for the ``smooth`` model: lines through its exact intervals."""
    # one pitch everywhere, never coarser than the dose step (no hot-tail refinement here)
    pitch = plan.pitch_mm if plan.grid_pitch_mm is None else min(plan.pitch_mm,
                                                                  2 * plan.grid_pitch_mm)
    points, lower, upper, area = model.lines(pitch)
    if len(points) == 0:
        empty = np.empty(0)
        return DoseSamples(empty, empty, empty, empty, 0.0, plan)
    a, b, volume = line_pieces(model, points, lower, upper, area, dose_gy, grid,
                               plan.max_piece_mm)
    volume *= model.volume_mm3 / max(float(volume.sum()), 1e-300)  # the model's own volume
    vertices = [(poly, s.offset_mm) for s in model.shapes for poly in s.polygons_uv]
    tips_uv, tips_offset = model.tips()  # where the caps end
    base, step = _plane_indices(model, grid, np.vstack([v for v, _ in vertices] + [tips_uv]))
    along = np.concatenate([np.full(len(v), t) for v, t in vertices] + [tips_offset])
    extremes = np.concatenate([
        sample_at_indices(dose_gy, base + along[:, None] * step, outside=outside_gy),
        _smooth_voxel_doses(model, dose_gy, grid)])
    outside = np.isnan(a) | np.isnan(b)
    a[np.isnan(a)] = outside_gy
    b[np.isnan(b)] = outside_gy
    return DoseSamples(dose_low_gy=np.minimum(a, b), dose_high_gy=np.maximum(a, b),
                       volume_mm3=volume, extreme_dose_gy=extremes,
                       outside_volume_mm3=float(volume[outside].sum()), plan=plan)


def sample_dose(
    model: SlabModel | SmoothModel,
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
    model : SlabModel or SmoothModel
        The structure's solid (see
        :func:`~rtviewer.core.structure_model.build_structure_model`).
    dose_gy : (nk, nj, ni) array
        Dose in Gy on ``grid``, indexed ``[k, j, i]``.
    grid : Grid
        Dose grid geometry (any orientation).
    outside_gy : float, keyword-only
        Dose assigned to parts of the structure outside the dose grid.
    max_samples : int, keyword-only
        Target number of dose evaluations (see :func:`choose_sampling`).
    plan : SamplingPlan, optional, keyword-only
        Explicit resolution, overriding the automatic choice.

    Returns
    -------
    DoseSamples
    """
    if tuple(dose_gy.shape) != grid.shape:
        raise ValueError(f"dose_gy shape {dose_gy.shape} does not match grid {grid.shape}")
    plan = plan or choose_sampling(model, grid, max_samples=max_samples)
    if isinstance(model, SmoothModel):
        return _sample_smooth(model, dose_gy, grid, outside_gy, plan)
    planes = [p for p in model.planes if p.area_mm2 > 0 and p.thickness_mm > 0]
    if not planes:
        empty = np.empty(0)
        return DoseSamples(empty, empty, empty, empty, 0.0, plan)
    voxels = _voxel_doses(model, dose_gy, grid)
    a, b, volume = _pieces(model, planes, dose_gy, grid, plan, voxels)
    extremes = np.concatenate([_vertex_doses(model, planes, dose_gy, grid, outside_gy,
                                             plan.max_piece_mm), voxels[0]])
    outside = np.isnan(a) | np.isnan(b)
    a[np.isnan(a)] = outside_gy
    b[np.isnan(b)] = outside_gy
    return DoseSamples(dose_low_gy=np.minimum(a, b), dose_high_gy=np.maximum(a, b),
                       volume_mm3=volume, extreme_dose_gy=extremes,
                       outside_volume_mm3=float(volume[outside].sum()), plan=plan)
