"""Closed planar contours to in-plane sample sets and to masks on any grid.

Both follow the one structure model of :mod:`rtviewer.core.slab_model` (even-odd
within a plane, slabs with flat half-spacing end caps) and both use the exact
scanline spans of :mod:`rtviewer.core.scanline`.  A pixel or voxel belongs to the
structure when its *centre* does.  Masks are returned as bounding-box crops, never as a
full-size volume per structure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.scanline import fill_spans, scanline_spans
from rtviewer.core.slab_model import SlabModel, SlabPlane, points_in_polygon
from rtviewer.core.small_linalg import project

__all__ = ["MaskCrop", "even_odd_raster", "in_plane_samples", "model_samples", "structure_mask"]

FloatArray = NDArray[np.float64]


def even_odd_raster(
    polygons_uv: Sequence[FloatArray], origin_uv: tuple[float, float],
    pitch_mm: tuple[float, float], shape: tuple[int, int],
) -> NDArray[np.bool_]:
    """Even-odd fill of polygons on a regular 2-D raster of pixel centres.

    Parameters
    ----------
    polygons_uv : sequence of (N, 2) arrays
        Closed polygons in plane coordinates ``(u, v)`` mm.
    origin_uv : (float, float)
        ``(u, v)`` of the centre of pixel ``[0, 0]``.
    pitch_mm : (float, float)
        ``(Δu, Δv)``: column and row pitch.
    shape : (int, int)
        ``(n_rows, n_columns)``; rows run along ``v``, columns along ``u``.

    Returns
    -------
    bool ndarray, shape
        True where the pixel centre is inside an odd number of polygons.

    Examples
    --------
    >>> square = np.array([[0.5, 0.5], [3.5, 0.5], [3.5, 2.5], [0.5, 2.5]])
    >>> even_odd_raster([square], (0.0, 0.0), (1.0, 1.0), (4, 5)).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    if not polygons_uv:
        return np.zeros(shape, dtype=bool)
    row, u0, u1 = scanline_spans(polygons_uv, (origin_uv[1], pitch_mm[1], shape[0]))
    return fill_spans(row, u0, u1, shape, u_first=origin_uv[0], u_step=pitch_mm[0])


def _plane_bounds(plane: SlabPlane) -> tuple[FloatArray, FloatArray]:
    if plane.bounds_uv is not None:
        box = np.asarray(plane.bounds_uv, dtype=np.float64)
        return box[:2], box[2:]
    stacked = np.vstack(plane.polygons_uv)
    return stacked.min(axis=0), stacked.max(axis=0)


_GOLDEN = 0.6180339887498949
_PLASTIC = 0.7548776662466927


def _row_phases(row: NDArray[np.intp], v_first: float, pitch_mm: float, seed: float
                ) -> FloatArray:
    """Column phase of each row: a golden-ratio sequence over the absolute row number."""
    absolute = np.round(v_first / pitch_mm).astype(np.int64) + row
    phases: FloatArray = np.mod(absolute * _GOLDEN + seed, 1.0)
    return phases


def _pieces_per_span(u0: FloatArray, u1: FloatArray, pitch_mm: float, phase: FloatArray
                     ) -> NDArray[np.intp]:
    first = np.floor(u0 / pitch_mm - phase) + 1
    last = np.ceil(u1 / pitch_mm - phase) - 1
    counts: NDArray[np.intp] = (np.maximum(last - first + 1, 0) + 1).astype(np.intp)
    return counts


def _cut_spans(u0: FloatArray, u1: FloatArray, pitch_mm: float, phase: FloatArray,
               pieces: NDArray[np.intp] | None = None) -> tuple[FloatArray, FloatArray]:
    """Cut spans at ``u = (m + phase)·pitch``; midpoints and lengths of the pieces.

    ``pieces``: :func:`_pieces_per_span` when the caller has it.  Per-span values are
    spread over the pieces with ``np.repeat`` (the same values as a gather by span).
    """
    first = np.floor(u0 / pitch_mm - phase) + 1
    if pieces is None:
        pieces = _pieces_per_span(u0, u1, pitch_mm, phase)
    index = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    step = np.repeat(first, pieces) + index
    phase_of = np.repeat(phase, pieces)
    left = np.where(index == 0, np.repeat(u0, pieces), (step - 1 + phase_of) * pitch_mm)
    last_piece = index == np.repeat(pieces, pieces) - 1
    right = np.where(last_piece, np.repeat(u1, pieces), (step + phase_of) * pitch_mm)
    return 0.5 * (left + right), right - left


