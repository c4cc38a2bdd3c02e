"""Read an RT Beams / RT Ion Beams / RT Brachy Treatment Record into a :class:`TreatmentRecord`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.dicom._control_points import control_point_geometry
from rtviewer.dicom.captured import with_warnings_as_findings
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.read_once import once
from rtviewer.dicom.sop_classes import RT_TREATMENT_SUMMARY_RECORD
from rtviewer.dicom.sop_inference import infer_sop_class, missing_sop_class_finding
from rtviewer.dicom.values import (
    Notes,
    coded,
    datetime_of,
    integer,
    items,
    number,
    text,
    vector,
)
from rtviewer.errors import UnsupportedObjectError
from rtviewer.model.kind import Kind
from rtviewer.model.plan import BeamType, RadiationType, TreatmentDeliveryType, frozen_array
from rtviewer.model.record import (
    DeliveredControlPoint,
    RecordedApplicationSetup,
    RecordedChannel,
    RecordKind,
    TerminationStatus,
    TreatedBeam,
    TreatmentRecord,
    TreatmentSession,
)

__all__ = ["read_treatment_record", "RECORD_CLASSES"]

RECORD_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.481.4": RecordKind.BEAMS,
    "1.2.840.10008.5.1.4.1.1.481.9": RecordKind.ION_BEAMS,
    "1.2.840.10008.5.1.4.1.1.481.6": RecordKind.BRACHY,
}
_CONTENT = {
    "TreatmentSessionIonBeamSequence": RecordKind.ION_BEAMS,
    "TreatmentSessionApplicationSetupSequence": RecordKind.BRACHY,
    "TreatmentSessionBeamSequence": RecordKind.BEAMS,
}


def read_treatment_record(path: str | Path) -> TreatmentRecord:
    """Read a treatment record file (one treatment session).

    Parameters
    ----------
    path : str or Path
        The DICOM file.

    Returns
    -------
    TreatmentRecord
        Session date/time and fraction, per beam specified vs delivered meterset and
        termination, or per brachy channel specified vs delivered time.

    Raises
    ------
    NotDicomError, UnreadableFileError
        The file is not DICOM or cannot be parsed.
    UnsupportedObjectError
        The file is not a beams, ion beams or brachy treatment record.
    """
    path = Path(path)
    return once(Kind.RECORD, path, lambda: _read(path))


def _read(path: Path) -> TreatmentRecord:
    """:func:`read_treatment_record` without the read-once cache."""
    ds, read_findings = read_dataset(path)
    notes = Notes(read_findings)
    return with_warnings_as_findings(lambda: _build(ds, path, notes), skip_known=True)


def _kind(ds: Dataset, path: Path, notes: Notes) -> RecordKind:
    sop_class = text(ds, "SOPClassUID", notes)
    by_content = next((kind for key, kind in _CONTENT.items() if key in ds), None)
    if sop_class == RT_TREATMENT_SUMMARY_RECORD:
        raise UnsupportedObjectError("this is an RT Treatment Summary Record (a course "
                                     "summary); only per-session treatment records are read",
                                     path=path)
    by_class = RECORD_CLASSES.get(sop_class or "")
    if by_content is None and by_class is None:
        raise UnsupportedObjectError(f"this is not a treatment record (SOP Class {sop_class}, "
                                     f"Modality {text(ds, 'Modality', notes)})", path=path)
    if not sop_class:
        notes.append(missing_sop_class_finding(infer_sop_class(ds)))
    elif by_class is None:
        notes.add("PRIVATE_SOP_CLASS", f"The SOP Class {sop_class} is not a standard treatment "
                  "record class, but the file holds treatment record content; it is read as "
                  "one.", attribute="SOPClassUID")
    elif by_content is not None and by_content is not by_class:
        notes.add("SOP_CLASS_CONTENT_MISMATCH", f"The SOP Class says {by_class.value} but the "
                  f"content is an {by_content.value}; the content is followed.",
                  attribute="SOPClassUID")
    kind = by_content or by_class
    assert kind is not None
    return kind


def _build(ds: Dataset, path: Path, notes: Notes) -> TreatmentRecord:
    kind = _kind(ds, path, notes)
    machines = items(ds, "TreatmentMachineSequence", notes)
    machine = text(machines[0], "TreatmentMachineName", notes) if machines else None
    beams: tuple[TreatedBeam, ...] = ()
    setups: tuple[RecordedApplicationSetup, ...] = ()
    if kind is RecordKind.BRACHY:
        setups = tuple(_application_setup(s, notes)
                       for s in items(ds, "TreatmentSessionApplicationSetupSequence", notes))
        fractions = [s.current_fraction_number for s in setups]
    else:
        ion = kind is RecordKind.ION_BEAMS
        key = "TreatmentSessionIonBeamSequence" if ion else "TreatmentSessionBeamSequence"
        beams = tuple(_beam(b, machine, notes, ion=ion) for b in items(ds, key, notes))
        fractions = [b.current_fraction_number for b in beams]
    plan_refs = items(ds, "ReferencedRTPlanSequence", notes)
    session = TreatmentSession(
        date_time=datetime_of(ds, "TreatmentDate", "TreatmentTime", notes, "record"),
        current_fraction_number=_one_fraction(fractions, notes),
        number_of_fractions_planned=integer(ds, "NumberOfFractionsPlanned", notes, "record"),
        referenced_fraction_group_number=_fraction_group_number(ds, plan_refs, notes))
    _check_record(ds, session, beams, setups, notes)
    return TreatmentRecord(
        path=str(path), sop_class_uid=text(ds, "SOPClassUID", notes),
        sop_instance_uid=text(ds, "SOPInstanceUID", notes), kind=kind,
        patient_id=text(ds, "PatientID", notes), patient_name=text(ds, "PatientName", notes),
        referenced_plan_uid=text(plan_refs[0], "ReferencedSOPInstanceUID", notes) if plan_refs
        else None, machine_name=machine, session=session, beams=beams,
        application_setups=setups, findings=tuple(notes))


def _fraction_group_number(ds: Dataset, plan_refs: list[Dataset], notes: Notes) -> int | None:
    """Referenced Fraction Group Number, top level or in the Referenced RT Plan item.

    The session record modules put it at the top level; some writers put it inside
    the Referenced RT Plan Sequence item, as RT Dose does.
    """
    number_ = integer(ds, "ReferencedFractionGroupNumber", notes, "record")
    if number_ is None and plan_refs:
        number_ = integer(plan_refs[0], "ReferencedFractionGroupNumber", notes, "record")
    return number_


def _one_fraction(fractions: list[int | None], notes: Notes) -> int | None:
    stated = sorted({f for f in fractions if f is not None})
    if len(stated) > 1:
        notes.add("SEVERAL_FRACTION_NUMBERS", f"The record's beams state different Current "
                  f"Fraction Numbers {stated}; the first is shown as the session's.",
                  attribute="CurrentFractionNumber")
    return next((f for f in fractions if f is not None), None)


class _Termination(NamedTuple):
    termination_status: TerminationStatus | None
    termination_code: str | None
    termination_reason: str | None
    verification_status: str | None


def _termination(item: Dataset, notes: Notes, where: str) -> _Termination:
    status = coded(TerminationStatus, item, "TreatmentTerminationStatus", notes, where)
    if status is None:
        notes.add("NO_TERMINATION_STATUS", f"{where} has no usable Treatment Termination "
                  "Status: whether it was completed is unknown.",
                  attribute="TreatmentTerminationStatus")
    # Treatment Termination Code (retired) or its coded successors.
    machine_codes = items(item, "MachineSpecificTreatmentTerminationCodeSequence", notes)
    reasons = items(item, "RTTreatmentTerminationReasonCodeSequence", notes)
    code = text(item, "TreatmentTerminationCode", notes) or (
        text(machine_codes[0], "CodeValue", notes) if machine_codes else None)
    reason = text(item, "TreatmentTerminationDescription", notes) or (
        text(reasons[0], "CodeMeaning", notes) if reasons else None) or (
        text(machine_codes[0], "CodeMeaning", notes) if machine_codes else None)
    return _Termination(status, code, reason, text(item, "TreatmentVerificationStatus", notes))


def _beam(item: Dataset, record_machine: str | None, notes: Notes, *, ion: bool) -> TreatedBeam:
    number_ = integer(item, "ReferencedBeamNumber", notes, "treated beam")
    where = f"treated beam {number_}"
    beam_notes = Notes()
    cp_key = "IonControlPointDeliverySequence" if ion else "ControlPointDeliverySequence"
    cp_items = items(item, cp_key, notes)
    geometry = control_point_geometry(cp_items, beam_notes, where, ion=ion)
    points = tuple(
        DeliveredControlPoint(
            geometry=g,
            referenced_control_point_index=integer(cp, "ReferencedControlPointIndex",
                                                   beam_notes, where),
            date_time=datetime_of(cp, "TreatmentControlPointDate", "TreatmentControlPointTime",
                                  beam_notes, where),
            specified_meterset=number(cp, "SpecifiedMeterset", beam_notes, where),
            delivered_meterset=number(cp, "DeliveredMeterset", beam_notes, where),
            dose_rate_delivered=number(cp, "DoseRateDelivered", beam_notes, where),
            spot_metersets_delivered=vector(cp, "ScanSpotMetersetsDelivered", beam_notes,
                                            where) if ion else None)
        for cp, g in zip(cp_items, geometry, strict=True))
    beam = TreatedBeam(
        referenced_beam_number=number_, name=text(item, "BeamName", notes),
        beam_type=coded(BeamType, item, "BeamType", beam_notes, where),
        delivery_type=coded(TreatmentDeliveryType, item, "TreatmentDeliveryType", beam_notes,
                            where),
        radiation_type=coded(RadiationType, item, "RadiationType", beam_notes, where),
        machine_name=text(item, "TreatmentMachineName", notes) or record_machine,
        current_fraction_number=integer(item, "CurrentFractionNumber", beam_notes, where),
        specified_meterset=number(item, "SpecifiedPrimaryMeterset", beam_notes, where),
        delivered_meterset=number(item, "DeliveredPrimaryMeterset", beam_notes, where),
        specified_treatment_time_s=number(item, "SpecifiedTreatmentTime", beam_notes, where),
        delivered_treatment_time_s=number(item, "DeliveredTreatmentTime", beam_notes, where),
        control_points=points, **_termination(item, beam_notes, where)._asdict())
    _check_beam(beam, beam_notes, where)
    notes.extend(beam_notes)
    return replace(beam, findings=tuple(beam_notes))


def _check_beam(beam: TreatedBeam, notes: Notes, where: str) -> None:
    if beam.termination_status is not None and beam.termination_status is not \
            TerminationStatus.NORMAL:
        code = f" (code {beam.termination_code})" if beam.termination_code else ""
        notes.add("BEAM_INTERRUPTED", f"{where} ('{beam.name}') ended "
                  f"{beam.termination_status.value}{code}: {beam.delivered_meterset} of "
                  f"{beam.specified_meterset} MU delivered.",
                  attribute="TreatmentTerminationStatus")
    elif beam.delivered_fraction is not None and abs(beam.delivered_fraction - 1) > 1e-3:
        notes.add("METERSET_DIFFERS", f"{where} ('{beam.name}') ended NORMAL but delivered "
                  f"{beam.delivered_meterset} of {beam.specified_meterset} MU.",
                  attribute="DeliveredPrimaryMeterset")


def _application_setup(item: Dataset, notes: Notes) -> RecordedApplicationSetup:
    number_ = integer(item, "ReferencedBrachyApplicationSetupNumber", notes, "setup")
    if number_ is None:  # older writers
        number_ = integer(item, "ApplicationSetupNumber", notes, "setup")
    where = f"recorded application setup {number_}"
    setup = RecordedApplicationSetup(
        setup_number=number_, setup_type=text(item, "ApplicationSetupType", notes),
        current_fraction_number=integer(item, "CurrentFractionNumber", notes, where),
        channels=tuple(_channel(c, notes, where)
                       for c in items(item, "RecordedChannelSequence", notes)),
        **_termination(item, notes, where)._asdict())
    if setup.termination_status not in (TerminationStatus.NORMAL, None):
        short = [f"channel {c.channel_number}: {c.delivered_total_time_s} of "
                 f"{c.specified_total_time_s} s" for c in setup.channels
                 if c.time_deficit_s is not None and c.time_deficit_s > 1e-3]
        notes.add("SETUP_INTERRUPTED", f"{where} ended {setup.termination_status.value}"
                  f" ({setup.termination_code or 'no code'}); " + ("; ".join(short) or
                                                                  "no channel short"),
                  attribute="TreatmentTerminationStatus")
    return setup


def _channel(item: Dataset, notes: Notes, setup_where: str) -> RecordedChannel:
    number_ = integer(item, "ChannelNumber", notes, setup_where)
    if number_ is None:
        number_ = integer(item, "ReferencedChannelNumber", notes, setup_where)
    where = f"{setup_where}, channel {number_}"
    cps = items(item, "BrachyControlPointDeliveredSequence", notes)
    applicators = items(item, "RecordedSourceApplicatorSequence", notes)
    return RecordedChannel(
        channel_number=number_,
        specified_total_time_s=number(item, "SpecifiedChannelTotalTime", notes, where),
        delivered_total_time_s=number(item, "DeliveredChannelTotalTime", notes, where),
        specified_number_of_pulses=integer(item, "SpecifiedNumberOfPulses", notes, where),
        delivered_number_of_pulses=integer(item, "DeliveredNumberOfPulses", notes, where),
        specified_pulse_repetition_interval_s=number(item, "SpecifiedPulseRepetitionInterval",
                                                     notes, where),
        delivered_pulse_repetition_interval_s=number(item, "DeliveredPulseRepetitionInterval",
                                                     notes, where),
        referenced_source_number=integer(item, "ReferencedSourceNumber", notes, where),
        source_applicator_id=text(applicators[0], "SourceApplicatorID", notes) if applicators
        else None,
        number_of_control_points=integer(item, "NumberOfControlPoints", notes, where),
        delivered_relative_positions_mm=_all_or_none(
            [number(cp, "ControlPointRelativePosition", notes, where) for cp in cps], 1),
        delivered_positions_mm=_all_or_none(
            [vector(cp, "ControlPoint3DPosition", notes, where, 3) for cp in cps], 2),
        delivered_cumulative_time_weights=_all_or_none(
            [number(cp, "CumulativeTimeWeight", notes, where) for cp in cps], 1))


def _all_or_none(values: list[Any], ndim: int) -> NDArray[np.float64] | None:
    """A read-only array when every control point has the value, else None."""
    if not values or any(v is None for v in values):
        return None
    return frozen_array(values, ndim=ndim)


def _check_record(ds: Dataset, session: TreatmentSession, beams: tuple[TreatedBeam, ...],
                  setups: tuple[RecordedApplicationSetup, ...], notes: Notes) -> None:
    if session.date_time is None:
        notes.add("NO_TREATMENT_DATE", "The record has no Treatment Date: when the session "
                  "took place is unknown.", attribute="TreatmentDate")
    if not items(ds, "ReferencedRTPlanSequence", notes):
        notes.add("NO_REFERENCED_PLAN", "The record does not reference its RT Plan.",
                  attribute="ReferencedRTPlanSequence")
    if not beams and not setups:
        notes.add("EMPTY_RECORD", "The record holds no treated beam or application setup.")
    planned, current = session.number_of_fractions_planned, session.current_fraction_number
    if planned is not None and current is not None and current > planned:
        notes.add("FRACTION_BEYOND_PLAN", f"Current Fraction Number {current} exceeds the "
                  f"{planned} fractions planned.", attribute="CurrentFractionNumber")
