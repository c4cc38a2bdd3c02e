"""RT Plan files of the external-beam patient (conformal and VMAT)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from rtviewer.demo.aperture import LEAF_BOUNDARIES_MM, Aperture
from rtviewer.demo.beams import PlannedBeam
from rtviewer.demo.shapes import Ellipsoid
from rtviewer.demo.writer import (
    Patient,
    Series,
    new_plan_dataset,
    sequence_item,
    set_approved,
    set_decimal_strings,
    set_static_axes,
    text_item,
    write_dataset,
)

__all__ = ["MACHINE", "PlanSpec", "write_external_plan", "wedge_items"]

MACHINE = "DemoLinac"


@dataclass(frozen=True)
class PlanSpec:
    """The prescription and identity of one external-beam plan."""

    uid: str
    label: str
    name: str
    structure_set_uid: str
    ptv_roi_number: int
    prescription_gy: float
    fractions: int
    beam_mu: tuple[float, ...]
    beam_dose_gy: tuple[float, ...]  # per fraction, at the isocentre
    dose_reference_uid: str


def _device_positions(ap: Aperture, jaws: bool) -> list[Dataset]:
    items = []
    if jaws:
        items += [
            sequence_item(RTBeamLimitingDeviceType="ASYMX", LeafJawPositions=list(ap.jaw_x_mm)),
            sequence_item(RTBeamLimitingDeviceType="ASYMY", LeafJawPositions=list(ap.jaw_y_mm))]
    mlc = text_item(RTBeamLimitingDeviceType="MLCX")
    set_decimal_strings(mlc, "LeafJawPositions", ap.leaf_jaw_positions(), decimals=1)
    items.append(mlc)
    return items


def _ssd_mm(beam: PlannedBeam, body: Ellipsoid, index: int) -> float:
    geo = beam.geometry(index)
    t_in, _ = body.ray_interval(geo.source_mm, np.asarray(beam.isocenter_mm).reshape(3, 1))
    return round(float(t_in[0]) * geo.sad_mm, 1)


def _control_point(beam: PlannedBeam, i: int, body: Ellipsoid) -> Dataset:
    last = i == len(beam.gantry_deg) - 1
    first = i == 0
    gantry = {"GantryAngle": beam.gantry_deg[i],
              "GantryRotationDirection": "NONE" if (last or not beam.is_arc) else beam.rotation
              } if first or beam.is_arc else {}
    # pre-encoded text: an arc plan has hundreds of control points
    cp = text_item(ControlPointIndex=i, CumulativeMetersetWeight=beam.cumulative_weight[i],
                   **gantry)
    if first or (beam.is_arc and not last) or beam.apertures[i] is not beam.apertures[i - 1]:
        cp.BeamLimitingDevicePositionSequence = _device_positions(beam.apertures[i], jaws=first)
    if first:
        cp.NominalBeamEnergy = 6
        cp.DoseRateSet = 600
        set_static_axes(cp, collimator_deg=beam.collimator_deg, isocenter_mm=beam.isocenter_mm)
        cp.SourceToSurfaceDistance = _ssd_mm(beam, body, 0)
        if beam.wedge is not None:
            cp.WedgePositionSequence = [sequence_item(
                ReferencedWedgeNumber=beam.wedge.number, WedgePosition="IN")]
    return cp


def wedge_items(beam: PlannedBeam, *, recorded: bool = False) -> dict:
    """Number of Wedges and the (Recorded) Wedge Sequence of a beam's plan or record item."""
    w = beam.wedge
    if w is None:
        return {"NumberOfWedges": 0}
    values = {"WedgeNumber": w.number, "WedgeType": w.kind, "WedgeID": w.wedge_id,
              "WedgeAngle": w.angle_deg, "WedgeOrientation": w.orientation_deg}
    if recorded:
        return {"NumberOfWedges": 1, "RecordedWedgeSequence": [sequence_item(**values)]}
    return {"NumberOfWedges": 1,
            "WedgeSequence": [sequence_item(**values, WedgeFactor=w.factor)]}


