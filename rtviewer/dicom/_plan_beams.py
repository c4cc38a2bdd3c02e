"""Beams of an RT Plan or RT Ion Plan: identity, devices, accessories, control points."""

from __future__ import annotations

from typing import Any

from pydicom.dataset import Dataset

from rtviewer.dicom._control_points import read_control_points
from rtviewer.dicom._plan_ion import energy_layers, ion_beam_values
from rtviewer.dicom.values import Notes, coded, integer, items, number, text, vector
from rtviewer.model.ion import IonBeam
from rtviewer.model.plan import (
    Applicator,
    Beam,
    BeamLimitingDevice,
    BeamType,
    Block,
    Compensator,
    FractionGroup,
    RadiationType,
    ReferencedBeam,
    TreatmentDeliveryType,
    Wedge,
    frozen_array,
)

__all__ = ["read_beams"]


def read_beams(ds: Dataset, fraction_groups: tuple[FractionGroup, ...], notes: Notes,
               *, ion: bool) -> tuple[Beam, ...]:
    """Read every beam item of the (Ion) Beam Sequence.

    Findings about a beam go to the beam and to ``notes`` (the plan's findings).
    """
    keyword = "IonBeamSequence" if ion else "BeamSequence"
    beams = []
    for ordinal, item in enumerate(items(ds, keyword, notes)):
        beam_notes = Notes()
        beams.append(_read_beam(item, ordinal, fraction_groups, beam_notes, ion=ion))
        notes.extend(beam_notes)
    numbers = [b.number for b in beams]
    if len(set(numbers)) != len(numbers):
        notes.add("DUPLICATE_BEAM_NUMBER", f"Beam Numbers repeat ({numbers}); a fraction "
                  "group's metersets cannot be matched to those beams unambiguously.",
                  attribute="BeamNumber")
    return tuple(beams)


def _read_beam(item: Dataset, ordinal: int, fraction_groups: tuple[FractionGroup, ...],
               notes: Notes, *, ion: bool) -> Beam:
    number_ = integer(item, "BeamNumber", notes, f"beam item {ordinal}")
    if number_ is None:
        notes.add("MISSING_BEAM_NUMBER", f"Beam item {ordinal} has no Beam Number.",
                  attribute="BeamNumber", assumption=f"number {ordinal + 1}")
        number_ = ordinal + 1
    where = f"beam {number_}"
    values = _common_values(item, notes, where, ion=ion)
    values["number"] = number_
    referenced = _referenced_beam(number_, fraction_groups, notes, where)
    if referenced is not None:
        values["meterset"] = referenced.meterset
        values["beam_dose_gy"] = referenced.beam_dose_gy
        values["dose_specification_point_mm"] = referenced.dose_specification_point_mm
        if referenced.meterset is None and values["delivery_type"] is not \
                TreatmentDeliveryType.SETUP:
            notes.add("BEAM_WITHOUT_METERSET", f"{where} ('{values['name']}') is delivery type "
                      f"{_code(values['delivery_type'])} but its fraction group gives no Beam "
                      "Meterset: its MU are unknown.", attribute="BeamMeterset")
    points = read_control_points(item, notes, where, ion=ion)
    values["control_points"] = points
    _check_control_points(item, values, notes, where)
    if ion:
        values.update(ion_beam_values(item, notes, where))
        values["energy_layers"] = energy_layers(points, values.get("meterset"),
                                                values["final_cumulative_meterset_weight"],
                                                notes, where)
        return IonBeam(**values, findings=tuple(notes))
    return Beam(**values, findings=tuple(notes))


