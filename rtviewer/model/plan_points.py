"""Doses at points: every point the files define, our dose there and the planning system's.

Points come from

* the plan's Dose Reference Sequence items with Dose Reference Point Coordinates
  (prescription, calculation and monitoring points, brachy Point A ...) with every
  dose they state; a TARGET point's Target Prescription Dose is the dose the planning
  system gives the point (Eclipse writes a reference point's total dose there);
* the beam dose specification points of the fraction group (the planning system's
  value: the sum of the Beam Doses of the beams sharing the point × fractions);
* the brachy application setups' dose specification points (setup dose × fractions);
* the RT Dose's own dose points (RT Dose ROI Sequence Dose Value);
* the structure set's POINT contours (MARKER, ISOCENTER or any point ROI; no value);
* the user's own points.

Our dose is the trilinear interpolation of the RT Dose at the point
(:func:`rtviewer.core.interpolation.trilinear_sample`); a point outside the grid has
none, and says so.  The planning system's value is compared on the dose's own scale:
for a FRACTION dose the whole-plan values are divided by the number of fractions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rtviewer.core.interpolation import trilinear_sample
from rtviewer.model.dose import Dose, DoseSummationType, DoseType
from rtviewer.model.plan import DoseReferenceType, Plan
from rtviewer.model.structure import ContourType, StructureSet

__all__ = ["POINT_COLUMNS", "PlanPoint", "PointDose", "collect_points", "doses_at_points",
           "point_row"]

XYZ = tuple[float, float, float]


@dataclass(frozen=True)
class PlanPoint:
    """A point with where it comes from and what the planning system says of it (Gy).

    ``planned_gy`` is the planning system's dose at the point for the whole plan and
    ``planned_from`` says which attribute(s) it comes from; ``stated_gy`` lists other
    doses the file attaches to the point (limits, warnings) by name.
    """

    label: str
    source: str
    xyz_mm: XYZ
    planned_gy: float | None = None
    planned_from: str | None = None
    stated_gy: tuple[tuple[str, float], ...] = ()
    planned_from_effective: bool = False


@dataclass(frozen=True)
class PointDose:
    """A point with our dose and the planning system's on the dose's scale (Gy)."""

    point: PlanPoint
    dose_gy: float | None
    planned_gy: float | None
    note: str | None = None

    @property
    def difference_gy(self) -> float | None:
        """Our dose minus the planning system's, Gy."""
        if self.dose_gy is None or self.planned_gy is None:
            return None
        return self.dose_gy - self.planned_gy

    @property
    def difference_percent(self) -> float | None:
        """The difference as % of the planning system's value (None when it is 0)."""
        diff = self.difference_gy
        if diff is None or self.planned_gy is None or self.planned_gy == 0:
            return None
        return 100.0 * diff / self.planned_gy


def _xyz(value: object) -> XYZ:
    x, y, z = (float(v) for v in np.asarray(value, dtype=float).reshape(3))
    return (x, y, z)


_STATED = (("target minimum", "target_minimum_dose_gy"),
           ("target maximum", "target_maximum_dose_gy"),
           ("delivery maximum", "delivery_maximum_dose_gy"),
           ("delivery warning", "delivery_warning_dose_gy"),
           ("organ at risk maximum", "organ_at_risk_maximum_dose_gy"),
           ("organ at risk full volume", "organ_at_risk_full_volume_dose_gy"),
           ("organ at risk limit", "organ_at_risk_limit_dose_gy"))


def _dose_reference_points(plan: Plan) -> list[PlanPoint]:
    points = []
    for ref in plan.reference_points:
        label = (ref.description or "").strip() or f"Dose ref {ref.number}"
        stated = tuple((name, float(v)) for name, attribute in _STATED
                       if (v := getattr(ref, attribute)) is not None)
        planned = from_ = None
        if ref.reference_type is DoseReferenceType.TARGET and \
                ref.target_prescription_dose_gy is not None:
            planned = ref.target_prescription_dose_gy
            from_ = "Target Prescription Dose"
        points.append(PlanPoint(label, f"dose reference {ref.number} "
                                       f"({ref.raw_reference_type or 'no type'})",
                                _xyz(ref.point_mm), planned, from_, stated))
    return points


def _beam_dose_points(plan: Plan) -> list[PlanPoint]:
    """One point per distinct beam dose specification point of the first fraction group."""
    if not plan.fraction_groups:
        return []
    group = plan.fraction_groups[0]
    fractions = group.fractions_planned
    shared: dict[XYZ, list[tuple[int, float | None]]] = {}
    effective = all(b.beam_dose_type == "EFFECTIVE" for b in group.referenced_beams)
    for beam in group.referenced_beams:
        if beam.dose_specification_point_mm is not None:
            key = _xyz(np.round(beam.dose_specification_point_mm, 3))
            shared.setdefault(key, []).append((beam.beam_number, beam.beam_dose_gy))
    points = []
    for xyz, beams in shared.items():
        doses = [d for _, d in beams if d is not None]
        numbers = [n for n, _ in beams]
        planned = sum(doses) * fractions if fractions and len(doses) == len(beams) else None
        points.append(PlanPoint(f"Beam dose point (beams {', '.join(map(str, numbers))})",
                                "beam dose specification point", xyz, planned,
                                f"Σ Beam Dose × {fractions} fractions" if planned is not None
                                else None, planned_from_effective=effective))
    return points


