"""Prescription, isocentre and approval checks (MPPG 11.a Table 8, TG-275)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

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
            # the fraction group may state the total or the dose per fraction
            if total and stated and not (_close(total, stated, tol) or _close(
                    total, stated * (group.fractions_planned or 1), tol)):
                yield PlanFinding(
                    "RX_INCONSISTENT", _E,
                    f"Dose reference {ref.dose_reference_number} prescribes {total:.3f} Gy but "
                    f"fraction group {group.number} states {stated:.3f} Gy for it.",
                    ("PLAN", f"DOSE_REFERENCE:{ref.dose_reference_number}"),
                    {"dose_reference_gy": total, "fraction_group_gy": stated})
        yield from _beam_dose_sum(ctx, group,
                                  ctx.profile.number("prescription", "beam_dose_sum_tolerance"))
    yield from _reference_limits(ctx, tol)


def _beam_dose_sum(ctx: ReviewContext, group: object, tol: float) -> Iterator[PlanFinding]:
    """Σ Beam Dose × fractions = prescription, when every treatment beam states its dose.

    The beam doses must be at one point: all at the same stated Beam Dose Specification
    Point, or none stating one (Eclipse writes each beam's contribution to the plan's
    primary reference point without its coordinates). Setup beams (no dose, no MU)
    are left out.
    """
    rx, n = ctx.prescription_gy, getattr(group, "fractions_planned", None)
    beams = [b for b in getattr(group, "referenced_beams", ())
             if b.beam_dose_gy is not None or b.meterset]
    doses = [b.beam_dose_gy for b in beams]
    if rx is None or not n or not doses or any(d is None or d <= 0 for d in doses):
        return
    points = [b.dose_specification_point_mm for b in beams]
    stated = [p for p in points if p is not None]
    if stated and (len(stated) < len(points) or np.ptp(np.vstack(stated), axis=0).max() > 0.5):
        return  # beam doses at different points do not add up to a prescription
    total = float(sum(d for d in doses if d is not None)) * n
    if not _close(total, rx, tol):
        where = "their common dose specification point" if stated else "the reference point"
        yield PlanFinding(  # a warning: the point may not be where the dose is prescribed
            "RX_INCONSISTENT", _W,
            f"The beams' doses ({total / n:.3f} Gy per fraction at {where}) × {n} fractions "
            f"= {total:.3f} Gy, but the prescription is {rx:.3f} Gy.", ("PLAN",),
            {"beam_dose_total_gy": total, "prescription_gy": rx, "fractions": float(n)})


def _reference_limits(ctx: ReviewContext, tol: float) -> Iterator[PlanFinding]:
    """A target's prescription above the maximum dose its own dose reference allows."""
    for ref in ctx.plan.dose_references:
        rx = ref.target_prescription_dose_gy
        if ref.reference_type is not DoseReferenceType.TARGET or not rx:
            continue
        for what, limit in (("Delivery Maximum Dose", ref.delivery_maximum_dose_gy),
                            ("Target Maximum Dose", ref.target_maximum_dose_gy)):
            if limit and rx > limit * (1 + tol):
                yield PlanFinding(
                    "RX_INCONSISTENT", _E,
                    f"Dose reference {ref.number} prescribes {rx:.3f} Gy, above its own "
                    f"{what} {limit:.3f} Gy.", ("PLAN", f"DOSE_REFERENCE:{ref.number}"),
                    {"prescription_gy": rx, "maximum_gy": limit})
                break


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
        yield from _stray(clusters, len(located), _namer(isocentre_points(ctx), tol))
    yield from _labelled(ctx, located, tol)
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


def isocentre_points(ctx: ReviewContext) -> list[tuple[str, np.ndarray]]:
    """The structure set's labelled isocentres: POINT ROIs of RT ROI Interpreted Type ISOCENTER."""
    return [(r.name, np.asarray(c.points_mm[0], dtype=float)) for r in ctx.rois
            if (r.interpreted_type or "").upper() == "ISOCENTER"
            for c in r.contours[:1] if len(c.points_mm)]


def _labelled(ctx: ReviewContext, located: list[tuple[Beam, np.ndarray]], tol: float
              ) -> Iterator[PlanFinding]:
    """Every treatment beam at one of the labelled isocentres, when the structure set has any."""
    points = isocentre_points(ctx)
    if not points:
        return
    for beam, p in located:
        name, q = min(points, key=lambda nq: float(np.linalg.norm(p - nq[1])))
        distance = float(np.linalg.norm(p - q))
        if distance <= tol:
            continue
        labels = ", ".join(repr(n) for n, _ in points)
        yield PlanFinding(
            "ISO_NOT_LABELLED", _E if distance < _DISTINCT_ISOCENTRE_MM else _W,
            f"Beam {beam.name or beam.number!r} has its isocentre at ({_fmt(p)}) mm, "
            f"{distance:.1f} mm from the nearest labelled isocentre {name!r} (labelled: "
            f"{labels}).", (_label(beam), f"ROI:{name}"),
            {"distance_mm": distance, "nearest_x_mm": float(q[0]), "nearest_y_mm": float(q[1]),
             "nearest_z_mm": float(q[2])}, _xyz(p))