def _beam_item(beam: PlannedBeam, body: Ellipsoid) -> Dataset:
    devices = [
        sequence_item(RTBeamLimitingDeviceType="ASYMX", NumberOfLeafJawPairs=1),
        sequence_item(RTBeamLimitingDeviceType="ASYMY", NumberOfLeafJawPairs=1),
        sequence_item(RTBeamLimitingDeviceType="MLCX", NumberOfLeafJawPairs=60,
                      LeafPositionBoundaries=[float(b) for b in LEAF_BOUNDARIES_MM]),
    ]
    n_cp = len(beam.gantry_deg)
    return sequence_item(
        BeamNumber=beam.number, BeamName=beam.name, BeamDescription=beam.name,
        BeamType="DYNAMIC" if beam.is_arc else "STATIC", RadiationType="PHOTON",
        TreatmentMachineName=MACHINE, Manufacturer="rtviewer demo generator",
        PrimaryDosimeterUnit="MU", SourceAxisDistance=1000.0,
        BeamLimitingDeviceSequence=devices, ReferencedPatientSetupNumber=1,
        TreatmentDeliveryType="TREATMENT", NumberOfCompensators=0,
        NumberOfBoli=0, NumberOfBlocks=0, FinalCumulativeMetersetWeight=1.0,
        NumberOfControlPoints=n_cp, **wedge_items(beam),
        ControlPointSequence=[_control_point(beam, i, body) for i in range(n_cp)],
    )


def _fraction_group(spec: PlanSpec, beams: list[PlannedBeam]) -> Dataset:
    refs = [sequence_item(ReferencedBeamNumber=b.number, BeamMeterset=round(mu, 2),
                          BeamDose=round(d, 4))
            for b, mu, d in zip(beams, spec.beam_mu, spec.beam_dose_gy, strict=True)]
    return sequence_item(
        FractionGroupNumber=1, FractionGroupDescription="Primary",
        NumberOfFractionsPlanned=spec.fractions, NumberOfBeams=len(beams),
        NumberOfBrachyApplicationSetups=0, ReferencedBeamSequence=refs,
        ReferencedDoseReferenceSequence=[sequence_item(ReferencedDoseReferenceNumber=1)],
    )


def write_external_plan(spec: PlanSpec, beams: list[PlannedBeam], *, body: Ellipsoid,
                        patient: Patient, series: Series, out_dir: Path) -> Path:
    """Write one external-beam RT Plan (prescription, fraction group, beams) and return its path."""
    ds = new_plan_dataset(sop_instance_uid=spec.uid, label=spec.label, name=spec.name,
                          structure_set_uid=spec.structure_set_uid, patient=patient,
                          series=series)
    ds.PrescriptionDescription = (f"{spec.prescription_gy:g} Gy in {spec.fractions} fractions "
                                  "to the PTV")
    ds.DoseReferenceSequence = [sequence_item(
        DoseReferenceNumber=1, DoseReferenceUID=spec.dose_reference_uid,
        DoseReferenceStructureType="VOLUME", ReferencedROINumber=spec.ptv_roi_number,
        DoseReferenceDescription="PTV", DoseReferenceType="TARGET",
        DeliveryMaximumDose=round(spec.prescription_gy * 1.07, 2),
        TargetPrescriptionDose=spec.prescription_gy,
        TargetMinimumDose=round(spec.prescription_gy * 0.95, 2),
        TargetMaximumDose=round(spec.prescription_gy * 1.07, 2))]
    ds.ToleranceTableSequence = [sequence_item(ToleranceTableNumber=1, ToleranceTableLabel="T1",
                                               GantryAngleTolerance=1.0)]
    ds.PatientSetupSequence = [sequence_item(PatientSetupNumber=1, PatientPosition="HFS",
                                             SetupTechnique="ISOCENTRIC")]
    ds.FractionGroupSequence = [_fraction_group(spec, beams)]
    ds.BeamSequence = [_beam_item(b, body) for b in beams]
    set_approved(ds, series)
    return write_dataset(ds, out_dir)
