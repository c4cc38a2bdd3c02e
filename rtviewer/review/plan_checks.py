"""Prescription, isocentre and approval checks (MPPG 11.a Table 8, TG-275)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from rtviewer.model.beam import Beam, TreatmentDeliveryType
from rtviewer.model.findings import Severity
from rtviewer.model.plan import DoseReferenceType
from rtviewer.review.context import ReviewContext
from rtviewer.review.finding import PlanFinding

__all__ = ["check_prescription", "check_isocentres", "check_approval", "beam_isocentre_mm",
           "treatment_beams"]

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
#: Isocentres closer than this are one isocentre moved by mistake, not a second one.
_DISTINCT_ISOCENTRE_MM = 20.0


def _is_treatment(beam: Beam) -> bool:
    """Treatment Delivery Type TREATMENT or CONTINUATION (absent: treatment, its default)."""
    return beam.delivery_type in (None, TreatmentDeliveryType.TREATMENT,
                                  TreatmentDeliveryType.CONTINUATION)


def treatment_beams(ctx: ReviewContext) -> tuple[Beam, ...]:
    """Beams that deliver treatment (not SETUP or portal-film beams)."""
    return tuple(b for b in ctx.plan.beams if _is_treatment(b))


def beam_isocentre_mm(beam: Beam) -> np.ndarray | None:
    """The isocentre of the beam's first control point that states one (patient mm)."""
    for cp in beam.control_points:
        if cp.isocenter_mm is not None:
            return np.asarray(cp.isocenter_mm, dtype=float)
    return None


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def check_prescription(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """Dose reference, fraction group and beam doses tell the same prescription."""
    tol = ctx.profile.number("prescription", "relative_tolerance")
    totals = {r.number: r.target_prescription_dose_gy for r in ctx.plan.dose_references
              if r.reference_type is DoseReferenceType.TARGET
              and r.target_prescription_dose_gy}
    for group in ctx.plan.fraction_groups:
        for ref in group.dose_references:
            total = totals.get(ref.dose_reference_number)
            stated = ref.target_prescription_dose_gy
            if total and stated and not _close(total, stated, tol):
                yield PlanFinding(
                    "RX_INCONSISTENT", _E,
                    f"Dose reference {ref.dose_reference_number} prescribes {total:.3f} Gy but "
                    f"fraction group {group.number} states {stated:.3f} Gy for it.",
                    ("PLAN", f"DOSE_REFERENCE:{ref.dose_reference_number}"),
                    {"dose_reference_gy": total, "fraction_group_gy": stated})
        yield from _beam_dose_sum(ctx, group, tol)


def _beam_dose_sum(ctx: ReviewContext, group: object, tol: float) -> Iterator[PlanFinding]:
    """Σ Beam Dose × fractions = prescription, when every beam states its dose."""
    rx, n = ctx.prescription_gy, getattr(group, "fractions_planned", None)
    beams = getattr(group, "referenced_beams", ())
    doses = [b.beam_dose_gy for b in beams]
    if rx is None or not n or not doses or any(d is None or d <= 0 for d in doses):
        return
    points = [b.dose_specification_point_mm for b in beams]
    if any(p is None for p in points) or np.ptp(np.vstack(points), axis=0).max() > 0.5:
        return  # beam doses at different points do not add up to a prescription
    total = float(sum(d for d in doses if d is not None)) * n
    if not _close(total, rx, tol):
        yield PlanFinding(  # a warning: the point may not be where the dose is prescribed
            "RX_INCONSISTENT", _W,
            f"The beams' doses ({total / n:.3f} Gy per fraction at their common dose "
            f"specification point) × {n} fractions = {total:.3f} Gy, but the prescription is "
            f"{rx:.3f} Gy.", ("PLAN",), {"beam_dose_total_gy": total, "prescription_gy": rx,
                                          "fractions": float(n)})


def _clusters(points: list[tuple[Beam, np.ndarray]], tolerance: float
              ) -> list[tuple[np.ndarray, list[Beam]]]:
    clusters: list[tuple[np.ndarray, list[Beam]]] = []
    for beam, p in points:
        for centre, members in clusters:
            if np.linalg.norm(p - centre) <= tolerance:
                members.append(beam)
                break
        else:
            clusters.append((p, [beam]))
    return clusters


def _label(beam: Beam) -> str:
    return f"BEAM:{beam.name or beam.number}"


def check_isocentres(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """One isocentre per group of beams; a stray beam isocentre; setup beams at one of them."""
    tol = ctx.profile.number("isocentre", "tolerance_mm")
    located = [(b, p) for b in treatment_beams(ctx) if (p := beam_isocentre_mm(b)) is not None]
    clusters = _clusters(located, tol)
    if len(clusters) > 1:
        yield from _stray(clusters, len(located))
    centres = [c for c, _ in clusters]
    for beam in ctx.plan.beams:
        p = beam_isocentre_mm(beam)
        if _is_treatment(beam) or p is None or not centres:
            continue
        distance = min(float(np.linalg.norm(p - c)) for c in centres)
        if distance > tol:
            yield PlanFinding("ISO_SETUP_BEAM", _W,
                              f"Setup beam {beam.name or beam.number!r} is {distance:.1f} mm "
                              "from every treatment isocentre.", (_label(beam),),
                              {"distance_mm": distance}, _xyz(p))


def _stray(clusters: list[tuple[np.ndarray, list[Beam]]], n_beams: int
           ) -> Iterator[PlanFinding]:
    main_centre, main = max(clusters, key=lambda c: len(c[1]))
    for centre, members in clusters:
        if members is main:
            continue
        distance = float(np.linalg.norm(centre - main_centre))
        names = ", ".join(str(b.name or b.number) for b in members)
        if distance < _DISTINCT_ISOCENTRE_MM or (len(members) == 1 and len(main) >= 2
                                                 and n_beams >= 3):
            severity = _E if distance < _DISTINCT_ISOCENTRE_MM else _W
            yield PlanFinding(
                "ISO_BEAM_MISMATCH", severity,
                f"Beam(s) {names} have their isocentre {distance:.1f} mm from the isocentre of "
                f"{len(main)} other beam(s): a moved isocentre, or a second isocentre that "
                "must be named.", tuple(_label(b) for b in members),
                {"distance_mm": distance}, _xyz(centre))
        else:
            yield PlanFinding(
                "ISO_MULTIPLE", _I,
                f"Beam(s) {names} use a second isocentre {distance:.1f} mm from the main one "
                f"({_fmt(centre)} mm): check each is set up.", tuple(_label(b) for b in members),
                {"distance_mm": distance}, _xyz(centre))


def _xyz(p: np.ndarray) -> tuple[float, float, float]:
    return (float(p[0]), float(p[1]), float(p[2]))


def _fmt(p: np.ndarray) -> str:
    return ", ".join(f"{v:.1f}" for v in p)


def check_approval(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """The plan is approved, and before any treatment record."""
    required = str(ctx.profile.value("approval", "required_status")).upper()
    status = (ctx.plan.approval_status or "").upper()
    if status != required:
        yield PlanFinding("PLAN_NOT_APPROVED", _W,
                          f"Approval Status is {status or 'absent'}, not {required}.", ("PLAN",))
    review = ctx.plan.review_date
    for record in ctx.case.records:
        when = record.session.date_time
        if when is None:
            continue
        if status != required or (review is not None and when.date() < review):
            approved = f"approved {review.isoformat()}" if review else "not approved"
            yield PlanFinding("RECORD_BEFORE_APPROVAL", _E,
                              f"Treatment recorded on {when.date().isoformat()} but the plan "
                              f"was {approved}.", ("PLAN", f"RECORD:{record.path}"),
                              {"days_early": float((review - when.date()).days)
                               if review else 0.0})


