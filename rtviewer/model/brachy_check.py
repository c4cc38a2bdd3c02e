"""An independent TG-43 second check of a brachy plan's reference-point doses.

For each reference point of the plan (Dose Reference points with coordinates, ROI points
the caller resolves, the Application Setup's dose specification point) the dose from the
plan's dwells is computed with the TG-43U1 engine and the consensus data of the plan's
source (:mod:`rtviewer.core.tg43`), next to what the planning system states:

- Eclipse: Σ over channels of the last control point's Cumulative Dose Reference
  Coefficient × Brachy Application Setup Dose;
- Oncentra (and others): the dose reference's Target Prescription Dose at a point;
- any system: the Brachy Application Setup Dose at its Dose Specification Point.

The control points of a pulsed (PDR) channel describe one pulse, so a planning system's
value is per pulse or per fraction (all pulses); for a pulsed plan it is compared with the
one of the two it is nearer to (they differ by the number of pulses), and the row says
which. The source strength is the plan's Reference Air Kerma Rate at its Source Strength
Reference Date/Time decayed to ``treatment_time`` when one is given, else to the RT Plan
Date/Time (the time the planning system computed the plan for). One exception, named in
the notes: a reference time of 00:00:00 on the plan's own date is the strength of that day
(Eclipse writes it so and does not decay it within the day), and is not decayed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from rtviewer.core import tg43
from rtviewer.core.radioactive_decay import decay_factor, elapsed_days, half_life_days
from rtviewer.model.brachy import BrachySource, BrachyTreatment
from rtviewer.model.brachy_dwells import Dwells, treatment_dwells
from rtviewer.model.plan import Plan
from rtviewer.model.structure import ContourType, StructureSet

__all__ = ["DEFAULT_TOLERANCE_PCT", "BrachyCheck", "PointCheck", "SourceStrength",
           "ChannelKerma", "check_plan", "plan_strength", "roi_points", "source_strength",
           "choose_source"]

#: Common HDR second-check action level (%).
DEFAULT_TOLERANCE_PCT = 5.0
#: An RT Plan Date this long before the source's calibration is not a treatment date
#: (anonymised plans carry 1901-01-01): the strength is then used as stated (days).
MAX_DAYS_BEFORE_CALIBRATION = 30.0


@dataclass(frozen=True)
class SourceStrength:
    """The source's strength at the calibration and at the time the doses are for.

    ``reference_u`` is the file's Reference Air Kerma Rate (U = µGy m² h⁻¹) at
    ``reference_time``; ``at_time_u`` the strength at ``at_time`` (``decay`` × it);
    ``half_life_source`` says where the half-life came from.
    """

    reference_u: float
    reference_time: dt.datetime | None
    half_life_days: float | None
    half_life_source: str
    at_time: dt.datetime | None
    decay: float
    at_time_u: float


@dataclass(frozen=True)
class ChannelKerma:
    """A channel's time and total reference air kerma (TRAK, µGy at 1 m) per fraction."""

    channel_number: int | None
    time_s: float
    trak_ugy: float


@dataclass(frozen=True)
class PointCheck:
    """One reference point: computed dose and the planning system's value (Gy)."""

    label: str
    kind: str
    point_mm: tuple[float, float, float]
    dose_per_fraction_gy: float
    dose_per_pulse_gy: float | None
    planned_gy: float | None
    planned_source: str
    compared_as: str
    difference_pct: float | None
    status: str


