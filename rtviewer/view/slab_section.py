"""A slab model cut by a view plane that is tilted against its contour planes (no Qt).

The slab model (``core.slab_model``) is a stack of planar regions, each extruded
along the contour normal ``m`` between its two slab faces. A view plane that is
neither parallel nor perpendicular to ``m`` meets every slab in a band, and inside
that band the section is the plane's even-odd region seen through the view. This
is a 2-D problem in the contour planes' own coordinates ``(a, b)``: projecting the
view plane along ``m`` onto them is an invertible affine map, under which the
view's height ``h = p·m`` becomes an affine function ``h = k·(a, b) + h0``. Slab
``i`` then shows its polygons clipped to the strip ``lower_i <= h <= upper_i``,
and the section's boundary is

* every polygon edge clipped to its own plane's strip, and
* on each slab face line (``h`` = face), the even-odd intervals of the regions
  on either side combined by XOR: where one slab covers and its neighbour does
  not (a flat end cap where there is no neighbour).

So the drawn outline is exactly the solid whose volume and DVH ``core`` computes.
Written here because no library cuts this stacked-prism model; it is the tilted
case of ``contour_geometry`` (which handles the parallel and perpendicular views).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rtviewer.core.segment_clip import inside_interval
from rtviewer.core.slab_model import SlabModel

__all__ = ["SectionTable", "ViewMap", "clipped_edges", "face_crossings", "face_height_index",
           "odd_positions", "tilted_section"]


def odd_positions(row: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``(row, w)`` pairs occurring an odd number of times (input sorted)."""
    if row.size == 0:
        return row, w
    first = np.ones(row.size, dtype=bool)
    first[1:] = (row[1:] != row[:-1]) | (w[1:] != w[:-1])
    starts = np.flatnonzero(first)
    odd = np.diff(np.append(starts, row.size)) % 2 == 1
    return row[starts][odd], w[starts][odd]


@dataclass(frozen=True)
class SectionTable:
    """Every polygon of a slab model, flattened for vectorised tilted cuts.

    Attributes
    ----------
    start, end : ndarray, (E, 2)
        Edge end points in the model's in-plane ``(a, b)`` mm; edge ``e`` runs from
        vertex ``e`` to the next vertex of its polygon.
    polygon_start : ndarray, (P + 1,) int
        First edge of each polygon, then ``E``.
    polygon_plane : ndarray, (P,) int
        Plane index of each polygon.
    lower, upper : ndarray, (N,)
        Slab faces of each plane along the normal, mm.
    lower_face, upper_face : ndarray, (N,) int
        Face number of each plane's lower and upper face; two joined slabs share one.
    """

    start: np.ndarray
    end: np.ndarray
    polygon_start: np.ndarray
    polygon_plane: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_face: np.ndarray
    upper_face: np.ndarray
    _per_view: dict[object, tuple[np.ndarray, ...]] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_model(cls, model: SlabModel) -> SectionTable:
        """Flatten ``model`` (once per structure; the scene caches it)."""
        polygons = [(index, p) for index, plane in enumerate(model.planes)
                    for p in plane.polygons_uv]
        counts = np.array([len(p) for _i, p in polygons], dtype=np.intp)
        start = np.concatenate([p for _i, p in polygons])
        end = np.concatenate([np.roll(p, -1, axis=0) for _i, p in polygons])
        lower = np.array([p.lower_mm for p in model.planes])
        upper = np.array([p.upper_mm for p in model.planes])
        joined = np.abs(upper[:-1] - lower[1:]) < 1e-6  # plane i's top is plane i+1's bottom
        lower_face = 2 * np.arange(lower.size)
        lower_face[1:][joined] -= 1
        return cls(start, end, np.concatenate([[0], np.cumsum(counts)]),
                   np.array([i for i, _p in polygons], dtype=np.intp), lower, upper,
                   lower_face, 2 * np.arange(lower.size) + 1)

    @classmethod
    def concatenate(cls, tables: list[SectionTable]) -> SectionTable:
        """One table of several structures' polygons; plane and face numbers run on.

        A plane of the ``k``-th table gets the index it had plus the planes of the
        tables before it (so faces of two structures are never joined).
        """
        plane_base = np.cumsum([0] + [t.lower.size for t in tables])[:-1]
        edge_base = np.cumsum([0] + [t.start.shape[0] for t in tables])[:-1]

        def joined(name: str, base: np.ndarray | None = None) -> np.ndarray:
            arrays = [getattr(t, name) for t in tables]
            if base is not None:
                arrays = [a + b for a, b in zip(arrays, base, strict=True)]
            return np.concatenate(arrays)

        polygon_start = np.concatenate(
            [[0], *(t.polygon_start[1:] + b for t, b in zip(tables, edge_base, strict=True))])
        return cls(joined("start"), joined("end"), polygon_start,
                   joined("polygon_plane", plane_base), joined("lower"), joined("upper"),
                   joined("lower_face", 2 * plane_base), joined("upper_face", 2 * plane_base))

    @property
    def edge_plane(self) -> np.ndarray:
        """Plane index of every edge, (E,)."""
        return np.repeat(self.polygon_plane, np.diff(self.polygon_start))

    def along(self, k: np.ndarray) -> tuple[np.ndarray, ...]:
        """Edge ends projected on ``k`` and on its normal, and each polygon's ``k`` range.

        Cached per view direction: a slice only adds its offset ``h0``.
        """
        key = tuple(np.round(k, 12))
        if key not in self._per_view:
            e = np.array([-k[1], k[0]]) / np.linalg.norm(k)
            ka, kb = self.start @ k, self.end @ k
            starts = self.polygon_start[:-1]
            # one (E, 7) table: a slice picks its edges with one fancy index
            packed = np.column_stack([ka, kb, self.start @ e, self.end @ e, self.start,
                                      self.edge_plane])
            self._per_view[key] = (packed, np.minimum.reduceat(ka, starts),
                                   np.maximum.reduceat(ka, starts))
        return self._per_view[key]

    @property
    def extent_mm(self) -> float:
        """Diagonal of the box holding every vertex (mm), in the contour planes."""
        if "extent" not in self._per_view:
            span = np.ptp(self.start, axis=0) if len(self.start) else np.zeros(2)
            self._per_view["extent"] = (np.array(float(np.hypot(*span))),)
        return float(self._per_view["extent"][0])


