"""Seeded faults: faulty variants of a plan case, each with the codes that must find it.

Each fault copies the case's frozen objects with one thing wrong, as a planning error
would leave it (TG-275's failure modes): a left structure mirrored to the right,
contour slices deleted, a dose grid cropped through a target, a beam isocentre moved,
the prescription scaled, a hot spot outside the targets, a beam's MU raised, the couch
rotated into the gantry, the plan left unapproved; a lateral name swapped, a structure
emptied, an energy no machine has, the collimator beyond its range, a treatment recorded
before the approval, the structure set unapproved. A fault that does not apply (no
lateral structure, one beam only) returns None.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.core.grid import Grid
from rtviewer.model.beam import Beam, RadiationType
from rtviewer.model.plan_case import PlanCase
from rtviewer.model.record import RecordKind, TreatmentRecord, TreatmentSession
from rtviewer.model.structure import Roi
from rtviewer.review.context import ReviewContext
from rtviewer.review.geometry import roi_centroid_mm
from rtviewer.review.names import laterality
from rtviewer.review.plan_checks import beam_isocentre_mm, treatment_beams
from rtviewer.review.profile import load_profile

__all__ = ["SeededFault", "FAULTS", "seed_faults"]


@dataclass(frozen=True)
class SeededFault:
    """One faulty variant: its name, what was done, the case, the codes that find it."""

    name: str
    description: str
    case: PlanCase
    codes: frozenset[str]


def _ctx(case: PlanCase) -> ReviewContext:
    return ReviewContext(case, load_profile())


def _with_rois(case: PlanCase, rois: tuple[Roi, ...]) -> PlanCase:
    assert case.structure_set is not None
    return dataclasses.replace(case, structure_set=dataclasses.replace(case.structure_set,
                                                                       rois=rois))


def _replace_roi(case: PlanCase, old: Roi, new: Roi) -> PlanCase:
    assert case.structure_set is not None
    return _with_rois(case, tuple(new if r is old else r for r in case.structure_set.rois))


def _lateral_rois(case: PlanCase) -> tuple[float, list[Roi]]:
    """The BODY's midline x (mm) and the structures named left or right lying 20 mm off it."""
    ctx = _ctx(case)
    body = roi_centroid_mm(ctx.body) if ctx.body else None
    midline = float(body[0]) if body is not None else 0.0
    lateral = [r for r in ctx.rois if laterality(r.name) and r.contours
               and (c := roi_centroid_mm(r)) is not None and abs(float(c[0]) - midline) >= 20.0]
    return midline, lateral


def swap_laterality(case: PlanCase) -> SeededFault | None:
    """Mirror a left (or right) structure across the BODY's midline (x -> 2 m - x)."""
    midline, lateral = _lateral_rois(case)
    if not lateral:
        return None
    roi = lateral[0]
    contours = tuple(dataclasses.replace(c, points_mm=c.points_mm * [-1, 1, 1]
                                         + [2 * midline, 0, 0]) for c in roi.contours)
    return SeededFault("swap_laterality", f"{roi.name!r} mirrored to the other side",
                       _replace_roi(case, roi, dataclasses.replace(roi, contours=contours)),
                       frozenset({"ROI_LATERALITY"}))


def delete_slices(case: PlanCase) -> SeededFault | None:
    """Delete the contours of two neighbouring interior planes of the largest structure."""
    ctx = _ctx(case)
    candidates = [r for r in ctx.rois if len(r.planes) >= 8 and r is not ctx.body]
    if not candidates:
        return None
    roi = max(candidates, key=lambda r: (r in ctx.targets, len(r.planes)))
    middle = len(roi.planes) // 2
    dropped = {id(c) for p in roi.planes[middle:middle + 2] for c in p.contours}
    contours = tuple(c for c in roi.contours if id(c) not in dropped)
    return SeededFault("delete_slices", f"2 contour planes of {roi.name!r} deleted",
                       _replace_roi(case, roi, dataclasses.replace(roi, contours=contours)),
                       frozenset({"ROI_MISSING_SLICES"}))


