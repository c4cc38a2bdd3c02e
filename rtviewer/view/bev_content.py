"""What the beam's-eye view draws, in beam coordinates (no Qt).

The view shows the IEC 61217 gantry plane at the isocentre: ``(Xg, Yg)`` mm, seen
from the source, ``Xg`` to the right and ``Yg`` up. Jaws and leaves turn with the
collimator angle; the patient (structures, DRR) stays put, as on a portal image.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.core.beam_aperture import closed_pairs, leaf_rectangles, pair_strips
from rtviewer.core.drr import drr
from rtviewer.core.iec61217 import BeamGeometry, rotation_z
from rtviewer.core.silhouette import union_outline_of_runs
from rtviewer.model.beam import Beam
from rtviewer.view.beam_accessories import AccessoryShape, accessory_lines, accessory_shapes
from rtviewer.view.beam_model import beam_at, mlc_layers

__all__ = ["NEAR_PAIRS", "BevContent", "bev_content", "closed_runs", "compute_drr", "drawn_pairs",
           "outline_pixel_mm", "project_structures", "to_gantry"]

#: Leaf pairs drawn beside the open ones: the aperture's neighbours, not the whole bank.
NEAR_PAIRS = 2


@dataclass(frozen=True)
class BevContent:
    """Everything drawn for one beam at one control point, ``(Xg, Yg)`` mm at isocentre.

    Attributes
    ----------
    geometry : BeamGeometry
    apertures : list of ndarray (M, 2)
        The open field.
    jaws : ndarray (4, 2) or None
        Jaw rectangle corners (an axis without jaws spans ±200 mm).
    leaves : ndarray (2N, 4, 2) or None
        MLC leaf rectangles of the pairs that are open or within :data:`NEAR_PAIRS`
        pairs of an open one (per layer, bank A then bank B of each); the others are
        only shaded as ``closed_leaves``, so sixty closed pairs do not hide the DRR.
    notes : tuple of str
    apertures_bld : list of ndarray (M, 2)
        The open field in beam limiting device ``(Xb, Yb)`` mm at the isocentre
        plane (before the collimator turn), as the plan states it.
    accessories : tuple of AccessoryShape
        Wedge arrows, block, applicator and compensator outlines, in ``(Xg, Yg)``.
    accessory_lines : tuple of str
        One sentence per accessory (wedges, blocks, boli, ion devices...).
    closed_leaves : ndarray (K, 4, 2) or None
        Strips of the leaf pairs that let nothing through (gap closed or behind the
        jaws), shaded lightly; every layer's.
    """

    geometry: BeamGeometry
    apertures: list[np.ndarray]
    jaws: np.ndarray | None
    leaves: np.ndarray | None
    notes: tuple[str, ...]
    apertures_bld: tuple[np.ndarray, ...] = ()
    accessories: tuple[AccessoryShape, ...] = ()
    accessory_lines: tuple[str, ...] = ()
    closed_leaves: np.ndarray | None = None


def to_gantry(points_bld: np.ndarray, collimator_deg: float) -> np.ndarray:
    """``(Xb, Yb)`` → ``(Xg, Yg)``: turn by the collimator angle (mm, ``(..., 2)``)."""
    m = rotation_z(collimator_deg)[:2, :2]
    return np.asarray(points_bld, dtype=np.float64) @ m.T


def bev_content(plan: Any, beam: Beam, index: int, structures: Any = None) -> BevContent:
    """The beam's field, jaws, leaves and accessories at control point ``index``.

    In gantry coordinates; ``structures`` names the boli's ROIs.
    """
    at = beam_at(plan, beam, index)
    coll = at.geometry.collimator_deg
    cp = beam.control_points[int(np.clip(index, 0, len(beam.control_points) - 1))]
    jaws = None
    if cp.jaw_x_mm is not None or cp.jaw_y_mm is not None:
        x = cp.jaw_x_mm if cp.jaw_x_mm is not None else (-200.0, 200.0)
        y = cp.jaw_y_mm if cp.jaw_y_mm is not None else (-200.0, 200.0)
        rect = np.array([[x[0], y[0]], [x[1], y[0]], [x[1], y[1]], [x[0], y[1]]], dtype=float)
        jaws = to_gantry(rect, coll)
    layers, axis = mlc_layers(beam, cp, [])
    leaves = closed = None
    if layers:  # every layer's leaves: a dual-layer MLC shows both banks, overlapping
        shut = _closed_masks(layers, axis, cp)
        rects = np.concatenate([_near_leaves(layer, mask, axis)
                                for layer, mask in zip(layers, shut, strict=True)])
        leaves = to_gantry(rects, coll)
        strips = [pair_strips(layer.boundaries_mm, mask, mlc_axis=axis)
                  for layer, mask in zip(layers, shut, strict=True)]
        closed = to_gantry(np.concatenate(strips), coll)
    apertures = [to_gantry(p, coll) for p in at.apertures]
    shapes, accessory_notes = accessory_shapes(beam, cp)
    turned = tuple(dataclasses.replace(s, points_mm=to_gantry(s.points_mm, coll)) for s in shapes)
    return BevContent(at.geometry, apertures, jaws, leaves, at.notes + tuple(accessory_notes),
                      tuple(np.asarray(p, dtype=np.float64) for p in at.apertures), turned,
                      tuple(accessory_lines(beam, cp, structures)), closed)


def _closed_masks(layers: list[Any], axis: str, cp: Any) -> list[np.ndarray]:
    """Each layer's closed leaf pairs (gap shut or behind the jaws), one bool per pair."""
    x = _jaw(cp.jaw_x_mm)
    y = _jaw(cp.jaw_y_mm)
    along, across = (x, y) if axis == "X" else (y, x)
    return [closed_pairs(layer, across, along) for layer in layers]


