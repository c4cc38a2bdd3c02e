"""Automated physics plan review (AAPM TG-275, MPPG 11.a Table 8) on the model objects.

:func:`review_plan` runs every check on one :class:`~rtviewer.model.plan_case.PlanCase`
with a :class:`~rtviewer.review.profile.Profile` of limits; each result is a
:class:`~rtviewer.review.finding.PlanFinding` with a stable code. No pydicom here: the
objects come from :mod:`rtviewer.dicom` (or from the tests and the fault generator).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from rtviewer.model.findings import Severity
from rtviewer.model.plan_case import PlanCase
from rtviewer.review.beam_checks import check_beams
from rtviewer.review.clearance import check_clearance
from rtviewer.review.context import ReviewContext
from rtviewer.review.dose_checks import check_dose
from rtviewer.review.finding import PlanFinding
from rtviewer.review.locations import with_location
from rtviewer.review.plan_checks import check_approval, check_isocentres, check_prescription
from rtviewer.review.profile import Profile, load_profile
from rtviewer.review.structure_checks import check_structures

__all__ = ["review_plan", "PlanFinding", "Profile", "load_profile", "CHECK_CODES"]

_log = logging.getLogger(__name__)

#: Every code the plan review can raise, with what it means (stable once landed).
CHECK_CODES: dict[str, str] = {
    "ROI_EMPTY": "a structure has no contour",
    "ROI_MISSING_SLICES": "gap between contour planes wider than the profile's factor x spacing",
    "ROI_OPEN_CONTOUR": "open contours in a structure of a closed (volume) type",
    "ROI_SELF_INTERSECTION": "a closed contour crosses itself",
    "ROI_LATERALITY": "named left (right), centroid on the patient's right (left)",
    "ROI_DUPLICATE_NAME": "two structures share a name",
    "BODY_NOT_ENCLOSING_TARGET": "part of a target lies outside the BODY",
    "BODY_COUCH_OVERLAP": "the couch structure overlaps the BODY",
    "RX_INCONSISTENT": "dose reference, fraction group, beam doses disagree",
    "RX_DOSE_MAX": "the PLAN dose maximum is implausible for the prescription",
    "RX_TARGET_DOSE": "the target's median dose is implausible for the prescription",
    "ISO_BEAM_MISMATCH": "a beam's isocentre is off the isocentre of the other beams",
    "ISO_NOT_LABELLED": "a beam's isocentre is at none of the structure set's ISOCENTER points",
    "ISO_MULTIPLE": "the plan has several isocentres (information)",
    "ISO_SETUP_BEAM": "a setup beam is not at a treatment isocentre",
    "DOSE_GRID_COVERAGE": "part of a structure lies outside the dose grid",
    "HOTSPOT_OUTSIDE_TARGET": "the global dose maximum lies outside every target",
    "BEAM_NAME": "a beam name does not follow the profile's convention",
    "BEAM_MU": "a beam's MU outside the profile's limits",
    "BEAM_MU_PER_GY": "a beam's MU per Gy of its beam dose above the limit",
    "BEAM_WEDGE_MU": "a dynamic-wedge beam below its minimum MU",
    "BEAM_WEDGE_ORIENTATION": "a wedge orientation the head cannot take (or none stated)",
    "BEAM_CLOSED_LEAF_PAIR": "closed leaf pairs inside the jaw opening of a conformal field",
    "BEAM_FIELD_SIZE": "a jaw opening below the minimum field size",
    "BEAM_JAW_MLC": "a control point delivering MU with no opening through jaws and MLC",
    "BEAM_ENERGY": "an energy not allowed for the machine",
    "BEAM_DOSE_RATE": "a dose rate above the machine's maximum",
    "BEAM_COUCH_ANGLE": "a couch angle outside the allowed ranges",
    "BEAM_COLLIMATOR_ANGLE": "a collimator angle outside the allowed ranges",
    "BOLUS_MISSING": "a beam references a bolus the structure set lacks",
    "BOLUS_NOT_REFERENCED": "a bolus structure that no beam references",
    "PLAN_NOT_APPROVED": "the plan's Approval Status is not the required one",
    "STRUCTURE_SET_NOT_APPROVED": "the structure set's Approval Status is not the required one",
    "STRUCTURE_SET_APPROVED_AFTER_PLAN": "the structure set was approved on a later day "
                                         "than the plan",
    "RECORD_BEFORE_APPROVAL": "a treatment was recorded before the plan or the structure set "
                              "was approved",
    "SRS_CONFORMITY": "Paddick conformity index below the limit",
    "SRS_GRADIENT": "gradient index above the limit",
    "CLEARANCE": "the gantry head comes closer than the margin to the BODY or couch",
    "PLAN_REVIEW_INCOMPLETE": "a check stopped on an unexpected problem",
}

_CHECKS: tuple[tuple[str, Callable[[ReviewContext], Iterator[PlanFinding]]], ...] = (
    ("structures", check_structures), ("prescription", check_prescription),
    ("isocentres", check_isocentres), ("dose", check_dose), ("beams", check_beams),
    ("approval", check_approval), ("clearance", check_clearance))


def review_plan(case: PlanCase, profile: Profile | None = None) -> tuple[PlanFinding, ...]:
    """Run every plan check on one case; errors first.

    A check that fails on an unexpected problem becomes a ``PLAN_REVIEW_INCOMPLETE``
    warning naming it: the others still run.
    """
    ctx = ReviewContext(case, profile or load_profile())
    found: list[PlanFinding] = []
    for name, check in _CHECKS:
        try:
            found.extend(with_location(ctx, f) for f in check(ctx))
        except Exception as exc:  # noqa: BLE001 - plans never seen must not crash a review
            _log.exception("plan check %s failed", name)
            found.append(PlanFinding("PLAN_REVIEW_INCOMPLETE", Severity.WARNING,
                                     f"The {name} checks stopped ({type(exc).__name__}: {exc}); "
                                     "their findings may be incomplete.", ("PLAN",)))
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return tuple(sorted(found, key=lambda f: (order[f.severity], f.code)))
