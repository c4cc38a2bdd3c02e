"""Synthetic plans for the plan-check tests: every number chosen so the answer is exact."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from rtviewer.core.grid import Grid
from rtviewer.model.beam import (
    Beam,
    BeamLimitingDevice,
    BeamType,
    ControlPoint,
    DevicePosition,
    RadiationType,
    TreatmentDeliveryType,
)
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
from rtviewer.model.plan import FractionGroup, PatientSetup, Plan, PlanKind, Prescription
from rtviewer.model.plan_case import PlanCase
from rtviewer.model.structure import Contour, ContourType, Roi, StructureSet

#: 10 leaf pairs of 10 mm, leaf boundaries -50 .. 50 mm.
BOUNDS = np.arange(-50.0, 51.0, 10.0)


def square(z: float, half: float = 10.0, cx: float = 0.0, cy: float = 0.0) -> Contour:
    """A closed axial square of side ``2 half`` centred on (cx, cy) at z."""
    pts = [[cx - half, cy - half, z], [cx + half, cy - half, z], [cx + half, cy + half, z],
           [cx - half, cy + half, z]]
    return Contour(np.array(pts, dtype=float), ContourType.CLOSED_PLANAR)


def box_roi(number: int, name: str, kind: str | None, lo: tuple[float, float, float],
            hi: tuple[float, float, float], step: float = 1.0) -> Roi:
    """A box ROI: axial rectangles x lo..hi, y lo..hi on planes z = lo, lo+step, .. hi."""
    contours = [Contour(np.array([[lo[0], lo[1], z], [hi[0], lo[1], z], [hi[0], hi[1], z],
                                  [lo[0], hi[1], z]], float), ContourType.CLOSED_PLANAR)
                for z in np.arange(lo[2], hi[2] + step / 2, step)]
    return Roi(number, name, (255, 0, 0), kind, tuple(contours))


def point_roi(number: int, name: str, kind: str, xyz: tuple[float, float, float]) -> Roi:
    """A POINT ROI (isocentre, marker)."""
    return Roi(number, name, (255, 255, 0), kind,
               (Contour(np.array([xyz], float), ContourType.POINT),))


def structure_set(*rois: Roi, **kw: object) -> StructureSet:
    return StructureSet(path="RS.dcm", sop_instance_uid="1.2.3", label="SS",  # type: ignore
                        frame_of_reference_uid="1.2", rois=tuple(rois), **kw)


def control_point(index: int, weight: float, *, iso=(0.0, 0.0, 0.0), gantry: float = 0.0,
                  collimator: float = 0.0, couch: float = 0.0, jaws=((-40, 40), (-30, 30)),
                  leaves: np.ndarray | None = None, **kw: object) -> ControlPoint:
    devices = [DevicePosition("ASYMX", np.array(jaws[0], float)),
               DevicePosition("ASYMY", np.array(jaws[1], float))]
    if leaves is not None:
        devices.append(DevicePosition("MLCX", np.asarray(leaves, float)))
    return ControlPoint(index, weight, gantry_angle_deg=gantry, collimator_angle_deg=collimator,
                        couch_angle_deg=couch, isocenter_mm=np.array(iso, float),
                        device_positions=tuple(devices), **kw)  # type: ignore[arg-type]


def open_leaves(a: float = -20.0, b: float = 20.0) -> np.ndarray:
    """Leaf positions of 10 pairs, all open from ``a`` to ``b`` (bank A then bank B)."""
    return np.array([a] * 10 + [b] * 10, float)


def beam(number: int, *, mu: float = 100.0, cps: tuple[ControlPoint, ...] | None = None,
         delivery: TreatmentDeliveryType = TreatmentDeliveryType.TREATMENT,
         beam_type: BeamType = BeamType.STATIC, mlc: bool = True, **kw: object) -> Beam:
    devices = [BeamLimitingDevice("ASYMX", 1), BeamLimitingDevice("ASYMY", 1)]
    if mlc:
        devices.append(BeamLimitingDevice("MLCX", 10, BOUNDS))
    if cps is None:
        leaves = open_leaves() if mlc else None
        cps = (control_point(0, 0.0, leaves=leaves, nominal_energy=6.0),
               control_point(1, 1.0, leaves=leaves))
    fields = dict(number=number, name=f"B{number}", description=None, beam_type=beam_type,
                  delivery_type=delivery, radiation_type=RadiationType.PHOTON,
                  machine_name="LINAC", sad_mm=1000.0, devices=tuple(devices),
                  control_points=cps, meterset=mu, final_cumulative_meterset_weight=1.0)
    fields.update(kw)
    return Beam(**fields)  # type: ignore[arg-type]


def plan(*beams: Beam, rx_gy: float | None = 60.0, fractions: int = 30, **kw: object) -> Plan:
    fields = dict(path="RP.dcm", sop_class_uid=None, sop_instance_uid="1.2.4",
                  kind=PlanKind.EXTERNAL, label="TEST", name=None, description=None,
                  date=None, time=None, intent="CURATIVE", geometry="PATIENT",
                  manufacturer=None, model_name=None, patient_id="P", patient_name=None,
                  study_instance_uid=None, series_instance_uid=None,
                  frame_of_reference_uid="1.2", approval_status="APPROVED",
                  referenced_structure_set_uid="1.2.3",
                  patient_setups=(PatientSetup(1, "HFS"),), dose_references=(),
                  fraction_groups=(FractionGroup(1, fractions),), beams=tuple(beams),
                  prescription=Prescription(rx_gy, "test"))
    fields.update(kw)
    return Plan(**fields)  # type: ignore[arg-type]


def dose(values: np.ndarray, origin=(0.0, 0.0, 0.0), spacing: float = 1.0) -> Dose:
    """A PLAN dose on an axis-aligned grid; ``values`` indexed (k, j, i)."""
    affine = np.diag([spacing, spacing, spacing, 1.0])
    affine[:3, 3] = origin
    return Dose("RD.dcm", "1.2.5", Grid(affine, values.shape), values.astype(np.float32),
                DoseUnits.GY, DoseType.PHYSICAL, DoseSummationType.PLAN, "1.2.4")


def case(p: Plan, ss: StructureSet | None = None, d: Dose | None = None, **kw: object
         ) -> PlanCase:
    return PlanCase(p, ss, d, **kw)  # type: ignore[arg-type]


def at(day: str, time: str = "00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}")


replace = dataclasses.replace