def shrink_dose_grid(case: PlanCase) -> SeededFault | None:
    """Crop the dose grid's slices at the middle of the first target."""
    ctx = _ctx(case)
    dose = case.dose
    if dose is None or not ctx.targets:
        return None
    mask = ctx.mask(ctx.targets[0])
    if mask is None or not mask.any():
        return None
    ks = np.nonzero(mask.any(axis=(1, 2)))[0]
    cut = int((ks.min() + ks.max() + 1) // 2)
    if cut < 1:
        return None
    affine = np.array(dose.grid.affine)
    grid = Grid(affine, (cut, dose.grid.shape[1], dose.grid.shape[2]),
                dose.grid.frame_of_reference_uid)
    cropped = dataclasses.replace(dose, grid=grid, dose_gy=np.array(dose.dose_gy[:cut]))
    return SeededFault("shrink_dose_grid", f"dose grid cropped to {cut} slices through "
                       f"{ctx.targets[0].name!r}", dataclasses.replace(case, dose=cropped),
                       frozenset({"DOSE_GRID_COVERAGE"}))


def _shift_beam(beam: Beam, shift_mm: np.ndarray) -> Beam:
    cps = tuple(dataclasses.replace(cp, isocenter_mm=np.asarray(cp.isocenter_mm) + shift_mm)
                if cp.isocenter_mm is not None else cp for cp in beam.control_points)
    return dataclasses.replace(beam, control_points=cps)


def _with_beam(case: PlanCase, old: Beam, new: Beam) -> PlanCase:
    beams = tuple(new if b is old else b for b in case.plan.beams)
    return dataclasses.replace(case, plan=dataclasses.replace(case.plan, beams=beams))


def _set_on_cps(case: PlanCase, beam: Beam, attribute: str, value: float) -> PlanCase:
    """The case with one control-point attribute of ``beam`` set to ``value``.

    Set on every control point that states it, and on the first (which must).
    """
    changes: dict[str, Any] = {attribute: value}
    cps = tuple(dataclasses.replace(cp, **changes)
                if getattr(cp, attribute) is not None or cp.index == 0 else cp
                for cp in beam.control_points)
    return _with_beam(case, beam, dataclasses.replace(beam, control_points=cps))


def move_isocentre(case: PlanCase) -> SeededFault | None:
    """Move the last treatment beam's isocentre 10 mm to the patient's left."""
    beams = [b for b in treatment_beams(_ctx(case)) if beam_isocentre_mm(b) is not None]
    if len(beams) < 2:
        return None
    beam = beams[-1]
    return SeededFault("move_isocentre", f"isocentre of beam {beam.name!r} moved 10 mm",
                       _with_beam(case, beam, _shift_beam(beam, np.array([10.0, 0, 0]))),
                       frozenset({"ISO_BEAM_MISMATCH", "ISO_NOT_LABELLED"}))


def scale_prescription(case: PlanCase) -> SeededFault | None:
    """Scale the prescription (plan and TARGET dose references) by 1.25."""
    plan = case.plan
    if plan.prescription.dose_gy is None:
        return None
    refs = tuple(dataclasses.replace(r, target_prescription_dose_gy=r.target_prescription_dose_gy
                                     * 1.25) if r.target_prescription_dose_gy else r
                 for r in plan.dose_references)
    scaled = dataclasses.replace(plan, dose_references=refs, prescription=dataclasses.replace(
        plan.prescription, dose_gy=plan.prescription.dose_gy * 1.25))
    return SeededFault("scale_prescription", "prescription × 1.25",
                       dataclasses.replace(case, plan=scaled),
                       frozenset({"RX_INCONSISTENT", "RX_DOSE_MAX", "RX_TARGET_DOSE"}))


def move_hot_spot(case: PlanCase) -> SeededFault | None:
    """Put a 3 x 3 x 3 voxel hot spot (110 % of the maximum) in the BODY, off the targets.

    Outside a 30 mm face-connected dilation of the targets: at least 17 mm away in any
    direction.
    """
    ctx = _ctx(case)
    dose = case.dose
    if dose is None or not ctx.targets:
        return None
    targets = np.zeros(dose.grid.shape, dtype=bool)
    for t in ctx.targets:
        m = ctx.mask(t)
        if m is not None:
            targets |= m
    body = ctx.mask(ctx.body) if ctx.body is not None else None
    from scipy import ndimage

    spacing = min(dose.grid.spacing_mm)
    far = ~ndimage.binary_dilation(targets, iterations=max(1, int(30 / spacing)))
    allowed = far & (body if body is not None else dose.dose_gy > 0.3 * dose.dose_gy.max())
    allowed[:1] = allowed[-1:] = False
    allowed[:, :1] = allowed[:, -1:] = allowed[:, :, :1] = allowed[:, :, -1:] = False
    candidates = np.argwhere(allowed)
    if not len(candidates):
        return None
    # the hottest allowed voxel: where a real hot spot outside the target would appear
    k, j, i = candidates[int(np.argmax(dose.dose_gy[allowed]))]
    hot = np.array(dose.dose_gy)
    hot[k - 1:k + 2, j - 1:j + 2, i - 1:i + 2] = 1.1 * float(dose.dose_gy.max())
    return SeededFault("move_hot_spot", f"hot spot at voxel {(int(i), int(j), int(k))}",
                       dataclasses.replace(case, dose=dataclasses.replace(dose, dose_gy=hot)),
                       frozenset({"HOTSPOT_OUTSIDE_TARGET", "RX_DOSE_MAX"}))


def raise_mu(case: PlanCase) -> SeededFault | None:
    """Multiply the first treatment beam's MU by 10 (a transcription error)."""
    beams = [b for b in treatment_beams(_ctx(case)) if b.meterset  # ion MU: other limits
             and b.radiation_type in (RadiationType.PHOTON, RadiationType.ELECTRON)]
    if not beams:
        return None
    beam = beams[0]
    raised = dataclasses.replace(beam, meterset=(beam.meterset or 0.0) * 10)
    groups = tuple(dataclasses.replace(g, referenced_beams=tuple(
        dataclasses.replace(rb, meterset=rb.meterset * 10) if rb.beam_number == beam.number
        and rb.meterset else rb for rb in g.referenced_beams)) for g in case.plan.fraction_groups)
    plan = dataclasses.replace(_with_beam(case, beam, raised).plan, fraction_groups=groups)
    return SeededFault("raise_mu", f"MU of beam {beam.name!r} × 10",
                       dataclasses.replace(case, plan=plan),
                       frozenset({"BEAM_MU", "BEAM_MU_PER_GY"}))


def rotate_couch(case: PlanCase) -> SeededFault | None:
    """Rotate the couch of the most lateral beam to 90° (head along the patient's axis)."""
    ctx = _ctx(case)
    if ctx.body is None:
        return None
    beams = [b for b in treatment_beams(ctx) if b.control_points
             and b.control_points[0].gantry_angle_deg is not None]
    if not beams:
        return None
    beam = min(beams, key=lambda b: abs(abs((b.control_points[0].gantry_angle_deg or 0.0)
                                              % 180.0) - 90.0))
    return SeededFault("rotate_couch", f"couch of beam {beam.name!r} at 90°",
                       _set_on_cps(case, beam, "couch_angle_deg", 90.0),
                       frozenset({"CLEARANCE"}))


def unapprove(case: PlanCase) -> SeededFault | None:
    """Set the plan's Approval Status to UNAPPROVED."""
    if (case.plan.approval_status or "").upper() != "APPROVED":
        return None
    plan = dataclasses.replace(case.plan, approval_status="UNAPPROVED")
    return SeededFault("unapprove", "plan unapproved", dataclasses.replace(case, plan=plan),
                       frozenset({"PLAN_NOT_APPROVED"}))


def rename_laterality(case: PlanCase) -> SeededFault | None:
    """Swap the side in a lateral structure's name (``Lung_L`` -> ``Lung_R``), contours kept."""
    swap = {"L": "R", "R": "L", "l": "r", "r": "l", "Lt": "Rt", "Rt": "Lt", "Left": "Right",
            "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT", "lt": "rt", "rt": "lt"}
    _, lateral = _lateral_rois(case)
    names = {r.name for r in case.structure_set.rois} if case.structure_set else set()
    for roi in lateral:
        renamed = "".join(swap.get(p, p) for p in re.split(r"([\s_\-.]+)", roi.name))
        if renamed in names or laterality(renamed) == laterality(roi.name):
            continue
        return SeededFault("rename_laterality", f"{roi.name!r} renamed {renamed!r}",
                           _replace_roi(case, roi, dataclasses.replace(roi, name=renamed)),
                           frozenset({"ROI_LATERALITY"}))
    return None


def empty_structure(case: PlanCase) -> SeededFault | None:
    """Drop every contour of the first organ (an export that lost a structure's contours)."""
    ctx = _ctx(case)
    organs = [r for r in ctx.rois if r.contours and r not in ctx.targets and r is not ctx.body
              and (r.interpreted_type or "ORGAN").upper() in ("ORGAN", "AVOIDANCE")]
    if not organs:
        return None
    roi = organs[0]
    return SeededFault("empty_structure", f"contours of {roi.name!r} removed",
                       _replace_roi(case, roi, dataclasses.replace(roi, contours=())),
                       frozenset({"ROI_EMPTY"}))


def _first_beam_with_cps(case: PlanCase) -> Beam | None:
    beams = [b for b in treatment_beams(_ctx(case)) if b.control_points
             and b.radiation_type in (RadiationType.PHOTON, RadiationType.ELECTRON)]
    return beams[0] if beams else None


def wrong_energy(case: PlanCase) -> SeededFault | None:
    """Give the first photon/electron beam a nominal energy no machine has (7 MV/MeV)."""
    beam = _first_beam_with_cps(case)
    if beam is None:
        return None
    return SeededFault("wrong_energy", f"beam {beam.name!r} at 7 MV",
                       _set_on_cps(case, beam, "nominal_energy", 7.0), frozenset({"BEAM_ENERGY"}))


def collimator_out_of_range(case: PlanCase) -> SeededFault | None:
    """Turn the first beam's collimator to 180°, beyond the profile's range."""
    beam = _first_beam_with_cps(case)
    if beam is None:
        return None
    return SeededFault("collimator_180", f"collimator of beam {beam.name!r} at 180°",
                       _set_on_cps(case, beam, "collimator_angle_deg", 180.0),
                       frozenset({"BEAM_COLLIMATOR_ANGLE"}))


def treated_before_approval(case: PlanCase) -> SeededFault | None:
    """Add a treatment record dated the day before the plan's approval."""
    review = case.plan.review_date
    if (case.plan.approval_status or "").upper() != "APPROVED" or review is None:
        return None
    when = dt.datetime.combine(review - dt.timedelta(days=1), dt.time(9))
    record = TreatmentRecord("seeded-record.dcm", None, None, RecordKind.BEAMS,
                             case.plan.patient_id, None, case.plan.sop_instance_uid, None,
                             TreatmentSession(when, 1, None, 1))
    return SeededFault("treated_before_approval", f"a record on {when.date().isoformat()}",
                       dataclasses.replace(case, records=case.records + (record,)),
                       frozenset({"RECORD_BEFORE_APPROVAL"}))


def unapprove_structure_set(case: PlanCase) -> SeededFault | None:
    """Set an approved structure set's Approval Status to UNAPPROVED."""
    ss = case.structure_set
    if ss is None or ss.approval_status != "APPROVED":
        return None
    return SeededFault("unapprove_structure_set", "structure set unapproved",
                       dataclasses.replace(case, structure_set=dataclasses.replace(
                           ss, approval_status="UNAPPROVED")),
                       frozenset({"STRUCTURE_SET_NOT_APPROVED"}))


#: Every fault generator, in the order the issue lists them.
FAULTS: tuple[Callable[[PlanCase], SeededFault | None], ...] = (
    swap_laterality, delete_slices, shrink_dose_grid, move_isocentre, scale_prescription,
    move_hot_spot, raise_mu, rotate_couch, unapprove, rename_laterality, empty_structure,
    wrong_energy, collimator_out_of_range, treated_before_approval, unapprove_structure_set)


def seed_faults(case: PlanCase) -> list[SeededFault]:
    """Every applicable faulty variant of ``case``."""
    return [f for fault in FAULTS if (f := fault(case)) is not None]
