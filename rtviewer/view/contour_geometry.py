"""Where a structure's outline falls on a view, from the one slab model of ``core``.

A view parallel to the contour planes shows the plane whose slab contains the
slice (the same slab model that gives the volume and the DVH, so the drawn
outline and the numbers agree). A view across the planes (sagittal or coronal
of axial contours) cuts every plane along a line, pairs the crossings even-odd
(holes and rings stay open), and draws the exact staircase of the slabs, flat
end caps included. A view tilted against the planes (contours drawn on an
oblique MR, CBCT or applicator-aligned series) shows each slab's band
(``slab_section``). Output is view coordinates ``(s, t)`` mm as NaN-separated
polylines for one ``PlotCurveItem(connect='finite')`` per ROI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rtviewer.core.slab_model import SlabModel, SlabPlane
from rtviewer.view.slab_section import SectionTable, odd_positions, tilted_section
from rtviewer.view.view_geometry import DisplayFrame

__all__ = ["EMPTY_OUTLINE", "CutTable", "RoiOutline", "across_view", "cut_across",
           "open_polylines", "roi_outline", "section_kind", "section_outline",
           "sparse_staircase_parts"]

#: A stack this close to parallel or perpendicular to a view (tilt × size, mm) is cut
#: as exactly so.
_FLAT_MM = 0.01
#: No patient extent exceeds this (mm).
_LARGEST_MM = 1e4


@dataclass(frozen=True)
class RoiOutline:
    """A structure's outline on one view.

    Attributes
    ----------
    s, t : ndarray
        View coordinates (mm) of NaN-separated polylines.
    fill : sequence of (N, 2) ndarray, or a callable returning one
        Closed polygons (in-plane view), rectangles (cut view, a ``(K, 4, 2)``
        array) or clipped polygons (tilted view, computed only when asked for:
        most redraws show no fill) whose even-odd union is the structure's section.
    """

    s: np.ndarray
    t: np.ndarray
    fill: tuple[np.ndarray, ...] | np.ndarray | Callable[[], tuple[np.ndarray, ...]]

    @property
    def fill_polygons(self) -> tuple[np.ndarray, ...] | np.ndarray:
        """The fill's polygons (see ``fill``)."""
        return self.fill() if callable(self.fill) else self.fill

    @property
    def empty(self) -> bool:
        """Whether nothing is drawn."""
        return self.s.size == 0


#: The outline of a structure the plane misses.
EMPTY_OUTLINE = RoiOutline(np.empty(0), np.empty(0), ())
_EMPTY = EMPTY_OUTLINE