def drawn_pairs(closed: np.ndarray, near: int = NEAR_PAIRS) -> np.ndarray:
    """Leaf pairs to draw: open ones and those within ``near`` pairs of an open one.

    Examples
    --------
    >>> drawn_pairs(np.array([True, True, True, False, True, True, True]), near=1).astype(int)
    array([0, 0, 1, 1, 1, 0, 0])
    """
    open_pairs = ~np.asarray(closed, dtype=bool)
    if near <= 0 or not open_pairs.any():
        return open_pairs
    # a pair is near when an open pair lies within `near` of it: a dilation by a window
    window = np.convolve(open_pairs.astype(np.int64), np.ones(2 * near + 1, np.int64), "same")
    return window > 0


def _near_leaves(layer: Any, closed: np.ndarray, axis: str) -> np.ndarray:
    """Rectangles ``(2K, 4, 2)`` of the layer's drawn pairs, bank A then bank B."""
    rects = leaf_rectangles(layer.positions_mm, layer.boundaries_mm, mlc_axis=axis)
    keep = drawn_pairs(closed)
    return np.concatenate([rects[:keep.size][keep], rects[keep.size:][keep]])


def _jaw(jaw: Any) -> tuple[float, float]:
    return (-np.inf, np.inf) if jaw is None else (float(jaw[0]), float(jaw[1]))


