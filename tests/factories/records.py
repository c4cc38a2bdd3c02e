"""Realistic RT Treatment Records built with pydicom from real corpus plans.

No public treatment record exists, so these follow PS3.3 (RT General Treatment
Record, RT Beams / Ion Beams / Brachy Session Record modules) and deliver a real
plan: beam numbers, names, metersets and control points come from the plan.
``interrupt`` stops one beam (or channel) part-way, as a machine interlock would.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

BEAMS_RECORD = "1.2.840.10008.5.1.4.1.1.481.4"
BRACHY_RECORD = "1.2.840.10008.5.1.4.1.1.481.6"
ION_BEAMS_RECORD = "1.2.840.10008.5.1.4.1.1.481.9"


@dataclass(frozen=True)
class Interruption:
    """Stop beam (or channel) ``number`` after ``fraction_delivered`` of its meterset/time."""

    number: int
    fraction_delivered: float
    status: str = "MACHINE"
    code: str = "MLC INTERLOCK"
    reason: str | None = "MLC leaf position interlock"
    legacy: bool = False


def _header(plan: Dataset, sop_class: str, *, fraction: int) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "RTRECORD"
    ds.PatientID = plan.get("PatientID", "")
    ds.PatientName = plan.get("PatientName", "")
    ds.StudyInstanceUID = plan.get("StudyInstanceUID", generate_uid())
    ds.SeriesInstanceUID = generate_uid()
    ds.InstanceCreationDate = "20240315"
    ds.TreatmentDate = "20240315"
    ds.TreatmentTime = f"{8 + fraction:02d}1500"
    ref = Dataset()
    ref.ReferencedSOPClassUID = plan.SOPClassUID
    ref.ReferencedSOPInstanceUID = plan.SOPInstanceUID
    ds.ReferencedRTPlanSequence = Sequence([ref])
    ds.ReferencedFractionGroupNumber = 1
    ds.InstanceNumber = fraction
    machine = Dataset()
    machine.TreatmentMachineName = "TrueBeam1"
    machine.Manufacturer = "Varian Medical Systems"
    ds.TreatmentMachineSequence = Sequence([machine])
    ds.NumberOfFractionsPlanned = plan.FractionGroupSequence[0].NumberOfFractionsPlanned
    ds.PrimaryDosimeterUnit = "MU"
    return ds


def _termination(item: Dataset, cut: Interruption | None) -> None:
    """Termination as the current standard codes it (a machine-specific code sequence);
    ``legacy`` writes the retired Treatment Termination Code string that older systems use."""
    item.TreatmentTerminationStatus = cut.status if cut else "NORMAL"
    if cut and cut.legacy:
        item.TreatmentTerminationCode = cut.code
    elif cut:
        code = Dataset()
        code.CodeValue = cut.code
        code.CodingSchemeDesignator = "99TRUEBEAM"
        code.CodeMeaning = cut.code.title()
        item.MachineSpecificTreatmentTerminationCodeSequence = Sequence([code])
    if cut and cut.reason:
        item.TreatmentTerminationDescription = cut.reason
    item.TreatmentVerificationStatus = "VERIFIED"


def _meterset(plan: Dataset, beam_number: int) -> float:
    for ref in plan.FractionGroupSequence[0].ReferencedBeamSequence:
        if int(ref.ReferencedBeamNumber) == beam_number:
            return float(ref.BeamMeterset)
    raise KeyError(beam_number)


def _delivered_points(beam: Dataset, mu: float, stop_mu: float, *, ion: bool) -> list[Dataset]:
    """The plan's control points as delivered up to ``stop_mu`` (inherited values omitted)."""
    points = []
    plan_points = beam.IonControlPointSequence if ion else beam.ControlPointSequence
    final = float(beam.FinalCumulativeMetersetWeight)
    for index, cp in enumerate(plan_points):
        specified = float(cp.CumulativeMetersetWeight) / final * mu
        if specified > stop_mu + 1e-9:
            break
        item = Dataset()
        item.ReferencedControlPointIndex = index
        item.TreatmentControlPointDate = "20240315"
        item.TreatmentControlPointTime = f"0915{index % 60:02d}"
        item.SpecifiedMeterset = round(specified, 4)
        item.DeliveredMeterset = round(specified - 0.02 if index else 0.0, 4)
        for keyword in ("NominalBeamEnergy", "GantryAngle", "GantryRotationDirection",
                        "BeamLimitingDeviceAngle", "PatientSupportAngle",
                        "BeamLimitingDevicePositionSequence"):
            if keyword in cp:
                setattr(item, keyword, cp[keyword].value)
        if not ion:
            item.DoseRateDelivered = 600
        elif "ScanSpotMetersetWeights" in cp:
            item.ScanSpotPositionMap = cp.ScanSpotPositionMap
            item.ScanSpotMetersetsDelivered = [
                float(w) / final * mu for w in cp.ScanSpotMetersetWeights]
        points.append(item)
    return points


def _quiet(build: Callable[..., Dataset]) -> Callable[..., Dataset]:
    """Build with pydicom's warnings off: the brachy plans' 'UNKNOWN' UIDs are copied into
    the record on purpose (the reader must report them, the factory must not fail)."""
    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> Dataset:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return build(*args, **kwargs)
    return wrapper