@dataclass(frozen=True)
class ViewMap:
    """The affine map between view ``(s, t)`` and contour-plane ``(a, b)`` coordinates.

    ``(a, b) = ab_of_st @ (s, t) + ab0`` and ``h = k·(a, b) + h0`` on the view plane.
    """

    st_of_ab: np.ndarray
    ab0: np.ndarray
    k: np.ndarray
    h0: float

    @classmethod
    def of(cls, model: SlabModel, u: np.ndarray, v: np.ndarray, n: np.ndarray,
           depth_mm: float) -> ViewMap:
        """The map of ``model``'s planes onto the view plane at ``depth_mm`` along ``n``.

        ``u``, ``v``: the view's in-plane unit vectors, ``n``: its normal (patient mm).
        """
        ab_of_st = np.array([[u @ model.u, v @ model.u], [u @ model.v, v @ model.v]])
        ab0 = depth_mm * np.array([n @ model.u, n @ model.v])
        st_of_ab = np.linalg.inv(ab_of_st)
        g = np.array([u @ model.normal, v @ model.normal])
        k = st_of_ab.T @ g
        return cls(st_of_ab, ab0, k, float(depth_mm * (n @ model.normal) - k @ ab0))

    def to_st(self, ab: np.ndarray) -> np.ndarray:
        """``(..., 2)`` contour-plane points -> view ``(s, t)`` mm."""
        result: np.ndarray = (ab - self.ab0) @ self.st_of_ab.T
        return result


def tilted_section(model: SlabModel, table: SectionTable, u: np.ndarray, v: np.ndarray,
                   n: np.ndarray, depth_mm: float
                   ) -> tuple[np.ndarray, Callable[[], tuple[np.ndarray, ...]]]:
    """The section of a slab model by a view plane tilted against its contour planes.

    Parameters
    ----------
    model : SlabModel
        The structure; its normal must be neither parallel nor perpendicular to ``n``.
    table : SectionTable
        ``SectionTable.from_model(model)`` (cached by the caller).
    u, v, n : ndarray, (3,)
        The view's screen-right, screen-down and normal (unit, patient LPS).
    depth_mm : float
        The view plane ``p·n = depth_mm``.

    Returns
    -------
    segments : ndarray, (K, 3, 2)
        Boundary segments in view ``(s, t)`` mm, each followed by a NaN row.
    fill : callable
        Returns the polygons (view mm) whose even-odd union is the section.
    """
    view = ViewMap.of(model, u, v, n, depth_mm)
    packed, kmin, kmax = table.along(view.k)
    polygon_lo = table.lower[table.polygon_plane] - view.h0
    polygon_hi = table.upper[table.polygon_plane] - view.h0
    # only a polygon whose k range meets its own strip has an edge in it or crosses a face
    hit = np.flatnonzero((kmax >= polygon_lo) & (kmin <= polygon_hi))
    edges, owner = _edges_of(table, hit)
    picked = packed[edges]
    ka, kb, wa, wb, start = picked[:, 0], picked[:, 1], picked[:, 2], picked[:, 3], picked[:, 4:6]
    plane = picked[:, 6].astype(np.intp)
    lo, hi = table.lower[plane] - view.h0, table.upper[plane] - view.h0
    sides, _kept = clipped_edges(start, table.end[edges], ka, kb, lo, hi)
    faces = _face_segments(table, view, ka, kb, wa, wb, plane)
    segments = np.concatenate([sides, faces])
    st = view.to_st(segments.reshape(-1, 2)).reshape(-1, 2, 2)
    out = np.full((st.shape[0], 3, 2), np.nan)
    out[:, :2] = st
    def fill() -> tuple[np.ndarray, ...]:
        """Sutherland-Hodgman against each polygon's own strip (only when a fill is shown)."""
        points, parts, upper = _clip_half(start, owner, ka - lo, hi)
        points, parts, _upper = _clip_half(points, parts, upper - points @ view.k, upper)
        pieces = np.split(points, np.flatnonzero(np.diff(parts)) + 1) if parts.size else []
        return tuple(view.to_st(p) for p in pieces if len(p) >= 3)

    return out, fill


