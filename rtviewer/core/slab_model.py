"""The one structure model: closed planar contours stacked into slabs with flat end caps.

A region of interest drawn as closed planar contours is turned into a solid this way
(the convention of the Nelms et al. 2015 analytical benchmark and of the main planning
systems):

* All contours share one plane normal ``n`` (the area-weighted mean of the contours'
  own normals; axial contours give ``±z``, sagittal ``±x``, and any oblique stack works).
* Contours whose offsets along ``n`` agree within ``plane_tolerance_mm`` (or within a
  quarter of the typical plane spacing) lie on one plane.
* Within a plane the region is the **even-odd** combination (XOR) of its polygons: a
  contour inside another is a hole, a contour inside a hole is an island, and so on;
  overlapping contours leave their overlap out.  (A single contour's area is its
  shoelace area: a contour crossing itself is not split into lobes.)
* Along ``n`` each plane is extruded to a slab whose faces lie mid-way to its neighbours.
  The first and last planes of a stack get **flat end caps of half a contour spacing**
  beyond the contour.  A gap larger than ``1.5 ×`` the nominal spacing splits the stack
  into separate pieces, each capped by half the nominal spacing (an empty plane is
  never bridged).
* The nominal spacing is the median distance between neighbouring planes, or the
  caller's ``plane_spacing_mm`` (e.g. the image slice thickness).  A single plane with
  no caller spacing has no thickness: its volume is 0.

Why write this here rather than use a library: no numpy/scikit-image function extrudes
planar contours with this cap convention, and every consumer (readers, DVH, UI) must
share exactly one model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.scanline import even_odd_lengths
from rtviewer.core.small_linalg import apply_affine, project

__all__ = ["SlabModel", "SlabPlane", "build_slab_model", "even_odd_area_mm2", "points_in_polygon"]

FloatArray = NDArray[np.float64]

#: Neighbouring planes further apart than this many nominal spacings are not bridged.
GAP_FACTOR = 1.5
#: Largest offset scatter (mm) of one slice's contours that is still merged into one plane.
SCATTER_MM = 0.5


@dataclass(frozen=True)
class SlabPlane:
    """One contour plane of a structure and its slab.

    Attributes
    ----------
    offset_mm : float
        Position of the plane along the model's normal (``n · p`` in mm).
    lower_mm, upper_mm : float
        Slab faces along the normal, in mm (``lower_mm <= offset_mm <= upper_mm``).
    polygons_uv : tuple of (N, 2) ndarray
        The plane's closed polygons in in-plane coordinates ``(u, v)`` mm.
    area_mm2 : float
        Even-odd area of the polygons in mm².
    bounds_uv : tuple of float, optional
        ``(u_min, v_min, u_max, v_max)`` of the polygons' vertices in mm.
    """

    offset_mm: float
    lower_mm: float
    upper_mm: float
    polygons_uv: tuple[FloatArray, ...]
    area_mm2: float
    bounds_uv: tuple[float, float, float, float] | None = None

    @property
    def thickness_mm(self) -> float:
        """Slab thickness along the normal in mm."""
        return self.upper_mm - self.lower_mm


@dataclass(frozen=True)
class SlabModel:
    """A structure as a stack of slabs (see the module docstring).

    Attributes
    ----------
    normal : (3,) ndarray
        Unit normal of the contour planes in patient coordinates.
    u, v : (3,) ndarray
        Unit in-plane axes; ``(u, v, normal)`` is right-handed.  A point with plane
        coordinates ``(a, b)`` on the plane at offset ``d`` is ``a·u + b·v + d·normal``.
    planes : tuple of SlabPlane
        Sorted by increasing offset.
    """

    normal: FloatArray
    u: FloatArray
    v: FloatArray
    planes: tuple[SlabPlane, ...]

    @property
    def volume_mm3(self) -> float:
        """Volume of the solid in mm³ (sum of area × slab thickness)."""
        return float(sum(p.area_mm2 * p.thickness_mm for p in self.planes))

    def to_patient(self, uv: FloatArray, offset_mm: float | FloatArray) -> FloatArray:
        """Patient ``(x, y, z)`` mm of plane points ``uv`` (..., 2) at offset(s) along normal."""
        uv = np.asarray(uv, dtype=np.float64)
        offset = np.asarray(offset_mm, dtype=np.float64)[..., None]
        result: FloatArray = (uv[..., :1] * self.u + uv[..., 1:2] * self.v
                              + offset * self.normal)
        return result


def _common_normal(newell: FloatArray) -> FloatArray:
    """Area-weighted mean normal, signs aligned with the largest polygon, canonical sign."""
    reference = newell[int(np.argmax(np.linalg.norm(newell, axis=1)))]
    signs = np.where(project(newell, reference) >= 0, 1.0, -1.0)
    total = (newell * signs[:, None]).sum(axis=0)
    length = float(np.linalg.norm(total))
    if length < 1e-12:
        raise ValueError("polygons_mm: contours enclose no area, their plane is undefined")
    total /= length
    # Canonical orientation: the largest component positive (+z for axial stacks).
    if total[int(np.argmax(np.abs(total)))] < 0:
        total = -total
    normal: FloatArray = total
    return normal


def _in_plane_axes(normal: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unit ``u, v`` with ``u × v = normal``; axial gives ``u = +x``, ``v = +y``."""
    axis = np.zeros(3)
    axis[int(np.argmin(np.abs(normal)))] = 1.0
    u = axis - np.dot(axis, normal) * normal
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    return u, v