def in_plane_samples(
    plane: SlabPlane, pitch_mm: float, *, row_phase: float = 0.5, column_seed: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Sample points covering a plane's even-odd region, with the area each represents.

    Rows are lines ``v = (m + row_phase)·pitch`` for integers ``m``; along each row the
    exact even-odd spans are cut at ``u = (n + φ)·pitch``, with a phase ``φ`` that
    follows a golden-ratio sequence from row to row (so that sample positions form no
    staircase a dose gradient would turn into dose steps), and a sample sits at the
    middle of each piece.  Areas are scaled so that they add up to
    the plane's exact area.  A region that no row crosses is represented by its
    polygons' vertex centroids.

    Parameters
    ----------
    plane : SlabPlane
        The contour plane.
    pitch_mm : float
        Row spacing and largest piece length, in mm.
    row_phase : float, keyword-only
        Fraction of the pitch by which rows are shifted (vary it between planes to avoid
        a staircase of sample positions).
    column_seed : float, keyword-only
        Offset of the column phase sequence (vary it between planes).

    Returns
    -------
    points_uv : (M, 2) ndarray
        Sample centres ``(u, v)`` in mm.
    area_mm2 : (M,) ndarray
        Area represented by each sample.
    """
    if plane.area_mm2 <= 0:
        return np.empty((0, 2)), np.empty(0)
    low, high = _plane_bounds(plane)
    v_first = (np.floor(low[1] / pitch_mm) + row_phase) * pitch_mm
    n_rows = int(np.ceil((high[1] - v_first) / pitch_mm)) + 1
    row, u0, u1 = scanline_spans(plane.polygons_uv, (float(v_first), pitch_mm, n_rows))
    length = u1 - u0
    keep = length > 0
    if not np.any(keep):
        points = np.array([p.mean(axis=0) for p in plane.polygons_uv])
        return points, np.full(len(points), plane.area_mm2 / len(points))
    row, u0, u1 = row[keep], u0[keep], u1[keep]
    phase = _row_phases(row, float(v_first), pitch_mm, column_seed)
    u, piece_length = _cut_spans(u0, u1, pitch_mm, phase)
    v = v_first + np.repeat(row, _pieces_per_span(u0, u1, pitch_mm, phase)) * pitch_mm
    area = piece_length * pitch_mm
    area *= plane.area_mm2 / area.sum()
    return np.column_stack([u, v]), area


def _edges_by_plane(planes: Sequence[SlabPlane]
                    ) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """Start and end points of every polygon edge of every plane, with the plane index.

    One stack of all vertices and index arithmetic for each polygon's next vertex (its
    first after its last), not three small arrays per polygon.
    """
    polygons = [polygon for plane in planes for polygon in plane.polygons_uv]
    sizes = np.array([len(polygon) for polygon in polygons], dtype=np.intp)
    per_plane = np.array([len(plane.polygons_uv) for plane in planes], dtype=np.intp)
    starts = np.vstack(polygons)
    following = np.arange(1, len(starts) + 1)
    ends_at = np.cumsum(sizes)
    following[ends_at - 1] = ends_at - sizes
    owner = np.repeat(np.repeat(np.arange(len(planes)), per_plane), sizes)
    return starts, starts[following], owner


def model_samples(
    planes: Sequence[SlabPlane], pitch_mm: float, *, phase_offset: float = 0.5,
    windows_uv: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """:func:`in_plane_samples` for many planes at once (vectorised across planes).

    Plane ``p`` uses the row phase ``phase_offset + p·φ`` and the column seed
    ``p·ρ`` (golden ratio ``φ`` and plastic number ``ρ`` sequences), so that no two
    neighbouring planes share sample positions.

    Parameters
    ----------
    planes : sequence of SlabPlane
        Planes with positive area.
    pitch_mm : float
        Row spacing and largest piece length, in mm.
    phase_offset : float, keyword-only
        Row phase of the first plane.
    windows_uv : (P, 4) array, optional, keyword-only
        Per plane, ``(u_min, v_min, u_max, v_max)`` mm: only the part of the region
        inside it is sampled, and the areas are then the pieces' own (pitch × exact
        span length), not scaled to the plane's area.

    Returns
    -------
    points_uv : (M, 2) ndarray
        Sample centres in plane coordinates.
    area_mm2 : (M,) ndarray
        Area of each sample; per plane they add up to the plane's exact area.
    plane_index : (M,) intp ndarray
        Index into ``planes`` of each sample.
    """
    n_planes = len(planes)
    index = np.arange(n_planes)
    row_phase = np.mod(phase_offset + index * _GOLDEN, 1.0)
    seed = np.mod(index * _PLASTIC, 1.0)
    bounds = np.array([p.bounds_uv if p.bounds_uv is not None
                       else np.concatenate(_plane_bounds(p)) for p in planes], dtype=np.float64)
    if windows_uv is not None:  # rows only across each plane's window
        bounds[:, 1] = np.maximum(bounds[:, 1], windows_uv[:, 1])
        bounds[:, 3] = np.maximum(np.minimum(bounds[:, 3], windows_uv[:, 3]), bounds[:, 1])
    v_first = (np.floor(bounds[:, 1] / pitch_mm) + row_phase) * pitch_mm
    n_rows = np.ceil((bounds[:, 3] - v_first) / pitch_mm).astype(np.intp) + 1
    row_base = np.concatenate([[0], np.cumsum(n_rows)[:-1]])
    a, b, owner = _edges_by_plane(planes)
    v_low, v_high = np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1])
    first = np.clip(np.ceil((v_low - v_first[owner]) / pitch_mm), 0, n_rows[owner])
    stop = np.clip(np.ceil((v_high - v_first[owner]) / pitch_mm), 0, n_rows[owner])
    count = np.maximum(stop - first, 0).astype(np.intp)
    edge = np.repeat(np.arange(len(a)), count)
    row = (np.repeat(first.astype(np.intp), count)
           + np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count))
    plane_of = owner[edge]
    v = v_first[plane_of] + row * pitch_mm
    ea, eb = a[edge], b[edge]
    u = ea[:, 0] + (v - ea[:, 1]) * (eb[:, 0] - ea[:, 0]) / (eb[:, 1] - ea[:, 1])
    order = np.lexsort((u, row_base[plane_of] + row))
    u, row, plane_of = u[order], row[order], plane_of[order]
    u0, u1, row, plane_of = u[0::2], u[1::2], row[0::2], plane_of[0::2]
    if windows_uv is not None:
        u0 = np.maximum(u0, windows_uv[plane_of, 0])
        u1 = np.minimum(u1, windows_uv[plane_of, 2])
    keep = u1 > u0
    u0, u1, row, plane_of = u0[keep], u1[keep], row[keep], plane_of[keep]
    phase = _row_phases(row, v_first[plane_of], pitch_mm, seed[plane_of])
    pieces = _pieces_per_span(u0, u1, pitch_mm, phase)
    centre_u, length = _cut_spans(u0, u1, pitch_mm, phase, pieces)
    plane_index = np.repeat(plane_of, pieces)
    centre_v = v_first[plane_index] + np.repeat(row, pieces) * pitch_mm
    area = length * pitch_mm
    if windows_uv is not None:
        return np.column_stack([centre_u, centre_v]), area, plane_index
    sampled = np.bincount(plane_index, weights=area, minlength=n_planes)
    exact = np.array([p.area_mm2 for p in planes])
    area *= (exact / np.where(sampled > 0, sampled, 1.0))[plane_index]
    points = np.column_stack([centre_u, centre_v])
    missing = np.flatnonzero(sampled <= 0)
    if len(missing):  # regions no row crosses: their polygons' vertex centroids
        extra = [(p.mean(axis=0), planes[m].area_mm2 / len(planes[m].polygons_uv), m)
                 for m in missing.tolist() for p in planes[m].polygons_uv]
        points = np.vstack([points, [e[0] for e in extra]])
        area = np.concatenate([area, [e[1] for e in extra]])
        plane_index = np.concatenate([plane_index, [e[2] for e in extra]]).astype(np.intp)
    return points, area, plane_index


@dataclass(frozen=True, eq=False)
class MaskCrop:
    """A structure mask on a grid, stored as its bounding-box crop.

    Attributes
    ----------
    mask : (dk, dj, di) bool ndarray
        Voxels whose centres lie inside the structure.
    offset_kji : tuple of int
        Grid index ``(k, j, i)`` of ``mask[0, 0, 0]``.
    grid : Grid
        The full grid the crop belongs to.
    """

    mask: NDArray[np.bool_]
    offset_kji: tuple[int, int, int]
    grid: Grid

    def voxel_count(self) -> int:
        """Number of voxels inside."""
        return int(np.count_nonzero(self.mask))

    def to_full(self) -> NDArray[np.bool_]:
        """The mask expanded to the whole grid (for small grids and tests)."""
        full = np.zeros(self.grid.shape, dtype=bool)
        k, j, i = self.offset_kji
        dk, dj, di = self.mask.shape
        full[k:k + dk, j:j + dj, i:i + di] = self.mask
        return full


def _bounding_box(model: SlabModel, grid: Grid) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Index box (i, j, k) of grid voxel centres that may lie inside the solid."""
    boxes = np.array([np.concatenate(_plane_bounds(plane)) for plane in model.planes])
    faces = np.array([(plane.lower_mm, plane.upper_mm) for plane in model.planes])
    corners = [model.to_patient(np.column_stack([boxes[:, a], boxes[:, b]])[:, None], faces)
               for a in (0, 2) for b in (1, 3)]  # (planes, 2 faces, 3) each
    ijk = grid.patient_to_index(np.concatenate(corners).reshape(-1, 3))
    upper = np.array(grid.shape[::-1]) - 1
    lo = np.clip(np.floor(ijk.min(axis=0) - 1e-6), 0, upper).astype(np.intp)
    hi = np.clip(np.ceil(ijk.max(axis=0) + 1e-6), 0, upper).astype(np.intp)
    return lo, hi


