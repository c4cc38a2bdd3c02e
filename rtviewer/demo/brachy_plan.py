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
    source_reference_time: str = "080000"
    #: Brachy Application Setup Dose: the dose per fraction (Gy).
    fraction_dose_gy: float | None = None
    active_length_mm: float = 3.5
    source_model: str = "mHDR-v2"
    #: Per channel, each dwell's dose (Gy) at the dose references ``(n_dwells, 2)``: the
    #: Cumulative Dose Reference Coefficients of the control points.
    point_doses_gy: tuple[np.ndarray, ...] = ()
    #: The strength (U) the dwell times were computed for (at the RT Plan Date/Time).
    plan_strength_u: float | None = None

    @property
    def setup_dose_gy(self) -> float:
        """Brachy Application Setup Dose (Gy per fraction)."""
        if self.fraction_dose_gy is not None:
            return self.fraction_dose_gy
        return self.prescription_gy / self.fractions


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
        SourceStrengthReferenceTime=spec.source_reference_time)


def _source(spec: BrachySpec) -> Dataset:
    return sequence_item(
        SourceNumber=1, SourceType="LINE", SourceManufacturer="Demo",
        SourceModelID=spec.source_model,
        SourceIsotopeName="Ir-192", SourceIsotopeHalfLife=73.83, ActiveSourceDiameter=0.65,
        ActiveSourceLength=spec.active_length_mm, SourceEncapsulationNominalThickness=0.125,
        SourceEncapsulationNominalTransmission=1.0, ReferenceAirKermaRate=spec.air_kerma_strength_u,
        SourceStrengthReferenceDate=spec.source_reference_date,
        SourceStrengthReferenceTime=spec.source_reference_time,
        SourceDescription=f"HDR Ir-192 {spec.source_model} (demo)")


def _control_points(channel: Channel, times: tuple[float, ...],
                    point_doses: np.ndarray | None = None,
                    setup_dose_gy: float = 1.0) -> list[Dataset]:
    """Stepwise delivery: two control points per dwell (arrive, leave) at the same position.

    ``point_doses`` ``(n_dwells, 2)`` Gy: each dwell's dose at the two dose references;
    with it every control point carries the Cumulative Dose Reference Coefficients (the
    channel's dose so far at each reference over the Application Setup Dose), as Eclipse
    writes them.
    """
    total = sum(times)
    points, cumulative, index = [], 0.0, 0
    dose_so_far = np.zeros(2)
    positions = channel.dwell_positions_mm()
    # The source enters from the afterloader end: deliver the most proximal dwell first.
    for n in reversed(range(len(times))):
        for arriving, weight in ((True, cumulative), (False, cumulative + times[n])):
            if point_doses is not None and not arriving:
                dose_so_far = dose_so_far + point_doses[n]
            cp = sequence_item(
                ControlPointIndex=index,
                ControlPointRelativePosition=round(channel.dwell_from_tip_mm[n], 2),
                ControlPoint3DPosition=[round(float(v), 2) for v in positions[n]],
                CumulativeTimeWeight=round(weight / total * 100.0, 6))
            if point_doses is not None:
                cp.BrachyReferencedDoseReferenceSequence = [sequence_item(
                    ReferencedDoseReferenceNumber=k + 1,
                    CumulativeDoseReferenceCoefficient=round(float(d / setup_dose_gy), 8))
                    for k, d in enumerate(dose_so_far)]
            points.append(cp)
            index += 1
        cumulative += times[n]
    points[-1].CumulativeTimeWeight = 100.0
    return points


def _channel(channel: Channel, times: tuple[float, ...], point_doses: np.ndarray | None,
             setup_dose_gy: float) -> Dataset:
    cps = _control_points(channel, times, point_doses, setup_dose_gy)
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
            BrachyApplicationSetupDose=spec.setup_dose_gy)])]
    ds.BrachyTreatmentTechnique = "INTRACAVITARY"
    ds.BrachyTreatmentType = "HDR"
    ds.TreatmentMachineSequence = [_machine()]
    ds.SourceSequence = [_source(spec)]
    total_h = sum(sum(t) for t in spec.dwell_times_s) / 3600.0
    ds.ApplicationSetupSequence = [sequence_item(
        ApplicationSetupType="FLETCHER_SUIT", ApplicationSetupNumber=1,
        ApplicationSetupName="Tandem and ovoids",
        TotalReferenceAirKerma=round((spec.plan_strength_u or spec.air_kerma_strength_u)
                                     * total_h, 3),
        ChannelSequence=[_channel(c, t, spec.point_doses_gy[k] if spec.point_doses_gy else None,
                                  spec.setup_dose_gy)
                         for k, (c, t) in enumerate(zip(channels, spec.dwell_times_s,
                                                        strict=True))])]
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


def delivered_times_s(spec: BrachySpec, decay_ratio: float) -> tuple[tuple[float, ...], ...]:
    """The plan's dwell times × ``decay_ratio`` (strength at planning / at delivery), 0.1 s."""
    return tuple(tuple(round(t * decay_ratio, 1) for t in times) for times in spec.dwell_times_s)


def _recorded_channels(spec: BrachySpec, channels: tuple[Channel, ...],
                       date: str, decay_ratio: float) -> list[Dataset]:
    """Channels delivered one after the other from 10:15:00, 15 s transit between them."""
    start, out = float(_SESSION_START_S), []
    for channel, times in zip(channels, delivered_times_s(spec, decay_ratio), strict=True):
        out.append(_recorded_channel(channel, times, date, start))
        start += sum(times) + _TRANSIT_S
    return out


def write_brachy_record(spec: BrachySpec, channels: tuple[Channel, ...], *, uid: str, date: str,
                        patient: Patient, series: Series, out_dir: Path,
                        delivery_strength_u: float | None = None,
                        decay_ratio: float = 1.0, fraction: int = 1) -> Path:
    """Write the RT Brachy Treatment Record of ``fraction``, delivered at 10:15 on ``date``.

    Delivered as planned, each dwell time × ``decay_ratio`` (the source's strength when
    the plan was computed over its strength at delivery, as the afterloader corrects
    it); the Total Reference Air Kerma is ``delivery_strength_u`` × the delivered time.
    """
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
    delivered = delivered_times_s(spec, decay_ratio)
    total_h = float(np.sum([sum(t) for t in delivered])) / 3600.0
    strength = spec.air_kerma_strength_u if delivery_strength_u is None else delivery_strength_u
    ds.TreatmentSessionApplicationSetupSequence = [sequence_item(
        ApplicationSetupType="FLETCHER_SUIT", ReferencedBrachyApplicationSetupNumber=1,
        ApplicationSetupName="Tandem and ovoids", CurrentFractionNumber=fraction,
        TreatmentDeliveryType="TREATMENT", TreatmentTerminationStatus="NORMAL",
        TreatmentVerificationStatus="", TotalReferenceAirKerma=round(strength * total_h, 3),
        RecordedChannelSequence=_recorded_channels(spec, channels, date, decay_ratio))]
    return write_dataset(ds, out_dir)
