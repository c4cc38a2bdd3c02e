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

__all__ = ["union_outline"]

FloatArray = NDArray[np.float64]


def _decimate(polygon: FloatArray, spacing: float) -> FloatArray:
    """Keep one vertex per ``spacing`` of path length: the fill's cost follows the vertices."""
    steps = np.linalg.norm(np.diff(polygon, axis=0), axis=1)
    bins = np.floor(np.concatenate([[0.0], np.cumsum(steps)]) / spacing)
    keep = np.concatenate([[True], bins[1:] != bins[:-1]])
    kept: FloatArray = polygon[keep]
    return kept


def _rolled(parts: list[FloatArray], shift: int) -> FloatArray:
    """``np.concatenate([np.roll(a, shift) for a in parts])`` for ``shift`` of ±1.

    One gather over the concatenation: a slab model's beam's-eye view is thousands of
    small polygons, and a ``np.roll`` call each was most of the outline's time.
    """
    flat = np.concatenate(parts)
    lengths = np.array([len(a) for a in parts], dtype=np.intp)
    starts = np.cumsum(lengths) - lengths
    owner = np.repeat(np.arange(len(parts)), lengths)
    offset = np.arange(len(flat)) - shift - starts[owner]
    rolled: FloatArray = flat[starts[owner] + offset % lengths[owner]]
    return rolled


def _mark_edges(mask: NDArray[np.uint8], polylines: list[tuple[FloatArray, FloatArray]]
                ) -> None:
    """Set the pixels the closed polylines ``(rows, cols)`` pass through (½-pixel steps).

    All polylines in one vectorised pass: the structures of a beam's-eye view are
    thousands of small polygons, and a pass per polygon was mostly call overhead.
    """
    if not polylines:
        return
    r0 = np.concatenate([r for r, _ in polylines])
    c0 = np.concatenate([c for _, c in polylines])
    r1 = _rolled([r for r, _ in polylines], -1)
    c1 = _rolled([c for _, c in polylines], -1)
    counts = (np.ceil(2 * np.maximum(np.abs(r1 - r0), np.abs(c1 - c0))) + 1).astype(int)
    edge = np.repeat(np.arange(len(r0)), counts)
    starts = np.cumsum(counts) - counts
    frac = (np.arange(counts.sum()) - starts[edge]) / np.maximum(counts[edge] - 1, 1)
    rr = np.rint(r0[edge] + frac * (r1 - r0)[edge]).astype(int)
    cc = np.rint(c0[edge] + frac * (c1 - c0)[edge]).astype(int)
    ok = (rr >= 0) & (rr < mask.shape[0]) & (cc >= 0) & (cc < mask.shape[1])
    mask[rr[ok], cc[ok]] = 1


def _fill_union(mask: NDArray[np.uint8], polygons: list[tuple[FloatArray, FloatArray]]
                ) -> None:
    """Set the pixels whose centres lie inside any of the polygons ``(rows, cols)``.

    The pixels ``skimage.draw.polygon`` fills, polygon by polygon (its crossing test,
    same arithmetic), but all polygons in one vectorised scan-line pass: a structure
    swept over its slabs is thousands of polygons, and one fill call each dominated the
    beam's-eye view.  A centre exactly on an edge, which skimage counts as inside, is
    left to :func:`_mark_edges` (it marks every pixel the perimeter passes through), so
    :func:`union_outline`'s mask is skimage's.  Each edge from vertex ``j = i - 1`` to
    ``i`` crosses the pixel rows ``y`` with ``y_i <= y < y_j`` or ``y_j <= y < y_i``
    at ``x = (x_j - x_i)(y - y_i) / (y_j - y_i) + x_i``; a pixel is inside when an odd
    number of crossings lie right of it.
    """
    if not polygons:
        return
    ys = np.concatenate([r for r, _ in polygons])
    xs = np.concatenate([c for _, c in polygons])
    yj = _rolled([r for r, _ in polygons], 1)
    xj = _rolled([c for _, c in polygons], 1)
    owner = np.repeat(np.arange(len(polygons)), [len(r) for r, _ in polygons])
    first = np.ceil(np.minimum(ys, yj)).astype(np.intp)  # rows y with lo <= y < hi
    counts = np.maximum(np.ceil(np.maximum(ys, yj)).astype(np.intp) - first, 0)
    edge = np.repeat(np.arange(len(ys)), counts)
    row = first[edge] + (np.arange(counts.sum()) - (np.cumsum(counts) - counts)[edge])
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
    if half_width_mm <= 0 or pixel_mm <= 0:
        raise ValueError("half_width_mm and pixel_mm must be positive")
    n = int(np.ceil(2 * half_width_mm / pixel_mm))
    mask = np.zeros((n + 2, n + 2), dtype=np.uint8)  # one empty pixel around: closed outlines

    def to_index(v: FloatArray) -> FloatArray:
        return (v + half_width_mm) / pixel_mm - 0.5 + 1.0

    perimeters = []
    for poly in polygons:
        p = poly[np.all(np.isfinite(poly), axis=1)]
        if len(p) < 2:
            continue
        p = _decimate(p, 0.5 * pixel_mm)
        perimeters.append((to_index(p[:, 1]), to_index(p[:, 0])))
    _fill_union(mask, perimeters)
    # a polygon seen edge-on fills no pixel centre: its perimeter still counts
    _mark_edges(mask, perimeters)
    out = []
    for line in find_contours(mask.astype(np.float32), 0.5):
        xy = (line[:, ::-1] - 1.0 + 0.5) * pixel_mm - half_width_mm
        out.append(xy)
    return out