def _slices_parallel(model: SlabModel, grid: Grid) -> bool:
    return bool(abs(abs(float(grid.directions[:, 2] @ model.normal)) - 1.0) < 1e-6)


def _even_odd_stack(edges: tuple[FloatArray, FloatArray, NDArray[np.intp]], n_stack: int,
                    origin_uv: tuple[float, float], shape: tuple[int, int]
                    ) -> NDArray[np.bool_]:
    """:func:`even_odd_raster` of many planes at once, on unit-pitch pixel centres.

    The same half-open crossing rule and the same arithmetic as
    :func:`~rtviewer.core.scanline.scanline_spans` and
    :func:`~rtviewer.core.scanline.fill_spans`, with the plane as an extra sort key, so
    each raster equals the per-plane one bit for bit; one pass of numpy over all edges
    replaces a Python loop over planes.

    Parameters
    ----------
    edges : (a, b, owner)
        Edge start and end points ``(u, v)`` (pixel units) and the raster each belongs to.
    n_stack : int
        Number of rasters.
    origin_uv : (float, float)
        ``(u, v)`` of pixel ``[0, 0]``'s centre.
    shape : (int, int)
        ``(n_rows, n_columns)`` of each raster.
    """
    a, b, owner = edges
    n_rows, n_cols = shape
    u_first, v_first = origin_uv
    v_low, v_high = np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1])
    first = np.clip(np.ceil((v_low - v_first) / 1.0), 0, n_rows).astype(np.intp)
    stop = np.clip(np.ceil((v_high - v_first) / 1.0), 0, n_rows).astype(np.intp)
    count = np.maximum(stop - first, 0)
    edge = np.repeat(np.arange(len(a)), count)
    row = np.repeat(first, count) + (np.arange(len(edge)) - np.repeat(np.cumsum(count) - count,
                                                                      count))
    v = v_first + row * 1.0
    ea, eb = a[edge], b[edge]
    u = ea[:, 0] + (v - ea[:, 1]) * (eb[:, 0] - ea[:, 0]) / (eb[:, 1] - ea[:, 1])
    line = owner[edge] * n_rows + row
    order = np.lexsort((u, line))
    line, u = line[order], u[order]
    line, u0, u1 = line[0::2], u[0::2], u[1::2]
    c0 = np.clip(np.ceil((u0 - u_first) / 1.0), 0, n_cols).astype(np.intp)
    c1 = np.clip(np.ceil((u1 - u_first) / 1.0), 0, n_cols).astype(np.intp)
    keep = c1 > c0
    # difference array: +1 where a span starts, -1 after it ends, then a running sum
    size = n_stack * n_rows * (n_cols + 1)
    diff = (np.bincount(line[keep] * (n_cols + 1) + c0[keep], minlength=size)
            - np.bincount(line[keep] * (n_cols + 1) + c1[keep], minlength=size))
    filled: NDArray[np.bool_] = np.cumsum(diff.reshape(n_stack, n_rows, n_cols + 1)[..., :-1],
                                          axis=2) > 0
    return filled


