"""The RT Ion Plan of the demo proton plan: pencil-beam scanning fields, energy layers.

Each energy layer is a pair of control points at one energy, as RayStation and Eclipse
write them: the first carries the spot map and the spots' meterset weights (MU), the
second the same map with zero weights and the cumulative meterset after the layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from rtviewer.demo.proton_dose import RBE, EnergyLayer, ProtonField, spot_sigma_in_air_mm
from rtviewer.demo.writer import (
    Patient,
    Series,
    new_plan_dataset,
    sequence_item,
    set_approved,
    set_static_axes,
    write_dataset,
)

__all__ = ["ION_MACHINE", "IonPlanSpec", "SNOUT_POSITION_MM", "write_ion_plan"]

RT_ION_PLAN_STORAGE = "1.2.840.10008.5.1.4.1.1.481.8"
ION_MACHINE = "DemoProton"
#: The snout's downstream face from the isocentre (mm): clear of a pelvis 175 mm wide.
SNOUT_POSITION_MM = 300.0
_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


@dataclass(frozen=True)
class IonPlanSpec:
    """The prescription and identity of the proton plan; Beam Dose per field (Gy(RBE)/fx)."""

    uid: str
    label: str
    name: str
    structure_set_uid: str
    ptv_roi_number: int
    prescription_gy: float
    fractions: int
    beam_dose_gy: tuple[float, ...]
    dose_reference_uid: str


def spot_size_fwhm_mm(energy: float) -> float:
    """Scanning Spot Size: the spot's FWHM (mm) in air at the isocentre."""
    return round(float(spot_sigma_in_air_mm(energy) * _FWHM_PER_SIGMA), 2)


def _spot_values(layer: EnergyLayer, weights: np.ndarray, index: int,
                 cumulative: float) -> Dataset:
    return sequence_item(
        ControlPointIndex=index, NominalBeamEnergy=layer.energy_mev,
        CumulativeMetersetWeight=round(cumulative, 4), ScanSpotTuneID="DEMO",
        NumberOfScanSpotPositions=len(layer.weights_mu),
        ScanSpotPositionMap=[float(v) for v in layer.spots_mm.ravel()],
        ScanSpotMetersetWeights=[float(w) for w in weights],
        ScanningSpotSize=[spot_size_fwhm_mm(layer.energy_mev)] * 2, NumberOfPaintings=1)


def _first_machine_state(cp: Dataset, field: ProtonField) -> None:
    """The values a beam's first control point states for all (PS3.3 C.8.8.25)."""
    cp.GantryAngle = field.gantry_deg
    cp.GantryRotationDirection = "NONE"
    cp.GantryPitchAngle = 0.0
    cp.GantryPitchRotationDirection = "NONE"
    set_static_axes(cp, collimator_deg=0.0, isocenter_mm=field.isocenter_mm)
    cp.SnoutPosition = SNOUT_POSITION_MM
    cp.MetersetRate = 100.0


def _control_points(field: ProtonField) -> list[Dataset]:
    points: list[Dataset] = []
    cumulative = 0.0
    for layer in field.layers:
        start = _spot_values(layer, layer.weights_mu, len(points), cumulative)
        cumulative += float(layer.weights_mu.sum())  # the last rounds as _meterset
        end = _spot_values(layer, np.zeros_like(layer.weights_mu), len(points) + 1, cumulative)
        points += [start, end]
    _first_machine_state(points[0], field)
    return points


def _meterset(field: ProtonField) -> float:
    """Beam Meterset = Final Cumulative Meterset Weight (MU): the weights are in MU."""
    return round(float(sum(layer.weights_mu.sum() for layer in field.layers)), 4)


