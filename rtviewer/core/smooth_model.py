"""The ``smooth`` structure model: shape-based interpolation between contour planes.

Shape-based interpolation (Herman, Zheng & Bucholtz, IEEE CG&A 1992): each contour
plane's region is described by its signed distance ``d_k(u, v)`` (negative inside the
even-odd region), and a point ``(u, v, z)`` between planes ``a`` and ``b`` is inside
when::

    (1 − τ)·d_a(u, v) + τ·d_b(u, v) + c(τ) <= 0,   τ = (z − z_a) / (z_b − z_a)

Plain linear interpolation (``c = 0``) cuts a sphere or a lying cylinder into chords
(about 1 % too small at 2–3 mm spacing, much more in the gap next to a pole).  The
correction ``c(τ) = r_lin(τ) − r(z)`` bends the surface like the structure's own
profile: ``r`` is the *inradius* of each plane's region (its largest inner distance),
``r(z)`` the monotone cubic (PCHIP, :mod:`rtviewer.core.monotone_cubic`) through the
planes' ``r²`` -- smooth where ``r`` itself has the infinite slope of a pole -- and
``r_lin`` its chord.  For a sphere, an
ellipsoid, a cylinder lying across the planes or a cone the corrected surface is the
exact one between planes; a straight stack (``r`` constant) keeps ``c = 0``.  ``c`` is
one value per height for the whole cross-section (a structure of several islands of
very different sizes bends all of them like the largest).  Planes further apart than
1.5 nominal spacings are not bridged, as in the slab model.

**End caps close the shape from the end contours' own taper.**  ``r²`` of the last
three planes (two for a two-plane piece) is fitted by a polynomial of the distance
beyond the end plane -- exact for the profiles above.  Beyond the end plane, at
distance ``s``, a point of the end contour stays inside while
``d_end + slope·s + (r_end − r(s)) − taper·s <= 0``: its own signed-distance change
per mm between the inner and the end plane (``slope``, clamped at 0) extrapolated, and
bent like the gaps by the fitted profile (``taper`` is the inradius's own change per mm,
so for a sphere the cross-section is the end contour eroded by ``r_end − r(s)``, while a
cylinder lying across the planes closes its width and keeps its length):

* when the fitted ``r²`` reaches 0 within one spacing (a sphere's pole, a cone's apex)
  the section shrinks to a thread around the end contour's innermost point, which
  reaches half a spacing (the slab model's extent, the mid-point to the first plane
  without contour) or the fitted closing, whichever is further; a closing fitted up to
  1.5 spacings away is compressed onto the next plane (which holds no contour, so the
  structure ends there);
* otherwise (no taper: a standing cylinder; or a widening end) the cap follows the
  fitted erosion and is cut flat at half a spacing -- the slab model's cap.

So the volume follows the taper, and the extent never falls short of the contour
spacing's convention (the extremes of the Nelms benchmark lie on those cap faces).  A
single-plane structure has no taper: a flat slab of the nominal spacing (which must
then be given), as in the slab model.

The model's volume is integrated on a fine in-plane lattice (each lattice point's
line through the solid is an interval, its ends refined between 33 samples of ``τ``);
the DVH engine samples the same intervals and scales its pieces to this volume.

Why write this here: no maintained Python library interpolates planar contour stacks
into a solid with a volume and an inside test (scikit-image and scipy give the distance
transforms used here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.monotone_cubic import MonotoneCubic
from rtviewer.core.rasterise import even_odd_raster
from rtviewer.core.slab_model import SlabModel, SlabPlane, build_slab_model, points_in_polygon
from rtviewer.core.small_linalg import project

# scipy is imported where a smooth model is built: its ndimage and spatial packages
# take 0.5-1 s to import, which every command touching a structure model (the
# report, slab DVHs) would pay otherwise
if TYPE_CHECKING:
    from scipy.spatial import cKDTree

__all__ = ["SmoothModel", "build_smooth_model", "import_dependencies"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def import_dependencies() -> None:
    """Import the scipy packages a smooth model needs, now rather than at the first build.

    A process about to share smooth solids with a forked copy of itself
    (:mod:`rtviewer.cli.fork_share`) calls it first: imported after the fork, both
    processes would pay the import (about 0.7 s of CPU each).
    """
    import scipy.ndimage
    import scipy.spatial  # noqa: F401 - imported for its side effect: loaded once


#: Lattice points per structure size for the reference volume (at most 2 mm apart).
_VOLUME_LATTICE = 48
#: Radius (mm) of the thread a closing cap keeps out to its full extent.
_THREAD_MM = 0.01
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

    def distance(self, uv: FloatArray, beyond_mm: float | None = None) -> FloatArray:
        """Unsigned distance (mm) to the boundary (densified, error < spacing²/8d).

        With ``beyond_mm``, distances past it come back as ``inf`` (a faster search).
        """
        if len(uv) == 0:
            return np.empty(0)
        if beyond_mm is None:
            d, _ = self.tree.query(uv)
        else:
            d, _ = self.tree.query(uv, distance_upper_bound=beyond_mm + 1e-9)
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
    from scipy.spatial import cKDTree

    bounds = plane.bounds_uv or (0.0, 0.0, 0.0, 0.0)
    return _Shape(plane.offset_mm, plane.polygons_uv, bounds,
                  cKDTree(_densify(plane.polygons_uv, step_mm)), step_mm)


def _inradius(shape: _Shape) -> tuple[float, FloatArray]:
    """Largest distance from a point inside the region to its boundary (mm), and that point."""
    u0, v0, u1, v1 = shape.bounds_uv
    centre = np.array([0.5 * (u0 + u1), 0.5 * (v0 + v1)])
    pitch = max(u1 - u0, v1 - v0) / 64.0
    if pitch <= 0:
        return 0.0, centre
    n_rows, n_cols = int((v1 - v0) / pitch) + 1, int((u1 - u0) / pitch) + 1
    inside = shape.raster((u0 + pitch / 2, v0 + pitch / 2), pitch, (n_rows, n_cols))
    rows, cols = np.nonzero(inside)
    if len(rows) == 0:
        return 0.0, centre
    uv = np.column_stack([u0 + (cols + 0.5) * pitch, v0 + (rows + 0.5) * pitch])
    best = uv[_farthest_inside(shape, inside, rows, cols, uv, pitch)]
    # refine around the best lattice point: the inradius is a smooth maximum
    offsets = np.stack(np.meshgrid(*(np.linspace(-pitch, pitch, 9),) * 2), -1).reshape(-1, 2)
    around = np.vstack([best[None], best + offsets])
    around = around[shape.inside(around)] if shape.inside(around).any() else best[None]
    distances = shape.distance(around)
    return float(distances.max()), around[int(np.argmax(distances))]


def _farthest_inside(shape: _Shape, inside: BoolArray, rows: NDArray[np.intp],
                     cols: NDArray[np.intp], uv: FloatArray, pitch: float) -> int:
    """``argmax(shape.distance(uv))`` of the inside lattice points, computing few distances.

    The first of the points ``uv`` farthest from the boundary.  A point's boundary
    distance is at most its lattice distance to the nearest outside lattice point (the
    segment between them crosses the boundary) plus the densified boundary's spacing;
    once one point's exact distance is known, only points whose bound reaches it can be
    farther.  Same index as the full search, a few exact distances instead of thousands
    (the inradius search was a third of a small structure's smooth solid).
    """
    if inside.all():  # no outside lattice point: no bound
        return int(np.argmax(shape.distance(uv)))
    from scipy.ndimage import distance_transform_edt

    bound = (distance_transform_edt(inside)[rows, cols] * pitch + shape.spacing_mm) \
        * (1 + 1e-9) + 1e-12  # margins for rounding: never below the exact bound
    first = int(np.argmax(bound))
    reached = float(shape.distance(uv[first:first + 1])[0])
    candidates = np.flatnonzero(bound >= reached)  # ascending: the first maximum stays first
    return int(candidates[int(np.argmax(shape.distance(uv[candidates])))])


@dataclass(frozen=True, eq=False)
class _Cap:
    """An end cap beyond plane ``plane`` (``direction`` +1 above, −1 below).

    ``erosion_mm[i]`` is how far the end contour has shrunk at ``reach_mm[i]`` beyond
    the plane (non-decreasing); the cap ends at ``reach_mm[-1]``, at ``tip_uv``.
    """

    plane: int
    direction: int
    reach_mm: FloatArray
    erosion_mm: FloatArray
    tip_uv: FloatArray  # the end contour's innermost point: where the cap ends last
    inner: int | None = None  # the neighbouring plane inwards, when the run has one
    taper: float = 0.0  # how fast the inradius shrinks towards the end (mm per mm, >= 0)

    def reach(self, depth_mm: FloatArray, slope: FloatArray | None = None) -> FloatArray:
        """How far beyond the plane a point at ``depth_mm`` inside the end contour stays inside.

        ``slope`` is the point's own signed-distance change per mm towards the end
        (end plane minus inner plane, clamped at 0): the cap extrapolates it and bends
        it by the fitted profile, ``−depth + slope·s + erosion(s) − taper·s <= 0``, so a
        cylinder lying across the planes keeps its length while its width closes.
        Without ``slope`` every point shrinks at the profile's rate (plain erosion).
        """
        if slope is None:
            erosion = self.erosion_mm + np.arange(len(self.erosion_mm)) * 1e-12  # increasing
            result: FloatArray = np.interp(depth_mm, erosion, self.reach_mm)
            result[depth_mm >= erosion[-1]] = self.reach_mm[-1]
            return result
        s = self.reach_mm
        bend = self.erosion_mm - self.taper * s
        g = -depth_mm[:, None] + slope[:, None] * s[None, :] + bend[None, :]
        outside = g > 0
        first = np.where(outside.any(axis=1), np.argmax(outside, axis=1), len(s))
        before = np.clip(first - 1, 0, len(s) - 1)
        after = np.clip(first, 0, len(s) - 1)
        rows = np.arange(len(g))
        g0, g1 = g[rows, before], g[rows, after]
        weight = np.where(g1 != g0, -g0 / np.where(g1 != g0, g1 - g0, 1.0), 0.0)
        crossing = s[before] + (s[after] - s[before]) * np.clip(weight, 0.0, 1.0)
        result = np.where(first >= len(s), s[-1], np.where(first == 0, 0.0, crossing))
        return result


def _radius_profile(offsets: FloatArray, radii: FloatArray) -> MonotoneCubic | np.poly1d:
    """``r²`` along a run of planes: monotone cubic through the planes' squared inradii.

    ``r²`` rather than ``r``: it is smooth (quadratic) where ``r`` has the infinite slope
    of a sphere's pole or a lying cylinder's top.
    """
    if len(offsets) >= 3:
        return MonotoneCubic(offsets, radii**2)
    if len(offsets) == 2:
        return np.poly1d(np.polyfit(offsets, radii**2, 1))
    return np.poly1d([radii[0] ** 2])


def _taper_fit(offsets: FloatArray, radii: FloatArray) -> np.poly1d:
    """``r²`` as a polynomial of the distance beyond the end plane (degree ≤ 2)."""
    degree = min(2, len(offsets) - 1)
    return np.poly1d(np.polyfit(offsets, radii**2, degree))


def _cap(plane: int, direction: int, offsets: FloatArray, radii: FloatArray,
         spacing_mm: float, tip_uv: FloatArray, inner: int | None = None) -> _Cap:
    """The cap beyond ``offsets[0]`` (plane offsets ordered outwards-in, see module doc).

    The cap reaches half a spacing beyond the end contour (the slab model's extent, the
    mid-point to the first plane without contour), further when the taper closes later
    (up to one spacing); its section is the end contour eroded along the fitted taper,
    down to a thread of :data:`_THREAD_MM` around ``tip_uv`` when the taper closes
    earlier (a sphere's pole contour): the volume follows the taper, the extent the
    contour spacing.
    """
    beyond = (offsets - offsets[0]) * direction  # 0 at the end plane, negative inwards
    r_end = float(radii[0])
    half = 0.5 * spacing_mm
    if len(offsets) < 2 or r_end <= 0:
        return _Cap(plane, direction, np.array([0.0, half]), np.zeros(2), tip_uv)
    inner_gap = abs(float(offsets[1] - offsets[0]))
    taper = max(float(radii[1] - radii[0]), 0.0) / inner_gap
    fit = _taper_fit(beyond, radii)
    # the taper may close a little past the next (empty) plane -- a pole drawn on no
    # plane, inradii slightly under-estimated: up to 1.5 spacings it closes at that plane
    s = np.linspace(0.0, 1.5 * spacing_mm, 385)
    squared = fit(s)
    closing = np.flatnonzero(squared <= 0.0)
    stretch = 1.0
    if squared[1] < squared[0] and len(closing):
        end = int(closing[0])
        a, b = s[end - 1], s[end]  # the root between the last two samples
        root = a + (b - a) * squared[end - 1] / (squared[end - 1] - squared[end])
        stretch = max(root / spacing_mm, 1.0)  # a later closing is compressed to the plane
        root = min(root, spacing_mm)
        s = np.linspace(0.0, max(root, half), 257)
    else:  # no closing near the next plane: follow the taper, cut flat at half a spacing
        s = np.linspace(0.0, half, 257)
    squared = np.clip(fit(s * stretch), 0.0, r_end**2)
    thread = min(_THREAD_MM, 0.5 * r_end)
    erosion = np.minimum(np.maximum(r_end - np.sqrt(squared), 0.0), r_end - thread)
    return _Cap(plane, direction, s, np.maximum.accumulate(erosion), tip_uv, inner, taper)


def _depth(flags: BoolArray, sampling: tuple[float, float]) -> FloatArray:
    """Distance of each lattice point to the nearest point on the other side (lattice EDT)."""
    from scipy.ndimage import distance_transform_edt

    result: FloatArray = (distance_transform_edt(flags, sampling)
                          + distance_transform_edt(~flags, sampling))
    return result


_TAU = np.linspace(0.0, 1.0, 33)  # where the interpolated distance is evaluated in a gap


def _inside_interval(da: FloatArray, db: FloatArray, correction: FloatArray
                     ) -> tuple[FloatArray, FloatArray]:
    """Where ``(1 − τ)·d_a + τ·d_b + c(τ) <= 0`` on ``τ`` in [0, 1], as ``(τ_in, τ_out)``.

    ``correction`` is ``c`` on :data:`_TAU`.  Crossings are refined linearly between
    the samples; an empty set gives ``τ_in >= τ_out``.
    """
    f = (1 - _TAU) * da[:, None] + _TAU * db[:, None] + correction
    negative = f <= 0
    any_in = negative.any(axis=1)
    first = np.argmax(negative, axis=1)
    last = len(_TAU) - 1 - np.argmax(negative[:, ::-1], axis=1)
    rows = np.arange(len(f))

    def crossing(inner: NDArray[np.intp], outer: NDArray[np.intp]) -> FloatArray:
        fi, fo = f[rows, inner], f[rows, np.clip(outer, 0, len(_TAU) - 1)]
        weight = np.where(fo != fi, fi / np.where(fo != fi, fi - fo, 1.0), 0.0)
        return _TAU[inner] + (_TAU[np.clip(outer, 0, len(_TAU) - 1)] - _TAU[inner]) * weight

    tau_in = np.where(first > 0, crossing(first, first - 1), 0.0)
    tau_out = np.where(last < len(_TAU) - 1, crossing(last, last + 1), 1.0)
    tau_in = np.where(any_in, tau_in, 1.0)
    tau_out = np.where(any_in, tau_out, 0.0)
    return tau_in, tau_out


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
    corrections: tuple[FloatArray, ...] = ()  # per gap: c(τ) on _TAU (module docstring)
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

    def _gap_lines(self, index: int, pitch: float, phase: float, seed: float
                   ) -> tuple[FloatArray, FloatArray, FloatArray]:
        k = self.gaps[index]
        a, b = self.shapes[k], self.shapes[k + 1]
        correction = self.corrections[index]
        grow = max(float(-correction.min()), 0.0)  # the solid may bulge beyond both contours
        bounds = self._bounds((k, k + 1))
        bounds = (bounds[0] - grow, bounds[1] - grow, bounds[2] + grow, bounds[3] + grow)
        origin, shape = self._lattice(bounds, pitch, phase, seed)
        in_a, in_b = a.raster(origin, pitch, shape), b.raster(origin, pitch, shape)
        candidate = in_a | in_b
        if grow > 0:
            rows, cols = np.nonzero(~candidate)
            uv = np.column_stack([origin[0] + cols * pitch, origin[1] + rows * pitch])
            near = (a.distance(uv, grow) < grow) | (b.distance(uv, grow) < grow)
            candidate[rows[near], cols[near]] = True
        rows, cols = np.nonzero(candidate)
        uv = np.column_stack([origin[0] + cols * pitch, origin[1] + rows * pitch])
        ia, ib = in_a[rows, cols], in_b[rows, cols]
        # a point on the same side of both contours, further from both than the largest
        # correction, is decided by its side: only the others need exact distances (the
        # lattice's own distance transform, exact to a pitch, finds them)
        bound = max(float(np.abs(correction).max()), 1e-6)
        deep_a = _depth(in_a, (1.0, 1.0))
        deep_b = _depth(in_b, (1.0, 1.0))
        far = bound + 2.0 * pitch
        decided = ((ia == ib) & (deep_a[rows, cols] * pitch > far)
                   & (deep_b[rows, cols] * pitch > far))
        exact = ~decided
        da, db = np.full(len(uv), 2 * far), np.full(len(uv), 2 * far)
        da[exact], db[exact] = a.distance(uv[exact]), b.distance(uv[exact])
        da *= np.where(ia, -1.0, 1.0)
        db *= np.where(ib, -1.0, 1.0)
        tau_in, tau_out = _inside_interval(da, db, correction)
        h = b.offset_mm - a.offset_mm
        return uv, a.offset_mm + tau_in * h, a.offset_mm + tau_out * h

    def _cap_reach(self, cap: _Cap, uv: FloatArray, inner_inside: BoolArray | None = None
                   ) -> FloatArray:
        """:meth:`_Cap.reach` of points inside the end contour, with their own slopes."""
        end = self.shapes[cap.plane]
        depth = end.distance(uv)
        if cap.inner is None:
            return cap.reach(depth)
        inner = self.shapes[cap.inner]
        flags = inner.inside(uv) if inner_inside is None else inner_inside
        d_inner = np.where(flags, -1.0, 1.0) * inner.distance(uv)
        gap = abs(end.offset_mm - inner.offset_mm)
        slope = np.maximum(-depth - d_inner, 0.0) / gap
        return cap.reach(depth, slope)

    def _cap_lines(self, cap: _Cap, pitch: float, phase: float, seed: float
                   ) -> tuple[FloatArray, FloatArray, FloatArray]:
        shape_ = self.shapes[cap.plane]
        origin, shape = self._lattice(shape_.bounds_uv, pitch, phase, seed)
        rows, cols = np.nonzero(shape_.raster(origin, pitch, shape))
        uv = np.column_stack([origin[0] + cols * pitch, origin[1] + rows * pitch])
        inner_inside = (None if cap.inner is None else
                        self.shapes[cap.inner].raster(origin, pitch, shape)[rows, cols])
        reach = self._cap_reach(cap, uv, inner_inside)
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
        for index in range(len(self.gaps)):
            parts.append(self._gap_lines(index, pitch_mm, (index * _GOLDEN) % 1.0,
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

    def tips(self) -> tuple[FloatArray, FloatArray]:
        """The far end of every cap: in-plane points ``(K, 2)`` and offsets ``(K,)``."""
        if not self.caps:
            return np.empty((0, 2)), np.empty(0)
        uv = np.array([c.tip_uv for c in self.caps])
        offsets = np.array([self.shapes[c.plane].offset_mm + c.direction * c.reach_mm[-1]
                            for c in self.caps])
        return uv, offsets

    def to_patient(self, uv: FloatArray, offset_mm: float | FloatArray) -> FloatArray:
        """Patient ``(x, y, z)`` mm of plane points ``uv`` (..., 2) at offset(s) along normal."""
        uv = np.asarray(uv, dtype=np.float64)
        offset = np.asarray(offset_mm, dtype=np.float64)[..., None]
        result: FloatArray = uv[..., :1] * self.u + uv[..., 1:2] * self.v + offset * self.normal
        return result

    # -- inside test ----------------------------------------------------------------------
    def contains_lattice(self, offset_mm: float, origin_uv: tuple[float, float],
                         pitch_uv: tuple[float, float], shape: tuple[int, int]) -> BoolArray:
        """Inside flags of a lattice of points on the plane at ``offset_mm`` along the normal.

        Points ``origin + (col·pitch_u, row·pitch_v)`` (rows along ``v``), e.g. the voxel
        centres of a dose slice parallel to the contours.  The same rule as
        :meth:`contains`, with exact distances only where a point's side is not already
        decided (the lattice's distance transform).
        """
        result = np.zeros(shape, dtype=bool)
        for index, k in enumerate(self.gaps):
            a, b = self.shapes[k], self.shapes[k + 1]
            if not a.offset_mm <= offset_mm < b.offset_mm:
                continue
            tau = (offset_mm - a.offset_mm) / (b.offset_mm - a.offset_mm)
            c = float(np.interp(tau, _TAU, self.corrections[index]))
            in_a = even_odd_raster(list(a.polygons_uv), origin_uv, pitch_uv, shape)
            in_b = even_odd_raster(list(b.polygons_uv), origin_uv, pitch_uv, shape)
            sampling = (pitch_uv[1], pitch_uv[0])
            deep_a = _depth(in_a, sampling)
            deep_b = _depth(in_b, sampling)
            far = abs(c) + 2.0 * max(pitch_uv)
            result = in_a & in_b
            undecided = ~((in_a == in_b) & (deep_a > far) & (deep_b > far))
            rows, cols = np.nonzero(undecided)
            uv = np.column_stack([origin_uv[0] + cols * pitch_uv[0],
                                  origin_uv[1] + rows * pitch_uv[1]])
            da = np.where(in_a[rows, cols], -1.0, 1.0) * a.distance(uv)
            db = np.where(in_b[rows, cols], -1.0, 1.0) * b.distance(uv)
            result[rows, cols] = (1 - tau) * da + tau * db + c <= 0
            return result
        for cap in self.caps:
            plane = self.shapes[cap.plane]
            beyond = (offset_mm - plane.offset_mm) * cap.direction
            if not 0 <= beyond <= cap.reach_mm[-1]:
                continue
            flags = even_odd_raster(list(plane.polygons_uv), origin_uv, pitch_uv, shape)
            rows, cols = np.nonzero(flags)
            uv = np.column_stack([origin_uv[0] + cols * pitch_uv[0],
                                  origin_uv[1] + rows * pitch_uv[1]])
            result[rows, cols] |= beyond <= self._cap_reach(cap, uv)
        return result

    def contains(self, points_mm: FloatArray) -> BoolArray:
        """Which patient points ``(M, 3)`` mm lie inside the solid."""
        points = np.asarray(points_mm, dtype=np.float64).reshape(-1, 3)
        t = project(points, self.normal)
        uv = np.column_stack([project(points, self.u), project(points, self.v)])
        inside = np.zeros(len(points), dtype=bool)
        for index, k in enumerate(self.gaps):
            a, b = self.shapes[k], self.shapes[k + 1]
            here = np.flatnonzero((t >= a.offset_mm) & (t < b.offset_mm))
            if len(here) == 0:
                continue
            tau = (t[here] - a.offset_mm) / (b.offset_mm - a.offset_mm)
            da = np.where(a.inside(uv[here]), -1.0, 1.0) * a.distance(uv[here])
            db = np.where(b.inside(uv[here]), -1.0, 1.0) * b.distance(uv[here])
            correction = np.interp(tau, _TAU, self.corrections[index])
            inside[here] = (1 - tau) * da + tau * db + correction <= 0
        for cap in self.caps:
            shape = self.shapes[cap.plane]
            beyond = (t - shape.offset_mm) * cap.direction
            here = np.flatnonzero((beyond >= 0) & (beyond <= cap.reach_mm[-1]) & ~inside)
            if len(here) == 0:
                continue
            flags = shape.inside(uv[here])
            ok = np.zeros(len(here), dtype=bool)
            ok[flags] = beyond[here][flags] <= self._cap_reach(cap, uv[here][flags])
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
    corrections: list[FloatArray] = []
    inner = [_inradius(shape) for shape in shapes]
    radii = np.array([r for r, _ in inner])
    for run in _pieces(planes):
        offsets = np.array([shapes[i].offset_mm for i in run])
        profile = _radius_profile(offsets, radii[run])
        for a, b in zip(run[:-1], run[1:], strict=True):
            gaps.append(a)
            z = shapes[a].offset_mm + _TAU * (shapes[b].offset_mm - shapes[a].offset_mm)
            chord = (1 - _TAU) * radii[a] + _TAU * radii[b]
            corrections.append(chord - np.sqrt(np.maximum(profile(z), 0.0)))
        for end, direction in ((run[-1], 1), (run[0], -1)):
            if spacing <= 0:
                continue
            inward = [run[-1 - i] for i in range(min(3, len(run)))] if direction > 0 else \
                run[:3]
            caps.append(_cap(end, direction, np.array([shapes[i].offset_mm for i in inward]),
                             radii[inward], spacing, inner[end][1],
                             inward[1] if len(inward) > 1 else None))
    model = SmoothModel(normal=slab.normal, u=slab.u, v=slab.v, planes=planes, shapes=shapes,
                        gaps=tuple(gaps), caps=tuple(caps), corrections=tuple(corrections))
    pitch = float(min(size / _VOLUME_LATTICE, 2.0))
    _, lower, upper, area = model.lines(pitch)
    object.__setattr__(model, "volume_mm3", float(np.sum((upper - lower) * area)))
    return model