@_quiet
def beams_record(plan_path: Path, *, fraction: int = 3, interrupt: Interruption | None = None,
                 ion: bool = False) -> Dataset:
    """An RT (Ion) Beams Treatment Record delivering every TREATMENT beam of the plan."""
    plan = _read_plan(plan_path)
    ds = _header(plan, ION_BEAMS_RECORD if ion else BEAMS_RECORD, fraction=fraction)
    treated = []
    for beam in plan.IonBeamSequence if ion else plan.BeamSequence:
        if beam.TreatmentDeliveryType != "TREATMENT":
            continue
        number = int(beam.BeamNumber)
        mu = _meterset(plan, number)
        cut = interrupt if interrupt and interrupt.number == number else None
        delivered = mu * cut.fraction_delivered if cut else mu
        item = Dataset()
        item.ReferencedBeamNumber = number
        item.BeamName = beam.BeamName
        item.BeamType = beam.BeamType
        item.RadiationType = beam.RadiationType
        item.TreatmentDeliveryType = "TREATMENT"
        item.ReferencedPatientSetupNumber = beam.get("ReferencedPatientSetupNumber", 1)
        for count in ("NumberOfWedges", "NumberOfCompensators", "NumberOfBoli",
                      "NumberOfBlocks"):
            setattr(item, count, beam.get(count, 0))
        item.CurrentFractionNumber = fraction
        item.SpecifiedPrimaryMeterset = round(mu, 4)
        item.DeliveredPrimaryMeterset = round(delivered, 4)
        item.SpecifiedTreatmentTime = round(mu / 600 * 60, 2)
        item.DeliveredTreatmentTime = round(delivered / 600 * 60, 2)
        _termination(item, cut)
        points = _delivered_points(beam, mu, delivered, ion=ion)
        item.NumberOfControlPoints = len(points)
        key = "IonControlPointDeliverySequence" if ion else "ControlPointDeliverySequence"
        setattr(item, key, Sequence(points))
        treated.append(item)
    key = "TreatmentSessionIonBeamSequence" if ion else "TreatmentSessionBeamSequence"
    setattr(ds, key, Sequence(treated))
    return ds


@_quiet
def brachy_record(plan_path: Path, *, fraction: int = 1,
                  interrupt: Interruption | None = None) -> Dataset:
    """An RT Brachy Treatment Record delivering every channel of the plan."""
    plan = _read_plan(plan_path)
    ds = _header(plan, BRACHY_RECORD, fraction=fraction)
    setups = []
    for setup in plan.ApplicationSetupSequence:
        item = Dataset()
        item.ApplicationSetupType = setup.ApplicationSetupType
        item.ReferencedBrachyApplicationSetupNumber = setup.ApplicationSetupNumber
        item.TotalReferenceAirKerma = setup.TotalReferenceAirKerma
        item.TreatmentDeliveryType = "TREATMENT"
        item.CurrentFractionNumber = fraction
        channels = [_recorded_channel(c, interrupt) for c in setup.ChannelSequence]
        cut = interrupt if interrupt and any(
            int(c.ChannelNumber) == interrupt.number for c in setup.ChannelSequence) else None
        _termination(item, cut)
        item.RecordedChannelSequence = Sequence(channels)
        setups.append(item)
    ds.TreatmentSessionApplicationSetupSequence = Sequence(setups)
    ds.BrachyTreatmentTechnique = plan.BrachyTreatmentTechnique
    ds.BrachyTreatmentType = plan.BrachyTreatmentType
    sources = []
    for planned in plan.SourceSequence:
        source = Dataset()
        for keyword in ("SourceNumber", "SourceType", "SourceManufacturer", "SourceIsotopeName",
                        "SourceIsotopeHalfLife", "ReferenceAirKermaRate",
                        "SourceStrengthReferenceDate", "SourceStrengthReferenceTime"):
            setattr(source, keyword, planned.get(keyword, ""))
        source.SourceSerialNumber = "SN-0042"
        sources.append(source)
    ds.RecordedSourceSequence = Sequence(sources)
    return ds


def _recorded_channel(channel: Dataset, interrupt: Interruption | None) -> Dataset:
    total = float(channel.ChannelTotalTime)
    cut = interrupt if interrupt and interrupt.number == int(channel.ChannelNumber) else None
    item = Dataset()
    item.ChannelNumber = channel.ChannelNumber
    item.ChannelLength = channel.ChannelLength
    item.NumberOfControlPoints = channel.NumberOfControlPoints
    item.TransferTubeNumber = channel.get("TransferTubeNumber")
    item.SpecifiedChannelTotalTime = f"{total:.1f}"
    item.DeliveredChannelTotalTime = f"{total * cut.fraction_delivered:.1f}" if cut \
        else f"{total:.1f}"
    item.SourceMovementType = channel.SourceMovementType
    item.ReferencedSourceNumber = channel.get("ReferencedSourceNumber", 1)
    applicator = Dataset()
    applicator.ReferencedSourceApplicatorNumber = 1
    applicator.SourceApplicatorID = channel.SourceApplicatorID
    item.RecordedSourceApplicatorSequence = Sequence([applicator])
    delivered = []
    for cp in channel.BrachyControlPointSequence:
        point = Dataset()
        point.ReferencedControlPointIndex = cp.ControlPointIndex
        point.TreatmentControlPointDate = "20240315"
        point.TreatmentControlPointTime = "091500"
        point.ControlPointRelativePosition = cp.ControlPointRelativePosition
        delivered.append(point)
    item.BrachyControlPointDeliveredSequence = Sequence(delivered)
    return item


def _read_plan(path: Path) -> Dataset:
    """The plan as pydicom reads it, its values decoded now (the brachy plans' invalid
    'UNKNOWN' UIDs make pydicom warn; that is the reader's business, not the factory's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path, force=True)
        str(ds)  # decode every value while warnings are ignored
    return ds


def write(ds: Dataset, path: Path) -> Path:
    """Save ``ds`` as a DICOM file with file meta (Explicit VR Little Endian)."""
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'UNKNOWN' UIDs copied from the brachy plans
        ds.save_as(path, enforce_file_format=True)
    return path