def _brachy_points(plan: Plan) -> list[PlanPoint]:
    points = []
    for group in plan.fraction_groups[:1]:
        for setup in group.referenced_brachy_setups:
            if setup.dose_specification_point_mm is None:
                continue
            fractions = group.fractions_planned
            planned = setup.dose_gy * fractions if setup.dose_gy is not None and fractions \
                else None
            points.append(PlanPoint(f"Setup {setup.setup_number} dose point",
                                    "brachy application setup dose specification point",
                                    _xyz(setup.dose_specification_point_mm), planned,
                                    f"Brachy Application Setup Dose × {fractions} fractions"
                                    if planned is not None else None))
    return points


def _structure_points(structures: StructureSet) -> list[PlanPoint]:
    points = []
    for roi in structures.rois:
        for contour in roi.contours:
            if contour.contour_type is not ContourType.POINT:
                continue
            kind = roi.interpreted_type or "point"
            for p in np.asarray(contour.points_mm).reshape(-1, 3):
                points.append(PlanPoint(roi.name, f"ROI {roi.roi_number} ({kind})", _xyz(p)))
    return points


def _dose_file_points(dose: Dose) -> list[PlanPoint]:
    return [PlanPoint(p.name or "dose point", f"{dose.path.name} RT Dose ROI",
                      _xyz(p.position_mm), p.dose_gy,
                      "Dose Value (RT Dose ROI Sequence)" if p.dose_gy is not None else None)
            for p in dose.dose_points]


def collect_points(plan: Plan | None, structures: StructureSet | None,
                   dose: Dose | None = None,
                   user_points: tuple[PlanPoint, ...] = ()) -> tuple[PlanPoint, ...]:
    """Every point of the plan, structure set and dose (module docstring), then the user's."""
    points: list[PlanPoint] = []
    if plan is not None:
        points += _dose_reference_points(plan) + _beam_dose_points(plan) \
            + _brachy_points(plan)
    if structures is not None:
        points += _structure_points(structures)
    if dose is not None:
        points += _dose_file_points(dose)
    return tuple(points) + tuple(user_points)


def _scale(dose: Dose, plan: Plan | None) -> tuple[float | None, str | None]:
    """Factor from whole-plan values to the dose's scale, or None and why not."""
    summation = dose.summation_type
    if summation is DoseSummationType.FRACTION:
        fractions = plan.fractions_planned if plan is not None else None
        if not fractions:
            return None, "FRACTION dose and no number of fractions"
        return 1.0 / fractions, None
    if summation in (DoseSummationType.BEAM, DoseSummationType.BEAM_SESSION,
                     DoseSummationType.CONTROL_POINT, DoseSummationType.FRACTION_SESSION,
                     DoseSummationType.BRACHY_SESSION):
        return None, f"{summation.value} dose: a part of the plan, not compared"
    return 1.0, None


def _rbe_doubt(point: PlanPoint, dose: Dose) -> bool:
    """An ion plan's beam dose point compared with an EFFECTIVE dose: units may differ."""
    return point.source == "beam dose specification point" and \
        dose.dose_type is DoseType.EFFECTIVE and not point.planned_from_effective


def doses_at_points(points: tuple[PlanPoint, ...], dose: Dose | None,
                    plan: Plan | None = None) -> tuple[PointDose, ...]:
    """Our trilinear dose at each point and the planning system's value on the same scale.

    Parameters
    ----------
    points : tuple of PlanPoint
        From :func:`collect_points`.
    dose : Dose or None
        The RT Dose (Gy); None: no dose column.
    plan : Plan, optional
        For the number of fractions of a FRACTION dose.
    """
    if dose is None:
        return tuple(PointDose(p, None, None, "no RT Dose") for p in points)
    values = trilinear_sample(dose.dose_gy, dose.grid,
                              np.array([p.xyz_mm for p in points]).reshape(-1, 3),
                              outside=np.nan) if points else np.zeros(0)
    scale, why = _scale(dose, plan)
    out = []
    for point, value in zip(points, values, strict=True):
        inside = bool(np.isfinite(value))
        # A point stated by the RT Dose itself is already on the dose's own scale.
        own = point.source.endswith("RT Dose ROI")
        factor = 1.0 if own else scale
        planned = None if point.planned_gy is None or factor is None \
            else point.planned_gy * factor
        note = None if inside else "outside the dose grid"
        if point.planned_gy is not None and factor is None:
            note = why
        elif inside and planned and _rbe_doubt(point, dose):
            note = (f"the RT Dose is EFFECTIVE (RBE-weighted) and Beam Dose Type is not "
                    f"stated: the Beam Doses may be physical (ratio {value / planned:.3f})")
        out.append(PointDose(point, float(value) if inside else None, planned, note))
    return tuple(out)


#: Columns of the points table (CLI CSV/JSON keys and the window's Points table).
POINT_COLUMNS = ("label", "source", "x_mm", "y_mm", "z_mm", "dose_gy", "planned_gy",
                 "planned_from", "difference_gy", "difference_percent", "stated", "note")


def point_row(result: PointDose) -> dict[str, object]:
    """One point as a dict of :data:`POINT_COLUMNS` (numbers unrounded, None when absent)."""
    p = result.point
    return {"label": p.label, "source": p.source, "x_mm": p.xyz_mm[0], "y_mm": p.xyz_mm[1],
            "z_mm": p.xyz_mm[2], "dose_gy": result.dose_gy, "planned_gy": result.planned_gy,
            "planned_from": p.planned_from, "difference_gy": result.difference_gy,
            "difference_percent": result.difference_percent,
            "stated": "; ".join(f"{name} {value:g} Gy" for name, value in p.stated_gy),
            "note": result.note}