def _namer(points: list[tuple[str, np.ndarray]], tol: float
           ) -> Callable[[np.ndarray], str]:
    """``" ('label')"`` for a centre at a labelled isocentre, ``" (not labelled)"`` otherwise."""
    def name(centre: np.ndarray) -> str:
        near = [n for n, q in points if np.linalg.norm(centre - q) <= tol]
        return f" ({near[0]!r})" if near else " (not labelled)" if points else ""
    return name


def _stray(clusters: list[tuple[np.ndarray, list[Beam]]], n_beams: int,
           name: Callable[[np.ndarray], str]) -> Iterator[PlanFinding]:
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
                f"Beam(s) {names} use a second isocentre{name(centre)} {distance:.1f} mm from "
                f"the main one{name(main_centre)} ({_fmt(centre)} mm): check each is set up.",
                tuple(_label(b) for b in members),
                {"distance_mm": distance}, _xyz(centre))


def _xyz(p: np.ndarray) -> tuple[float, float, float]:
    return (float(p[0]), float(p[1]), float(p[2]))


def _fmt(p: np.ndarray) -> str:
    return ", ".join(f"{v:.1f}" for v in p)


def _approved_at(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """An approval's date and time (start of the day when the time is absent)."""
    return None if day is None else dt.datetime.combine(day, time or dt.time())


def _before(when: dt.datetime, approved: dt.datetime, time_known: bool) -> bool:
    """Whether a record at ``when`` precedes the approval (by day without an approval time)."""
    return when < approved if time_known else when.date() < approved.date()


def check_approval(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """Plan and structure set approved, the structures before the plan, both before treatment.

    The RT Structure Set's Approval module is optional (several planning systems do not
    write it): a structure set without Approval Status is not judged.
    """
    required = str(ctx.profile.value("approval", "required_status")).upper()
    plan, ss = ctx.plan, ctx.case.structure_set
    status = (plan.approval_status or "").upper()
    if status != required:
        yield PlanFinding("PLAN_NOT_APPROVED", _W,
                          f"Approval Status is {status or 'absent'}, not {required}.", ("PLAN",))
    approvals = [("plan", "PLAN", status, plan.review_date, plan.review_time)]
    if ss is not None and ss.approval_status:
        ss_label = f"STRUCTURE_SET:{ss.label or ss.sop_instance_uid}"
        if ss.approval_status != required:
            yield PlanFinding("STRUCTURE_SET_NOT_APPROVED", _W,
                              f"The structure set {ss.label!r} is {ss.approval_status}, not "
                              f"{required}.", (ss_label,))
        approvals.append(("structure set", ss_label, ss.approval_status, ss.review_date,
                          ss.review_time))
        yield from _structures_after_plan(plan.review_date, ss.review_date, status, ss_label,
                                          required, ss.approval_status)
    yield from _records_before_approval(ctx, approvals, required)


def _structures_after_plan(plan_day: dt.date | None, ss_day: dt.date | None, status: str,
                           ss_label: str, required: str, ss_status: str
                           ) -> Iterator[PlanFinding]:
    """Structures approved on a later day than the plan: the plan may use older contours."""
    if (status == required and ss_status == required and plan_day and ss_day
            and ss_day > plan_day):
        yield PlanFinding("STRUCTURE_SET_APPROVED_AFTER_PLAN", _W,
                          f"The structure set was approved on {ss_day.isoformat()}, after the "
                          f"plan ({plan_day.isoformat()}): was the plan made on these "
                          "contours?", ("PLAN", ss_label),
                          {"days_after": float((ss_day - plan_day).days)})


def _records_before_approval(ctx: ReviewContext, approvals: list[tuple[str, str, str,
                             dt.date | None, dt.time | None]], required: str
                             ) -> Iterator[PlanFinding]:
    """One error per object not approved before the first treatment record."""
    dated = sorted((r.session.date_time, r.path) for r in ctx.case.records
                   if r.session.date_time is not None)
    if not dated:
        return
    first, first_path = dated[0]
    for what, label, status, day, time in approvals:
        approved = _approved_at(day, time)
        if status == required and (approved is None
                                   or not _before(first, approved, time is not None)):
            continue  # approved (without a review date nothing contradicts it)
        early = [w for w, _ in dated if approved is None
                 or _before(w, approved, time is not None)]
        state = (f"approved on {approved:%Y-%m-%d %H:%M}" if status == required and approved
                 else f"{status or 'without approval'}")
        values = {"records_before_approval": float(len(early))}
        if approved is not None:
            values["hours_early"] = (approved - first).total_seconds() / 3600.0
        yield PlanFinding("RECORD_BEFORE_APPROVAL", _E,
                          f"The first treatment was recorded on {first:%Y-%m-%d %H:%M} but the "
                          f"{what} was {state} ({len(early)} record(s) before approval).",
                          (label, f"RECORD:{first_path}"), values)