def points_in_polygon(points_uv: FloatArray, polygon_uv: FloatArray) -> NDArray[np.bool_]:
    """Even-odd (crossing-number) test of 2-D points against one closed polygon.

    Parameters
    ----------
    points_uv : (M, 2) array
        Points ``(u, v)``.
    polygon_uv : (N, 2) array
        Polygon vertices in order; the closing edge is implied.

    Returns
    -------
    (M,) bool ndarray
        True where a ray from the point along ``+u`` crosses the boundary an odd number
        of times.
    """
    pts = np.asarray(points_uv, dtype=np.float64)
    a = np.asarray(polygon_uv, dtype=np.float64)
    b = np.roll(a, -1, axis=0)
    pu, pv = pts[:, 0:1], pts[:, 1:2]
    straddles = (a[:, 1] > pv) != (b[:, 1] > pv)
    dv = np.where(b[:, 1] == a[:, 1], 1.0, b[:, 1] - a[:, 1])
    u_cross = a[:, 0] + (pv - a[:, 1]) * (b[:, 0] - a[:, 0]) / dv
    crossings = np.count_nonzero(straddles & (pu < u_cross), axis=1)
    result: NDArray[np.bool_] = crossings % 2 == 1
    return result


def even_odd_area_mm2(polygons_uv: Sequence[FloatArray]) -> float:
    """Even-odd (XOR) area of polygons in one plane, in mm².

    Horizontal lines through every vertex cut the plane into bands; within a band
    where no boundaries cross, the even-odd covered length varies linearly with ``v``,
    so the band's area is its height times the length on its middle line.  Exact for
    polygons whose boundaries do not cross (nested holes and islands, disjoint parts,
    any orientation -- signed shoelace is not enough, since DICOM contour orientation
    is arbitrary); crossing boundaries still get even-odd semantics, with a midpoint
    error confined to the bands holding a crossing.

    Parameters
    ----------
    polygons_uv : sequence of (N, 2) arrays
        Closed polygons in in-plane mm.

    Examples
    --------
    >>> square = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]])
    >>> even_odd_area_mm2([square, square[::-1] * 0.5 + 1.0])  # 16 - 4
    12.0
    """
    polygons = [np.asarray(p, dtype=np.float64) for p in polygons_uv if len(p) >= 3]
    if not polygons:
        return 0.0
    levels = np.unique(np.concatenate([p[:, 1] for p in polygons]))
    if len(levels) < 2:
        return 0.0
    middles = 0.5 * (levels[:-1] + levels[1:])
    return float(np.sum(even_odd_lengths(polygons, middles) * np.diff(levels)))