@dataclass(frozen=True)
class BrachyCheck:
    """The whole check of one plan."""

    plan_label: str
    source_key: str
    source_name: str
    source_note: str
    strength: SourceStrength
    pulses: int
    fractions_planned: int | None
    channels: tuple[ChannelKerma, ...]
    trak_ugy: float
    trak_file_ugy: float | None
    points: tuple[PointCheck, ...]
    tolerance_pct: float
    notes: tuple[str, ...]
    #: The strength at the plan's RT Plan Date/Time (for information; None without one).
    at_plan_time: SourceStrength | None = None

    @property
    def trak_file_as(self) -> str:
        """Whether the file's TRAK is per fraction or per pulse (the nearer of the two)."""
        if self.trak_file_ugy is None or self.trak_ugy <= 0:
            return ""
        per_pulse = self.trak_ugy / self.pulses
        if self.pulses > 1 and abs(np.log(self.trak_file_ugy / per_pulse)) < \
                abs(np.log(self.trak_file_ugy / self.trak_ugy)):
            return f"per pulse, {100 * (per_pulse / self.trak_file_ugy - 1):+.2f} %"
        return f"per fraction, {100 * (self.trak_ugy / self.trak_file_ugy - 1):+.2f} %"

    @property
    def passed(self) -> bool:
        """No point with a planning value is outside the tolerance."""
        return all(p.status != "WARN" for p in self.points)


def roi_points(structure_set: StructureSet | None
               ) -> dict[int, tuple[str, tuple[float, float, float]]]:
    """POINT ROIs of a structure set: ROI number → (name, first point in mm)."""
    out: dict[int, tuple[str, tuple[float, float, float]]] = {}
    for roi in () if structure_set is None else structure_set.rois:
        points = [c.points_mm for c in roi.contours if c.contour_type is ContourType.POINT]
        if points:
            x, y, z = (float(v) for v in points[0][0])
            out[roi.roi_number] = (roi.name, (x, y, z))
    return out


def source_strength(source: BrachySource, at_time: dt.datetime | None) -> SourceStrength:
    """The source's strength decayed from its reference date/time to ``at_time``.

    Raises
    ------
    ValueError
        The plan states no Reference Air Kerma Rate; or ``at_time`` is given and the
        reference time or the half-life is unknown.
    """
    if source.reference_air_kerma_rate is None:
        raise ValueError("the source has no Reference Air Kerma Rate")
    half_life, where = half_life_days(source.isotope_name, source.half_life_days)
    factor = 1.0
    if at_time is not None:
        if source.strength_reference is None or half_life is None:
            raise ValueError("cannot decay the source: " + (
                "no Source Strength Reference Date/Time" if source.strength_reference is None
                else where))
        factor = decay_factor(elapsed_days(source.strength_reference, at_time), half_life)
    return SourceStrength(source.reference_air_kerma_rate, source.strength_reference,
                          half_life, where, at_time or source.strength_reference, factor,
                          source.reference_air_kerma_rate * factor)


def choose_source(plan: Plan, override: str | None = None) -> tuple[tg43.Tg43Source, str]:
    """The consensus dataset for the plan's source and how it was chosen.

    Raises
    ------
    ValueError
        No dataset fits: the isotope is not Ir-192 and none was chosen.
    """
    if override:
        return tg43.load_source(override), f"{override} (chosen by the user)"
    assert plan.brachy is not None
    source = plan.brachy.sources[0] if plan.brachy.sources else None
    descriptions = () if source is None else source.descriptions
    found = tg43.identify_source(*descriptions)
    said = ", ".join(d for d in descriptions if d) or "nothing"
    if found is not None:
        return found, f"{found.key} (identified from the plan: {said})"
    isotope = (source.isotope_name or "") if source else ""
    if "192" not in isotope and "IRIDIUM" not in isotope.upper():
        raise ValueError(f"no TG-43 consensus dataset for the plan's source ({said}); "
                         f"have {', '.join(tg43.source_names())}")
    fallback = tg43.load_source("mHDR-v2")
    return fallback, (f"mHDR-v2 ASSUMED: the plan names no source model this check has "
                      f"data for ({said}); choose one with --source (in the window: the "
                      "Brachy tab's Source data)")