def _slab_polygons(model: Any, step_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Each contour of a slab model copied across its slab (3-D, patient mm).

    A structure is its contours extruded over half the plane spacing each way; the
    copies every ``step_mm`` make their projections join into the solid's shadow.
    Returns the vertices ``(N, 3)`` of every copy, one polygon after the other, and
    each polygon's vertex count: a plane's copies are one broadcast, not a loop.
    """
    points, lengths = [], []
    for plane in model.planes:
        if not plane.polygons_uv:
            continue
        depth = plane.upper_mm - plane.lower_mm
        count = max(2, int(np.ceil(depth / step_mm)) + 1)
        offsets = np.linspace(plane.lower_mm, plane.upper_mm, count)
        uv = np.concatenate(plane.polygons_uv)
        in_plane = uv[:, :1] * model.u + uv[:, 1:2] * model.v
        points.append((in_plane[None] + offsets[:, None, None] * model.normal).reshape(-1, 3))
        lengths.append(np.tile([len(p) for p in plane.polygons_uv], count))
    if not points:
        return np.empty((0, 3)), np.empty(0, dtype=np.intp)
    return np.concatenate(points), np.concatenate(lengths).astype(np.intp)


def _project_each(geometry: BeamGeometry, polygons: list[Any]) -> list[np.ndarray]:
    """Each ``(N, 3)`` patient-mm polygon projected to gantry ``(Xg, Yg)`` mm.

    One projection of all the points at once: a slab model sweeps into thousands of
    small polygons, and one call per polygon spent most of its time in call overhead.
    """
    if not polygons:
        return []
    points = [np.asarray(p, dtype=np.float64).reshape(-1, 3) for p in polygons]
    xy = geometry.project_to_plane(np.concatenate(points), frame="gantry")
    return np.split(xy, np.cumsum([len(p) for p in points])[:-1])


def closed_runs(contours: list[Any], slab_model: Any, step_mm: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """The closed polygons a structure projects (3-D patient mm), as runs of vertices.

    The slab model's contours swept over their slabs every ``step_mm``, else the closed
    contours alone. Returns the vertices ``(N, 3)`` and each polygon's vertex count;
    the same for every beam, so a view showing several beams sweeps a structure once.
    """
    if slab_model is not None:
        return _slab_polygons(slab_model, step_mm)
    closed = [np.asarray(c.points_mm, dtype=np.float64).reshape(-1, 3)
              for c in contours if c.is_closed]
    if not closed:
        return np.empty((0, 3)), np.empty(0, dtype=np.intp)
    return np.concatenate(closed), np.array([len(c) for c in closed], dtype=np.intp)


def outline_pixel_mm(half_width_mm: float) -> float:
    """The raster pixel (mm) of the projected outlines for a view ``±half_width_mm``."""
    return max(0.5, half_width_mm / 300.0)


def project_structures(geometry: BeamGeometry, contours: list[Any], *, half_width_mm: float,
                       slab_model: Any = None,
                       runs: tuple[np.ndarray, np.ndarray] | None = None,
                       ) -> tuple[np.ndarray, np.ndarray]:
    """A structure projected through the source to the isocentre plane, NaN-separated.

    Closed contours become the outline of the projected solid (the slab model's
    contours swept over their slabs, else the contours alone); open contours
    (catheters) stay lines. ``runs`` is :func:`closed_runs` of the same structure at
    :func:`outline_pixel_mm`, when the caller keeps it. Returns ``(Xg, Yg)`` arrays for
    one ``connect='finite'`` curve.
    """
    pixel = outline_pixel_mm(half_width_mm)
    points, lengths = runs if runs is not None else closed_runs(contours, slab_model, pixel)
    pieces = []
    for xy in _project_each(geometry, [c.points_mm for c in contours if not c.is_closed]):
        pieces += [xy, np.full((1, 2), np.nan)]
    if len(lengths):
        xy = geometry.project_to_plane(points, frame="gantry")  # every vertex in one product
        for outline in union_outline_of_runs(xy, lengths, half_width_mm=half_width_mm,
                                             pixel_mm=pixel):
            pieces += [outline, np.full((1, 2), np.nan)]
    if not pieces:
        return np.empty(0), np.empty(0)
    stacked = np.concatenate(pieces)
    return stacked[:, 0], stacked[:, 1]


def compute_drr(image: Any, geometry: BeamGeometry, *, half_width_mm: float,
                pixels: int = 256) -> tuple[np.ndarray, float]:
    """A DRR of the CT ``image`` (an ImageVolume) in gantry coordinates.

    Returns the image ``(rows = Yg descending, columns = Xg ascending)`` and the pixel
    size (mm at isocentre); pixel ``(c, r)``'s centre is
    ``(-h + (c + ½)·p, h - (r + ½)·p)`` with ``h = half_width_mm``.
    """
    size = 2.0 * half_width_mm / pixels
    centres = -half_width_mm + (np.arange(pixels) + 0.5) * size
    # the gantry frame is the BLD frame at collimator 0
    g0 = dataclasses.replace(geometry, collimator_deg=0.0)
    step = max(min(image.grid.spacing_mm), 1.0)  # nearest sampling: a voxel a step
    values = drr(image.voxels, image.grid, g0, centres, centres[::-1], step_mm=step)
    return values, size
