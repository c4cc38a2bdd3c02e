"""The ``smooth`` structure model: shape-based interpolation between contour planes.

Shape-based interpolation (Herman, Zheng & Bucholtz, IEEE CG&A 1992): each contour
plane's region is described by its signed distance ``d_k(u, v)`` (negative inside the
even-odd region), and a point ``(u, v, z)`` between planes is inside when the
distances, interpolated along the normal, are ``<= 0``.  The interpolation is the
monotone cubic (PCHIP, Fritsch & Carlson 1980) through the distances of the
neighbouring planes of the same run -- linear interpolation would cut a sphere or a
lying cylinder into chords (about 1 % too small at 2–3 mm spacing); the monotone
cubic never overshoots, so a point inside (outside) both planes of a gap stays inside
(outside) between them.  A curved surface (a sphere, a cylinder lying across the
planes, a tilted cone) is followed between planes instead of being cut into steps.  Planes further apart than 1.5 nominal spacings are
not bridged, as in the slab model.

**End caps close the shape from the end contours' own taper.**  The *inradius* ``r``
of each plane's region (its largest inner distance) is fitted, as ``r²``, by a
polynomial through the last three planes (two for a two-plane piece) -- exact for the
profiles of spheres, ellipsoids, lying cylinders and cones.  Beyond the end plane the
cross-section is the end contour eroded by ``r_end − r(s)`` at distance ``s``:

* the fitted ``r²`` reaches 0 within one nominal spacing: the cap closes there (a
  sphere's pole, a cone's apex);
* otherwise (no taper, as a standing cylinder, or a widening end): the cap follows
  the fitted erosion and is cut flat at half a spacing -- the slab model's cap, the
  best estimate when the contours give no sign of closing.

A single-plane structure has no taper: it is a flat slab of the nominal spacing
(which must then be given), as in the slab model.

The model's volume is integrated on a fine in-plane lattice (each lattice point's
line through the solid is an exact interval); the DVH engine samples the same
intervals and scales its pieces to this volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from rtviewer.core.rasterise import even_odd_raster
from rtviewer.core.slab_model import SlabModel, SlabPlane, build_slab_model, points_in_polygon
from rtviewer.core.small_linalg import project

__all__ = ["SmoothModel", "build_smooth_model"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Lattice points per structure size for the reference volume (at most 2 mm apart).
_VOLUME_LATTICE = 48
_GOLDEN = 0.6180339887498949
_PLASTIC = 0.7548776662466927


@dataclass(frozen=True, eq=False)
class _Shape:
    """One contour plane's region: even-odd inside test and distance to its boundary."""

    offset_mm: float
    polygons_uv: tuple[FloatArray, ...]
    bounds_uv: tuple[float, float, float, float]
    tree: cKDTree
    spacing_mm: float  # of the densified boundary points

    def inside(self, uv: FloatArray) -> BoolArray:
        flags = np.zeros(len(uv), dtype=bool)
        for start in range(0, len(uv), 8192):  # bounded memory: points x edges
            chunk = uv[start:start + 8192]
            for polygon in self.polygons_uv:
                flags[start:start + 8192] ^= points_in_polygon(chunk, polygon)
        return flags

    def distance(self, uv: FloatArray) -> FloatArray:
        """Unsigned distance (mm) to the boundary (densified, error < spacing²/8d)."""
        if len(uv) == 0:
            return np.empty(0)
        d, _ = self.tree.query(uv)
        result: FloatArray = np.asarray(d, dtype=np.float64)
        return result

    def raster(self, origin_uv: tuple[float, float], pitch_mm: float,
               shape: tuple[int, int]) -> BoolArray:
        """Inside flags of a lattice (rows along v), exact scanline spans."""
        return even_odd_raster(list(self.polygons_uv), origin_uv, (pitch_mm, pitch_mm), shape)


def _densify(polygons: Sequence[FloatArray], step_mm: float) -> FloatArray:
    points = []
    for a in polygons:
        b = np.roll(a, -1, axis=0)
        n = np.maximum(np.ceil(np.linalg.norm(b - a, axis=1) / step_mm), 1).astype(np.intp)
        edge = np.repeat(np.arange(len(a)), n)
        t = (np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)) / n[edge]
        points.append(a[edge] + t[:, None] * (b - a)[edge])
    return np.vstack(points)


def _shape(plane: SlabPlane, step_mm: float) -> _Shape:
    bounds = plane.bounds_uv or (0.0, 0.0, 0.0, 0.0)
    return _Shape(plane.offset_mm, plane.polygons_uv, bounds,
                  cKDTree(_densify(plane.polygons_uv, step_mm)), step_mm)


