"""Where a structure's outline falls on a view, from the one slab model of ``core``.

A view parallel to the contour planes shows the plane whose slab contains the
slice (the same slab model that gives the volume and the DVH, so the drawn
outline and the numbers agree). A view across the planes (sagittal or coronal
of axial contours) cuts every plane along a line, pairs the crossings even-odd
(holes and rings stay open), and draws the exact staircase of the slabs, flat
end caps included. Output is view coordinates ``(s, t)`` mm as NaN-separated
polylines for one ``PlotCurveItem(connect='finite')`` per ROI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rtviewer.core.slab_model import SlabModel, SlabPlane
from rtviewer.ui.view_geometry import DisplayFrame

__all__ = ["RoiOutline", "open_polylines", "roi_outline"]

_PARALLEL = 1 - 1e-3
_PERPENDICULAR = 1e-3


@dataclass(frozen=True)
class RoiOutline:
    """A structure's outline on one view.

    Attributes
    ----------
    s, t : ndarray
        View coordinates (mm) of NaN-separated polylines.
    fill_polygons : tuple of (N, 2) ndarray
        Closed polygons (in-plane view) or rectangles (cut view) whose even-odd
        union is the structure's section, for the translucent fill.
    """

    s: np.ndarray
    t: np.ndarray
    fill_polygons: tuple[np.ndarray, ...]

    @property
    def empty(self) -> bool:
        """Whether nothing is drawn."""
        return self.s.size == 0


_EMPTY = RoiOutline(np.empty(0), np.empty(0), ())


def _join(polylines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ``(N, 2)`` polylines with a NaN row between them."""
    if not polylines:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    stacked = np.concatenate([piece for p in polylines for piece in (p, gap)])
    return stacked[:, 0], stacked[:, 1]


def roi_outline(model: SlabModel | None, frame: DisplayFrame, view: str,
                depth_mm: float) -> RoiOutline:
    """Outline of a structure on the view ``view`` at slice position ``depth_mm``.

    Parameters
    ----------
    model : SlabModel or None
        The structure (``core.slab_model.build_slab_model``); None draws nothing.
    frame : DisplayFrame
        The couch frame of the views.
    view : str
        ``"axial"``, ``"sagittal"`` or ``"coronal"``.
    depth_mm : float
        Slice position along the view normal (``p·n``), mm.

    Returns
    -------
    RoiOutline
        Empty when the slice misses the structure or the contour planes are
        oblique to the view.
    """
    if model is None or not model.planes:
        return _EMPTY
    u, v, n = frame.axes(view)
    cos = float(abs(model.normal @ n))
    if cos > _PARALLEL:
        return _in_plane(model, u, v, float(np.sign(model.normal @ n)) * depth_mm)
    if cos < _PERPENDICULAR:
        return _cut(model, u, v, n, depth_mm)
    return _EMPTY


def _in_plane(model: SlabModel, u: np.ndarray, v: np.ndarray, offset_mm: float) -> RoiOutline:
    plane = _plane_at(model.planes, offset_mm)
    if plane is None:
        return _EMPTY
    uv_to_st = np.array([[model.u @ u, model.u @ v], [model.v @ u, model.v @ v]])
    shift = plane.offset_mm * np.array([model.normal @ u, model.normal @ v])
    polygons = tuple(p @ uv_to_st + shift for p in plane.polygons_uv)
    s, t = _join([np.vstack([p, p[:1]]) for p in polygons])
    return RoiOutline(s, t, polygons)


def _plane_at(planes: tuple[SlabPlane, ...], offset_mm: float) -> SlabPlane | None:
    """The plane whose slab holds ``offset_mm`` (lower face inclusive)."""
    for plane in planes:
        if plane.lower_mm - 1e-6 <= offset_mm < plane.upper_mm - 1e-6:
            return plane
    return None


def _crossings(plane: SlabPlane, normal_uv: np.ndarray, level: float,
               along_uv: np.ndarray) -> np.ndarray:
    """Sorted positions (along ``along_uv``) where the plane's polygons cross a line."""
    hits = []
    for polygon in plane.polygons_uv:
        f = polygon @ normal_uv - level
        g = np.roll(f, -1)
        crossing = (f > 0) != (g > 0)
        if not crossing.any():
            continue
        a = polygon[crossing]
        b = np.roll(polygon, -1, axis=0)[crossing]
        w = (f[crossing] / (f[crossing] - g[crossing]))[:, None]
        hits.append((a + w * (b - a)) @ along_uv)
    return np.sort(np.concatenate(hits)) if hits else np.empty(0)