def _planned_values(plan: Plan) -> dict[int, tuple[float, str]]:
    """Dose reference number → (planning system's value in Gy, where it comes from)."""
    assert plan.brachy is not None
    out: dict[int, tuple[float, str]] = {}
    setups = plan.fraction_groups[0].referenced_brachy_setups if plan.fraction_groups else ()
    setup_dose = next((s.dose_gy for s in setups if s.dose_gy), None)
    coefficients: dict[int, float] = {}
    for channel in plan.brachy.channels:
        for number, value in channel.final_dose_reference_coefficients:
            coefficients[number] = coefficients.get(number, 0.0) + value
    if setup_dose:
        for number, total in coefficients.items():
            out[number] = (total * setup_dose, "Σ Cumulative Dose Reference Coefficient × "
                                               f"Application Setup Dose {setup_dose:g} Gy")
    for ref in plan.dose_references:
        if ref.number is not None and ref.number not in out \
                and ref.target_prescription_dose_gy and ref.point_mm is not None:
            out[ref.number] = (ref.target_prescription_dose_gy,
                               "Target Prescription Dose of the dose reference")
    return out


def _compare(computed_fraction: float, per_pulse: float | None, planned: float | None,
             tolerance_pct: float) -> tuple[str, float | None, str]:
    if planned is None:
        return "", None, "no planned value"
    compared, label = computed_fraction, "per fraction"
    if per_pulse is not None and abs(np.log(planned / per_pulse)) < \
            abs(np.log(planned / computed_fraction)):
        compared, label = per_pulse, "per pulse"
    diff = 100.0 * (compared - planned) / planned
    return label, diff, ("PASS" if abs(diff) <= tolerance_pct else "WARN")


def _points(plan: Plan, roi_points: dict[int, tuple[str, tuple[float, float, float]]]
            ) -> list[tuple[str, str, tuple[float, float, float], int | None]]:
    """(label, kind, point, dose reference number) of every reference point."""
    out: list[tuple[str, str, tuple[float, float, float], int | None]] = []
    for ref in plan.dose_references:
        if ref.point_mm is not None:
            x, y, z = (float(v) for v in ref.point_mm)
            out.append((ref.description or f"dose reference {ref.number}", "Dose Reference",
                        (x, y, z), ref.number))
        elif ref.referenced_roi_number in roi_points:
            name, point = roi_points[ref.referenced_roi_number]
            out.append((ref.description or name, f"ROI point {name}", point, ref.number))
    for group in plan.fraction_groups[:1]:
        for setup in group.referenced_brachy_setups:
            if setup.dose_specification_point_mm is not None and setup.dose_gy:
                x, y, z = (float(v) for v in setup.dose_specification_point_mm)
                out.append((f"setup {setup.setup_number} dose point", "Application Setup "
                            "Dose Specification Point", (x, y, z), None))
    return out


def _kerma(treatment: BrachyTreatment, strength_u: float) -> tuple[ChannelKerma, ...]:
    return tuple(ChannelKerma(c.number, c.total_time_all_pulses_s or 0.0,
                              strength_u * (c.total_time_all_pulses_s or 0.0) / 3600.0)
                 for c in treatment.channels)