def _inradius(shape: _Shape) -> float:
    """Largest distance from a point inside the region to its boundary (mm)."""
    u0, v0, u1, v1 = shape.bounds_uv
    pitch = max(u1 - u0, v1 - v0) / 64.0
    if pitch <= 0:
        return 0.0
    n_rows, n_cols = int((v1 - v0) / pitch) + 1, int((u1 - u0) / pitch) + 1
    inside = shape.raster((u0 + pitch / 2, v0 + pitch / 2), pitch, (n_rows, n_cols))
    rows, cols = np.nonzero(inside)
    if len(rows) == 0:
        return 0.0
    uv = np.column_stack([u0 + (cols + 0.5) * pitch, v0 + (rows + 0.5) * pitch])
    best = uv[int(np.argmax(shape.distance(uv)))]
    # refine around the best lattice point: the inradius is a smooth maximum
    offsets = np.stack(np.meshgrid(*(np.linspace(-pitch, pitch, 9),) * 2), -1).reshape(-1, 2)
    around = best + offsets
    around = around[shape.inside(around)]
    return float(shape.distance(np.vstack([best[None], around])).max())


@dataclass(frozen=True, eq=False)
class _Cap:
    """An end cap beyond plane ``plane`` (``direction`` +1 above, −1 below).

    ``erosion_mm[i]`` is how far the end contour has shrunk at ``reach_mm[i]`` beyond
    the plane (non-decreasing); the cap ends at ``reach_mm[-1]``.
    """

    plane: int
    direction: int
    reach_mm: FloatArray
    erosion_mm: FloatArray

    def reach(self, depth_mm: FloatArray) -> FloatArray:
        """How far beyond the plane a point at ``depth_mm`` inside the contour stays inside."""
        erosion = self.erosion_mm + np.arange(len(self.erosion_mm)) * 1e-12  # increasing
        result: FloatArray = np.interp(depth_mm, erosion, self.reach_mm)
        result[depth_mm >= erosion[-1]] = self.reach_mm[-1]
        return result


def _taper_fit(offsets: FloatArray, radii: FloatArray) -> np.poly1d:
    """``r²`` as a polynomial of the distance beyond the end plane (degree ≤ 2)."""
    degree = min(2, len(offsets) - 1)
    return np.poly1d(np.polyfit(offsets, radii**2, degree))


def _cap(plane: int, direction: int, offsets: FloatArray, radii: FloatArray,
         spacing_mm: float) -> _Cap:
    """The cap beyond ``offsets[0]`` (plane offsets ordered outwards-in, see module doc)."""
    beyond = (offsets - offsets[0]) * direction  # 0 at the end plane, negative inwards
    r_end = float(radii[0])
    if len(offsets) < 2 or r_end <= 0:
        reach = np.array([0.0, 0.5 * spacing_mm])
        return _Cap(plane, direction, reach, np.zeros(2))
    fit = _taper_fit(beyond, radii)
    s = np.linspace(0.0, spacing_mm, 129)
    squared = fit(s)
    closing = np.flatnonzero(squared <= 0.0)
    shrinking = squared[1] < squared[0]
    if shrinking and len(closing):
        end = int(closing[0])
        a, b = s[end - 1], s[end]  # the root between the last two samples
        root = a + (b - a) * squared[end - 1] / (squared[end - 1] - squared[end])
        s = np.linspace(0.0, root, 129)
        squared = np.maximum(fit(s), 0.0)
        squared[-1] = 0.0
    else:  # no closing within a spacing: follow the taper, cut flat at half a spacing
        s = np.linspace(0.0, 0.5 * spacing_mm, 129)
        squared = np.clip(fit(s), 0.0, r_end**2)
    erosion = np.maximum.accumulate(np.maximum(r_end - np.sqrt(squared), 0.0))
    return _Cap(plane, direction, s, erosion)


def _pchip_slope(left: FloatArray | None, right: FloatArray | None, h_left: float,
                 h_right: float) -> FloatArray:
    """Fritsch–Carlson slope at a plane from the secants on either side (shape-preserving).

    Zero where the secants change sign (a local extremum stays at the plane); the
    secant itself at the end of a run.
    """
    if left is None:
        assert right is not None
        return right
    if right is None:
        return left
    w1, w2 = 2 * h_right + h_left, h_right + 2 * h_left
    same = left * right > 0
    safe_l = np.where(same, left, 1.0)
    safe_r = np.where(same, right, 1.0)
    result: FloatArray = np.where(same, (w1 + w2) / (w1 / safe_l + w2 / safe_r), 0.0)
    return result