def _cut(model: SlabModel, u: np.ndarray, v: np.ndarray, n: np.ndarray,
         depth_mm: float) -> RoiOutline:
    """Staircase outline of the slabs cut by the plane ``p·n = depth``."""
    in_plane_axis = u if abs(u @ model.normal) < abs(v @ model.normal) else v
    normal_uv = np.array([model.u @ n, model.v @ n])
    along_uv = np.array([model.u @ in_plane_axis, model.v @ in_plane_axis])
    rows = []
    for plane in model.planes:
        level = depth_mm - plane.offset_mm * float(model.normal @ n)
        hits = _crossings(plane, normal_uv, level, along_uv)
        if hits.size >= 2:
            rows.append((plane.lower_mm, plane.upper_mm, hits[: hits.size // 2 * 2]))
    if not rows:
        return _EMPTY
    segments, cells = _staircase(rows)
    # (w, h): w along in_plane_axis, h along the model normal -> view (s, t)
    basis = np.array([[in_plane_axis @ u, in_plane_axis @ v],
                      [model.normal @ u, model.normal @ v]])
    shift = depth_mm * np.array([n @ u, n @ v])
    s, t = _join([seg @ basis + shift for seg in segments])
    return RoiOutline(s, t, tuple(c @ basis + shift for c in cells))


def _staircase(rows: list[tuple[float, float, np.ndarray]]
               ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Boundary segments and filled rectangles of stacked even-odd intervals.

    ``rows`` holds ``(lower, upper, crossings)`` per slab; crossings pair up as
    ``[w0, w1], [w2, w3], ...``. Returns ``(w, h)`` segments and rectangles.
    """
    breaks = np.unique(np.concatenate([r[2] for r in rows]))
    mids = 0.5 * (breaks[:-1] + breaks[1:])
    covered = [np.searchsorted(r[2], mids, side="right") % 2 == 1 for r in rows]
    segments: list[np.ndarray] = []
    cells: list[np.ndarray] = []
    empty = np.zeros(mids.size, dtype=bool)
    for index, (lower, upper, hits) in enumerate(rows):
        mask = covered[index]
        below = covered[index - 1] if index > 0 and rows[index - 1][1] >= lower - 1e-6 else empty
        above = (covered[index + 1] if index + 1 < len(rows)
                 and rows[index + 1][0] <= upper + 1e-6 else empty)
        # faces: the lower face is drawn here, the upper face only against empty space
        segments += _runs(breaks, mask != below, lower)
        if above is empty:
            segments += _runs(breaks, mask, upper)
        for w0, w1 in hits.reshape(-1, 2):
            segments += [np.array([[w0, lower], [w0, upper]]), np.array([[w1, lower], [w1, upper]])]
            cells.append(np.array([[w0, lower], [w1, lower], [w1, upper], [w0, upper]]))
    return segments, cells


def _runs(breaks: np.ndarray, flags: np.ndarray, h: float) -> list[np.ndarray]:
    """Horizontal segments at height ``h`` over each run of True cells."""
    if not flags.any():
        return []
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [np.array([[breaks[a], h], [breaks[b], h]]) for a, b in edges.reshape(-1, 2)]


def open_polylines(points_mm: list[np.ndarray], frame: DisplayFrame, view: str,
                   depth_mm: float, half_thickness_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Open contours (catheters) within a slab around the slice, in view coordinates.

    Parameters
    ----------
    points_mm : list of (N, 3) ndarray
        Polylines in patient mm.
    frame, view, depth_mm
        As for :func:`roi_outline`.
    half_thickness_mm : float
        Half the slab shown around the slice.
    """
    u, v, n = frame.axes(view)
    pieces = []
    for pts in points_mm:
        near = np.abs(pts @ n - depth_mm) <= half_thickness_mm
        if near.sum() < 1:
            continue
        st = np.column_stack([pts @ u, pts @ v])
        st[~near] = np.nan
        pieces.append(st)
    return _join(pieces)
