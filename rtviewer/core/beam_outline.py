"""Where a divergent beam crosses a plane of the patient: field edges, axis, arc span.

The beam is the pyramid of rays from the source through the aperture polygons
(beam limiting device ``(Xb, Yb)`` mm at the isocentre plane,
:mod:`rtviewer.core.beam_aperture`). A viewing plane (a point and a unit normal
in DICOM patient mm) cuts it in one of two ways:

* the plane misses the source: each aperture point ``P`` maps to the plane through
  the ray ``S + t (P - S)``; ``t`` is the distance from the source along the axis
  in units of SAD. The aperture is first clipped to ``t_range`` (rays running
  nearly parallel to the plane would go to infinity), then mapped. A field edge
  at ``X`` mm at isocentre lands at ``X · t`` on a plane normal to the axis.
* the plane contains the source (an axial plane through the isocentre of a
  coplanar beam): the cut is a fan from the source through the aperture's chord
  along the plane's trace in the isocentre plane.

Geometry comes from :class:`rtviewer.core.iec61217.BeamGeometry`.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.iec61217 import BeamGeometry

__all__ = ["central_axis", "field_in_plane", "arc_span", "DEFAULT_T_RANGE"]

FloatArray = NDArray[np.float64]

#: Default extent of the drawn beam along its axis, as multiples of SAD from the source.
DEFAULT_T_RANGE = (0.5, 1.6)


def _clip_half_plane(polygon: FloatArray, coeff: FloatArray, offset: float) -> FloatArray:
    """Sutherland–Hodgman: keep the part of ``polygon`` where ``coeff·p + offset >= 0``.

    All edges at once (a multi-leaf aperture has hundreds of vertices and a slice view
    clips every beam twice at each slice step): each vertex ``p`` inside is kept, and
    each edge ``p -> q`` crossing the line adds ``p + (q - p) vp / (vp - vq)`` after it.
    """
    if len(polygon) == 0:
        return polygon
    values = polygon @ coeff + offset
    inside = values >= 0
    if inside.all():  # nothing to clip (a side view's cut of most beams at every step)
        return polygon
    following = np.concatenate([polygon[1:], polygon[:1]])  # the next vertex, closing
    following_values = np.concatenate([values[1:], values[:1]])
    crossing = inside != (following_values >= 0)
    points = np.stack([polygon, polygon], axis=1)  # (vertex, crossing point) per edge
    vp, vq = values[crossing], following_values[crossing]
    p = polygon[crossing]
    points[crossing, 1] = p + (following[crossing] - p) * (vp / (vp - vq))[:, None]
    out: FloatArray = points[np.column_stack([inside, crossing])].reshape(-1, 2)
    return out


@functools.lru_cache(maxsize=256)
def _iso_plane_axes(geometry: BeamGeometry) -> tuple[FloatArray, ...]:
    """Source, isocentre-plane origin and its ``Xb``, ``Yb`` unit vectors (patient mm).

    Kept per beam geometry (frozen, hashable): a slice view cuts every beam at each
    slice step, always with the same geometry.
    """
    source = geometry.source_mm
    origin = geometry.bld_to_patient([0.0, 0.0, 0.0])
    ex = geometry.bld_to_patient([1.0, 0.0, 0.0]) - origin
    ey = geometry.bld_to_patient([0.0, 1.0, 0.0]) - origin
    for vector in (source, origin, ex, ey):
        vector.flags.writeable = False  # shared by every later call
    return source, origin, ex, ey


def _affine_of_iso_plane(geometry: BeamGeometry, normal: FloatArray,
                         point: FloatArray) -> tuple[FloatArray, float]:
    """``a(P) = n·(P - S) = coeff·(Xb, Yb) + const`` and ``c = n·(p0 - S)``."""
    source, origin, ex, ey = _iso_plane_axes(geometry)
    const = float(normal @ (origin - source))
    c = float(normal @ (point - source))
    return np.array([normal @ ex, normal @ ey, const]), c


def field_in_plane(geometry: BeamGeometry, apertures: list[FloatArray], *,
                   plane_point_mm: ArrayLike, plane_normal: ArrayLike,
                   t_range: tuple[float, float] = DEFAULT_T_RANGE) -> list[FloatArray]:
    """The beam's cross-section with a plane, as closed polygons in patient mm.

    Parameters
    ----------
    geometry : BeamGeometry
        Angles, isocentre, SAD and patient position.
    apertures : list of ndarray, (M, 2)
        Open-field polygons ``(Xb, Yb)`` mm at the isocentre plane.
    plane_point_mm, plane_normal : array_like, (3,)
        A point of the plane and its normal, DICOM patient ``(x, y, z)``.
    t_range : (float, float), keyword-only
        Part of the beam drawn: distances from the source along the axis, in SAD.

    Returns
    -------
    list of ndarray, (K, 3)
        Polygons on the plane, patient mm; empty when the beam misses the plane.

    Examples
    --------
    A 100 mm square field at gantry 0 (HFS) cut 100 mm below the isocentre:

    >>> g = BeamGeometry(gantry_deg=0.0)
    >>> sq = np.array([[50.0, -50], [50, 50], [-50, 50], [-50, -50]])
    >>> out = field_in_plane(g, [sq], plane_point_mm=(0, 100, 0), plane_normal=(0, 1, 0))
    >>> round(float(out[0][:, 0].max()), 6)
    55.0
    """
    lo, hi = t_range
    if not 0 < lo < hi:
        raise ValueError(f"t_range must satisfy 0 < low < high, got {t_range}")
    normal = np.asarray(plane_normal, dtype=np.float64)
    normal = normal / np.linalg.norm(normal)
    point = np.asarray(plane_point_mm, dtype=np.float64)
    line, c = _affine_of_iso_plane(geometry, normal, point)
    if abs(c) < 1e-6 * geometry.sad_mm:
        return _fan_through_source(geometry, apertures, line, (lo, hi))
    # t = c / a(P) in [lo, hi]  <=>  a(P) between c/hi and c/lo (same sign as c)
    sign = np.sign(c)
    out = []
    for polygon in apertures:
        clipped = _clip_half_plane(polygon, sign * line[:2], sign * line[2] - abs(c) / hi)
        clipped = _clip_half_plane(clipped, -sign * line[:2], -sign * line[2] + abs(c) / lo)
        if len(clipped) < 3:
            continue
        iso_points = geometry.bld_to_patient(np.column_stack([clipped, np.zeros(len(clipped))]))
        source = _iso_plane_axes(geometry)[0]  # the same point, made once per geometry
        t = c / ((iso_points - source) @ normal)
        out.append(source + t[:, None] * (iso_points - source))
    return out


def _fan_through_source(geometry: BeamGeometry, apertures: list[FloatArray],
                        line: FloatArray, t_range: tuple[float, float]) -> list[FloatArray]:
    """Plane through the source: quadrilaterals over each chord of the trace ``a(P) = 0``."""
    coeff, const = line[:2], line[2]
    if np.linalg.norm(coeff) < 1e-12:
        return []
    direction = np.array([-coeff[1], coeff[0]]) / np.linalg.norm(coeff)
    base = -const * coeff / (coeff @ coeff)
    source = geometry.source_mm
    out = []
    for polygon in apertures:
        for u0, u1 in _chords(polygon, base, direction):
            ends = geometry.bld_to_patient([[*(base + u * direction), 0.0] for u in (u0, u1)])
            quad = [source + t * (ends[k] - source) for k, t in
                    ((0, t_range[0]), (0, t_range[1]), (1, t_range[1]), (1, t_range[0]))]
            out.append(np.array(quad))
    return out


def _chords(polygon: FloatArray, base: FloatArray,
            direction: FloatArray) -> list[tuple[float, float]]:
    """Intervals ``(u0, u1)`` of the line ``base + u·direction`` inside ``polygon`` (even-odd)."""
    normal = np.array([-direction[1], direction[0]])
    values = (polygon - base) @ normal
    hits = []
    for i in range(len(polygon)):
        j = (i + 1) % len(polygon)
        if (values[i] > 0) != (values[j] > 0):
            p = polygon[i] + (polygon[j] - polygon[i]) * (values[i] / (values[i] - values[j]))
            hits.append(float((p - base) @ direction))
    hits.sort()
    return [(hits[k], hits[k + 1]) for k in range(0, len(hits) - 1, 2)]


def central_axis(geometry: BeamGeometry, *,
                 t_range: tuple[float, float] = DEFAULT_T_RANGE) -> FloatArray:
    """The central axis from ``t_range[0]`` to ``t_range[1]`` (× SAD from the source).

    Returns
    -------
    ndarray, (2, 3)
        Start (source side) and end, patient mm.
    """
    source, iso = geometry.source_mm, np.asarray(geometry.isocenter_mm)
    return np.array([source + t * (iso - source) for t in t_range])


def arc_span(geometries: list[BeamGeometry], *, radius_mm: float) -> FloatArray:
    """Points at ``radius_mm`` from the isocentre towards the source, one per geometry.

    For an arc, pass the geometry of each control point: the polyline traces the
    span of source directions the arc sweeps (patient mm, ``(N, 3)``).
    """
    if radius_mm <= 0:
        raise ValueError(f"radius_mm must be positive, got {radius_mm}")
    out = []
    for g in geometries:
        iso = np.asarray(g.isocenter_mm)
        out.append(iso - radius_mm * g.beam_direction)
    return np.array(out, dtype=np.float64).reshape(-1, 3)