def _end_slope(last: FloatArray, inner: FloatArray | None, h_last: float, h_inner: float
               ) -> FloatArray:
    """PCHIP's one-sided three-point slope at the end plane of a run (secant with 2 planes)."""
    if inner is None:
        return last
    m = ((2 * h_last + h_inner) * last - h_last * inner) / (h_last + h_inner)
    m = np.where(np.sign(m) != np.sign(last), 0.0, m)
    result: FloatArray = np.where((np.sign(last) != np.sign(inner)) & (np.abs(m) > 3 * np.abs(last)),
                                  3 * last, m)
    return result


def _hermite(y0: FloatArray, y1: FloatArray, m0: FloatArray, m1: FloatArray, h: float,
             tau: FloatArray) -> FloatArray:
    """Cubic Hermite interpolant on ``[0, 1]`` (slopes per mm, interval ``h`` mm)."""
    t2, t3 = tau * tau, tau * tau * tau
    result: FloatArray = ((2 * t3 - 3 * t2 + 1) * y0 + (t3 - 2 * t2 + tau) * h * m0
                          + (-2 * t3 + 3 * t2) * y1 + (t3 - t2) * h * m1)
    return result


def _hermite_root(y0: FloatArray, y1: FloatArray, m0: FloatArray, m1: FloatArray,
                  h: float) -> FloatArray:
    """Where a monotone Hermite cubic between values of opposite sign crosses 0 (τ in [0, 1])."""
    low, high = np.zeros(len(y0)), np.ones(len(y0))
    rising = y1 > y0
    for _ in range(40):  # bisection: the PCHIP cubic is monotone on the interval
        middle = 0.5 * (low + high)
        above = _hermite(y0, y1, m0, m1, h, middle) > 0
        go_low = above == rising  # the root lies below middle
        high = np.where(go_low, middle, high)
        low = np.where(go_low, low, middle)
    return 0.5 * (low + high)