def _mask_parallel(model: SlabModel, grid: Grid, lo: NDArray[np.intp], hi: NDArray[np.intp]
                   ) -> NDArray[np.bool_]:
    """Slice by slice: each grid slice lies in one slab; fill its plane's polygons.

    Slices in one slab share its raster (computed at the first such slice's offset);
    all rasters are filled in one vectorised pass (:func:`_even_odd_stack`).
    """
    shape2d = (int(hi[1] - lo[1] + 1), int(hi[0] - lo[0] + 1))
    mask = np.zeros((int(hi[2] - lo[2] + 1), *shape2d), dtype=bool)
    slices = np.arange(int(lo[2]), int(hi[2]) + 1)
    corners = grid.index_to_patient(np.column_stack([np.zeros((len(slices), 2)), slices]))
    offsets = corners @ model.normal
    lower = np.array([p.lower_mm for p in model.planes])
    upper = np.array([p.upper_mm for p in model.planes])
    which = np.searchsorted(lower, offsets, side="right") - 1  # planes sorted by offset
    valid = (which >= 0) & (offsets >= lower[np.maximum(which, 0)]) \
        & (offsets < upper[np.maximum(which, 0)])
    if not np.any(valid):
        return mask
    used, first_slice, slot = np.unique(which[valid], return_index=True, return_inverse=True)
    polygons = [(index, polygon) for index, p in enumerate(used.tolist())
                for polygon in model.planes[p].polygons_uv]
    if not polygons:
        return mask
    sizes = np.array([len(polygon) for _, polygon in polygons])
    owner = np.repeat(np.array([index for index, _ in polygons], dtype=np.intp), sizes)
    offset = offsets[valid][first_slice][owner]  # each slab's first slice
    ij = grid.patient_to_index(model.to_patient(np.vstack([q for _, q in polygons]),
                                                offset))[:, :2]
    following = np.arange(1, len(ij) + 1)  # next vertex, the polygon's first after its last
    ends_at = np.cumsum(sizes)
    following[ends_at - 1] = ends_at - sizes
    rasters = _even_odd_stack((ij, ij[following], owner),
                              len(used), (float(lo[0]), float(lo[1])), shape2d)
    mask[valid] = rasters[slot.ravel()]
    return mask