def _clean(polygons_mm: Sequence[NDArray[np.floating]]) -> list[FloatArray]:
    cleaned = []
    for polygon in polygons_mm:
        p = np.asarray(polygon, dtype=np.float64)
        if p.ndim != 2 or p.shape[1] != 3:
            raise ValueError(f"polygons_mm: each contour must be (N, 3) mm, got {p.shape}")
        if len(p) >= 2 and float(np.abs(p[0] - p[-1]).max()) <= 1e-9:
            p = p[:-1]  # an explicitly repeated closing vertex
        if len(p) >= 3:
            cleaned.append(p)
    return cleaned


def _group_offsets(offsets: FloatArray, tolerance_mm: float) -> list[list[int]]:
    order = np.argsort(offsets, kind="stable")
    groups: list[list[int]] = []
    for index in order:
        if groups and offsets[index] - offsets[groups[-1][0]] <= tolerance_mm:
            groups[-1].append(int(index))
        else:
            groups.append([int(index)])
    return groups


def _coplanar_groups(offsets: FloatArray, tolerance_mm: float) -> list[list[int]]:
    """Group contour offsets into planes.

    Contours within ``tolerance_mm`` share a plane; so do two planes whose gap is at most
    ``SCATTER_MM`` and under a quarter of the gaps on either side of them (rounded
    coordinates of oblique stacks scatter one slice's contours by hundredths of a
    millimetre; splitting them would turn a hole into an island on half of the slab).
    """
    groups = _group_offsets(offsets, tolerance_mm)  # sorted by offset
    if len(groups) < 3:
        return groups
    # a lone contour's mean is its own offset (np.mean of one value is that value)
    means = np.array([float(offsets[g[0]]) if len(g) == 1 else float(np.mean(offsets[g]))
                      for g in groups])
    gaps = np.diff(means)
    before = np.concatenate([[np.inf], gaps[:-1]])
    after = np.concatenate([gaps[1:], [np.inf]])
    scatter = (gaps < 0.25 * np.minimum(before, after)) & (gaps <= SCATTER_MM)
    merged = [list(groups[0])]
    for group, join in zip(groups[1:], scatter, strict=True):
        if join:
            merged[-1].extend(group)
        else:
            merged.append(list(group))
    return merged


def _slab_faces(offsets: FloatArray, spacing_mm: float, cap_fraction: float
                ) -> tuple[FloatArray, FloatArray]:
    """Lower and upper slab faces for sorted plane offsets (see module docstring)."""
    half = cap_fraction * spacing_mm
    lower = offsets - half
    upper = offsets + half
    if len(offsets) > 1:
        gaps = np.diff(offsets)
        bridged = gaps <= GAP_FACTOR * spacing_mm
        mid = 0.5 * (offsets[:-1] + offsets[1:])
        upper[:-1] = np.where(bridged, mid, upper[:-1])
        lower[1:] = np.where(bridged, mid, lower[1:])
    return lower, upper


