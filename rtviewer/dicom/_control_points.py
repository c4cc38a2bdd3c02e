"""Control points with DICOM's inheritance rule, written once for photon and ion beams.

PS3.3 C.8.8.14.5 / C.8.8.25.6: the first control point states every value; a later
one states only what changes. :func:`read_control_points` therefore carries each
value forward until a control point restates it. Beam limiting device positions
are carried forward per device type (a VMAT control point often restates only the
MLC). Not carried forward: Control Point Index, Cumulative Meterset Weight,
Source to Surface Distance (it changes with the gantry; a value from the first
control point of an arc would be wrong later), and the spot positions and weights
of ion control points (each control point states its own). Range shifter
settings are carried forward: the standard requires them only when they change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from rtviewer.dicom.values import Notes, coded, integer, items, number, text, vector
from rtviewer.model.ion import IonControlPoint, RangeShifterSetting
from rtviewer.model.plan import ControlPoint, DevicePosition, RotationDirection, frozen_array

__all__ = ["read_control_points", "control_point_geometry", "inherit", "INHERITED_FIELDS"]

_ANGLES_AND_POSITIONS = {
    "nominal_energy": "NominalBeamEnergy",
    "dose_rate_set": "DoseRateSet",
    "gantry_angle_deg": "GantryAngle",
    "gantry_pitch_angle_deg": "GantryPitchAngle",
    "collimator_angle_deg": "BeamLimitingDeviceAngle",
    "couch_angle_deg": "PatientSupportAngle",
    "table_top_eccentric_angle_deg": "TableTopEccentricAngle",
    "table_top_pitch_angle_deg": "TableTopPitchAngle",
    "table_top_roll_angle_deg": "TableTopRollAngle",
    "table_top_vertical_mm": "TableTopVerticalPosition",
    "table_top_longitudinal_mm": "TableTopLongitudinalPosition",
    "table_top_lateral_mm": "TableTopLateralPosition",
    "snout_position_mm": "SnoutPosition",
    "meterset_rate": "MetersetRate",
}
_DIRECTIONS = {
    "gantry_rotation": "GantryRotationDirection",
    "collimator_rotation": "BeamLimitingDeviceRotationDirection",
    "couch_rotation": "PatientSupportRotationDirection",
    "table_top_eccentric_rotation": "TableTopEccentricRotationDirection",
}
_ION_LAYER = ("scan_spot_tune_id", "scanning_spot_size_mm", "number_of_paintings",
              "range_shifter_settings")

#: ControlPoint fields carried forward from the previous control point when not restated.
INHERITED_FIELDS: tuple[str, ...] = (
    *_ANGLES_AND_POSITIONS, *_DIRECTIONS, "isocenter_mm", "device_positions",
    "wedge_positions", *_ION_LAYER,
)


def _stated_values(item: Dataset, notes: Notes, where: str, ion: bool) -> dict[str, Any]:
    """The values this control point item states (absent or empty ones left out)."""
    stated: dict[str, Any] = {}
    for field, keyword in _ANGLES_AND_POSITIONS.items():
        if ion or field not in ("snout_position_mm", "meterset_rate"):
            stated[field] = number(item, keyword, notes, where)
    for field, keyword in _DIRECTIONS.items():
        stated[field] = coded(RotationDirection, item, keyword, notes, where)
    stated["isocenter_mm"] = vector(item, "IsocenterPosition", notes, where, 3)
    stated["device_positions"] = _device_positions(item, "BeamLimitingDevicePositionSequence",
                                                   notes, where)
    stated["wedge_positions"] = tuple(
        (integer(w, "ReferencedWedgeNumber", notes, where) or 0,
         text(w, "WedgePosition", notes) or "")
        for w in items(item, "WedgePositionSequence", notes)) or None
    if ion:
        stated.update(_ion_values(item, notes, where))
    return {k: v for k, v in stated.items() if v is not None}


def _device_positions(item: Dataset, keyword: str, notes: Notes,
                      where: str) -> tuple[DevicePosition, ...] | None:
    result = []
    for dev in items(item, keyword, notes):
        device_type = text(dev, "RTBeamLimitingDeviceType", notes)
        positions = vector(dev, "LeafJawPositions", notes, where)
        if device_type is None or positions is None:
            continue
        if positions.size % 2:
            notes.add("BAD_LEAF_JAW_POSITIONS", f"{where}: {device_type} has an odd number "
                      f"({positions.size}) of Leaf/Jaw Positions; they are ignored.",
                      attribute="LeafJawPositions")
            continue
        result.append(DevicePosition(device_type.upper(), positions))
    return tuple(result) or None


def _ion_values(item: Dataset, notes: Notes, where: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "scan_spot_tune_id": text(item, "ScanSpotTuneID", notes, where),
        "scanning_spot_size_mm": vector(item, "ScanningSpotSize", notes, where, 2),
        "number_of_paintings": integer(item, "NumberOfPaintings", notes, where),
    }
    spot_map = vector(item, "ScanSpotPositionMap", notes, where)
    weights = vector(item, "ScanSpotMetersetWeights", notes, where)
    if spot_map is not None and weights is not None:
        if spot_map.size != 2 * weights.size:
            notes.add("SPOT_COUNT_MISMATCH", f"{where}: {spot_map.size // 2} spot positions "
                      f"but {weights.size} spot meterset weights; the spots are ignored.",
                      attribute="ScanSpotMetersetWeights")
        else:
            values["spot_positions_mm"] = frozen_array(spot_map.reshape(-1, 2), ndim=2)
            values["spot_meterset_weights"] = weights
    settings = tuple(
        RangeShifterSetting(integer(s, "ReferencedRangeShifterNumber", notes, where),
                            text(s, "RangeShifterSetting", notes),
                            number(s, "RangeShifterWaterEquivalentThickness", notes, where))
        for s in items(item, "RangeShifterSettingsSequence", notes))
    values["range_shifter_settings"] = settings or None
    return values


def inherit(previous: ControlPoint | None, stated: dict[str, Any],
            factory: Callable[..., ControlPoint]) -> ControlPoint:
    """Build a control point from ``stated`` values, carrying the rest from ``previous``.

    Parameters
    ----------
    previous : ControlPoint or None
        The control point before (``None`` for the first).
    stated : dict
        Field name → value for what this control point states; must contain
        ``index`` and ``cumulative_meterset_weight``.
    factory : callable
        :class:`ControlPoint` or :class:`IonControlPoint`.
    """
    if previous is None:
        return factory(**stated)
    own = {fl.name for fl in dataclasses.fields(previous)}
    values = {f: getattr(previous, f) for f in INHERITED_FIELDS if f in own}
    devices = {d.device_type: d for d in previous.device_positions}
    devices.update({d.device_type: d for d in stated.pop("device_positions", ())})
    values.update(stated)
    values["device_positions"] = tuple(devices.values())
    return factory(**values)


def control_point_geometry(cp_items: list[Dataset], notes: Notes, where: str,
                           *, ion: bool = False) -> tuple[ControlPoint, ...]:
    """Control points from a list of items with inheritance; ``index`` is the ordinal.

    Used for plans and for the delivered control points of treatment records.
    """
    factory: Callable[..., ControlPoint] = IonControlPoint if ion else ControlPoint
    result: list[ControlPoint] = []
    previous: ControlPoint | None = None
    for ordinal, item in enumerate(cp_items):
        here = f"{where}, control point {ordinal}"
        stated = _stated_values(item, notes, here, ion)
        stated["index"] = ordinal
        stated["cumulative_meterset_weight"] = number(item, "CumulativeMetersetWeight",
                                                      notes, here)
        stated["ssd_mm"] = number(item, "SourceToSurfaceDistance", notes, here)
        previous = inherit(previous, stated, factory)
        result.append(previous)
    return tuple(result)


def read_control_points(beam_item: Dataset, notes: Notes, where: str,
                        *, ion: bool = False) -> tuple[ControlPoint, ...]:
    """Read a beam's Control Point Sequence (or Ion Control Point Sequence) with inheritance."""
    cp_items = items(beam_item, "IonControlPointSequence" if ion else "ControlPointSequence", notes)
    for ordinal, item in enumerate(cp_items):
        stated_index = integer(item, "ControlPointIndex", notes, where)
        if stated_index != ordinal:
            notes.add("CONTROL_POINT_INDEX", f"{where}, control point {ordinal}: Control "
                      f"Point Index is {stated_index} but the item is number {ordinal} in "
                      "the sequence.", attribute="ControlPointIndex",
                      assumption="the sequence order")
    result = control_point_geometry(cp_items, notes, where, ion=ion)
    _check_weights(list(result), notes, where)
    if result:
        _check_first(result[0], notes, where)
    return result


