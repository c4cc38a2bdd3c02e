"""The plan sheet: what the machine will do, as a physicist reads it before treatment.

A typed summary of a :class:`~rtviewer.model.plan.Plan` built from the reader's model
(no file access): header and approval, prescription and dose references, fraction
groups, and one row per beam (technique, MU, angles, isocentre, SSD, field size,
devices, accessories, tolerance table, beam dose point).  ``rtviewer plan`` prints it
and the Plan tab shows it.

Units: mm (positions in DICOM patient ``(x, y, z)``), degrees (IEC 61217), Gy, MU (the
plan's Primary Dosimeter Unit), MU/min.  The SSD is computed from the source along the
central axis to the first point inside the body outline (EXTERNAL ROI) under the
structure model in use (:mod:`rtviewer.core.surface_distance`); the value the planning
system stored in the control point is kept beside it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from rtviewer.core.iec61217 import PATIENT_ORIENTATION, BeamGeometry
from rtviewer.core.structure_model import StructureModel
from rtviewer.core.surface_distance import entry_distance_mm
from rtviewer.model.beam import Beam, ControlPoint, RotationDirection, TreatmentDeliveryType
from rtviewer.model.plan import DoseReference, Plan
from rtviewer.model.structure import Roi

__all__ = ["BeamSheet", "DoseReferenceSheet", "FractionGroupSheet", "IsocentreSheet",
           "PlanSheet", "beam_geometry", "build_plan_sheet", "find_body_roi", "sheet_as_dict",
           "stated_patient_position", "technique_of"]

XYZ = tuple[float, float, float]
#: Isocentres closer than this (mm) are one isocentre of a multi-isocentre plan.
ISOCENTRE_TOLERANCE_MM = 0.5
#: Gantry travel (degrees) below which a beam is not an arc.
ARC_MIN_DEG = 0.5


@dataclass(frozen=True)
class DoseReferenceSheet:
    """One Dose Reference Sequence item: its type and every dose it states (Gy)."""

    number: int | None
    description: str | None
    reference_type: str | None
    structure_type: str | None
    referenced_roi_number: int | None
    point_mm: XYZ | None
    doses_gy: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class FractionGroupSheet:
    """A fraction group: fractions, its beams and MU per fraction (treatment beams).

    ``brachy_setup_doses_gy``: each referenced Brachy Application Setup's Dose (Gy, what
    the planning system normalised the dwell times to; None when absent).
    """

    number: int | None
    fractions_planned: int | None
    beam_numbers: tuple[int, ...]
    brachy_setup_numbers: tuple[int, ...]
    total_mu_per_fraction: float | None
    description: str | None
    brachy_setup_doses_gy: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class IsocentreSheet:
    """One isocentre of the plan and the beams that use it."""

    label: str
    position_mm: XYZ
    beam_numbers: tuple[int, ...]


@dataclass(frozen=True)
class BeamSheet:
    """One beam as a plan sheet lists it (module docstring for units).

    ``technique`` is derived from Beam Type, the gantry's travel and the MLC's motion;
    ``ssd_mm`` is computed (None with ``ssd_note`` saying why), ``ssd_stored_mm`` is the
    planning system's Source to Surface Distance at the first control point.
    """

    number: int
    name: str | None
    description: str | None
    delivery_type: str | None
    beam_type: str | None
    radiation_type: str | None
    energy: str | None
    machine: str | None
    technique: str
    meterset: float | None
    meterset_unit: str | None
    dose_rate: float | None
    gantry_start_deg: float | None
    gantry_stop_deg: float | None
    gantry_direction: str | None
    collimator_deg: float | None
    couch_deg: float | None
    isocentre_mm: XYZ | None
    isocentre_label: str | None
    ssd_mm: float | None
    ssd_stored_mm: float | None
    ssd_note: str | None
    field_x_mm: float | None
    field_y_mm: float | None
    mlc: str | None
    wedges: tuple[str, ...]
    blocks: tuple[str, ...]
    boli: int
    applicators: tuple[str, ...]
    compensators: tuple[str, ...]
    tolerance_table: str | None
    dose_point_mm: XYZ | None
    beam_dose_gy: float | None
    control_points: int
    imaging: str | None
    ion: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PlanSheet:
    """The whole plan sheet; ``notes`` name what could not be computed and why."""

    path: str
    kind: str
    label: str | None
    name: str | None
    description: str | None
    intent: str | None
    date: str | None
    manufacturer: str | None
    model_name: str | None
    patient_id: str | None
    patient_name: str | None
    approval_status: str | None
    reviewer_name: str | None
    review_date: str | None
    prescription_gy: float | None
    prescription_source: str
    fractions_planned: int | None
    fraction_groups: tuple[FractionGroupSheet, ...]
    dose_references: tuple[DoseReferenceSheet, ...]
    isocentres: tuple[IsocentreSheet, ...]
    beams: tuple[BeamSheet, ...]
    total_mu_per_fraction: float | None
    ssd_body: str | None
    notes: tuple[str, ...]

    def beam(self, number: int) -> BeamSheet | None:
        """The beam row with that Beam Number, or None."""
        return next((b for b in self.beams if b.number == number), None)


def _xyz(value: object) -> XYZ | None:
    if value is None:
        return None
    x, y, z = (float(v) for v in np.asarray(value, dtype=float).reshape(3))
    return (x, y, z)


def _code(value: object) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


_REFERENCE_DOSES = (
    ("target prescription", "target_prescription_dose_gy"),
    ("target minimum", "target_minimum_dose_gy"),
    ("target maximum", "target_maximum_dose_gy"),
    ("delivery maximum", "delivery_maximum_dose_gy"),
    ("delivery warning", "delivery_warning_dose_gy"),
    ("organ at risk maximum", "organ_at_risk_maximum_dose_gy"),
    ("organ at risk full volume", "organ_at_risk_full_volume_dose_gy"),
    ("organ at risk limit", "organ_at_risk_limit_dose_gy"),
)


def _dose_reference(ref: DoseReference) -> DoseReferenceSheet:
    doses = tuple((label, float(value)) for label, attribute in _REFERENCE_DOSES
                  if (value := getattr(ref, attribute)) is not None)
    return DoseReferenceSheet(ref.number, ref.description, ref.raw_reference_type,
                              _code(ref.structure_type), ref.referenced_roi_number,
                              _xyz(ref.point_mm), doses)


def _first(cps: tuple[ControlPoint, ...], name: str) -> float | None:
    return next((float(v) for cp in cps if (v := getattr(cp, name)) is not None), None)


def _last(cps: tuple[ControlPoint, ...], name: str) -> float | None:
    return next((float(v) for cp in reversed(cps) if (v := getattr(cp, name)) is not None),
                None)


def _mlc_moves(beam: Beam) -> bool:
    """Whether any MLC leaf changes position between control points."""
    positions = [cp.mlc_mm for cp in beam.control_points if cp.mlc_mm is not None]
    return len(positions) > 1 and any(
        p.shape != positions[0].shape or not np.allclose(p, positions[0], atol=1e-3)
        for p in positions[1:])


def _gantry_direction(beam: Beam) -> str | None:
    cps = beam.control_points
    return _code(next((cp.gantry_rotation for cp in cps
                       if cp.gantry_rotation not in (None, RotationDirection.NONE)), None))


def _gantry_travel_deg(beam: Beam) -> float:
    """Total gantry travel over the control points (degrees, wrapping at 360)."""
    angles = [cp.gantry_angle_deg for cp in beam.control_points
              if cp.gantry_angle_deg is not None]
    steps = np.diff(np.asarray(angles, dtype=float)) if len(angles) > 1 else np.zeros(0)
    return float(np.sum(np.abs((steps + 180.0) % 360.0 - 180.0)))


def technique_of(beam: Beam) -> str:
    """The delivery technique: static, step-and-shoot, sliding window, arc, VMAT, ion scan.

    Derived from the content, not a label: an arc is a gantry that travels more than
    :data:`ARC_MIN_DEG` between control points (with its direction and start → stop),
    VMAT an arc whose MLC moves; a DYNAMIC beam whose leaves move at a fixed gantry is
    a sliding window; a STATIC beam with several MLC shapes is step-and-shoot.
    """
    scan_mode = getattr(beam, "scan_mode", None)
    if scan_mode:
        return f"ion {str(scan_mode).lower()} scan"
    cps = beam.control_points
    travel = _gantry_travel_deg(beam)
    moves = _mlc_moves(beam)
    if travel > ARC_MIN_DEG:
        start, stop = _first(cps, "gantry_angle_deg"), _last(cps, "gantry_angle_deg")
        direction = _gantry_direction(beam) or "direction not stated"
        kind = "VMAT arc" if moves else "arc"
        return f"{kind} {direction} {start:g}° → {stop:g}° ({travel:.1f}°)"
    if moves:
        if _code(beam.beam_type) == "DYNAMIC":
            return "sliding window (dynamic MLC)"
        segments = sum(1 for a, b in zip(cps[:-1], cps[1:], strict=False)
                       if (b.cumulative_meterset_weight or 0) > (a.cumulative_meterset_weight
                                                                  or 0))
        return f"step-and-shoot ({segments} segments)"
    return "static"


def _energy(beam: Beam) -> str | None:
    layers = getattr(beam, "energy_layers", ())
    energies = [e.nominal_energy_mev for e in layers if e.nominal_energy_mev is not None]
    if energies:
        low, high = min(energies), max(energies)
        span = f"{low:g} MeV" if low == high else f"{low:g}–{high:g} MeV"
        return f"{span} ({len(layers)} layers)"
    energy = beam.nominal_energy
    if energy is None:
        return None
    return f"{energy:g} {'MV' if _code(beam.radiation_type) == 'PHOTON' else 'MeV'}"


def _field_size(cp: ControlPoint | None) -> tuple[float | None, float | None]:
    """Jaw opening ``(X, Y)`` in mm at the isocentre plane at one control point."""
    if cp is None:
        return None, None
    x, y = cp.jaw_x_mm, cp.jaw_y_mm
    return (None if x is None else float(x[1] - x[0]),
            None if y is None else float(y[1] - y[0]))


def _mlc_text(beam: Beam) -> str | None:
    layers = [f"{d.device_type} {d.number_of_pairs} pairs" if d.number_of_pairs
              else d.device_type for d in beam.mlcs]
    return ", ".join(layers) or None


def _accessories(beam: Beam) -> dict[str, tuple[str, ...]]:
    return {
        "wedges": tuple(" ".join(p for p in (w.wedge_id or f"wedge {w.number}",
                                             _code(w.wedge_type) or "",
                                             f"{w.angle_deg:g}°" if w.angle_deg is not None
                                             else "",
                                             f"orientation {w.orientation_deg:g}°"
                                             if w.orientation_deg is not None else "") if p)
                        for w in beam.wedges),
        "blocks": tuple(" ".join(p for p in (b.name or f"block {b.number}", b.block_type or "",
                                             b.material or "") if p) for b in beam.blocks),
        "applicators": tuple(a.applicator_id or a.applicator_type or "applicator"
                             for a in beam.applicators),
        "compensators": tuple(c.compensator_id or c.compensator_type or "compensator"
                              for c in beam.compensators),
    }


def _imaging(beam: Beam) -> str | None:
    """Imaging (kV or MV) of a SETUP beam, from its nominal energy (≥ 1 MV: MV)."""
    if beam.delivery_type is not TreatmentDeliveryType.SETUP:
        return None
    energy = beam.nominal_energy
    words = f"{beam.name or ''} {beam.description or ''}".upper()
    if "KV" in words.replace(" ", ""):
        return "kV (named so)"
    if energy is None:
        return "setup field (no energy stated)"
    return f"MV ({energy:g} MV)" if energy >= 1.0 else f"kV ({energy * 1000:g} kV)"


def _ion_details(beam: Beam) -> tuple[tuple[str, str], ...]:
    details: list[tuple[str, str]] = []
    vsad = getattr(beam, "virtual_sad_mm", None)
    if vsad is not None:
        details.append(("virtual SAD (mm)", " × ".join(f"{v:g}" for v in np.ravel(vsad))))
    for label, attribute, id_name in (("snouts", "snouts", "snout_id"),
                                      ("range shifters", "range_shifters", "range_shifter_id"),
                                      ("range modulators", "range_modulators",
                                       "range_modulator_id")):
        devices = getattr(beam, attribute, ())
        if devices:
            details.append((label, ", ".join(str(getattr(d, id_name) or "?") for d in devices)))
    spots = getattr(beam, "number_of_spots", None)
    if spots:
        details.append(("spots", str(spots)))
    return tuple(details)


def stated_patient_position(plan: Plan, beam: Beam) -> str | None:
    """The Patient Position of the beam's patient setup, as stated, or None.

    The plan's only setup stands in when the beam names none; the views assume HFS
    from here and say so (:func:`rtviewer.view.beam_model.patient_position_of`).
    """
    setup = plan.patient_setup(beam.referenced_patient_setup_number)
    if setup is None and len(plan.patient_setups) == 1:
        setup = plan.patient_setups[0]
    position = getattr(setup, "patient_position", None)
    return None if position is None else str(position)


def beam_geometry(plan: Plan, beam: Beam, index: int = 0) -> tuple[BeamGeometry | None, str]:
    """The beam's IEC 61217 geometry at control point ``index``, or None and why not.

    Unlike the views (which draw with assumed defaults and say so), a plan sheet only
    computes from stated values: no isocentre, SAD or known Patient Position, no SSD.
    """
    cps = beam.control_points
    if not cps:
        return None, "no control points"
    position = stated_patient_position(plan, beam)
    iso = next((cp.isocenter_mm for cp in cps[index:] + cps[:index]
                if cp.isocenter_mm is not None), None)
    sad = beam.sad_mm or _virtual_sad(beam)
    if position not in PATIENT_ORIENTATION:
        return None, f"Patient Position {position!r} not usable"
    if iso is None or not sad:
        return None, "no isocentre" if iso is None else "no source-axis distance"
    cp = cps[index]
    gantry = cp.gantry_angle_deg if cp.gantry_angle_deg is not None else _first(
        cps, "gantry_angle_deg")
    return BeamGeometry(
        gantry_deg=gantry or 0.0,
        collimator_deg=cp.collimator_angle_deg or 0.0, couch_deg=cp.couch_angle_deg or 0.0,
        isocenter_mm=_xyz(iso) or (0.0, 0.0, 0.0), sad_mm=float(sad),
        patient_position=str(position),
        table_top_pitch_deg=cp.table_top_pitch_angle_deg or 0.0,
        table_top_roll_deg=cp.table_top_roll_angle_deg or 0.0), ""


def _virtual_sad(beam: Beam) -> float | None:
    vsad = getattr(beam, "virtual_sad_mm", None)
    return None if vsad is None or not len(vsad) else float(np.ravel(vsad)[0])


def _ssd(plan: Plan, beam: Beam, body: StructureModel | None) -> tuple[float | None, str | None]:
    if body is None:
        return None, "no body outline (EXTERNAL ROI) loaded"
    geometry, why = beam_geometry(plan, beam)
    if geometry is None:
        return None, why
    distance = entry_distance_mm(body, geometry.source_mm, geometry.beam_direction,
                                 max_distance_mm=2.0 * geometry.sad_mm)
    if distance is None:
        return None, "the central axis misses the body outline"
    return distance, None


def _isocentres(plan: Plan) -> tuple[IsocentreSheet, ...]:
    groups: list[tuple[XYZ, list[int]]] = []
    for beam in plan.beams:
        iso = _xyz(next((cp.isocenter_mm for cp in beam.control_points
                         if cp.isocenter_mm is not None), None))
        if iso is None:
            continue
        for position, numbers in groups:
            if np.linalg.norm(np.subtract(position, iso)) <= ISOCENTRE_TOLERANCE_MM:
                numbers.append(beam.number)
                break
        else:
            groups.append((iso, [beam.number]))
    return tuple(IsocentreSheet(f"ISO {i + 1}" if len(groups) > 1 else "ISO", position,
                                tuple(numbers)) for i, (position, numbers) in enumerate(groups))


def _beam_sheet(plan: Plan, beam: Beam, body: StructureModel | None,
                isocentres: tuple[IsocentreSheet, ...]) -> BeamSheet:
    cps = beam.control_points
    first = cps[0] if cps else None
    ssd, ssd_note = _ssd(plan, beam, body)
    field_x, field_y = _field_size(first)
    table = plan.tolerance_table(beam.tolerance_table_number)
    iso = _xyz(next((cp.isocenter_mm for cp in cps if cp.isocenter_mm is not None), None))
    return BeamSheet(
        number=beam.number, name=beam.name, description=beam.description,
        delivery_type=_code(beam.delivery_type), beam_type=_code(beam.beam_type),
        radiation_type=_code(beam.radiation_type), energy=_energy(beam),
        machine=beam.machine_name, technique=technique_of(beam), meterset=beam.meterset,
        meterset_unit=beam.primary_dosimeter_unit, dose_rate=_first(cps, "dose_rate_set"),
        gantry_start_deg=_first(cps, "gantry_angle_deg"),
        gantry_stop_deg=_last(cps, "gantry_angle_deg"),
        gantry_direction=_gantry_direction(beam),
        collimator_deg=_first(cps, "collimator_angle_deg"),
        couch_deg=_first(cps, "couch_angle_deg"), isocentre_mm=iso,
        isocentre_label=next((i.label for i in isocentres if beam.number in i.beam_numbers),
                             None),
        ssd_mm=ssd, ssd_stored_mm=None if first is None else first.ssd_mm, ssd_note=ssd_note,
        field_x_mm=field_x, field_y_mm=field_y, mlc=_mlc_text(beam),
        boli=beam.number_of_boli or len(beam.bolus_roi_numbers),
        tolerance_table=None if beam.tolerance_table_number is None else (
            f"{beam.tolerance_table_number}"
            + (f" {table.label}" if table is not None and table.label else "")),
        dose_point_mm=_xyz(beam.dose_specification_point_mm), beam_dose_gy=beam.beam_dose_gy,
        control_points=len(cps), imaging=_imaging(beam), ion=_ion_details(beam),
        **_accessories(beam))


def _fraction_group(plan: Plan, index: int) -> FractionGroupSheet:
    group = plan.fraction_groups[index]
    treatment = {b.number for b in plan.treatment_beams}
    mus = [b.meterset for b in group.referenced_beams
           if b.beam_number in treatment and b.meterset is not None]
    return FractionGroupSheet(group.number, group.fractions_planned,
                              tuple(b.beam_number for b in group.referenced_beams),
                              tuple(s.setup_number for s in group.referenced_brachy_setups),
                              float(sum(mus)) if mus else None, group.description,
                              tuple(s.dose_gy for s in group.referenced_brachy_setups))


def build_plan_sheet(plan: Plan, body: StructureModel | None = None, *,
                     body_name: str | None = None) -> PlanSheet:
    """The plan sheet of ``plan``; SSDs to ``body`` (the EXTERNAL ROI's solid) when given.

    Parameters
    ----------
    plan : Plan
        As read by :func:`rtviewer.dicom.plan.read_plan`.
    body : StructureModel, optional
        The body outline's solid; without it the SSD column says why it is empty.
    body_name : str, optional
        The body ROI's name and model, shown beside the SSDs.
    """
    isocentres = _isocentres(plan)
    beams = tuple(_beam_sheet(plan, b, body, isocentres) for b in plan.beams)
    groups = tuple(_fraction_group(plan, i) for i in range(len(plan.fraction_groups)))
    totals = [g.total_mu_per_fraction for g in groups if g.total_mu_per_fraction is not None]
    notes = [f"beam {b.number}: SSD not computed ({b.ssd_note})"
             for b in beams if b.ssd_note and b.delivery_type != "SETUP"]
    if len(groups) > 1:
        notes.append(f"{len(groups)} fraction groups: MU and fractions are per group")
    return PlanSheet(
        path=plan.path, kind=plan.kind.value, label=plan.label, name=plan.name,
        description=plan.description, intent=plan.intent,
        date=_when(plan.date, plan.time), manufacturer=plan.manufacturer,
        model_name=plan.model_name, patient_id=plan.patient_id,
        patient_name=plan.patient_name, approval_status=plan.approval_status,
        reviewer_name=plan.reviewer_name, review_date=_when(plan.review_date,
                                                             plan.review_time),
        prescription_gy=plan.prescription.dose_gy,
        prescription_source=plan.prescription.source,
        fractions_planned=plan.fractions_planned, fraction_groups=groups,
        dose_references=tuple(_dose_reference(r) for r in plan.dose_references),
        isocentres=isocentres, beams=beams,
        total_mu_per_fraction=totals[0] if len(totals) == 1 else None,
        ssd_body=body_name, notes=tuple(notes))


#: ROI names taken as the body outline when no ROI is typed EXTERNAL (upper case).
BODY_NAMES = ("BODY", "EXTERNAL", "EXTERNAL_ROI", "SKIN", "OUTLINE", "PATIENT")


def find_body_roi(rois: tuple[Roi, ...]) -> tuple[Roi | None, str]:
    """The body outline among ``rois`` and how it was chosen (or why there is none).

    The ROI whose RT ROI Interpreted Type is EXTERNAL (the TG-263 name BODY or External
    preferred among several); else a ROI named like a body outline (:data:`BODY_NAMES`).
    """
    closed = [r for r in rois if any(c.is_closed for c in r.contours)]
    external = [r for r in closed if (r.interpreted_type or "").upper() == "EXTERNAL"]
    by_name = [r for r in closed if r.name.strip().upper() in BODY_NAMES]
    if external:
        chosen = next((r for r in external if r in by_name), external[0])
        return chosen, f"'{chosen.name}' (RT ROI Interpreted Type EXTERNAL)"
    if by_name:
        return by_name[0], f"'{by_name[0].name}' (named so; no ROI is typed EXTERNAL)"
    return None, "no ROI is typed EXTERNAL or named BODY/External"


def _when(date: object, time: object) -> str | None:
    if date is None:
        return None
    return f"{date}" + (f" {time}" if time is not None else "")


def sheet_as_dict(sheet: PlanSheet) -> dict[str, object]:
    """The sheet as plain dicts, lists, numbers and strings (for JSON)."""
    return dataclasses.asdict(sheet)
