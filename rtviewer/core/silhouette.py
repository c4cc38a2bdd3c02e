"""The outline of a union of 2-D polygons (a structure projected through the source).

Projected contours of one structure overlap slice after slice; a beam's-eye view
shows their union's outline, as planning systems do. The polygons are rasterised
on a regular grid (``skimage.draw.polygon``'s rule, all polygons in one pass) and
the union's boundary traced with ``skimage.measure.find_contours`` at the half
level, so the outline is accurate to about half a pixel.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from skimage.measure import find_contours

__all__ = ["union_outline", "union_outline_of_runs"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _next_and_previous(lengths: IntArray) -> tuple[IntArray, IntArray]:
    """Index of each vertex's successor and predecessor within its own closed polygon.

    The polygons are consecutive runs of ``lengths`` vertices of one flat array: a
    beam's-eye view sweeps a structure into thousands of small polygons, and one numpy
    call per polygon (a roll, a fill, a decimation) was most of the outline's time.
    """
    total = int(lengths.sum())
    ends = np.cumsum(lengths) - 1
    starts = ends - lengths + 1
    following = np.arange(1, total + 1)
    following[ends] = starts
    preceding = np.arange(-1, total - 1)
    preceding[starts] = ends
    return following, preceding


def _finite_runs(points: FloatArray, lengths: IntArray) -> tuple[FloatArray, IntArray]:
    """Drop non-finite vertices, then the polygons left with fewer than two."""
    finite = np.all(np.isfinite(points), axis=1)
    if finite.all() and (lengths >= 2).all():
        return points, lengths  # the usual case: nothing to drop
    owner = np.repeat(np.arange(len(lengths)), lengths)
    kept = np.bincount(owner[finite], minlength=len(lengths))
    points = points[finite]
    usable = kept >= 2
    return points[np.repeat(usable, kept)], kept[usable]


def _decimate(points: FloatArray, lengths: IntArray, spacing: float
              ) -> tuple[FloatArray, IntArray]:
    """Keep one vertex per ``spacing`` of each polygon's path length (and its first).

    The fill's cost follows the vertices.
    """
    starts = np.cumsum(lengths) - lengths
    steps = np.empty(len(points))
    steps[0] = 0.0
    steps[1:] = np.linalg.norm(np.diff(points, axis=0), axis=1)
    steps[starts] = 0.0  # no step from one polygon's last vertex to the next one's first
    travelled = np.cumsum(steps)
    travelled -= np.repeat(travelled[starts], lengths)  # from each polygon's first vertex
    bins = np.floor(travelled / spacing)
    keep = np.empty(len(points), dtype=bool)
    keep[1:] = bins[1:] != bins[:-1]
    keep[starts] = True
    kept = np.add.reduceat(keep.astype(np.intp), starts)
    return points[keep], kept


def _mark_edges(mask: NDArray[np.uint8], rows: FloatArray, cols: FloatArray,
                lengths: IntArray) -> None:
    """Set the pixels the closed polylines pass through (½-pixel steps).

    The polylines are runs of ``lengths`` vertices ``(rows, cols)``, all drawn in one
    vectorised pass.  An edge whose pixels are all set already is skipped: every pixel
    it marks lies in the box between its rounded ends (rounding is monotonic), and
    after the fill that box is set for most of a swept structure's inner copies.
    """
    if not len(lengths):
        return
    following, _ = _next_and_previous(lengths)
    r1, c1 = rows[following], cols[following]
    todo = ~_box_already_set(mask, rows, cols, r1, c1)
    r0, c0, r1, c1 = rows[todo], cols[todo], r1[todo], c1[todo]
    dr, dc = r1 - r0, c1 - c0
    counts = (np.ceil(2 * np.maximum(np.abs(dr), np.abs(dc))) + 1).astype(np.intp)
    starts = np.cumsum(counts) - counts
    step = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    frac = step / np.repeat(np.maximum(counts - 1, 1), counts)
    rr = np.rint(np.repeat(r0, counts) + frac * np.repeat(dr, counts)).astype(np.intp)
    cc = np.rint(np.repeat(c0, counts) + frac * np.repeat(dc, counts)).astype(np.intp)
    ok = (rr >= 0) & (rr < mask.shape[0]) & (cc >= 0) & (cc < mask.shape[1])
    mask[rr[ok], cc[ok]] = 1


def _box_already_set(mask: NDArray[np.uint8], r0: FloatArray, c0: FloatArray,
                     r1: FloatArray, c1: FloatArray) -> NDArray[np.bool_]:
    """Whether every pixel between the rounded ends of each edge is set.

    Counted on a summed-area table; False for a box not wholly inside the mask.
    """
    table = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int32)
    np.cumsum(np.cumsum(mask, axis=0, dtype=np.int32), axis=1, out=table[1:, 1:])
    top, bottom = np.rint(np.minimum(r0, r1)), np.rint(np.maximum(r0, r1))
    left, right = np.rint(np.minimum(c0, c1)), np.rint(np.maximum(c0, c1))
    inside = (top >= 0) & (left >= 0) & (bottom < mask.shape[0]) & (right < mask.shape[1])
    t, b, lo, hi = (np.where(inside, v, 0).astype(np.intp) for v in (top, bottom, left, right))
    area = (b - t + 1) * (hi - lo + 1)
    count = table[b + 1, hi + 1] - table[t, hi + 1] - table[b + 1, lo] + table[t, lo]
    full: NDArray[np.bool_] = inside & (count == area)
    return full


def _fill_union(mask: NDArray[np.uint8], rows: FloatArray, cols: FloatArray,
                lengths: IntArray) -> None:
    """Set the pixels whose centres lie inside any of the polygons.

    The polygons are runs of ``lengths`` vertices ``(rows, cols)``.  The pixels
    ``skimage.draw.polygon`` fills, polygon by polygon (its crossing test, same
    arithmetic), but all polygons in one vectorised scan-line pass: a structure
    swept over its slabs is thousands of polygons, and one fill call each dominated the
    beam's-eye view.  A centre exactly on an edge, which skimage counts as inside, is
    left to :func:`_mark_edges` (it marks every pixel the perimeter passes through), so
    :func:`union_outline`'s mask is skimage's.  Each edge from vertex ``j = i - 1`` to
    ``i`` crosses the pixel rows ``y`` with ``y_i <= y < y_j`` or ``y_j <= y < y_i``
    at ``x = (x_j - x_i)(y - y_i) / (y_j - y_i) + x_i``; a pixel is inside when an odd
    number of crossings lie right of it.
    """
    if not len(lengths):
        return
    _, preceding = _next_and_previous(lengths)
    ys, xs = rows, cols
    yj, xj = rows[preceding], cols[preceding]
    owner = np.repeat(np.arange(len(lengths)), lengths)
    first = np.ceil(np.minimum(ys, yj)).astype(np.intp)  # rows y with lo <= y < hi
    counts = np.maximum(np.ceil(np.maximum(ys, yj)).astype(np.intp) - first, 0)
    edge = np.repeat(np.arange(len(ys)), counts)
    row = np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())
    keep = (row >= 0) & (row < mask.shape[0])
    edge, row = edge[keep], row[keep]
    y = row.astype(np.float64)
    x = (xj[edge] - xs[edge]) * (y - ys[edge]) / (yj[edge] - ys[edge]) + xs[edge]
    # sorted by polygon, row and x, every polygon row has an even number of crossings:
    # an even position starts a run of inside pixels, the next one ends it
    order = np.lexsort((x, row, owner[edge]))
    row, x = row[order], x[order]
    width = mask.shape[1]
    column = np.clip(np.ceil(x), 0, width).astype(np.intp)
    sign = np.where(np.arange(len(x)) % 2 == 0, 1, -1)
    runs = np.zeros((mask.shape[0], width + 1), dtype=np.int32)
    np.add.at(runs, (row, column), sign)
    mask[np.cumsum(runs, axis=1)[:, :width] > 0] = 1


def union_outline(polygons: list[FloatArray], *, half_width_mm: float,
                  pixel_mm: float = 1.0) -> list[FloatArray]:
    """Outline(s) of the union of closed polygons inside ``[-h, h]²``.

    Parameters
    ----------
    polygons : list of ndarray, (N, 2)
        Closed polygons ``(x, y)`` mm (NaN rows are dropped).
    half_width_mm : float, keyword-only
        Half the side of the square window rasterised, centred on the origin.
    pixel_mm : float, keyword-only
        Raster pixel size.

    Polygons are filled (pixel centres inside) and their perimeters drawn, so
    degenerate polygons (a contour seen edge-on) still mark their pixels.

    Returns
    -------
    list of ndarray, (M, 2)
        Closed outlines ``(x, y)`` mm (first point repeated at the end).

    Examples
    --------
    >>> sq = np.array([[-10.0, -10], [10, -10], [10, 10], [-10, 10]])
    >>> out = union_outline([sq, sq + 5], half_width_mm=50)
    >>> len(out), round(float(out[0][:, 0].max()))
    (1, 16)
    """
    points = np.concatenate(polygons) if polygons else np.empty((0, 2))
    lengths = np.array([len(p) for p in polygons], dtype=np.intp)
    return union_outline_of_runs(points, lengths, half_width_mm=half_width_mm,
                                 pixel_mm=pixel_mm)


def union_outline_of_runs(points_xy: FloatArray, lengths: IntArray, *, half_width_mm: float,
                          pixel_mm: float = 1.0) -> list[FloatArray]:
    """:func:`union_outline` of polygons given as consecutive runs of one array.

    Parameters
    ----------
    points_xy : ndarray, (N, 2)
        The vertices ``(x, y)`` mm of every polygon, one polygon after the other.
    lengths : ndarray of int, (P,)
        How many vertices each polygon has (summing to N).
    half_width_mm, pixel_mm : float, keyword-only
        As :func:`union_outline`.
    """
    if half_width_mm <= 0 or pixel_mm <= 0:
        raise ValueError("half_width_mm and pixel_mm must be positive")
    n = int(np.ceil(2 * half_width_mm / pixel_mm))
    mask = np.zeros((n + 2, n + 2), dtype=np.uint8)  # one empty pixel around: closed outlines
    points, lengths = _finite_runs(np.asarray(points_xy, dtype=np.float64).reshape(-1, 2),
                                   np.asarray(lengths, dtype=np.intp))
    if len(lengths):
        points, lengths = _decimate(points, lengths, 0.5 * pixel_mm)
    index = (points + half_width_mm) / pixel_mm - 0.5 + 1.0  # pixel (col, row), 1 empty around
    rows, cols = index[:, 1], index[:, 0]
    _fill_union(mask, rows, cols, lengths)
    # a polygon seen edge-on fills no pixel centre: its perimeter still counts
    _mark_edges(mask, rows, cols, lengths)
    out = []
    for line in find_contours(mask.astype(np.float32), 0.5):
        xy = (line[:, ::-1] - 1.0 + 0.5) * pixel_mm - half_width_mm
        out.append(xy)
    return out