def _beam(field: ProtonField) -> Dataset:
    points = _control_points(field)
    return sequence_item(
        BeamNumber=field.number, BeamName=field.name,
        BeamDescription=f"PBS field, gantry {field.gantry_deg:g}°",
        BeamType="STATIC", RadiationType="PROTON", TreatmentMachineName=ION_MACHINE,
        Manufacturer="rtviewer demo generator", PrimaryDosimeterUnit="MU",
        TreatmentDeliveryType="TREATMENT", NumberOfWedges=0, NumberOfCompensators=0,
        NumberOfBoli=0, NumberOfBlocks=0, ScanMode="MODULATED",
        ModulatedScanModeType="STATIONARY",  # spot by spot, the beam off between spots
        VirtualSourceAxisDistances=list(field.virtual_sad_mm),
        SnoutSequence=[sequence_item(SnoutID="S1")],
        NumberOfRangeShifters=0, NumberOfLateralSpreadingDevices=0,
        NumberOfRangeModulators=0, PatientSupportType="TABLE", PatientSupportID="Couch",
        ReferencedPatientSetupNumber=1, ReferencedToleranceTableNumber=1,
        FinalCumulativeMetersetWeight=_meterset(field),
        NumberOfControlPoints=len(points), IonControlPointSequence=points)


def write_ion_plan(spec: IonPlanSpec, fields: list[ProtonField], *, patient: Patient,
                   series: Series, out_dir: Path) -> Path:
    """Write the RT Ion Plan (prescription in Gy(RBE), RBE 1.1 stated) and return its path."""
    ds = new_plan_dataset(sop_instance_uid=spec.uid, label=spec.label, name=spec.name,
                          structure_set_uid=spec.structure_set_uid, patient=patient,
                          series=series, sop_class_uid=RT_ION_PLAN_STORAGE)
    ds.RTPlanDescription = (f"Pencil-beam scanning, single-field uniform dose; doses are "
                            f"RBE-weighted, Gy(RBE) = {RBE:g} x physical Gy (constant RBE).")
    ds.PlanIntent = "CURATIVE"
    ds.PrescriptionDescription = (f"{spec.prescription_gy:g} Gy(RBE) in {spec.fractions} "
                                  f"fractions to the PTV, RBE {RBE:g}")
    ds.DoseReferenceSequence = [sequence_item(
        DoseReferenceNumber=1, DoseReferenceUID=spec.dose_reference_uid,
        DoseReferenceStructureType="VOLUME", ReferencedROINumber=spec.ptv_roi_number,
        DoseReferenceDescription="PTV, Gy(RBE)", DoseReferenceType="TARGET",
        DeliveryMaximumDose=round(spec.prescription_gy * 1.07, 2),
        TargetPrescriptionDose=spec.prescription_gy,
        TargetMinimumDose=round(spec.prescription_gy * 0.95, 2),
        TargetMaximumDose=round(spec.prescription_gy * 1.07, 2))]
    ds.IonToleranceTableSequence = [sequence_item(
        ToleranceTableNumber=1, ToleranceTableLabel="PBS", GantryAngleTolerance=0.5,
        PatientSupportAngleTolerance=0.5, SnoutPositionTolerance=2.0)]
    ds.PatientSetupSequence = [sequence_item(PatientSetupNumber=1, PatientPosition="HFS",
                                             SetupTechnique="ISOCENTRIC")]
    ds.FractionGroupSequence = [sequence_item(
        FractionGroupNumber=1, FractionGroupDescription="Primary",
        NumberOfFractionsPlanned=spec.fractions, NumberOfBeams=len(fields),
        NumberOfBrachyApplicationSetups=0,
        ReferencedBeamSequence=[sequence_item(
            # Beam Dose: the field's Gy(RBE) per fraction at the isocentre; no Beam Dose
            # Specification Point (retired from the standard), as the photon plans
            ReferencedBeamNumber=f.number, BeamMeterset=_meterset(f), BeamDose=round(d, 4))
            for f, d in zip(fields, spec.beam_dose_gy, strict=True)],
        ReferencedDoseReferenceSequence=[sequence_item(ReferencedDoseReferenceNumber=1)])]
    ds.IonBeamSequence = [_beam(f) for f in fields]
    set_approved(ds, series)
    return write_dataset(ds, out_dir)