def _edges_of(table: SectionTable, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the edges of ``polygons`` in order, and each edge's position in it."""
    counts = np.diff(table.polygon_start)[polygons]
    owner = np.repeat(np.arange(polygons.size), counts)
    first = np.cumsum(counts) - counts  # each polygon's first edge in the output
    edges = np.arange(counts.sum()) - first[owner] + table.polygon_start[polygons][owner]
    return edges, owner


def clipped_edges(start: np.ndarray, end: np.ndarray, ka: np.ndarray, kb: np.ndarray,
                  lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(K, 2, 2)`` parts of edges inside their own plane's strip ``lo <= k·p <= hi``.

    Also returns the indices of the edges they come from.
    """
    first, last = inside_interval(ka, kb, lo, hi)
    keep = np.flatnonzero(last > first)
    a, b = start[keep], end[keep]
    step = b - a
    return np.stack([a + first[keep, None] * step, a + last[keep, None] * step], axis=1), keep


def _face_segments(table: SectionTable, view: ViewMap, ka: np.ndarray, kb: np.ndarray,
                   wa: np.ndarray, wb: np.ndarray, plane: np.ndarray) -> np.ndarray:
    """``(K, 2, 2)`` parts of the slab face lines where exactly one side is covered."""
    row, w = face_crossings(table, ka, kb, wa, wb, plane, view.h0)
    if row.size % 2:  # a tangent vertex exactly on a face: drop the unpaired position
        keep = np.ones(row.size, dtype=bool)
        counts = np.bincount(row)
        keep[np.isin(row, np.flatnonzero(counts % 2))] = False
        row, w = row[keep], w[keep]
    height = np.concatenate([table.lower, table.upper])[face_height_index(table, row[0::2])]
    k2 = float(view.k @ view.k)
    e = np.array([-view.k[1], view.k[0]]) / np.sqrt(k2)
    base = ((height - view.h0) / k2)[:, None] * view.k
    return np.stack([base + w[0::2, None] * e, base + w[1::2, None] * e], axis=1)


def face_crossings(table: SectionTable, ka: np.ndarray, kb: np.ndarray, wa: np.ndarray,
                   wb: np.ndarray, plane: np.ndarray, h0: float | np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Where edges cross their plane's slab faces: face numbers and positions, sorted.

    ``ka``, ``kb`` (heights along ``k`` less ``h0``) and ``wa``, ``wb`` (positions along
    the faces) are the edges' ends (``SectionTable.along``), ``plane`` their planes and
    ``h0`` the plane's offset (one, or one per edge). A position met an even number of
    times on one face (two slabs' edges through one point) is left out.
    """
    rows, positions = [], []
    for faces, heights in ((table.lower_face, table.lower), (table.upper_face, table.upper)):
        level = heights[plane] - h0
        fa, fb = ka - level, kb - level
        crossing = np.flatnonzero((fa > 0) != (fb > 0))
        fc, gc = fa[crossing], fb[crossing]
        positions.append(wa[crossing] + fc / (fc - gc) * (wb[crossing] - wa[crossing]))
        rows.append(faces[plane[crossing]])
    row, w = np.concatenate(rows), np.concatenate(positions)
    order = np.lexsort((w, row))
    return odd_positions(row[order], w[order])


def face_height_index(table: SectionTable, face: np.ndarray) -> np.ndarray:
    """Index into ``concat(lower, upper)`` of each face number's height."""
    size = table.lower.size
    lookup = np.empty(2 * size, dtype=np.intp)
    lookup[table.lower_face] = np.arange(size)
    lookup[table.upper_face] = size + np.arange(size)  # a joined face: the same height
    result: np.ndarray = lookup[face]
    return result


def _clip_half(points: np.ndarray, owner: np.ndarray, f: np.ndarray, carried: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Sutherland-Hodgman pass keeping ``f >= 0`` of polygons stored back to back.

    The strip is convex, so clipping a polygon (convex or not) against its two
    half-planes leaves a polygon with the same even-odd interior inside the strip
    (at most zero-width bridges along a face, which an even-odd fill ignores).
    ``carried`` is a per-vertex value that follows the vertices (a vertex made at a
    crossing takes its start vertex's).
    """
    if points.shape[0] == 0:
        return points, owner, carried
    following = np.arange(owner.size) + 1
    last = np.append(np.flatnonzero(np.diff(owner)), owner.size - 1)
    firsts = np.append(0, last[:-1] + 1)
    following[last] = firsts
    g = f[following]
    inside = f >= 0
    crossing = inside != (g >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crossing, f / (f - g), 0.0)
    meet = points + t[:, None] * (points[following] - points)
    emitted = np.stack([points, meet], axis=1).reshape(-1, 2)  # vertex, then crossing
    keep = np.stack([inside, crossing], axis=1).reshape(-1)
    return emitted[keep], np.repeat(owner, 2)[keep], np.repeat(carried, 2)[keep]
