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

__all__ = ["CutTable", "RoiOutline", "open_polylines", "roi_outline", "section_outline"]

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


_EMPTY = RoiOutline(np.empty(0), np.empty(0), ())


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
    cos = float(model.normal @ n)
    sin = np.sqrt(max(0.0, 1.0 - cos * cos))
    section = table.section if table is not None else SectionTable.from_model(model)
    # a stack this close to perpendicular or parallel (tilt × its size under 0.01 mm) is
    # cut as exactly so; exact alignments, the common case, skip measuring the extent
    if abs(cos) * _LARGEST_MM < _FLAT_MM or abs(cos) * section.extent_mm < _FLAT_MM:
        return _cut(model, u, v, n, depth_mm, table)
    if sin * _LARGEST_MM < _FLAT_MM or sin * section.extent_mm < _FLAT_MM:
        return _in_plane(model, u, v, float(np.sign(cos)) * depth_mm)
    segments, fill = tilted_section(model, section, u, v, n, depth_mm)
    if segments.size == 0:
        return _EMPTY
    st = segments.reshape(-1, 2)
    return RoiOutline(st[:, 0], st[:, 1], fill)


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

    @classmethod
    def from_model(cls, model: SlabModel) -> CutTable:
        """Flatten ``model`` (done once per structure, then cached by the scene)."""
        flat = SectionTable.from_model(model)
        return cls(flat.start, flat.end, flat.edge_plane,
                   np.array([p.offset_mm for p in model.planes]), flat.lower, flat.upper, flat)


def _cut(model: SlabModel, u: np.ndarray, v: np.ndarray, n: np.ndarray,
         depth_mm: float, table: CutTable | None = None) -> RoiOutline:
    """Staircase outline of the slabs cut by the plane ``p·n = depth`` (vectorised)."""
    table = table if table is not None else CutTable.from_model(model)
    # the cut line runs along the contour planes within the view plane (for a set
    # tilted about the view's normal it is no view axis)
    in_plane_axis = np.cross(model.normal, n)
    in_plane_axis /= np.linalg.norm(in_plane_axis)
    normal_uv = np.array([model.u @ n, model.v @ n])
    along_uv = np.array([model.u @ in_plane_axis, model.v @ in_plane_axis])
    fa, fb, wa, wb = table.projections(normal_uv, along_uv)
    tilt = float(model.normal @ n)  # 0 for a view across axial contours
    if abs(tilt) > 1e-12:  # the level differs per plane: test every edge
        level = depth_mm - table.offset[table.plane] * tilt
        crossing = np.flatnonzero((fa - level > 0) != (fb - level > 0))
        level = level[crossing]
    else:
        level = depth_mm
        crossing = table.crossing_edges(normal_uv, along_uv, depth_mm)
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
    order = np.lexsort((w, row_of))
    toggle_row, toggle_w = odd_positions(row_of[order], w[order])
    joins_next = np.append(np.abs(hi[:-1] - lo[1:]) < 1e-6, False)  # r and r+1 share a face
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
    segments = np.concatenate([
        _segments(face_w[0::2], lo[face_row[0::2]], face_w[1::2], lo[face_row[0::2]]),
        _segments(up_w[0::2], hi[up_row[0::2]], up_w[1::2], hi[up_row[0::2]]),
        _segments(toggle_w, lo[toggle_row], toggle_w, hi[toggle_row])])
    return segments, cells


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
