"""Beams and brachy channels cut by a slice view's plane, in view coordinates (no Qt).

Every function takes the view's display frame, view name and slice depth, and
returns ``(s, t)`` view mm (NaN-separated polylines) ready for ``connect='finite'``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rtviewer.core.beam_outline import central_axis, field_in_plane
from rtviewer.core.segment_clip import inside_interval
from rtviewer.core.surface_distance import entry_distance_mm
from rtviewer.view.beam_model import arc_geometries, beam_at, is_arc

__all__ = ["BeamDrawing", "BeamInView", "BeamSolid", "BeamSolidCache", "beam_drawing",
           "beam_in_view", "beam_solid",
           "DwellDrawing", "brachy_drawing", "clip_to_slab", "fade"]

#: The drawn part of a beam without a body outline, in SAD from the source (0.15 SAD
#: before the isocentre, where its label sits, to 0.05 SAD past it).
T_RANGE = (0.85, 1.05)
#: How far before the body's surface (along the axis) a beam's lines start (mm): room
#: for the label outside the anatomy, the entry still visible.
LEAD_MM = 40.0
#: Radius of an arc's span drawn around its isocentre (mm).
ARC_RADIUS_MM = 120.0


@dataclass
class BeamDrawing:
    """One beam on one view: field edges, axis, arc span, label and isocentre."""

    number: int
    field_st: np.ndarray  # (N, 2) NaN-separated field edges (the cut's sides, no caps)
    axis_st: np.ndarray   # (N, 2) NaN-separated segments
    arc_st: np.ndarray    # (N, 2)
    label: str
    label_st: np.ndarray  # (2,)
    isocenter_st: np.ndarray  # (2,)
    isocenter_depth_mm: float
    notes: tuple[str, ...] = ()
    #: The beam's name alone (or its number), for a pane too crowded for ``label``
    short_label: str = ""


def _join(polylines: list[np.ndarray], *, close: bool) -> np.ndarray:
    pieces = []
    for p in polylines:
        pieces += [np.vstack([p, p[:1]]) if close else p, np.full((1, 2), np.nan)]
    return np.concatenate(pieces) if pieces else np.empty((0, 2))


@dataclass(frozen=True)
class BeamSolid:
    """What a beam draws at one control point, in 3-D (view independent, cached).

    ``arc_directions`` ``(N, 3)`` are unit vectors from the isocentre towards the
    source along an arc (None for a fixed gantry); ``axes`` the central axes drawn
    (``(2, 3)`` each, patient mm); ``t_range`` the part of the beam at ``at`` whose
    field edges are drawn (SAD from the source, :func:`drawn_t_range`).
    """

    at: Any  # BeamAtControlPoint
    arc_directions: np.ndarray | None
    axes: tuple[np.ndarray, ...]
    label: str
    label_mm: np.ndarray
    t_range: tuple[float, float] = T_RANGE


def beam_solid(plan: Any, beam: Any, index: int = 0, body: Any = None,
               axes_cache: dict[tuple[Any, ...], tuple[float, float]] | None = None) -> BeamSolid:
    """The view-independent part of :func:`beam_drawing` (see :class:`BeamSolidCache`).

    ``body`` (the EXTERNAL ROI's solid, a structure model) bounds each central axis
    and the field edges to the body (:func:`drawn_t_range`); ``axes_cache`` keeps those
    ranges by source and isocentre (an arc's first and last axes are the same at every
    point).
    """
    at = beam_at(plan, beam, index)
    g = at.geometry
    gantry = f"G{g.gantry_deg:g}°"

    def t_range(geometry: Any) -> tuple[float, float]:
        if axes_cache is None:
            return drawn_t_range(geometry, body)
        key = tuple(np.round(np.concatenate([geometry.source_mm, geometry.isocenter_mm]), 6))
        if key not in axes_cache:
            axes_cache[key] = drawn_t_range(geometry, body)
        return axes_cache[key]

    def axis(geometry: Any) -> np.ndarray:
        return central_axis(geometry, t_range=t_range(geometry))

    axes: tuple[np.ndarray, ...] = (axis(g),)
    directions = None
    if is_arc(beam):
        geoms = arc_geometries(plan, beam)
        directions = -np.array([geo.beam_direction for geo in geoms])
        axes = (axis(geoms[0]), axis(geoms[-1]))
        rotation = beam.control_points[0].gantry_rotation
        turn = f" {rotation.value}" if rotation is not None else ""
        gantry = f"G{geoms[0].gantry_deg:g}→{geoms[-1].gantry_deg:g}°{turn}"
    if abs(g.couch_deg) > 1e-6:
        gantry += f" T{g.couch_deg:g}°"
    drawn = t_range(g)
    return BeamSolid(at, directions, axes, beam_label(beam.name, beam.number, gantry),
                     central_axis(g, t_range=(drawn[0], drawn[0]))[0], drawn)


def drawn_t_range(geometry: Any, body: Any) -> tuple[float, float]:
    """The part of a beam drawn on the slice views, in SAD from the source.

    With a body outline: from :data:`LEAD_MM` before the axis enters the body (never
    closer to the isocentre than that) to where the axis leaves it past the isocentre
    (the reverse ray's entry, :func:`~rtviewer.core.surface_distance.entry_distance_mm`,
    so both agree on "inside"; never before the isocentre). Without a body, or where the
    axis misses it, :data:`T_RANGE`: a short way before and past the isocentre. A line
    running edge to edge across the view hides the anatomy it crosses and says nothing
    the part inside the patient does not.
    """
    if body is None:
        return T_RANGE
    source = np.asarray(geometry.source_mm, dtype=np.float64)
    iso = np.asarray(geometry.isocenter_mm, dtype=np.float64)
    sad = float(np.linalg.norm(iso - source))
    far = source + 2.0 * (iso - source)
    entry = entry_distance_mm(body, source, iso - source, max_distance_mm=2.0 * sad)
    back = entry_distance_mm(body, far, iso - far, max_distance_mm=sad)
    if entry is None or back is None:
        return T_RANGE
    start = min(entry - LEAD_MM, sad - LEAD_MM)
    end = max(2.0 * sad - back, sad)
    return max(start, 0.01 * sad) / sad, end / sad


def beam_label(name: str | None, number: int, gantry: str) -> str:
    """The beam's name and its gantry (and couch) angle, each said once.

    Vendors often name a beam after its gantry angle ("G000", "G280"): then the angle
    is not written a second time, only a couch angle is added.

    Examples
    --------
    >>> beam_label("G000", 1, "G0°")
    'G000'
    >>> beam_label("G280", 2, "G280° T90°")
    'G280 T90°'
    >>> beam_label("RAO", 3, "G330°")
    'RAO G330°'
    >>> beam_label(None, 4, "G180→0° CC")
    '4 G180→0° CC'
    """
    shown = name or str(number)
    gantry_part, _, rest = gantry.partition(" ")
    named = re.fullmatch(r"\s*G(?:antry)?\s*0*(\d+(?:\.\d+)?)\s*°?\s*", shown, re.IGNORECASE)
    angle = re.fullmatch(r"G(\d+(?:\.\d+)?)°", gantry_part)
    if named and angle and float(named.group(1)) == float(angle.group(1)):
        return f"{shown} {rest}".strip()
    return f"{shown} {gantry}"


class BeamSolidCache:
    """:func:`beam_solid` per (plan, Beam Number, control point), shared by the views.

    The body outline that ends the central axes comes from the scene
    (:func:`body_solid`); a new plan or scene recomputes the solids.
    """

    def __init__(self) -> None:
        self._plan: Any = None
        self._scene: Any = None
        self._body: Any = None
        self._axes: dict[tuple[Any, ...], tuple[float, float]] = {}
        self._solids: dict[tuple[int, int], BeamSolid] = {}
        self._in_view: dict[tuple[int, int, str, float], BeamInView] = {}

    def get(self, plan: Any, beam: Any, index: int, scene: Any = None) -> BeamSolid:
        """The cached solid (recomputed when the plan or the scene object changes)."""
        if plan is not self._plan or scene is not self._scene:
            self._plan, self._scene, self._solids, self._axes = plan, scene, {}, {}
            self._in_view = {}
            self._body = body_solid(scene)
        key = (beam.number, int(index))
        if key not in self._solids:
            self._solids[key] = beam_solid(plan, beam, index, self._body, self._axes)
        return self._solids[key]

    def in_view(self, plan: Any, beam: Any, index: int, scene: Any, view: str,
                arc_radius_mm: float) -> BeamInView:
        """:func:`beam_in_view` of the cached solid on the scene's ``view`` (cached too)."""
        solid = self.get(plan, beam, index, scene)
        key = (beam.number, int(index), view, float(arc_radius_mm))
        if key not in self._in_view:
            self._in_view[key] = beam_in_view(solid, scene.frame, view, arc_radius_mm)
        return self._in_view[key]


def body_solid(scene: Any) -> Any:
    """The scene's body outline (EXTERNAL ROI, else one named BODY...) as drawn, or None."""
    from rtviewer.model.plan_sheet import find_body_roi

    structures = getattr(scene, "structures", None)
    if structures is None:
        return None
    roi, _how = find_body_roi(structures.rois)
    return scene.slab_model(roi.roi_number) if roi is not None else None


@functools.lru_cache(maxsize=256)
def _source_axis(geometry: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """A beam geometry's source, source-to-isocentre vector (patient mm) and SAD (mm).

    Kept per geometry (frozen, hashable): every beam's cut asks for them at each step.
    """
    source = np.asarray(geometry.source_mm, dtype=np.float64)
    axis = np.asarray(geometry.isocenter_mm, dtype=np.float64) - source
    for vector in (source, axis):
        vector.flags.writeable = False  # shared by every later call
    return source, axis, float(np.linalg.norm(axis))


def field_edges(polygon_mm: np.ndarray, geometry: Any, t_range: tuple[float, float]
                ) -> list[np.ndarray]:
    """The sides of a beam's cut (a closed polygon, patient mm) that are field edges.

    :func:`~rtviewer.core.beam_outline.field_in_plane` closes the cut where the drawn
    part of the beam ends (``t_range``); those caps are not edges of the field and are
    left out: each remaining run of sides is an open polyline ``(K, 3)``.
    """
    source, axis, sad = _source_axis(geometry)
    closed = np.vstack([polygon_mm, polygon_mm[:1]])
    t = (closed - source) @ axis / sad**2  # distance from the source along the axis, SAD
    tol = 1e-6
    at_end = (np.abs(t - t_range[0]) < tol) | (np.abs(t - t_range[1]) < tol)
    same_end = np.abs(t[:-1] - t[1:]) < tol
    cap = at_end[:-1] & at_end[1:] & same_end
    # the runs of sides between the caps, all at once (a multi-leaf cut has hundreds of
    # sides, and every beam is cut at each slice step): side k joins vertices k and k+1
    runs = np.split(closed, np.flatnonzero(cap) + 1)
    return [run for run in runs if len(run) > 1]


@dataclass(frozen=True)
class BeamInView:
    """What a beam draws on one view whatever the slice: its projections (view mm).

    The axes, arc span, label anchor and isocentre project along the view's normal,
    so a slice step keeps them (:meth:`BeamSolidCache.in_view`); only the field's cut
    moves.
    """

    axis_st: np.ndarray
    arc_st: np.ndarray
    label_st: np.ndarray
    isocenter_st: np.ndarray
    isocenter_depth_mm: float


def beam_in_view(solid: BeamSolid, frame: Any, view: str,
                 arc_radius_mm: float = ARC_RADIUS_MM) -> BeamInView:
    """The slice-independent part of :func:`beam_drawing` on ``view``."""
    _u, _v, n = frame.axes(view)
    iso = np.asarray(solid.at.geometry.isocenter_mm)

    def st(xyz: np.ndarray) -> np.ndarray:
        return np.asarray(frame.to_view(view, xyz)[..., :2])

    arc_st = (st(iso + arc_radius_mm * solid.arc_directions)
              if solid.arc_directions is not None else np.empty((0, 2)))
    return BeamInView(axis_st=_join([st(a) for a in solid.axes], close=False),
                      arc_st=arc_st, label_st=st(solid.label_mm), isocenter_st=st(iso),
                      isocenter_depth_mm=float(iso @ n))


def beam_drawing(plan: Any, beam: Any, frame: Any, view: str, depth_mm: float,
                 index: int = 0, *, arc_radius_mm: float = ARC_RADIUS_MM,
                 arc_field: bool = True, solid: BeamSolid | None = None,
                 fixed: BeamInView | None = None) -> BeamDrawing:
    """The beam at control point ``index`` cut by the view's plane at ``depth_mm``.

    An arc is drawn as its span (source directions at ``arc_radius_mm`` from the
    isocentre) with its first and last central axes; its field edges (at
    ``index``) only with ``arc_field``. Pass ``solid`` (from a
    :class:`BeamSolidCache`) to skip the view-independent work, and ``fixed``
    (:meth:`BeamSolidCache.in_view`, for the same solid, view and radius) to skip the
    projections a slice step keeps.
    """
    solid = solid if solid is not None else beam_solid(plan, beam, index)
    fixed = fixed if fixed is not None else beam_in_view(solid, frame, view, arc_radius_mm)
    g = solid.at.geometry
    _u, _v, n = frame.axes(view)
    iso = np.asarray(g.isocenter_mm)
    point = iso + (depth_mm - float(iso @ n)) * n
    arc = solid.arc_directions is not None
    polygons = field_in_plane(g, solid.at.apertures, plane_point_mm=point, plane_normal=n,
                              t_range=solid.t_range) if arc_field or not arc else []
    edges = [e for p in polygons for e in field_edges(p, g, solid.t_range)]
    return BeamDrawing(number=beam.number,
                       field_st=_join([np.asarray(frame.to_view(view, e)[..., :2])
                                       for e in edges], close=False),
                       axis_st=fixed.axis_st, arc_st=fixed.arc_st, label=solid.label,
                       label_st=fixed.label_st, short_label=beam.name or str(beam.number),
                       isocenter_st=fixed.isocenter_st,
                       isocenter_depth_mm=fixed.isocenter_depth_mm, notes=solid.at.notes)


#: Dwell positions and reference points up to this many half slabs from the plane are
#: drawn faded (by distance); further ones not at all.
FADE_HALF_SLABS = 3.0


@dataclass
class DwellDrawing:
    """Brachy channels near one view's plane.

    ``paths_st`` are the channels' parts within half a slab of the plane and
    ``faded_paths_st`` their parts up to :data:`FADE_HALF_SLABS` half slabs (both
    NaN-separated view mm); ``dwell_st`` ``(M, 2)``, ``dwell_time_s`` ``(M,)``,
    ``dwell_distance_mm`` ``(M,)`` (signed distance from the plane) and ``alpha``
    ``(M,)`` (1 within half a slab, fading to 0) are the dwell positions with a time
    within the fade distance; ``hidden`` counts those further away.
    """

    paths_st: np.ndarray
    dwell_st: np.ndarray
    dwell_time_s: np.ndarray
    dwell_distance_mm: np.ndarray
    channel_numbers: list[int | None] = field(default_factory=list)
    faded_paths_st: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    alpha: np.ndarray = field(default_factory=lambda: np.empty(0))
    hidden: int = 0


def fade(distance_mm: np.ndarray, half_slab_mm: float) -> np.ndarray:
    """Opacity of a point ``distance_mm`` from the plane.

    1 within half a slab, then falling linearly to 0 at :data:`FADE_HALF_SLABS` half slabs.
    """
    d = np.abs(np.asarray(distance_mm, dtype=np.float64))
    if not np.isfinite(half_slab_mm):
        return np.ones_like(d)
    far = FADE_HALF_SLABS * half_slab_mm
    result: np.ndarray = np.clip((far - d) / (far - half_slab_mm), 0.0, 1.0)
    return np.where(d <= half_slab_mm + 1e-9, 1.0, result)


def clip_to_slab(st: np.ndarray, distance_mm: np.ndarray, low_mm: float, high_mm: float
                 ) -> np.ndarray:
    """Parts of a polyline whose signed distance from the plane lies in ``[low, high]``.

    ``st`` ``(N, 2)`` are the vertices in view mm and ``distance_mm`` ``(N,)`` their
    distances; the distance is linear along each segment, so each is cut exactly.
    Returns NaN-separated ``(K, 2)`` segments.
    """
    if len(st) < 2:
        return np.empty((0, 2))
    first, last = inside_interval(distance_mm[:-1], distance_mm[1:], low_mm, high_mm)
    keep = np.flatnonzero(last > first)
    p0, delta = st[:-1][keep], (st[1:] - st[:-1])[keep]
    out = np.full((keep.size, 3, 2), np.nan)
    out[:, 0] = p0 + first[keep, None] * delta
    out[:, 1] = p0 + last[keep, None] * delta
    result: np.ndarray = out.reshape(-1, 2)
    return result


def brachy_drawing(plan: Any, frame: Any, view: str, depth_mm: float,
                   half_slab_mm: float = np.inf) -> DwellDrawing:
    """The channels and dwell markers of a brachy plan near the view's plane.

    Only what lies within :data:`FADE_HALF_SLABS` half slabs of the plane is drawn
    (a whole projected chain reads as if the applicator lay in the plane); the
    default ``half_slab_mm`` (infinite) draws everything.
    """
    far = FADE_HALF_SLABS * half_slab_mm
    near_paths, faded_paths, dwell_xyz, times, channels = [], [], [], [], []
    for channel in plan.brachy.channels if plan is not None and plan.brachy else ():
        cps = channel.control_point_positions_mm
        if cps is not None and len(cps) > 1:
            view_xyz = frame.to_view(view, cps)
            st, distance = view_xyz[:, :2], view_xyz[:, 2] - depth_mm
            near_paths.append(clip_to_slab(st, distance, -half_slab_mm, half_slab_mm))
            faded_paths += [clip_to_slab(st, distance, -far, -half_slab_mm),
                            clip_to_slab(st, distance, half_slab_mm, far)]
        if channel.dwell_positions_mm is not None and channel.dwell_times_s is not None:
            keep = channel.dwell_times_s > 0
            dwell_xyz.append(channel.dwell_positions_mm[keep])
            times.append(channel.dwell_times_s[keep])
            channels += [channel.number] * int(keep.sum())
    xyz = np.concatenate(dwell_xyz) if dwell_xyz else np.empty((0, 3))
    view_xyz = frame.to_view(view, xyz)
    distance = view_xyz[:, 2] - depth_mm
    shown = np.abs(distance) <= far
    time_s = np.concatenate(times) if times else np.empty(0)
    return DwellDrawing(paths_st=_stack(near_paths), dwell_st=view_xyz[shown, :2],
                        dwell_time_s=time_s[shown], dwell_distance_mm=distance[shown],
                        channel_numbers=[c for c, s in zip(channels, shown, strict=True) if s],
                        faded_paths_st=_stack(faded_paths),
                        alpha=fade(distance[shown], half_slab_mm),
                        hidden=int((~shown).sum()))


def _stack(pieces: list[np.ndarray]) -> np.ndarray:
    pieces = [p for p in pieces if len(p)]
    return np.concatenate(pieces) if pieces else np.empty((0, 2))