def _mask_general(model: SlabModel, grid: Grid, lo: NDArray[np.intp], hi: NDArray[np.intp]
                  ) -> NDArray[np.bool_]:
    """Any orientation: crossing-number test of every voxel centre, in chunks."""
    ii, jj, kk = (np.arange(lo[a], hi[a] + 1) for a in range(3))
    k3, j3, i3 = np.meshgrid(kk, jj, ii, indexing="ij")
    centres = grid.index_to_patient(np.stack([i3, j3, k3], axis=-1).astype(np.float64))
    offsets = project(centres, model.normal)
    uv = np.stack([project(centres, model.u), project(centres, model.v)], axis=-1)
    mask = np.zeros(offsets.shape, dtype=bool)
    chunk = 4096
    for plane in model.planes:
        in_slab = (offsets >= plane.lower_mm) & (offsets < plane.upper_mm)
        pts = uv[in_slab]
        inside = np.zeros(len(pts), dtype=bool)
        for start in range(0, len(pts), chunk):
            for polygon in plane.polygons_uv:
                inside[start:start + chunk] ^= points_in_polygon(pts[start:start + chunk],
                                                                 polygon)
        mask[in_slab] = inside
    return mask


def structure_mask(model: SlabModel, grid: Grid) -> MaskCrop:
    """Voxels of ``grid`` whose centres lie inside the slab-model solid.

    Works for any grid orientation: each voxel centre is located along the model's
    normal (which slab, faces half-open ``[lower, upper)``) and in plane (even-odd).
    When the grid's slices are parallel to the contours, each slice is filled with
    exact scanline spans on the voxel-centre lattice; otherwise every voxel centre
    is tested with a crossing-number point-in-polygon test.

    Parameters
    ----------
    model : SlabModel
        The structure.
    grid : Grid
        The target grid (CT, dose …).

    Returns
    -------
    MaskCrop
        The bounding-box crop of the mask.
    """
    lo, hi = _bounding_box(model, grid)
    if _slices_parallel(model, grid):
        mask = _mask_parallel(model, grid, lo, hi)
    else:
        mask = _mask_general(model, grid, lo, hi)
    return MaskCrop(mask=mask, offset_kji=(int(lo[2]), int(lo[1]), int(lo[0])), grid=grid)
