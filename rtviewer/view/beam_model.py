"""From the plan model to beam geometry: angles, isocentre and aperture per control point.

Pure logic (no Qt): the slice-view overlay, the beam's-eye view and the RT Image
view share it, so every view draws the same field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.core.beam_aperture import MlcLayer, aperture_polygons, layered_aperture
from rtviewer.core.iec61217 import PATIENT_ORIENTATION, BeamGeometry
from rtviewer.model.beam import Beam, ControlPoint, RotationDirection, TreatmentDeliveryType
from rtviewer.model.plan_sheet import stated_patient_position

__all__ = ["BeamAtControlPoint", "beam_at", "default_beam_number", "patient_position_of",
           "arc_geometries", "is_arc", "cumulative_weights", "mlc_layers", "device_notes"]


@dataclass(frozen=True)
class BeamAtControlPoint:
    """One beam at one control point, ready to draw.

    Attributes
    ----------
    geometry : BeamGeometry
        IEC 61217 angles, isocentre (patient mm), SAD, patient position.
    apertures : list of ndarray
        Open field ``(Xb, Yb)`` mm at the isocentre plane; empty when the beam states
        no jaws or MLC (Gamma Knife, scanned ions).
    notes : tuple of str
        Assumptions made (default isocentre, SAD or patient position).
    """

    geometry: BeamGeometry
    apertures: list[np.ndarray]
    notes: tuple[str, ...]


def patient_position_of(plan: Any, beam: Beam) -> tuple[str, str | None]:
    """The beam's Patient Position from its patient setup, and a note when assumed."""
    position = stated_patient_position(plan, beam) if plan else None
    if position in PATIENT_ORIENTATION:
        return position, None
    return "HFS", f"beam {beam.number}: Patient Position {position!r} unknown, HFS assumed"


def _last(cps: tuple[ControlPoint, ...], index: int, name: str) -> Any:
    """Value at ``index`` (already inherited by the reader), else the first one stated."""
    value = getattr(cps[index], name)
    if value is None:
        value = next((getattr(cp, name) for cp in cps if getattr(cp, name) is not None), None)
    return value


def beam_at(plan: Any, beam: Beam, index: int = 0) -> BeamAtControlPoint:
    """Geometry and aperture of ``beam`` at control point ``index`` (0-based)."""
    notes: list[str] = []
    cps = beam.control_points
    if not cps:
        raise ValueError(f"beam {beam.number} has no control points")
    index = int(np.clip(index, 0, len(cps) - 1))
    cp = cps[index]
    position, note = patient_position_of(plan, beam)
    if note:
        notes.append(note)
    iso = _last(cps, index, "isocenter_mm")
    if iso is None:
        iso = np.zeros(3)
        notes.append(f"beam {beam.number}: no Isocenter Position, (0, 0, 0) assumed")
    sad, sad_y = beam.sad_mm, _virtual_sad_y(beam)
    if not sad or sad <= 0:
        sad = 1000.0
        notes.append(f"beam {beam.number}: no Source-Axis Distance, 1000 mm assumed")
    geometry = BeamGeometry(
        gantry_deg=float(_last(cps, index, "gantry_angle_deg") or 0.0),
        collimator_deg=float(_last(cps, index, "collimator_angle_deg") or 0.0),
        couch_deg=float(_last(cps, index, "couch_angle_deg") or 0.0),
        isocenter_mm=tuple(np.asarray(iso, dtype=float)), sad_mm=float(sad),
        patient_position=position,
        table_top_pitch_deg=float(_last(cps, index, "table_top_pitch_angle_deg") or 0.0),
        table_top_roll_deg=float(_last(cps, index, "table_top_roll_angle_deg") or 0.0),
        sad_y_mm=sad_y)
    return BeamAtControlPoint(geometry, _apertures(beam, cp, notes), tuple(notes))


def _virtual_sad_y(beam: Beam) -> float | None:
    """An ion beam's Y virtual source distance when it differs from the X one, else None."""
    vsad = getattr(beam, "virtual_sad_mm", None)
    if vsad is None or len(vsad) != 2 or not vsad[1] > 0 or vsad[1] == beam.sad_mm:
        return None
    return float(vsad[1])


def _apertures(beam: Beam, cp: ControlPoint, notes: list[str]) -> list[np.ndarray]:
    notes += device_notes(beam, cp)
    layers, axis = mlc_layers(beam, cp, notes)
    if not layers and cp.jaw_x_mm is None and cp.jaw_y_mm is None:
        return []  # no collimation stated (scanned ions, Gamma Knife): nothing to outline
    try:
        if layers:
            return layered_aperture(jaw_x_mm=cp.jaw_x_mm, jaw_y_mm=cp.jaw_y_mm, layers=layers,
                                    mlc_axis=axis)
        return aperture_polygons(jaw_x_mm=cp.jaw_x_mm, jaw_y_mm=cp.jaw_y_mm)
    except ValueError as exc:
        notes.append(f"beam {beam.number}: no aperture drawn ({exc})")
        return []


