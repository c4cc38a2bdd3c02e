"""Reference points of a chain, as labelled markers for the slice views (no Qt).

A plan's Dose Reference Sequence items with Dose Reference Point Coordinates (brachy
reference points such as Point A, prescription and monitoring points) and the
RTSTRUCT's POINT contours (ROIs of type MARKER, ISOCENTER, or any point of interest)
are points in patient space; each view shows those near its plane, faded by distance
(the rule of the brachy channels, ``plan_geometry.fade``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.model.structure import ContourType
from rtviewer.view.plan_geometry import FADE_HALF_SLABS, fade

__all__ = ["Marker", "ReferencePoint", "markers_on_view", "reference_points"]


@dataclass(frozen=True)
class ReferencePoint:
    """A labelled point in patient ``(x, y, z)`` mm; ``source`` says where it comes from."""

    label: str
    xyz_mm: tuple[float, float, float]
    source: str  # "dose reference", "ROI" or "user point" (ui/panels/points_panel.py)


@dataclass(frozen=True)
class Marker:
    """A reference point on one view: ``(s, t)`` mm, its label, distance and opacity."""

    label: str
    st: tuple[float, float]
    distance_mm: float
    alpha: float
    source: str


def _dose_reference_label(reference: Any) -> str:
    description = (reference.description or "").strip()
    if description and description != "-":
        return description
    return f"Dose ref {reference.number}" if reference.number is not None else "Dose ref"


def reference_points(plan: Any, structures: Any) -> tuple[ReferencePoint, ...]:
    """The plan's dose reference points and the structure set's POINT contours."""
    points = []
    references = getattr(plan, "reference_points", ()) or ()
    for reference in references:
        x, y, z = (float(v) for v in np.asarray(reference.point_mm).reshape(3))
        points.append(ReferencePoint(_dose_reference_label(reference), (x, y, z),
                                     "dose reference"))
    for roi in getattr(structures, "rois", ()) or ():
        for contour in roi.contours:
            if contour.contour_type is ContourType.POINT:
                for px, py, pz in contour.points_mm:
                    points.append(ReferencePoint(roi.name, (float(px), float(py), float(pz)),
                                                 "ROI"))
    return tuple(points)


def markers_on_view(points: tuple[ReferencePoint, ...], frame: Any, view: str,
                    depth_mm: float, half_slab_mm: float) -> list[Marker]:
    """The points within :data:`FADE_HALF_SLABS` half slabs of the view's plane."""
    if not points:
        return []
    view_xyz = frame.to_view(view, np.array([p.xyz_mm for p in points]))
    distance = view_xyz[:, 2] - depth_mm
    alpha = fade(distance, half_slab_mm)
    return [Marker(p.label, (float(st[0]), float(st[1])), float(d), float(a), p.source)
            for p, st, d, a in zip(points, view_xyz[:, :2], distance, alpha, strict=True)
            if abs(d) <= FADE_HALF_SLABS * half_slab_mm]