def _common_values(item: Dataset, notes: Notes, where: str, *, ion: bool) -> dict[str, Any]:
    device_key = "IonBeamLimitingDeviceSequence" if ion else "BeamLimitingDeviceSequence"
    sad = None if ion else number(item, "SourceAxisDistance", notes, where)
    return {
        "name": text(item, "BeamName", notes),
        "description": text(item, "BeamDescription", notes),
        "beam_type": coded(BeamType, item, "BeamType", notes, where),
        "delivery_type": coded(TreatmentDeliveryType, item, "TreatmentDeliveryType", notes,
                               where),
        "radiation_type": coded(RadiationType, item, "RadiationType", notes, where),
        "machine_name": text(item, "TreatmentMachineName", notes),
        "sad_mm": sad,
        "primary_dosimeter_unit": text(item, "PrimaryDosimeterUnit", notes),
        "devices": _devices(item, device_key, notes, where),
        "wedges": _wedges(item, "IonWedgeSequence" if ion else "WedgeSequence", notes, where),
        "blocks": _blocks(item, "IonBlockSequence" if ion else "BlockSequence", notes, where),
        "applicators": _applicators(item, notes, where),
        "compensators": _compensators(item, ion, notes, where),
        "number_of_boli": integer(item, "NumberOfBoli", notes, where),
        "bolus_roi_numbers": tuple(
            n for b in items(item, "ReferencedBolusSequence", notes)
            if (n := integer(b, "ReferencedROINumber", notes, where)) is not None),
        "referenced_patient_setup_number": integer(item, "ReferencedPatientSetupNumber",
                                                   notes, where),
        "final_cumulative_meterset_weight": number(item, "FinalCumulativeMetersetWeight",
                                                   notes, where),
        "tolerance_table_number": integer(item, "ReferencedToleranceTableNumber", notes,
                                          where),
    }


def _devices(item: Dataset, keyword: str, notes: Notes,
             where: str) -> tuple[BeamLimitingDevice, ...]:
    devices = []
    for dev in items(item, keyword, notes):
        device_type = text(dev, "RTBeamLimitingDeviceType", notes)
        if device_type is None:
            notes.add("MISSING_DEVICE_TYPE", f"{where}: a beam limiting device has no "
                      "RT Beam Limiting Device Type; it is ignored.",
                      attribute="RTBeamLimitingDeviceType")
            continue
        pairs = integer(dev, "NumberOfLeafJawPairs", notes, where)
        boundaries = vector(dev, "LeafPositionBoundaries", notes, where)
        if boundaries is not None and pairs is not None and boundaries.size != pairs + 1:
            notes.add("LEAF_BOUNDARY_COUNT", f"{where}: {device_type} has {pairs} leaf pairs "
                      f"but {boundaries.size} Leaf Position Boundaries (expected "
                      f"{pairs + 1}).", attribute="LeafPositionBoundaries")
        devices.append(BeamLimitingDevice(
            device_type.upper(), pairs, boundaries,
            number(dev, "SourceToBeamLimitingDeviceDistance", notes, where)))
    return tuple(devices)


def _wedges(item: Dataset, keyword: str, notes: Notes, where: str) -> tuple[Wedge, ...]:
    return tuple(
        Wedge(integer(w, "WedgeNumber", notes, where), text(w, "WedgeType", notes),
              text(w, "WedgeID", notes), number(w, "WedgeAngle", notes, where),
              number(w, "WedgeFactor", notes, where),
              number(w, "WedgeOrientation", notes, where))
        for w in items(item, keyword, notes))


def _blocks(item: Dataset, keyword: str, notes: Notes, where: str) -> tuple[Block, ...]:
    blocks = []
    for b in items(item, keyword, notes):
        data = vector(b, "BlockData", notes, where)
        outline = None
        if data is not None and data.size % 2 == 0:
            outline = frozen_array(data.reshape(-1, 2), ndim=2)
        blocks.append(Block(
            integer(b, "BlockNumber", notes, where), text(b, "BlockName", notes),
            text(b, "BlockType", notes), text(b, "BlockDivergence", notes),
            text(b, "MaterialID", notes),
            number(b, "BlockThickness", notes, where), text(b, "BlockTrayID", notes), outline,
            text(b, "BlockMountingPosition", notes),
            number(b, "SourceToBlockTrayDistance", notes, where)))
    return tuple(blocks)


