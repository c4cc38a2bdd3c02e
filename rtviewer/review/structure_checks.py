"""Structure checks (TG-275, MPPG 11.a Table 8; Stuhr et al. 2021): the contours themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np

from rtviewer.model.findings import Severity
from rtviewer.model.structure import ContourType, Roi
from rtviewer.review.context import ReviewContext
from rtviewer.review.finding import PlanFinding
from rtviewer.review.geometry import plane_gaps, roi_centroid_mm, self_intersections
from rtviewer.review.names import is_bolus, laterality

__all__ = ["check_structures"]

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
#: Interpreted types whose contours enclose a volume (open contours make no sense there).
_CLOSED_TYPES = {"EXTERNAL", "PTV", "CTV", "GTV", "ITV", "ORGAN", "AVOIDANCE", "CAVITY",
                 "BOLUS", "SUPPORT", "FIXATION", "CONTROL", "TREATED_VOLUME", "IRRAD_VOLUME"}


def _where(point: np.ndarray | None) -> tuple[float, float, float] | None:
    return None if point is None else (float(point[0]), float(point[1]), float(point[2]))


def check_structures(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """Empty ROIs, missing slices, open or self-crossing contours, laterality, BODY, names."""
    yield from _duplicates(ctx.rois)
    for roi in ctx.rois:
        yield from _empty(roi)
        yield from _open_in_closed(roi)
        yield from _gaps(roi, ctx.profile.number("structures", "missing_slice_factor"))
        yield from _crossings(roi)
    yield from _laterality(ctx)
    yield from _body_encloses_targets(ctx)
    yield from _body_couch_overlap(ctx)


def _duplicates(rois: tuple[Roi, ...]) -> Iterator[PlanFinding]:
    counts = Counter(r.name.strip().upper() for r in rois)
    for name, n in sorted(counts.items()):
        if n > 1:
            yield PlanFinding("ROI_DUPLICATE_NAME", _W,
                              f"{n} structures are named {name!r}: goals and checks by name "
                              "cannot tell them apart.", (f"ROI:{name}",), {"count": n})


def _empty(roi: Roi) -> Iterator[PlanFinding]:
    if not roi.contours:
        yield PlanFinding("ROI_EMPTY", _W,
                          f"Structure {roi.name!r} has no contour.", (f"ROI:{roi.name}",))


def _open_in_closed(roi: Roi) -> Iterator[PlanFinding]:
    if (roi.interpreted_type or "").upper() not in _CLOSED_TYPES:
        return
    open_ = [c for c in roi.contours if c.contour_type in (ContourType.OPEN_PLANAR,
                                                           ContourType.OPEN_NONPLANAR)]
    if open_:
        yield PlanFinding("ROI_OPEN_CONTOUR", _W,
                          f"Structure {roi.name!r} of type {roi.interpreted_type} has "
                          f"{len(open_)} open contour(s): they enclose no volume and are left "
                          "out of its volume and DVH.", (f"ROI:{roi.name}",),
                          {"open_contours": len(open_)}, _where(open_[0].points_mm.mean(axis=0)))


def _gaps(roi: Roi, factor: float) -> Iterator[PlanFinding]:
    spacing, gaps = plane_gaps(roi, factor)
    if not gaps:
        return
    widest = max(gaps, key=lambda g: g[1] - g[0])
    centre = roi_centroid_mm(roi)
    where = None
    if centre is not None and roi.planes:
        normal = np.asarray(roi.planes[0].normal)
        mid = (widest[0] + widest[1]) / 2.0
        where = _where(centre + (mid - float(centre @ normal)) * normal)
    listed = ", ".join(f"{a:.1f}–{b:.1f}" for a, b in gaps[:5])
    yield PlanFinding("ROI_MISSING_SLICES", _W,
                      f"Structure {roi.name!r} has {len(gaps)} gap(s) between contour planes "
                      f"wider than {factor:g} × its spacing {spacing:.2f} mm (at {listed} mm "
                      "along the contour normal): contours may be missing.",
                      (f"ROI:{roi.name}",),
                      {"spacing_mm": spacing, "gaps": len(gaps),
                       "widest_gap_mm": widest[1] - widest[0]}, where)


def _crossings(roi: Roi) -> Iterator[PlanFinding]:
    crossing = [(c, n) for c in roi.contours if c.is_closed
                if (n := self_intersections(c.points_mm))]
    if crossing:
        first = crossing[0][0]
        yield PlanFinding("ROI_SELF_INTERSECTION", _W,
                          f"Structure {roi.name!r}: {len(crossing)} contour(s) cross themselves "
                          f"({sum(n for _, n in crossing)} edge crossing(s)); their inside is "
                          "ambiguous.", (f"ROI:{roi.name}",),
                          {"contours": len(crossing)}, _where(first.points_mm.mean(axis=0)))


def _laterality(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """A left structure (DICOM patient +x) whose centroid lies on the patient's right.

    DICOM patient coordinates are attached to the patient (x towards the patient's
    left whatever the Patient Position), so the side is the sign of x relative to
    the midline: the BODY's centroid x, or x = 0 without a BODY.
    """
    body_centre = roi_centroid_mm(ctx.body) if ctx.body is not None else None
    midline = float(body_centre[0]) if body_centre is not None else 0.0
    margin = ctx.profile.number("structures", "laterality_midline_mm")
    for roi in ctx.rois:
        side = laterality(roi.name)
        centre = roi_centroid_mm(roi) if side and roi.contours else None
        if centre is None:
            continue
        offset = float(centre[0]) - midline  # > 0: patient's left
        if abs(offset) < margin:
            continue
        if (side == "L") != (offset > 0):
            actual = "left" if offset > 0 else "right"
            named = "left" if side == "L" else "right"
            yield PlanFinding("ROI_LATERALITY", _E,
                              f"Structure {roi.name!r} is named {named} but its centroid lies "
                              f"{abs(offset):.1f} mm to the patient's {actual} of the midline "
                              f"(x = {midline:.1f} mm).", (f"ROI:{roi.name}",),
                              {"centroid_x_mm": float(centre[0]), "midline_x_mm": midline,
                               "offset_mm": offset}, _where(centre))


def _body_encloses_targets(ctx: ReviewContext) -> Iterator[PlanFinding]:
    body = ctx.body
    if body is None or ctx.case.dose is None:
        return
    body_mask = ctx.mask(body)
    if body_mask is None:
        return
    voxel_cc = ctx.case.dose.grid.voxel_volume_mm3 / 1000.0
    tolerance = ctx.profile.number("structures", "target_outside_body_cc")
    for target in ctx.targets:
        mask = ctx.mask(target)
        if mask is None or not mask.any():
            continue
        outside = mask & ~body_mask
        cc = float(np.count_nonzero(outside)) * voxel_cc
        if cc > tolerance:
            k, j, i = np.argwhere(outside)[0]
            where = ctx.case.dose.grid.index_to_patient([i, j, k])
            yield PlanFinding("BODY_NOT_ENCLOSING_TARGET", _E,
                              f"{cc:.2f} cc of target {target.name!r} lie outside "
                              f"{body.name!r}: the dose there is not calculated in the patient.",
                              (f"ROI:{target.name}", f"ROI:{body.name}"),
                              {"outside_cc": cc}, _where(np.asarray(where).reshape(3)))


def _body_couch_overlap(ctx: ReviewContext) -> Iterator[PlanFinding]:
    body = ctx.body
    if body is None or not ctx.couch or ctx.case.dose is None:
        return
    body_mask = ctx.mask(body)
    voxel_cc = ctx.case.dose.grid.voxel_volume_mm3 / 1000.0
    for couch in ctx.couch:
        mask = ctx.mask(couch)
        if body_mask is None or mask is None:
            continue
        cc = float(np.count_nonzero(mask & body_mask)) * voxel_cc
        if cc > ctx.profile.number("structures", "target_outside_body_cc"):
            yield PlanFinding("BODY_COUCH_OVERLAP", _W,
                              f"Couch {couch.name!r} overlaps {body.name!r} by {cc:.2f} cc: "
                              "the couch is counted twice or the body is cut.",
                              (f"ROI:{couch.name}", f"ROI:{body.name}"), {"overlap_cc": cc})


def bolus_rois(ctx: ReviewContext) -> tuple[Roi, ...]:
    """The structures that are bolus."""
    return tuple(r for r in ctx.rois if is_bolus(r))