#: What the first control point must state (Type 1C "required for the first control
#: point", PS3.3 C.8.8.14 / C.8.8.25) and without which the beam cannot be placed:
#: nothing comes before it to inherit from. Beam Limiting Device Angle and Patient
#: Support Angle carry the same 1C condition in both modules; a viewer that drew such
#: a beam at collimator or couch 0° would show a number the plan never stated.
_FIRST_REQUIRED = {"gantry_angle_deg": "GantryAngle",
                   "collimator_angle_deg": "BeamLimitingDeviceAngle",
                   "couch_angle_deg": "PatientSupportAngle",
                   "isocenter_mm": "IsocenterPosition"}


def _check_first(first: ControlPoint, notes: Notes, where: str) -> None:
    missing = [keyword for field, keyword in _FIRST_REQUIRED.items()
               if getattr(first, field, None) is None]
    if missing:
        notes.add("FIRST_CONTROL_POINT_INCOMPLETE", f"{where}: the first control point "
                  f"states no {', '.join(missing)}, and there is nothing to inherit it from.",
                  attribute=missing[0], assumption="unknown until a later control point "
                  "states it")


def _check_weights(points: list[ControlPoint], notes: Notes, where: str) -> None:
    weights = [p.cumulative_meterset_weight for p in points]
    if any(w is None for w in weights):
        notes.add("MISSING_METERSET_WEIGHT", f"{where}: some control points have no "
                  "Cumulative Meterset Weight.", attribute="CumulativeMetersetWeight")
    elif weights and np.any(np.diff(np.asarray(weights, dtype=float)) < 0):
        notes.add("DECREASING_METERSET_WEIGHT", f"{where}: Cumulative Meterset Weight "
                  "decreases between control points.", attribute="CumulativeMetersetWeight")