@dataclass(frozen=True, eq=False)
class SmoothModel:
    """A structure under the ``smooth`` model (module docstring).

    Attributes
    ----------
    normal, u, v : (3,) ndarrays
        Contour-plane normal and in-plane axes, as in :class:`SlabModel`.
    planes : tuple of SlabPlane
        The contour planes (with the slab model's faces, used for bounds and sampling
        estimates only).
    volume_mm3 : float
        The solid's volume (fine-lattice integral).
    """

    normal: FloatArray
    u: FloatArray
    v: FloatArray
    planes: tuple[SlabPlane, ...]
    shapes: tuple[_Shape, ...]
    gaps: tuple[int, ...]
    caps: tuple[_Cap, ...]
    volume_mm3: float = 0.0

    # -- sampling lines -----------------------------------------------------------------
    def _bounds(self, indices: Sequence[int]) -> tuple[float, float, float, float]:
        boxes = np.array([self.shapes[i].bounds_uv for i in indices])
        return (float(boxes[:, 0].min()), float(boxes[:, 1].min()),
                float(boxes[:, 2].max()), float(boxes[:, 3].max()))

    @staticmethod
    def _lattice(bounds: tuple[float, float, float, float], pitch_mm: float, phase: float,
                 seed: float) -> tuple[tuple[float, float], tuple[int, int]]:
        u0 = (np.floor(bounds[0] / pitch_mm) - 1 + phase) * pitch_mm
        v0 = (np.floor(bounds[1] / pitch_mm) - 1 + seed) * pitch_mm
        shape = (int(np.ceil((bounds[3] - v0) / pitch_mm)) + 2,
                 int(np.ceil((bounds[2] - u0) / pitch_mm)) + 2)
        return (float(u0), float(v0)), shape

    def _signed(self, k: int, uv: FloatArray, inside: BoolArray | None = None) -> FloatArray:
        shape = self.shapes[k]
        flags = shape.inside(uv) if inside is None else inside
        result: FloatArray = np.where(flags, -1.0, 1.0) * shape.distance(uv)
        return result

    def _ring_profile(self, k: int, uv: FloatArray, ia: BoolArray, ib: BoolArray
                      ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Signed distances at planes ``k``, ``k + 1`` and PCHIP slopes there (per mm).

        The slopes use the neighbouring planes of the same run, so that the distance
        profile along the normal is a smooth, monotone-preserving cubic: a sphere or a
        lying cylinder is followed between planes, not cut into chords.
        """
        za, zb = self.shapes[k].offset_mm, self.shapes[k + 1].offset_mm
        da, db = self._signed(k, uv, ia), self._signed(k + 1, uv, ib)
        h = zb - za
        secant = (db - da) / h
        before = after = None
        h_before = h_after = h
        if k - 1 in self.gaps:
            h_before = za - self.shapes[k - 1].offset_mm
            before = (da - self._signed(k - 1, uv)) / h_before
        if k + 1 in self.gaps:
            h_after = self.shapes[k + 2].offset_mm - zb
            after = (self._signed(k + 2, uv) - db) / h_after
        ma = (_pchip_slope(before, secant, h_before, h) if before is not None
              else _end_slope(secant, after, h, h_after))
        mb = (_pchip_slope(secant, after, h, h_after) if after is not None
              else _end_slope(secant, before, h, h_before))
        return da, db, ma, mb

    def _gap_lines(self, k: int, pitch: float, phase: float, seed: float
                   ) -> tuple[FloatArray, FloatArray, FloatArray]:
        a, b = self.shapes[k], self.shapes[k + 1]
        origin, shape = self._lattice(self._bounds((k, k + 1)), pitch, phase, seed)
        in_a, in_b = a.raster(origin, pitch, shape), b.raster(origin, pitch, shape)
        rows, cols = np.nonzero(in_a | in_b)
        uv = np.column_stack([origin[0] + cols * pitch, origin[1] + rows * pitch])
        ia, ib = in_a[rows, cols], in_b[rows, cols]
        za, zb = a.offset_mm, b.offset_mm
        lower, upper = np.full(len(uv), za), np.full(len(uv), zb)
        ring = ia != ib
        da, db, ma, mb = self._ring_profile(k, uv[ring], ia[ring], ib[ring])
        crossing = za + (zb - za) * _hermite_root(da, db, ma, mb, zb - za)
        ring_index = np.flatnonzero(ring)
        upper[ring_index[ia[ring]]] = crossing[ia[ring]]
        lower[ring_index[~ia[ring]]] = crossing[~ia[ring]]
        return uv, lower, upper

    def _cap_lines(self, cap: _Cap, pitch: float, phase: float, seed: float
                   ) -> tuple[FloatArray, FloatArray, FloatArray]:
        shape_ = self.shapes[cap.plane]
        origin, shape = self._lattice(shape_.bounds_uv, pitch, phase, seed)
        rows, cols = np.nonzero(shape_.raster(origin, pitch, shape))
        uv = np.column_stack([origin[0] + cols * pitch, origin[1] + rows * pitch])
        reach = cap.reach(shape_.distance(uv))
        z = shape_.offset_mm
        if cap.direction > 0:
            return uv, np.full(len(uv), z), z + reach
        return uv, z - reach, np.full(len(uv), z)

    def lines(self, pitch_mm: float) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Lines along the normal through the solid, one per lattice point of pitch ``pitch_mm``.

        Each gap and cap has its own lattice, shifted by golden-ratio phases so that
        neighbouring segments share no sample positions.

        Returns
        -------
        points_uv : (M, 2) ndarray
            In-plane position of each line (mm).
        lower_mm, upper_mm : (M,) ndarrays
            Where the line enters and leaves the solid (offsets along the normal).
        area_mm2 : (M,) ndarray
            ``pitch_mm²`` for every line.
        """
        parts = []
        for index, k in enumerate(self.gaps):
            parts.append(self._gap_lines(k, pitch_mm, (index * _GOLDEN) % 1.0,
                                         (index * _PLASTIC) % 1.0))
        for index, cap in enumerate(self.caps):
            parts.append(self._cap_lines(cap, pitch_mm, (0.5 + index * _GOLDEN) % 1.0,
                                         (0.5 + index * _PLASTIC) % 1.0))
        parts = [p for p in parts if len(p[0])]
        if not parts:
            empty = np.empty(0)
            return np.empty((0, 2)), empty, empty, empty
        uv = np.vstack([p[0] for p in parts])
        lower = np.concatenate([p[1] for p in parts])
        upper = np.concatenate([p[2] for p in parts])
        keep = upper > lower
        return uv[keep], lower[keep], upper[keep], np.full(int(keep.sum()), pitch_mm**2)

    def to_patient(self, uv: FloatArray, offset_mm: float | FloatArray) -> FloatArray:
        """Patient ``(x, y, z)`` mm of plane points ``uv`` (..., 2) at offset(s) along normal."""
        uv = np.asarray(uv, dtype=np.float64)
        offset = np.asarray(offset_mm, dtype=np.float64)[..., None]
        result: FloatArray = uv[..., :1] * self.u + uv[..., 1:2] * self.v + offset * self.normal
        return result

    # -- inside test ----------------------------------------------------------------------
    def contains(self, points_mm: FloatArray) -> BoolArray:
        """Which patient points ``(M, 3)`` mm lie inside the solid."""
        points = np.asarray(points_mm, dtype=np.float64).reshape(-1, 3)
        t = project(points, self.normal)
        uv = np.column_stack([project(points, self.u), project(points, self.v)])
        inside = np.zeros(len(points), dtype=bool)
        for k in self.gaps:
            a, b = self.shapes[k], self.shapes[k + 1]
            here = np.flatnonzero((t >= a.offset_mm) & (t < b.offset_mm))
            if len(here) == 0:
                continue
            tau = (t[here] - a.offset_mm) / (b.offset_mm - a.offset_mm)
            ia, ib = a.inside(uv[here]), b.inside(uv[here])
            result = ia & ib
            ring = np.flatnonzero(ia != ib)
            da, db, ma, mb = self._ring_profile(k, uv[here][ring], ia[ring], ib[ring])
            h = b.offset_mm - a.offset_mm
            result[ring] = _hermite(da, db, ma, mb, h, tau[ring]) <= 0
            inside[here] = result
        for cap in self.caps:
            shape = self.shapes[cap.plane]
            beyond = (t - shape.offset_mm) * cap.direction
            here = np.flatnonzero((beyond >= 0) & (beyond <= cap.reach_mm[-1]) & ~inside)
            if len(here) == 0:
                continue
            flags = shape.inside(uv[here])
            depth = shape.distance(uv[here][flags])
            ok = np.zeros(len(here), dtype=bool)
            ok[flags] = beyond[here][flags] <= cap.reach(depth)
            inside[here] = ok
        return inside


def _pieces(planes: Sequence[SlabPlane]) -> list[list[int]]:
    """Runs of bridged planes (neighbours whose slabs touch)."""
    runs: list[list[int]] = [[0]]
    for k in range(1, len(planes)):
        if abs(planes[k - 1].upper_mm - planes[k].lower_mm) < 1e-9:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _spacing(slab: SlabModel, plane_spacing_mm: float | None) -> float:
    if plane_spacing_mm is not None:
        return float(plane_spacing_mm)
    end = slab.planes[-1]
    return 2.0 * (end.upper_mm - end.offset_mm)  # the slab cap is half the nominal spacing


def build_smooth_model(
    polygons_mm: Sequence[NDArray[np.floating]],
    *,
    plane_spacing_mm: float | None = None,
) -> SmoothModel | None:
    """Build the ``smooth`` model of one structure (module docstring).

    Parameters
    ----------
    polygons_mm : sequence of (N, 3) arrays
        Closed planar contours in patient ``(x, y, z)`` mm.
    plane_spacing_mm : float, optional, keyword-only
        Nominal contour spacing; default the median distance between planes.

    Returns
    -------
    SmoothModel or None
        None when no contour encloses an area.
    """
    slab = build_slab_model(polygons_mm, plane_spacing_mm=plane_spacing_mm)
    if slab is None:
        return None
    planes = tuple(p for p in slab.planes if p.area_mm2 > 0)
    if not planes:
        return None
    spacing = _spacing(slab, plane_spacing_mm)
    size = max(slab.volume_mm3, 1e-9) ** (1 / 3) if slab.volume_mm3 > 0 else 1.0
    step = float(np.clip(size / 400.0, 0.01, 0.1))
    shapes = tuple(_shape(p, step) for p in planes)
    gaps: list[int] = []
    caps: list[_Cap] = []
    radii: dict[int, float] = {}

    def radius(k: int) -> float:
        if k not in radii:
            radii[k] = _inradius(shapes[k])
        return radii[k]

    for run in _pieces(planes):
        gaps += run[:-1]
        for end, direction in ((run[-1], 1), (run[0], -1)):
            if spacing <= 0:
                continue
            inward = [run[-1 - i] for i in range(min(3, len(run)))] if direction > 0 else \
                run[:3]
            offsets = np.array([shapes[i].offset_mm for i in inward])
            caps.append(_cap(end, direction, offsets, np.array([radius(i) for i in inward]),
                             spacing))
    model = SmoothModel(normal=slab.normal, u=slab.u, v=slab.v, planes=planes, shapes=shapes,
                        gaps=tuple(gaps), caps=tuple(caps))
    pitch = float(min(size / _VOLUME_LATTICE, 2.0))
    _, lower, upper, area = model.lines(pitch)
    object.__setattr__(model, "volume_mm3", float(np.sum((upper - lower) * area)))
    return model
