"""Where a finding lies: a patient point for the findings whose check gave none.

The window centres its views on a finding's ``location_mm``: a beam finding on the
beam's isocentre, a structure finding on the structure's centroid (its slice), the
PLAN dose maximum on its voxel. Checks that know a better place (the hot spot, the gap,
the colliding surface point) set it themselves and are left alone.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rtviewer.review.context import ReviewContext
from rtviewer.review.finding import PlanFinding
from rtviewer.review.geometry import roi_centroid_mm
from rtviewer.review.plan_checks import beam_isocentre_mm

__all__ = ["with_location"]


def _point(p: np.ndarray | None) -> tuple[float, float, float] | None:
    return None if p is None else (float(p[0]), float(p[1]), float(p[2]))


def _place(ctx: ReviewContext, obj: str) -> tuple[float, float, float] | None:
    kind, _, name = obj.partition(":")
    if kind == "BEAM":
        beam = next((b for b in ctx.plan.beams if str(b.name or b.number) == name), None)
        return _point(beam_isocentre_mm(beam)) if beam is not None else None
    if kind == "ROI":
        roi = next((r for r in ctx.rois if r.name.strip().upper() == name.strip().upper()
                    and r.contours), None)
        return _point(roi_centroid_mm(roi)) if roi is not None else None
    if kind == "DOSE" and ctx.case.dose is not None:
        dose = ctx.case.dose
        k, j, i = np.unravel_index(int(np.argmax(dose.dose_gy)), dose.dose_gy.shape)
        return _point(dose.grid.index_to_patient([i, j, k]).reshape(3))
    return None


def with_location(ctx: ReviewContext, finding: PlanFinding) -> PlanFinding:
    """``finding`` with the place of its first located object when it has none."""
    if finding.location_mm is not None:
        return finding
    for obj in finding.objects:
        place = _place(ctx, obj)
        if place is not None:
            return dataclasses.replace(finding, location_mm=place)
    return finding