def check_plan(plan: Plan, *, roi_points: dict[int, tuple[str, tuple[float, float, float]]]
               | None = None, source_key: str | None = None,
               treatment_time: dt.datetime | None = None,
               tolerance_pct: float = DEFAULT_TOLERANCE_PCT) -> BrachyCheck:
    """Check every reference point of a brachy ``plan`` (module doc).

    ``roi_points``: ROI number → (name, point mm) for dose references that point at a
    POINT ROI of the structure set.

    Raises
    ------
    ValueError
        Not a brachy plan, no source, no strength, or no dataset for the source.
    """
    treatment = plan.brachy
    if treatment is None or not treatment.sources:
        raise ValueError("not a brachytherapy plan with a source")
    if len(treatment.sources) > 1:
        notes = [f"{len(treatment.sources)} sources; every dwell computed with the first"]
    else:
        notes = []
    dataset, source_note = choose_source(plan, source_key)
    when, why = _dose_time(plan, treatment.sources[0], treatment_time)
    if why:
        notes.append(why)
    strength = source_strength(treatment.sources[0], when)
    dwells = treatment_dwells(treatment, all_pulses=True)
    notes.extend(dwells.notes)
    pulses = max((c.pulses for c in treatment.channels), default=1)
    planned = _planned_values(plan)
    rows = []
    entries = _points(plan, roi_points or {})
    doses = _dose_gy(dataset, dwells, np.array([e[2] for e in entries]).reshape(-1, 3),
                     strength.at_time_u)
    setup_dose = next((s.dose_gy for g in plan.fraction_groups[:1]
                       for s in g.referenced_brachy_setups if s.dose_gy), None)
    for (label, kind, point, number), dose in zip(entries, doses, strict=True):
        value: tuple[float, str] | None = planned.get(number) if number is not None else None
        if number is None and setup_dose:
            value = (setup_dose, "Brachy Application Setup Dose")
        per_pulse = dose / pulses if pulses > 1 else None
        compared, diff, status = _compare(dose, per_pulse, None if value is None else value[0],
                                          tolerance_pct)
        rows.append(PointCheck(label, kind, point, float(dose), per_pulse,
                               None if value is None else value[0],
                               "" if value is None else value[1], compared, diff,
                               status or "—"))
    channels = _kerma(treatment, strength.at_time_u)
    file_trak = [s.total_reference_air_kerma for s in treatment.application_setups
                 if s.total_reference_air_kerma is not None]
    return BrachyCheck(plan.label or plan.name or plan.path, dataset.key, dataset.name,
                       source_note, strength, pulses, plan.fractions_planned, channels,
                       sum(c.trak_ugy for c in channels), sum(file_trak) if file_trak else None,
                       tuple(rows), tolerance_pct, tuple(notes),
                       _at_plan_time(plan, treatment.sources[0]))


def _plan_datetime(plan: Plan) -> dt.datetime | None:
    return None if plan.date is None else dt.datetime.combine(plan.date, plan.time or dt.time())


def _dose_time(plan: Plan, source: BrachySource, treatment_time: dt.datetime | None
               ) -> tuple[dt.datetime | None, str]:
    """The time the doses are computed for, and a note when it is not the obvious one."""
    if treatment_time is not None:
        return treatment_time, ""
    planned = _plan_datetime(plan)
    reference = source.strength_reference
    if planned is None:
        return None, ("the plan has no RT Plan Date: the source strength is used as stated "
                      "at its reference date/time")
    if _implausible(planned, reference):
        assert reference is not None
        return None, (f"the RT Plan Date {planned.date().isoformat()} is more than "
                      f"{MAX_DAYS_BEFORE_CALIBRATION:g} days before the source's calibration "
                      f"({reference.date().isoformat()}; an anonymised date?): the strength "
                      "is used as stated at its reference date/time, not decayed")
    if reference is not None and reference.date() == planned.date() \
            and reference.time() == dt.time():
        return None, ("Source Strength Reference Time 00:00 on the plan's date: the "
                      "strength of that day, used as stated (not decayed within the day)")
    return planned, ""


def plan_strength(plan: Plan) -> SourceStrength:
    """The strength the plan's dwell times were computed for (module doc's rule).

    Raises
    ------
    ValueError
        Not a brachy plan with a source, or its strength cannot be decayed.
    """
    if plan.brachy is None or not plan.brachy.sources:
        raise ValueError("not a brachytherapy plan with a source")
    source = plan.brachy.sources[0]
    return source_strength(source, _dose_time(plan, source, None)[0])


def _implausible(planned: dt.datetime, reference: dt.datetime | None) -> bool:
    """Whether the plan's date lies too far before the calibration to be a treatment date."""
    return reference is not None and \
        elapsed_days(planned, reference) > MAX_DAYS_BEFORE_CALIBRATION


def _at_plan_time(plan: Plan, source: BrachySource) -> SourceStrength | None:
    when = _plan_datetime(plan)
    if when is None or _implausible(when, source.strength_reference):
        return None
    try:
        return source_strength(source, when)
    except ValueError:
        return None


def _dose_gy(dataset: tg43.Tg43Source, dwells: Dwells, points_mm: np.ndarray,
             strength_u: float) -> np.ndarray:
    if len(points_mm) == 0 or dwells.count == 0:
        return np.zeros(len(points_mm))
    return tg43.dwell_dose_gy(dataset, points_mm, dwells.positions_mm, dwells.axes,
                              dwells.times_s, strength_u)
