"""Gantry-couch-patient clearance: the gantry head against the BODY and couch surfaces.

The head is modelled as a disk across the beam axis (IEC gantry system ``Zg``) at
``head_distance_mm`` from the isocentre towards the source, of radius
``head_radius_mm``; everything beyond the disk (towards the source) is head. The
BODY and couch contours' vertices are moved into the gantry system by
:class:`rtviewer.core.iec61217.BeamGeometry` (couch rotation and Patient Position
through the same transform as the beam's-eye view) for every sampled gantry angle.
The BODY is only as long as the scan: where its end contour cuts through the patient
(area at least ``body_cut_area_fraction`` of the largest), the end contour is extruded
by ``body_extension_mm`` along the contour normal, because the patient goes on there.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.iec61217 import PATIENT_ORIENTATION, BeamGeometry
from rtviewer.model.beam import Beam
from rtviewer.model.findings import Severity
from rtviewer.model.structure import Roi
from rtviewer.review.context import ReviewContext
from rtviewer.review.finding import PlanFinding
from rtviewer.review.geometry import polygon_area_centroid
from rtviewer.review.plan_checks import beam_isocentre_mm, treatment_beams

__all__ = ["check_clearance", "head_distance_mm", "gantry_samples_deg"]

_MAX_POINTS = 20_000


def head_distance_mm(points_gantry_mm: NDArray[np.float64], distance_mm: float,
                     radius_mm: float) -> NDArray[np.float64]:
    """Distance (mm) of points in the gantry system from the head; negative inside it."""
    p = np.asarray(points_gantry_mm, dtype=float)
    r = np.hypot(p[..., 0], p[..., 1])
    dz = distance_mm - p[..., 2]
    beside = r > radius_mm
    outside = np.where(dz >= 0, np.hypot(r - radius_mm, np.maximum(dz, 0)), r - radius_mm)
    result: NDArray[np.float64] = np.where(beside, outside, dz)
    return result


def gantry_samples_deg(beam: Beam, step_deg: float) -> list[tuple[float, float]]:
    """(gantry, couch) angles along the beam: every control point, arcs every ``step_deg``."""
    angles, couch = [], []
    last_g, last_c = None, 0.0
    for cp in beam.control_points:
        last_g = cp.gantry_angle_deg if cp.gantry_angle_deg is not None else last_g
        last_c = cp.couch_angle_deg if cp.couch_angle_deg is not None else last_c
        if last_g is not None:
            angles.append(last_g)
            couch.append(last_c)
    if not angles:
        return []
    unwrapped = np.rad2deg(np.unwrap(np.deg2rad(angles)))
    samples = [(float(unwrapped[0]) % 360, couch[0])]
    for k in range(1, len(unwrapped)):
        span = unwrapped[k] - unwrapped[k - 1]
        n = max(1, int(np.ceil(abs(span) / step_deg)))
        samples += [(float(unwrapped[k - 1] + span * t / n) % 360, couch[k])
                    for t in range(1, n + 1)]
    return samples


def _points(rois: tuple[object, ...]) -> NDArray[np.float64] | None:
    polygons = [p for roi in rois for p in roi.closed_polygons_mm()]  # type: ignore[attr-defined]
    if not polygons:
        return None
    points = np.vstack(polygons)
    stride = max(1, len(points) // _MAX_POINTS)
    result: NDArray[np.float64] = points[::stride]
    return result


def _extended_body(roi: Roi, cut_fraction: float, length_mm: float) -> NDArray[np.float64]:
    """The BODY's vertices, plus copies of each cut end contour out to ``length_mm``."""
    points = _points((roi,))
    planes = [p for p in roi.planes if any(c.is_closed for c in p.contours)]
    if points is None or len(planes) < 2:
        return points if points is not None else np.zeros((0, 3))
    areas = [sum(polygon_area_centroid(c.points_mm)[0] for c in p.contours if c.is_closed)
             for p in planes]
    normal = np.asarray(planes[0].normal, dtype=float)
    extra = []
    for plane, area, sign in ((planes[0], areas[0], -1.0), (planes[-1], areas[-1], 1.0)):
        if area < cut_fraction * max(areas):
            continue  # the scan reaches past this end of the patient (vertex, feet)
        ring = np.vstack([c.points_mm for c in plane.contours if c.is_closed])
        ring = ring[::max(1, len(ring) // 200)]
        extra += [ring + sign * d * normal for d in np.arange(25.0, length_mm + 1, 25.0)]
    return np.vstack([points, *extra]) if extra else points


def _patient_position(ctx: ReviewContext, beam: Beam) -> str:
    for setup in ctx.plan.patient_setups:
        if (setup.setup_number == beam.referenced_patient_setup_number or len(
                ctx.plan.patient_setups) == 1) and setup.patient_position in PATIENT_ORIENTATION:
            return setup.patient_position
    return "HFS"


def check_clearance(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """Report each beam whose head comes closer than the margin to the BODY or couch."""
    surfaces = [(r.name, pts) for r in ctx.couch if (pts := _points((r,))) is not None]
    if ctx.body is not None:
        surfaces.insert(0, (ctx.body.name, _extended_body(
            ctx.body, ctx.profile.number("clearance", "body_cut_area_fraction"),
            ctx.profile.number("clearance", "body_extension_mm"))))
    if not surfaces:
        return
    distance = ctx.profile.number("clearance", "head_distance_mm")
    radius = ctx.profile.number("clearance", "head_radius_mm")
    margin = ctx.profile.number("clearance", "margin_mm")
    step = ctx.profile.number("clearance", "arc_step_deg")
    for beam in treatment_beams(ctx):
        iso = beam_isocentre_mm(beam)
        if iso is None:
            continue
        worst = _closest(beam, iso, _patient_position(ctx, beam), surfaces,
                         distance, radius, step)
        if worst is None or worst[0] >= margin:
            continue
        d, gantry, couch, name, point = worst
        yield PlanFinding(
            "CLEARANCE", Severity.ERROR if d < 0 else Severity.WARNING,
            f"Beam {beam.name or beam.number!r} at gantry {gantry:.0f}°, couch {couch:.0f}°: "
            f"the gantry head comes {d:.0f} mm from {name!r} (margin {margin:g} mm"
            f"{'; it collides' if d < 0 else ''}).",
            (f"BEAM:{beam.name or beam.number}", f"ROI:{name}"),
            {"distance_mm": d, "gantry_deg": gantry, "couch_deg": couch},
            (float(point[0]), float(point[1]), float(point[2])))


def _closest(beam: Beam, iso: NDArray[np.float64], position: str,
             surfaces: list[tuple[str, NDArray[np.float64]]], distance: float, radius: float,
             step: float) -> tuple[float, float, float, str, NDArray[np.float64]] | None:
    worst = None
    for gantry, couch in gantry_samples_deg(beam, step):
        geometry = BeamGeometry(gantry, 0.0, couch, tuple(iso), beam.sad_mm or 1000.0, position)
        for name, points in surfaces:
            d = head_distance_mm(geometry.patient_to_gantry(points), distance, radius)
            k = int(np.argmin(d))
            if worst is None or d[k] < worst[0]:
                worst = (float(d[k]), gantry, couch, name, points[k])
    return worst