def mlc_layers(beam: Beam, cp: ControlPoint, notes: list[str]) -> tuple[list[MlcLayer], str]:
    """The MLC layers usable at ``cp`` and their axis of travel; what is not, in ``notes``.

    A dual-layer MLC gives two layers; an MLC whose leaf layout cannot be read is
    left out with a note (the field is then drawn larger than delivered, and says so).
    """
    layers: list[MlcLayer] = []
    axis = ""
    for device in beam.mlcs:
        where = f"beam {beam.number}: {device.device_type}"
        positions = cp.positions(device.device_type)
        if positions is None:
            notes.append(f"{where} has no leaf positions at control point {cp.index}: "
                         "not drawn")
            continue
        if device.leaf_position_boundaries_mm is None:
            notes.append(f"{where} positions without Leaf Position Boundaries: the field "
                         "is drawn from the jaws alone")
            continue
        if axis and device.mlc_axis != axis:
            notes.append(f"{where} travels along {device.mlc_axis} but the beam's first MLC "
                         f"along {axis}: this leaf layout is not understood and not drawn")
            continue
        try:
            layers.append(MlcLayer(positions, device.leaf_position_boundaries_mm))
        except ValueError as exc:
            notes.append(f"{where}: leaf layout not understood ({exc}): not drawn")
            continue
        axis = device.mlc_axis or "X"
    return layers, axis or "X"


def device_notes(beam: Beam, cp: ControlPoint) -> list[str]:
    """Sentences naming the beam limiting devices the aperture leaves out."""
    notes = [f"beam {beam.number}: RT Beam Limiting Device Type '{d.device_type}' is not "
             "understood: not drawn, and the field shown ignores it"
             for d in beam.devices if not d.is_understood]
    declared = {d.device_type for d in beam.devices}
    notes += [f"beam {beam.number}: control point {cp.index} positions a "
              f"'{p.device_type}' the beam does not declare: not drawn"
              for p in cp.device_positions if p.device_type not in declared]
    return notes


def default_beam_number(plan: Any) -> int | None:
    """The lowest Beam Number with delivery type TREATMENT (else the lowest number)."""
    beams = list(getattr(plan, "beams", ()) or ())
    treatment = [b.number for b in beams if b.delivery_type is TreatmentDeliveryType.TREATMENT]
    if treatment:
        return int(min(treatment))
    lowest = min((b.number for b in beams), default=None)
    return None if lowest is None else int(lowest)


def is_arc(beam: Beam) -> bool:
    """Whether the gantry moves during the beam (an arc)."""
    angles = {round(float(cp.gantry_angle_deg), 3) for cp in beam.control_points
              if cp.gantry_angle_deg is not None}
    return len(angles) > 1


def _signed_step(start: float, end: float, rotation: RotationDirection | None) -> float:
    if rotation is RotationDirection.CC:
        return -((start - end) % 360.0)
    if rotation is RotationDirection.CW:
        return (end - start) % 360.0
    step = (end - start) % 360.0
    return step if step <= 180.0 else step - 360.0


def arc_geometries(plan: Any, beam: Beam, *, step_deg: float = 2.0) -> list[BeamGeometry]:
    """Geometries along an arc, densified to ``step_deg`` between control points.

    The direction between control points follows each Gantry Rotation Direction
    (CW increases the angle), so an arc from 181° to 179° CW sweeps 358°.
    """
    base = beam_at(plan, beam, 0).geometry
    out = []
    cps = beam.control_points
    rotation = cps[0].gantry_rotation
    for a, b in zip(cps[:-1], cps[1:], strict=False):
        rotation = a.gantry_rotation or rotation
        start = float(a.gantry_angle_deg or 0.0)
        step = _signed_step(start, float(b.gantry_angle_deg or 0.0), rotation)
        count = max(1, int(np.ceil(abs(step) / step_deg)))
        for k in range(count):
            gantry = (start + step * k / count) % 360.0
            out.append(_with_gantry(base, gantry))
    out.append(_with_gantry(base, float(cps[-1].gantry_angle_deg or 0.0)))
    return out


def _with_gantry(base: BeamGeometry, gantry: float) -> BeamGeometry:
    return dataclasses.replace(base, gantry_deg=gantry)


def cumulative_weights(beam: Beam) -> np.ndarray:
    """Cumulative Meterset Weight per control point, as a fraction of the final weight."""
    final = beam.final_cumulative_meterset_weight
    weights = np.array([np.nan if cp.cumulative_meterset_weight is None
                        else cp.cumulative_meterset_weight for cp in beam.control_points])
    if final and final > 0:
        return weights / final
    top = np.nanmax(weights) if np.any(np.isfinite(weights)) else np.nan
    return weights / top if top and np.isfinite(top) and top > 0 else weights
