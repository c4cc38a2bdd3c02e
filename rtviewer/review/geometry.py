"""Structure geometry the checks need: centroids, masks on the dose grid, crossings."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.rasterise import structure_mask
from rtviewer.core.slab_model import build_slab_model
from rtviewer.model.structure import Contour, Roi

__all__ = ["polygon_area_centroid", "roi_centroid_mm", "roi_mask", "roi_extent_mm",
           "self_intersections", "plane_gaps"]

FloatArray = NDArray[np.float64]


def polygon_area_centroid(points_mm: FloatArray) -> tuple[float, FloatArray]:
    """Area (mm², unsigned) and area centroid (mm) of a planar polygon in 3-D.

    A fan of triangles from the first vertex, each weighted by its signed area along
    the polygon's normal (Newell), so concave polygons are exact.
    """
    p = np.asarray(points_mm, dtype=np.float64)
    a, b = p[1:-1] - p[0], p[2:] - p[0]
    cross = np.cross(a, b) / 2.0
    normal = cross.sum(axis=0)
    norm = float(np.linalg.norm(normal))
    if len(p) < 3 or norm < 1e-12:
        return 0.0, p.mean(axis=0)
    weights = cross @ (normal / norm)
    centres = (p[0] + p[1:-1] + p[2:]) / 3.0
    area = float(weights.sum())
    return abs(area), (weights @ centres) / area


def roi_centroid_mm(roi: Roi) -> FloatArray | None:
    """Area-weighted centroid of the closed contours, patient ``(x, y, z)`` mm.

    Holes are counted as area (each contour weighs by its own area): for laterality
    only the side matters, not the exact centre.
    """
    total, acc = 0.0, np.zeros(3)
    for points in roi.closed_polygons_mm():
        area, centre = polygon_area_centroid(points)
        total += area
        acc += area * centre
    if total <= 0:
        loose = [c.points_mm for c in roi.contours if len(c.points_mm)]
        return np.vstack(loose).mean(axis=0) if loose else None
    result: FloatArray = acc / total
    return result


def roi_mask(roi: Roi, grid: Grid) -> NDArray[np.bool_] | None:
    """The voxels of ``grid`` whose centres lie inside the ROI (slab model); None if no volume."""
    model = build_slab_model(roi.closed_polygons_mm())
    if model is None:
        return None
    return structure_mask(model, grid).to_full()


def roi_extent_mm(roi: Roi) -> tuple[FloatArray, FloatArray] | None:
    """Bounding box (min, max) of the closed contours' points, patient mm."""
    polygons = roi.closed_polygons_mm()
    if not polygons:
        return None
    points = np.vstack(polygons)
    return points.min(axis=0), points.max(axis=0)


def self_intersections(points_mm: FloatArray) -> int:
    """Number of pairs of non-adjacent edges of a closed planar polygon that cross.

    Proper crossings only (strict orientation tests): touching vertices are not counted.
    """
    p = np.asarray(points_mm, dtype=np.float64)
    n = len(p)
    if n < 4:
        return 0
    # the plane's normal by SVD: Newell's sum cancels on a figure-eight
    normal = np.linalg.svd(p - p.mean(axis=0), full_matrices=False)[2][-1]
    drop = int(np.argmax(np.abs(normal)))  # project on the plane most facing the polygon
    q = np.delete(p, drop, axis=1)
    a, b = q, np.roll(q, -1, axis=0)
    count = 0
    for start in range(0, n, 512):  # chunks bound the pair matrix to 512 x n
        i = np.arange(start, min(n, start + 512))[:, None]
        j = np.arange(n)[None, :]
        pairs = (j > i + 1) & ~((i == 0) & (j == n - 1))
        d1 = _orient(a[i], b[i], a[j])
        d2 = _orient(a[i], b[i], b[j])
        d3 = _orient(a[j], b[j], a[i])
        d4 = _orient(a[j], b[j], b[i])
        crossing = (d1 * d2 < 0) & (d3 * d4 < 0) & pairs
        count += int(np.count_nonzero(crossing))
    return count


def _orient(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    result: FloatArray = ((b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
                          - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0]))
    return result


def plane_gaps(roi: Roi, factor: float) -> tuple[float, list[tuple[float, float]]]:
    """The ROI's contour spacing (median, mm) and the gaps larger than ``factor`` times it.

    Returns
    -------
    spacing_mm : float
        Median distance between neighbouring contour planes (0 with fewer than 3 planes).
    gaps : list of (lower_mm, upper_mm)
        Positions along the contour normal of the planes bounding each gap.
    """
    planes = [p for p in roi.planes if any(c.is_closed for c in p.contours)]
    positions = np.array([p.position_mm for p in planes])
    if len(positions) < 3:
        return 0.0, []
    steps = np.diff(positions)
    spacing = float(np.median(steps))
    if spacing <= 0:
        return 0.0, []
    # a gap between two separate pieces (two lesions in one "GTV_ALL") is not missing
    # contours: only gaps whose two bounding planes overlap across the gap count
    gaps = [(float(positions[k]), float(positions[k + 1]))
            for k in np.nonzero(steps > factor * spacing)[0]
            if _planes_overlap(planes[k].contours, planes[k + 1].contours,
                               int(np.argmax(np.abs(planes[k].normal))))]
    return spacing, gaps


def _planes_overlap(a: tuple[Contour, ...], b: tuple[Contour, ...], normal_axis: int) -> bool:
    """Whether the in-plane bounding boxes of two planes' closed contours overlap.

    ``normal_axis``: the patient axis closest to the contours' normal (not compared).
    """
    def box(contours: tuple[Contour, ...]) -> tuple[FloatArray, FloatArray]:
        pts = np.vstack([c.points_mm for c in contours if c.is_closed])
        return pts.min(axis=0), pts.max(axis=0)
    (lo_a, hi_a), (lo_b, hi_b) = box(a), box(b)
    overlap = (lo_a <= hi_b) & (lo_b <= hi_a)
    overlap[normal_axis] = True
    return bool(overlap.all())