def _applicators(item: Dataset, notes: Notes, where: str) -> tuple[Applicator, ...]:
    out = []
    for a in items(item, "ApplicatorSequence", notes):
        geometry = next(iter(items(a, "ApplicatorGeometrySequence", notes)), None)
        shape = opening = opening_xy = None
        if geometry is not None:
            shape = text(geometry, "ApplicatorApertureShape", notes)
            opening = number(geometry, "ApplicatorOpening", notes, where)
            x = number(geometry, "ApplicatorOpeningX", notes, where)
            y = number(geometry, "ApplicatorOpeningY", notes, where)
            opening_xy = (x, y) if x is not None and y is not None else None
        out.append(Applicator(text(a, "ApplicatorID", notes), text(a, "ApplicatorType", notes),
                              text(a, "ApplicatorDescription", notes), shape, opening, opening_xy))
    return tuple(out)


def _compensators(item: Dataset, ion: bool, notes: Notes,
                  where: str) -> tuple[Compensator, ...]:
    keyword = "IonRangeCompensatorSequence" if ion else "CompensatorSequence"
    return tuple(
        Compensator(integer(c, "CompensatorNumber", notes, where), text(c, "CompensatorID", notes),
                    text(c, "CompensatorType", notes), integer(c, "CompensatorRows", notes, where),
                    integer(c, "CompensatorColumns", notes, where),
                    _pair(vector(c, "CompensatorPosition", notes, where, 2)),
                    _pair(vector(c, "CompensatorPixelSpacing", notes, where, 2)))
        for c in items(item, keyword, notes))


def _pair(values: Any) -> tuple[float, float] | None:
    return None if values is None else (float(values[0]), float(values[1]))


def _referenced_beam(number_: int, fraction_groups: tuple[FractionGroup, ...], notes: Notes,
                     where: str) -> ReferencedBeam | None:
    found = [(fg, rb) for fg in fraction_groups
             if (rb := fg.referenced_beam(number_)) is not None]
    if not found:
        notes.add("BEAM_NOT_IN_FRACTION_GROUP", f"{where} is not referenced by any fraction "
                  "group: its meterset is unknown.", attribute="ReferencedBeamSequence")
        return None
    if len(found) > 1:
        notes.add("BEAM_IN_SEVERAL_FRACTION_GROUPS", f"{where} is referenced by "
                  f"{len(found)} fraction groups; the meterset of fraction group "
                  f"{found[0][0].number} is shown.", attribute="ReferencedBeamSequence")
    return found[0][1]


def _check_control_points(item: Dataset, values: dict[str, Any], notes: Notes,
                          where: str) -> None:
    points = values["control_points"]
    stated = integer(item, "NumberOfControlPoints", notes, where)
    if not points:
        notes.add("NO_CONTROL_POINTS", f"{where} has no control points: its geometry is "
                  "unknown.", attribute="ControlPointSequence")
    elif stated is not None and stated != len(points):
        notes.add("CONTROL_POINT_COUNT", f"{where}: Number of Control Points says {stated} "
                  f"but the sequence holds {len(points)}.", attribute="NumberOfControlPoints")
    final = values["final_cumulative_meterset_weight"]
    last = points[-1].cumulative_meterset_weight if points else None
    if final is not None and last is not None and abs(final - last) > 1e-6 * max(1.0, final):
        notes.add("FINAL_METERSET_WEIGHT", f"{where}: the last control point's Cumulative "
                  f"Meterset Weight ({last}) differs from Final Cumulative Meterset Weight "
                  f"({final}).", attribute="FinalCumulativeMetersetWeight")


def _code(value: Any) -> str:
    """An enum's DICOM code, or 'unstated'."""
    return "unstated" if value is None else str(value.value)