def build_slab_model(
    polygons_mm: Sequence[NDArray[np.floating]],
    *,
    plane_spacing_mm: float | None = None,
    plane_tolerance_mm: float = 0.05,
    cap_fraction: float = 0.5,
) -> SlabModel | None:
    """Build the slab model of one structure from its closed planar contours.

    Parameters
    ----------
    polygons_mm : sequence of (N, 3) arrays
        Closed planar contours in patient ``(x, y, z)`` mm (any orientation, the closing
        edge implied).  Contours with fewer than 3 points are ignored.
    plane_spacing_mm : float, optional, keyword-only
        Nominal contour spacing for the end caps and for gaps; default the median
        distance between neighbouring planes (0 for a single plane).
    plane_tolerance_mm : float, keyword-only
        Contours whose offsets along the normal differ by at most this are coplanar.
    cap_fraction : float, keyword-only
        End caps reach this fraction of the nominal spacing beyond the end contours:
        0.5 is the default model (``slab``), 0 the ``none`` model of
        :mod:`rtviewer.core.structure_model` (the solid ends at the end contours).

    Returns
    -------
    SlabModel or None
        None when no contour encloses an area.
    """
    polygons = _clean(polygons_mm)
    if plane_spacing_mm is not None and not plane_spacing_mm >= 0:
        raise ValueError(f"plane_spacing_mm must be >= 0, got {plane_spacing_mm}")
    if not polygons:
        return None
    stacked = _Stacked(polygons)
    keep = np.linalg.norm(stacked.newell, axis=1) > 1e-12
    if not np.any(keep):
        return None
    if not np.all(keep):
        stacked = _Stacked([p for p, k in zip(polygons, keep, strict=True) if k])
    normal = _common_normal(stacked.newell)
    u, v = _in_plane_axes(normal)
    offsets = stacked.mean_along(normal)
    groups = _coplanar_groups(offsets, plane_tolerance_mm)
    label = np.empty(len(offsets), dtype=np.intp)
    for index, group in enumerate(groups):
        label[group] = index
    plane_offsets = np.bincount(label, weights=offsets) / np.bincount(label)
    if plane_spacing_mm is None:
        spacing = float(np.median(np.diff(plane_offsets))) if len(groups) > 1 else 0.0
    else:
        spacing = float(plane_spacing_mm)
    lower, upper = _slab_faces(plane_offsets, spacing, cap_fraction)
    uv_all = apply_affine(stacked.points, np.vstack([u, v]))
    uv_polygons = np.split(uv_all, stacked.starts[1:])
    areas = stacked.shoelace(uv_all)
    low = np.minimum.reduceat(uv_all, stacked.starts, axis=0)
    high = np.maximum.reduceat(uv_all, stacked.starts, axis=0)
    planes = []
    for index, group in enumerate(groups):
        uv = tuple(uv_polygons[g] for g in group)
        # one contour: its shoelace area; several: the even-odd combination
        area = float(areas[group[0]]) if len(group) == 1 else even_odd_area_mm2(uv)
        first = group[0]
        box = ((*low[first].tolist(), *high[first].tolist()) if len(group) == 1 else
               (*low[group].min(axis=0).tolist(), *high[group].max(axis=0).tolist()))
        planes.append(SlabPlane(offset_mm=float(plane_offsets[index]),
                                lower_mm=float(lower[index]), upper_mm=float(upper[index]),
                                polygons_uv=uv, area_mm2=area, bounds_uv=box))
    return SlabModel(normal=normal, u=u, v=v, planes=tuple(planes))


class _Stacked:
    """All polygons in one array, with per-polygon reductions (no Python loop per vertex)."""

    def __init__(self, polygons: Sequence[FloatArray]) -> None:
        counts = np.array([len(p) for p in polygons])
        self.points = np.vstack(polygons)
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.counts = counts
        following = np.arange(len(self.points)) + 1
        following[self.starts + counts - 1] = self.starts
        self.following = following
        means = np.add.reduceat(self.points, self.starts, axis=0) / counts[:, None]
        centred = self.points - np.repeat(means, counts, axis=0)
        self.newell = np.add.reduceat(np.cross(centred, centred[following]), self.starts, axis=0)

    def mean_along(self, direction: FloatArray) -> FloatArray:
        result: FloatArray = (np.add.reduceat(project(self.points, direction), self.starts)
                              / self.counts)
        return result

    def shoelace(self, uv: FloatArray) -> FloatArray:
        nxt = uv[self.following]
        twice = uv[:, 0] * nxt[:, 1] - uv[:, 1] * nxt[:, 0]
        result: FloatArray = 0.5 * np.abs(np.add.reduceat(twice, self.starts))
        return result
