"""The HDR brachytherapy RT Plan and RT Brachy Treatment Record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import RTBrachyTreatmentRecordStorage, RTPlanStorage

from rtviewer.demo.pelvis import Channel
from rtviewer.demo.writer import (
    Patient,
    Series,
    new_dataset,
    new_plan_dataset,
    sequence_item,
    set_approved,
    write_dataset,
)

__all__ = ["AFTERLOADER", "BrachySpec", "write_brachy_plan", "write_brachy_record"]

AFTERLOADER = "DemoAfterloader"
CHANNEL_LENGTH_MM = 1200.0


@dataclass(frozen=True)
class BrachySpec:
    """Identity, source and prescription of the brachy plan; dwell times per channel (s)."""

    plan_uid: str
    structure_set_uid: str
    air_kerma_strength_u: float
    source_reference_date: str
    fractions: int
    prescription_gy: float
    point_a_roi_numbers: tuple[int, int]
    dwell_times_s: tuple[tuple[float, ...], ...]
    dose_reference_uids: tuple[str, str]


def _machine() -> Dataset:
    return sequence_item(TreatmentMachineName=AFTERLOADER, Manufacturer="rtviewer demo generator",
                         InstitutionName="rtviewer Teaching Hospital", InstitutionAddress="",
                         InstitutionalDepartmentName="Radiotherapy",
                         ManufacturerModelName="rtviewer.demo", DeviceSerialNumber="0002")


def _recorded_source(spec: BrachySpec) -> Dataset:
    return sequence_item(
        SourceNumber=1, SourceType="LINE", SourceManufacturer="Demo", SourceSerialNumber="D-0001",
        SourceIsotopeName="Ir-192", SourceIsotopeHalfLife=73.83,
        ReferenceAirKermaRate=spec.air_kerma_strength_u,
        SourceStrengthReferenceDate=spec.source_reference_date,
        SourceStrengthReferenceTime="080000")


def _source(spec: BrachySpec) -> Dataset:
    return sequence_item(
        SourceNumber=1, SourceType="LINE", SourceManufacturer="Demo", SourceModelID="mHDR-like",
        SourceIsotopeName="Ir-192", SourceIsotopeHalfLife=73.83, ActiveSourceDiameter=0.65,
        ActiveSourceLength=3.6, SourceEncapsulationNominalThickness=0.125,
        SourceEncapsulationNominalTransmission=1.0, ReferenceAirKermaRate=spec.air_kerma_strength_u,
        SourceStrengthReferenceDate=spec.source_reference_date,
        SourceStrengthReferenceTime="080000", SourceDescription="HDR Ir-192 (demo)")


def _control_points(channel: Channel, times: tuple[float, ...]) -> list[Dataset]:
    """Stepwise delivery: two control points per dwell (arrive, leave) at the same position."""
    total = sum(times)
    points, cumulative, index = [], 0.0, 0
    positions = channel.dwell_positions_mm()
    # The source enters from the afterloader end: deliver the most proximal dwell first.
    for n in reversed(range(len(times))):
        for weight in (cumulative, cumulative + times[n]):
            points.append(sequence_item(
                ControlPointIndex=index,
                ControlPointRelativePosition=round(channel.dwell_from_tip_mm[n], 2),
                ControlPoint3DPosition=[round(float(v), 2) for v in positions[n]],
                CumulativeTimeWeight=round(weight / total * 100.0, 6)))
            index += 1
        cumulative += times[n]
    points[-1].CumulativeTimeWeight = 100.0
    return points


def _channel(channel: Channel, times: tuple[float, ...]) -> Dataset:
    cps = _control_points(channel, times)
    return sequence_item(
        ChannelNumber=channel.number, ChannelLength=CHANNEL_LENGTH_MM,
        ChannelTotalTime=round(sum(times), 2), SourceMovementType="STEPWISE",
        ReferencedSourceNumber=1, NumberOfControlPoints=len(cps),
        FinalCumulativeTimeWeight=100.0, SourceApplicatorNumber=channel.number,
        SourceApplicatorID=f"APP{channel.number}", SourceApplicatorType="RIGID",
        SourceApplicatorStepSize=5.0, ReferencedROINumber=channel.roi_number,
        SourceApplicatorName=channel.name, SourceApplicatorLength=CHANNEL_LENGTH_MM,
        SourceApplicatorManufacturer="Demo", TransferTubeNumber=channel.number,
        TransferTubeLength=1000.0, BrachyControlPointSequence=cps)


def _dose_references(spec: BrachySpec) -> list[Dataset]:
    return [sequence_item(
        DoseReferenceNumber=n, DoseReferenceUID=uid, DoseReferenceStructureType="POINT",
        ReferencedROINumber=roi, DoseReferenceDescription=f"Point A {side}",
        DoseReferenceType="TARGET", TargetPrescriptionDose=spec.prescription_gy)
        for n, (uid, roi, side) in enumerate(
            zip(spec.dose_reference_uids, spec.point_a_roi_numbers, ("right", "left"),
                strict=True), start=1)]


def write_brachy_plan(spec: BrachySpec, channels: tuple[Channel, ...], *, patient: Patient,
                      series: Series, out_dir: Path) -> Path:
    """Write the HDR RT Plan: Ir-192 source, one Fletcher-type application setup, Point A."""
    ds = new_plan_dataset(sop_instance_uid=spec.plan_uid, label="Cervix HDR",
                          name=f"T&O {spec.prescription_gy:g} Gy x {spec.fractions}",
                          structure_set_uid=spec.structure_set_uid, patient=patient,
                          series=series)
    ds.PrescriptionDescription = f"{spec.prescription_gy:g} Gy to Point A x {spec.fractions}"
    ds.DoseReferenceSequence = _dose_references(spec)
    ds.FractionGroupSequence = [sequence_item(
        FractionGroupNumber=1, NumberOfFractionsPlanned=spec.fractions, NumberOfBeams=0,
        NumberOfBrachyApplicationSetups=1,
        ReferencedBrachyApplicationSetupSequence=[sequence_item(
            ReferencedBrachyApplicationSetupNumber=1,
            BrachyApplicationSetupDose=spec.prescription_gy)])]
    ds.BrachyTreatmentTechnique = "INTRACAVITARY"
    ds.BrachyTreatmentType = "HDR"
    ds.TreatmentMachineSequence = [_machine()]
    ds.SourceSequence = [_source(spec)]
    total_h = sum(sum(t) for t in spec.dwell_times_s) / 3600.0
    ds.ApplicationSetupSequence = [sequence_item(
        ApplicationSetupType="FLETCHER_SUIT", ApplicationSetupNumber=1,
        ApplicationSetupName="Tandem and ovoids",
        TotalReferenceAirKerma=round(spec.air_kerma_strength_u * total_h, 3),
        ChannelSequence=[_channel(c, t) for c, t in
                         zip(channels, spec.dwell_times_s, strict=True)])]
    set_approved(ds, series)
    return write_dataset(ds, out_dir)


_SESSION_START_S = 10 * 3600 + 15 * 60  # 10:15:00
_TRANSIT_S = 15.0  # between channels: retract, index the next one


def _clock(seconds: float) -> str:
    """A DICOM TM of ``seconds`` after midnight, to 0.1 s."""
    tenths = int(round(seconds * 10))
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    return f"{h:02d}{m:02d}{rest // 10:02d}.{rest % 10}"


def _recorded_channel(channel: Channel, times: tuple[float, ...], date: str,
                      start_s: float) -> Dataset:
    """The delivered control points, stamped with the time the source reached/left each dwell.

    The current standard records delivered dwells by time stamps (no cumulative weight).
    """
    cps = _control_points(channel, times)
    clock = start_s
    delivered = []
    for n, cp in enumerate(cps):
        if n % 2 == 1:  # leaving the dwell: its planned time has elapsed
            clock += float(cps[n].CumulativeTimeWeight - cps[n - 1].CumulativeTimeWeight) \
                / 100.0 * sum(times)
        delivered.append(sequence_item(
            ReferencedControlPointIndex=cp.ControlPointIndex, TreatmentControlPointDate=date,
            TreatmentControlPointTime=_clock(clock),
            ControlPointRelativePosition=cp.ControlPointRelativePosition))
    total = round(sum(times), 2)
    return sequence_item(
        ChannelNumber=channel.number, ChannelLength=CHANNEL_LENGTH_MM,
        SpecifiedChannelTotalTime=total, DeliveredChannelTotalTime=total,
        SourceMovementType="STEPWISE", ReferencedSourceNumber=1,
        NumberOfControlPoints=len(cps), TransferTubeNumber=channel.number,
        TransferTubeLength=1000.0, BrachyControlPointDeliveredSequence=delivered,
        RecordedSourceApplicatorSequence=[sequence_item(
            ReferencedSourceApplicatorNumber=channel.number,
            SourceApplicatorID=f"APP{channel.number}", SourceApplicatorType="RIGID",
            SourceApplicatorName=channel.name, SourceApplicatorLength=CHANNEL_LENGTH_MM,
            SourceApplicatorManufacturer="Demo")])


def _recorded_channels(spec: BrachySpec, channels: tuple[Channel, ...],
                       date: str) -> list[Dataset]:
    """Channels delivered one after the other from 10:15:00, 15 s transit between them."""
    start, out = float(_SESSION_START_S), []
    for channel, times in zip(channels, spec.dwell_times_s, strict=True):
        out.append(_recorded_channel(channel, times, date, start))
        start += sum(times) + _TRANSIT_S
    return out


def write_brachy_record(spec: BrachySpec, channels: tuple[Channel, ...], *, uid: str, date: str,
                        patient: Patient, series: Series, out_dir: Path) -> Path:
    """Write the RT Brachy Treatment Record of fraction 1 (delivered as planned)."""
    ds = new_dataset(sop_class_uid=RTBrachyTreatmentRecordStorage, sop_instance_uid=uid,
                     patient=patient, series=series, with_frame_of_reference=False)
    ds.TreatmentDate, ds.TreatmentTime = date, "101500"
    ds.ReferencedRTPlanSequence = [sequence_item(ReferencedSOPClassUID=RTPlanStorage,
                                                 ReferencedSOPInstanceUID=spec.plan_uid)]
    ds.TreatmentMachineSequence = [_machine()]
    ds.BrachyTreatmentTechnique = "INTRACAVITARY"
    ds.BrachyTreatmentType = "HDR"
    ds.ReferencedFractionGroupNumber = 1
    ds.NumberOfFractionsPlanned = spec.fractions
    ds.RecordedSourceSequence = [_recorded_source(spec)]
    total_h = float(np.sum([sum(t) for t in spec.dwell_times_s])) / 3600.0
    ds.TreatmentSessionApplicationSetupSequence = [sequence_item(
        ApplicationSetupType="FLETCHER_SUIT", ReferencedBrachyApplicationSetupNumber=1,
        ApplicationSetupName="Tandem and ovoids", CurrentFractionNumber=1,
        TreatmentDeliveryType="TREATMENT", TreatmentTerminationStatus="NORMAL",
        TreatmentVerificationStatus="", TotalReferenceAirKerma=round(
            spec.air_kerma_strength_u * total_h, 3),
        RecordedChannelSequence=_recorded_channels(spec, channels, date))]
    return write_dataset(ds, out_dir)