def _join(polylines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ``(N, 2)`` polylines with a NaN row between them."""
    if not polylines:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    stacked = np.concatenate([piece for p in polylines for piece in (p, gap)])
    return stacked[:, 0], stacked[:, 1]


def roi_outline(model: SlabModel | None, frame: DisplayFrame, view: str,
                depth_mm: float, table: CutTable | None = None) -> RoiOutline:
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
    table : CutTable, optional
        The model's flattened edges (cached by the caller); built when absent.

    Returns
    -------
    RoiOutline
        Empty when the slice misses the structure.
    """
    u, v, n = frame.axes(view)
    return section_outline(model, u, v, n, depth_mm, table)


def section_outline(model: SlabModel | None, u: np.ndarray, v: np.ndarray, n: np.ndarray,
                    depth_mm: float, table: CutTable | None = None) -> RoiOutline:
    """Outline of a structure on any plane ``p·n = depth_mm`` seen with axes ``(u, v)``.

    Contour planes parallel to the view show the plane whose slab holds the slice,
    perpendicular ones the slabs' staircase, and tilted ones the slabs' bands
    (``slab_section``): in every case the section of the one solid that the volume
    and the DVH integrate.

    Parameters
    ----------
    model : SlabModel or None
        The structure; None draws nothing.
    u, v, n : ndarray, (3,)
        Screen-right, screen-down and normal of the plane (orthonormal, patient LPS).
    depth_mm : float
        The plane's position along ``n``, mm.
    table : CutTable, optional
        Cached flattened edges; built when absent.
    """
    if model is None or not model.planes:
        return _EMPTY
    section = table.section if table is not None else SectionTable.from_model(model)
    how = section_kind(model, n, section)
    if how == "across":
        return cut_across(model, u, v, n, depth_mm, table)
    if how == "in-plane":
        cos = float(model.normal @ n)
        return _in_plane(model, u, v, float(np.sign(cos)) * depth_mm, table)
    segments, fill = tilted_section(model, section, u, v, n, depth_mm)
    if segments.size == 0:
        return _EMPTY
    st = segments.reshape(-1, 2)
    return RoiOutline(st[:, 0], st[:, 1], fill)


def section_kind(model: SlabModel, n: np.ndarray, section: SectionTable) -> str:
    """How :func:`section_outline` cuts ``model`` (flattened in ``section``) on normal ``n``.

    ``"across"`` (the slabs' staircase), ``"in-plane"`` (the plane whose slab holds the
    slice) or ``"tilted"`` (``slab_section``). A stack this close to perpendicular or
    parallel (tilt × its size under 0.01 mm) is cut as exactly so; exact alignments,
    the common case, skip measuring the extent.
    """
    cos = float(model.normal @ n)
    sin = np.sqrt(max(0.0, 1.0 - cos * cos))
    if across_view(model, n) or abs(cos) * section.extent_mm < _FLAT_MM:
        return "across"
    if sin * _LARGEST_MM < _FLAT_MM or sin * section.extent_mm < _FLAT_MM:
        return "in-plane"
    return "tilted"


def across_view(model: SlabModel, n: np.ndarray) -> bool:
    """Whether a view of normal ``n`` cuts ``model``'s planes straight across, whatever its size.

    :func:`section_outline` then draws the staircase of :func:`cut_across`.
    """
    return abs(float(model.normal @ n)) * _LARGEST_MM < _FLAT_MM


def _in_plane(model: SlabModel, u: np.ndarray, v: np.ndarray, offset_mm: float,
              table: CutTable | None = None) -> RoiOutline:
    index = _plane_index(model.planes, offset_mm) if table is None else table.plane_at(offset_mm)
    if index is None:
        return _EMPTY
    if table is None:
        return _plane_outline(model, model.planes[index], u, v)
    # a plane's outline never changes: every plane of the structure is put in view
    # coordinates at the first draw on this view (one pass over all vertices), and
    # each step through the slices takes its plane's rows
    key = ("in-plane", u.tobytes(), v.tobytes())
    if key not in table._projections:
        table._projections[key] = _InPlaneOutlines.of(model, table, u, v).arrays()
    return _InPlaneOutlines(*table._projections[key]).outline(index)


@dataclass(frozen=True)
class _InPlaneOutlines:
    """Every plane's polygons of a structure on a view parallel to them.

    Attributes
    ----------
    points : ndarray, (E, 2)
        Every polygon vertex in view ``(s, t)`` mm (the table's vertex order).
    polyline : ndarray, (R, 2)
        The polygons closed (first vertex repeated), each followed by a NaN row.
    polygon_start, polyline_start : ndarray, (K + 1,) int
        First row of each polygon in ``points`` and in ``polyline``, then the end.
    plane_polygons : ndarray, (P + 1,) int
        First polygon of each plane, then ``K``.
    """

    points: np.ndarray
    polyline: np.ndarray
    polygon_start: np.ndarray
    polyline_start: np.ndarray
    plane_polygons: np.ndarray

    @classmethod
    def of(cls, model: SlabModel, table: CutTable, u: np.ndarray, v: np.ndarray
           ) -> _InPlaneOutlines:
        """All planes of ``model`` (flattened in ``table``) seen with axes ``(u, v)``."""
        section = table.section
        uv_to_st = np.array([[model.u @ u, model.u @ v], [model.v @ u, model.v @ v]])
        normal_st = np.array([model.normal @ u, model.normal @ v])
        # as _plane_outline: in-plane vertices mapped, then the plane's offset added
        points = section.start @ uv_to_st + table.offset[table.plane][:, None] * normal_st
        starts = section.polygon_start
        counts = np.diff(starts)
        # rows of the NaN-separated polyline: each polygon, its first vertex, a gap
        polyline_start = np.concatenate([[0], np.cumsum(counts + 2)])
        source = np.full(polyline_start[-1], -1, dtype=np.intp)
        within = np.arange(polyline_start[-1]) - np.repeat(polyline_start[:-1], counts + 2)
        polygon = np.repeat(np.arange(counts.size), counts + 2)
        vertex = within < counts[polygon]
        source[vertex] = starts[polygon[vertex]] + within[vertex]
        closing = within == counts[polygon]
        source[closing] = starts[polygon[closing]]
        polyline = np.full((source.size, 2), np.nan)
        polyline[source >= 0] = points[source[source >= 0]]
        plane_polygons = np.searchsorted(section.polygon_plane,
                                         np.arange(len(model.planes) + 1), side="left")
        return cls(points, polyline, starts, polyline_start, plane_polygons)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The fields, as the table's cache holds them."""
        return (self.points, self.polyline, self.polygon_start, self.polyline_start,
                self.plane_polygons)

    def outline(self, index: int) -> RoiOutline:
        """The outline of plane ``index`` (views into the arrays, never copied)."""
        first, last = int(self.plane_polygons[index]), int(self.plane_polygons[index + 1])
        rows = self.polyline[self.polyline_start[first]:self.polyline_start[last]]
        polygons = tuple(self.points[self.polygon_start[k]:self.polygon_start[k + 1]]
                         for k in range(first, last))
        return RoiOutline(rows[:, 0], rows[:, 1], polygons)


def _plane_outline(model: SlabModel, plane: SlabPlane, u: np.ndarray, v: np.ndarray
                   ) -> RoiOutline:
    """One plane's polygons in view coordinates ``(s, t)``, closed, NaN-separated."""
    uv_to_st = np.array([[model.u @ u, model.u @ v], [model.v @ u, model.v @ v]])
    shift = plane.offset_mm * np.array([model.normal @ u, model.normal @ v])
    polygons = tuple(p @ uv_to_st + shift for p in plane.polygons_uv)
    s, t = _join([np.vstack([p, p[:1]]) for p in polygons])
    return RoiOutline(s, t, polygons)


def _plane_index(planes: tuple[SlabPlane, ...], offset_mm: float) -> int | None:
    """Index of the plane whose slab holds ``offset_mm`` (lower face inclusive)."""
    for index, plane in enumerate(planes):
        if plane.lower_mm - 1e-6 <= offset_mm < plane.upper_mm - 1e-6:
            return index
    return None


@dataclass(frozen=True)
class CutTable:
    """Every polygon edge of a slab model, flattened for vectorised plane cuts.

    Attributes
    ----------
    start, end : ndarray, (E, 2)
        Edge end points in the model's in-plane coordinates ``(u, v)`` mm.
    plane : ndarray, (E,) int
        Index of the edge's plane in ``model.planes``.
    offset, lower, upper : ndarray, (P,)
        Plane offsets and slab faces along the model normal, mm.
    section : SectionTable
        The same polygons for views tilted against the contour planes.
    """

    start: np.ndarray
    end: np.ndarray
    plane: np.ndarray
    offset: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    section: SectionTable
    _projections: dict[tuple[object, ...], tuple[np.ndarray, ...]] = field(
        default_factory=dict, repr=False, compare=False)

    def projections(self, normal_uv: np.ndarray, along_uv: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Edge ends projected on the cut normal and the cut line (cached per view)."""
        key = tuple(np.round(np.concatenate([normal_uv, along_uv]), 9))
        if key not in self._projections:
            self._projections[key] = (self.start @ normal_uv, self.end @ normal_uv,
                                      self.start @ along_uv, self.end @ along_uv)
        fa, fb, wa, wb = self._projections[key]
        return fa, fb, wa, wb

    def crossing_edges(self, normal_uv: np.ndarray, along_uv: np.ndarray,
                       level: float) -> np.ndarray:
        """Sorted indices of the edges with ``(fa > level) != (fb > level)``.

        Equal to ``np.flatnonzero`` of that test over all edges, but only the edges
        whose projected interval can reach ``level`` are tested: the intervals are
        sorted by their lower end once per view (cached), and none is longer than
        the longest one. A slice then costs a binary search, not a pass over every
        edge of every structure.
        """
        fa, fb, _wa, _wb = self.projections(normal_uv, along_uv)
        key = ("index", *np.round(np.concatenate([normal_uv, along_uv]), 9))
        if key not in self._projections:
            low = np.minimum(fa, fb)
            order = np.argsort(low, kind="stable")
            span = float(np.max(np.maximum(fa, fb) - low)) if low.size else 0.0
            self._projections[key] = (low[order], order, np.array(span))
        low_sorted, order, span_array = self._projections[key]
        span = float(span_array)
        # margin: the float difference hi - lo may round below the true span
        start = np.searchsorted(low_sorted, level - span * (1 + 1e-9) - 1e-9, side="left")
        stop = np.searchsorted(low_sorted, level, side="right")
        candidates = np.sort(order[start:stop])
        crossing: np.ndarray = candidates[(fa[candidates] > level) != (fb[candidates] > level)]
        return crossing

    def plane_at(self, offset_mm: float) -> int | None:
        """Index of the first plane whose slab holds ``offset_mm`` (lower face inclusive).

        :func:`_plane_index` over the flattened faces: one vectorised test, not a
        Python loop over every plane at every redraw.
        """
        holds = np.flatnonzero((self.lower - 1e-6 <= offset_mm) & (offset_mm < self.upper - 1e-6))
        return int(holds[0]) if holds.size else None

    def cut_axes(self, model: SlabModel, n: np.ndarray) -> _CutAxes:
        """The cut line's axes on this table (of ``model``) for the view normal ``n``.

        Cached per view: every slice of a view shares them.
        """
        key = ("axes", n.tobytes())
        if key not in self._projections:
            self._projections[key] = (_CutAxes.of(self, model, n),)  # type: ignore[assignment]
        axes: _CutAxes = self._projections[key][0]  # type: ignore[assignment]
        return axes

    @classmethod
    def concatenate(cls, tables: list[CutTable]) -> CutTable:
        """One table of several structures' edges (see ``SectionTable.concatenate``)."""
        plane_base = np.cumsum([0] + [t.offset.size for t in tables])[:-1]
        section = SectionTable.concatenate([t.section for t in tables])
        return cls(section.start, section.end,
                   np.concatenate([t.plane + b for t, b in zip(tables, plane_base, strict=True)]),
                   np.concatenate([t.offset for t in tables]), section.lower, section.upper,
                   section)

    @classmethod
    def from_model(cls, model: SlabModel) -> CutTable:
        """Flatten ``model`` (done once per structure, then cached by the scene)."""
        flat = SectionTable.from_model(model)
        return cls(flat.start, flat.end, flat.edge_plane,
                   np.array([p.offset_mm for p in model.planes]), flat.lower, flat.upper, flat)


@dataclass(frozen=True)
class _CutAxes:
    """Where a view normal ``n`` cuts a table's edges, fixed for all slices of a view.

    Attributes
    ----------
    in_plane_axis : ndarray, (3,)
        The cut line's direction (along the contour planes, within the view plane).
    normal_uv, along_uv : ndarray, (2,)
        ``n`` and ``in_plane_axis`` in the model's in-plane ``(u, v)``.
    tilt : float
        ``model normal · n``; 0 for a view across axial contours.
    low_mm, high_mm : float
        Range of the edge ends along ``normal_uv``: a slice outside it crosses no
        edge (only used when ``tilt`` is 0).
    """

    in_plane_axis: np.ndarray
    normal_uv: np.ndarray
    along_uv: np.ndarray
    tilt: float
    low_mm: float
    high_mm: float

    @classmethod
    def of(cls, table: CutTable, model: SlabModel, n: np.ndarray) -> _CutAxes:
        """Axes of ``table`` (the edges of ``model``) cut by the view normal ``n``."""
        # the cut line runs along the contour planes within the view plane (for a set
        # tilted about the view's normal it is no view axis)
        in_plane_axis = np.cross(model.normal, n)
        in_plane_axis /= np.linalg.norm(in_plane_axis)
        normal_uv = np.array([model.u @ n, model.v @ n])
        along_uv = np.array([model.u @ in_plane_axis, model.v @ in_plane_axis])
        fa, fb, _wa, _wb = table.projections(normal_uv, along_uv)
        low = float(min(fa.min(), fb.min())) if fa.size else 0.0
        high = float(max(fa.max(), fb.max())) if fa.size else 0.0
        return cls(in_plane_axis, normal_uv, along_uv, float(model.normal @ n), low, high)


def cut_across(model: SlabModel, u: np.ndarray, v: np.ndarray, n: np.ndarray,
               depth_mm: float, table: CutTable | None = None) -> RoiOutline:
    """Staircase outline of the slabs cut by the plane ``p·n = depth`` (vectorised)."""
    table = table if table is not None else CutTable.from_model(model)
    axes = table.cut_axes(model, n)
    in_plane_axis, tilt = axes.in_plane_axis, axes.tilt
    if abs(tilt) <= 1e-12 and not axes.low_mm <= depth_mm <= axes.high_mm:
        return _EMPTY  # the plane misses every edge: most structures on most slices
    fa, fb, wa, wb = table.projections(axes.normal_uv, axes.along_uv)
    if abs(tilt) > 1e-12:  # the level differs per plane: test every edge
        level = depth_mm - table.offset[table.plane] * tilt
        crossing = np.flatnonzero((fa - level > 0) != (fb - level > 0))
        level = level[crossing]
    else:
        level = depth_mm
        crossing = table.crossing_edges(axes.normal_uv, axes.along_uv, depth_mm)
    if crossing.size == 0:
        return _EMPTY
    fc, gc = fa[crossing] - level, fb[crossing] - level
    w = wa[crossing] + fc / (fc - gc) * (wb[crossing] - wa[crossing])
    plane = table.plane[crossing]
    segments, cells = _staircase(plane, w, table.lower, table.upper)
    if segments.size == 0:
        return _EMPTY
    # (w, h): w along in_plane_axis, h along the model normal -> view (s, t)
    basis = np.array([[in_plane_axis @ u, in_plane_axis @ v],
                      [model.normal @ u, model.normal @ v]])
    shift = depth_mm * np.array([n @ u, n @ v])
    st = segments @ basis + shift  # (K, 3, 2) with a NaN third point
    st = st.reshape(-1, 2)
    return RoiOutline(st[:, 0], st[:, 1], cells @ basis + shift)


def _staircase(plane: np.ndarray, w: np.ndarray, lower: np.ndarray, upper: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Boundary segments and filled cells of stacked even-odd intervals.

    ``plane``/``w`` are the crossings (plane index, position along the cut line).
    Returns ``(K, 3, 2)`` segments ``[(w, h), (w, h), (nan, nan)]`` and ``(C, 4, 2)``
    rectangles, both in ``(w, h)`` mm.
    """
    rows, row_of = np.unique(plane, return_inverse=True)
    counts = np.bincount(row_of)
    rows, keep = rows[counts >= 2], counts[row_of] >= 2  # a lone tangent point: nothing
    if rows.size == 0:
        return np.empty((0, 3, 2)), np.empty((0, 4, 2))
    plane, w = plane[keep], w[keep]
    row_of = np.searchsorted(rows, plane)
    if np.all(np.bincount(row_of) % 2 == 0):  # closed polygons always cross evenly
        return _sparse_staircase(row_of, w, lower[rows], upper[rows])
    return _dense_staircase(row_of, w, lower[rows], upper[rows])


def _dense_staircase(row_of: np.ndarray, w: np.ndarray, lo: np.ndarray, hi: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_staircase` on a (rows x breaks) coverage grid; any crossing counts."""
    breaks = np.unique(w)
    flat = row_of * breaks.size + np.searchsorted(breaks, w)
    toggles = np.bincount(flat, minlength=lo.size * breaks.size).reshape(lo.size, -1)
    covered = (np.cumsum(toggles, axis=1)[:, :-1] % 2) == 1  # (R, M) cells between breaks
    joined = np.abs(hi[:-1] - lo[1:]) < 1e-6  # row r and r+1 share a face
    below = np.zeros_like(covered)
    below[1:][joined] = covered[:-1][joined]
    lower_face = covered != below
    upper_face = covered.copy()
    upper_face[:-1][joined] = False  # drawn as the next row's lower face
    padded = _pad_columns(covered, np.bool_)  # np.pad costs more than the rest here
    vertical = padded[:, 1:] != padded[:, :-1]  # (R, M + 1) at each break
    horizontal_lo = _runs(lower_face, breaks, lo)
    horizontal_hi = _runs(upper_face, breaks, hi)
    r, c = np.nonzero(vertical)
    verticals = _segments(breaks[c], lo[r], breaks[c], hi[r])
    # fill: one rectangle per even-odd interval of each row (crossings sorted in a row)
    order = np.lexsort((w, row_of))
    if row_of.size % 2 == 0 and np.all(row_of[order][0::2] == row_of[order][1::2]):
        pairs = w[order].reshape(-1, 2)
        r = row_of[order][0::2]
    else:  # a row with an odd crossing count: fall back to one rectangle per cell
        r, c = np.nonzero(covered)
        pairs = np.column_stack([breaks[c], breaks[c + 1]])
    cells = np.empty((len(pairs), 4, 2))
    cells[:, :, 0] = pairs[:, [0, 1, 1, 0]]
    cells[:, :, 1] = np.column_stack([lo[r], lo[r], hi[r], hi[r]])
    return np.concatenate([horizontal_lo, horizontal_hi, verticals]), cells


def _sparse_staircase(row_of: np.ndarray, w: np.ndarray, lo: np.ndarray, hi: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_staircase` when every row has an even number of crossings.

    The same segments in the same order, without the dense (rows x breaks) grid,
    whose cost grew with the square of the planes cut: a row's coverage changes
    where it has an odd number of crossings at one position (a vertical), and the
    faces between two joined rows are the even-odd intervals of both rows'
    crossings together (coverage of one XOR the other).
    """
    joins_next = np.append(np.abs(hi[:-1] - lo[1:]) < 1e-6, False)  # r and r+1 share a face
    parts, _part_rows, cells, _cell_rows = sparse_staircase_parts(row_of, w, lo, hi, joins_next)
    return np.concatenate(parts), cells


def sparse_staircase_parts(row_of: np.ndarray, w: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                           joins_next: np.ndarray
                           ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """:func:`_sparse_staircase` in its three parts, each with the row of each segment.

    Parameters
    ----------
    row_of, w : ndarray, (C,)
        Row (slab) index and position along the cut line (mm) of each crossing.
    lo, hi : ndarray, (R,)
        Lower and upper face of each row, mm.
    joins_next : ndarray of bool, (R,)
        Whether row ``r`` and row ``r + 1`` share a face (last: False).

    Returns
    -------
    parts : list of 3 ndarray, (K, 3, 2)
        Lower faces, unjoined upper faces and verticals, each sorted by row.
    part_rows : list of 3 ndarray, (K,) int
        The row of each segment of ``parts``.
    cells, cell_rows : ndarray, (C / 2, 4, 2) and (C / 2,)
        The filled rectangles, sorted by row, and their rows.
    """
    order = np.lexsort((w, row_of))
    toggle_row, toggle_w = odd_positions(row_of[order], w[order])
    lifted = joins_next[toggle_row]  # these toggles also bound the next row's lower face
    below_row = np.concatenate([toggle_row, toggle_row[lifted] + 1])
    below_w = np.concatenate([toggle_w, toggle_w[lifted]])
    merged = np.lexsort((below_w, below_row))
    face_row, face_w = odd_positions(below_row[merged], below_w[merged])
    up_row, up_w = toggle_row[~lifted], toggle_w[~lifted]  # joined: drawn as a lower face
    pairs = w[order].reshape(-1, 2)
    r = row_of[order][0::2]
    cells = np.empty((len(pairs), 4, 2))
    cells[:, :, 0] = pairs[:, [0, 1, 1, 0]]
    cells[:, :, 1] = np.column_stack([lo[r], lo[r], hi[r], hi[r]])
    parts = [
        _segments(face_w[0::2], lo[face_row[0::2]], face_w[1::2], lo[face_row[0::2]]),
        _segments(up_w[0::2], hi[up_row[0::2]], up_w[1::2], hi[up_row[0::2]]),
        _segments(toggle_w, lo[toggle_row], toggle_w, hi[toggle_row])]
    return parts, [face_row[0::2], up_row[0::2], toggle_row], cells, r


def _runs(mask: np.ndarray, breaks: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One horizontal segment per run of True cells of each row of ``mask`` (R, M)."""
    padded = _pad_columns(mask, np.int8)
    edges = padded[:, 1:] - padded[:, :-1]
    r0, c0 = np.nonzero(edges == 1)
    _r1, c1 = np.nonzero(edges == -1)  # row-major order: ends pair with starts
    return _segments(breaks[c0], h[r0], breaks[c1], h[r0])


def _pad_columns(mask: np.ndarray, dtype: type) -> np.ndarray:
    """``mask`` (R, M) with a False/0 column added on each side, as ``dtype``."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=dtype)
    padded[:, 1:-1] = mask
    return padded


def _segments(w0: np.ndarray, h0: np.ndarray, w1: np.ndarray, h1: np.ndarray) -> np.ndarray:
    """``(K, 3, 2)`` segments from end points, each followed by a NaN separator."""
    out = np.full((w0.size, 3, 2), np.nan)
    out[:, 0, 0], out[:, 0, 1], out[:, 1, 0], out[:, 1, 1] = w0, h0, w1, h1
    return out


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
