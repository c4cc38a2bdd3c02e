"""RT Beams Treatment Records: one per delivered session of the conformal plan.

Five fractions on consecutive weekdays; fraction 3 is interrupted during beam 4
(operator beam hold: the patient coughed) and completed in a second session the
same day, which delivers the rest of beam 4 and beams 5-6.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.uid import RTBeamsTreatmentRecordStorage, RTPlanStorage

from rtviewer.demo.beams import PlannedBeam
from rtviewer.demo.rtplan import MACHINE, wedge_items
from rtviewer.demo.writer import Patient, Series, new_dataset, sequence_item, write_dataset

__all__ = ["BeamDelivery", "Session", "plan_sessions", "write_beams_record"]

INTERRUPTION_REASON = "Beam hold by operator: patient coughing"


@dataclass(frozen=True)
class BeamDelivery:
    """One beam's delivery in a session: MU specified and delivered, how it ended."""

    beam: PlannedBeam
    specified_mu: float
    delivered_mu: float
    termination: str = "NORMAL"  # NORMAL, OPERATOR, MACHINE, UNKNOWN


@dataclass(frozen=True)
class Session:
    """One treatment session (one record)."""

    fraction: int
    date: str
    time: str
    deliveries: tuple[BeamDelivery, ...]


def plan_sessions(beams: list[PlannedBeam], beam_mu: tuple[float, ...]) -> list[Session]:
    """The delivered sessions: fractions 1-5, fraction 3 interrupted and resumed."""
    full = [BeamDelivery(b, round(mu, 1), round(mu, 1))
            for b, mu in zip(beams, beam_mu, strict=True)]
    dates = ["20260112", "20260113", "20260114", "20260115", "20260116"]
    sessions = []
    for fraction, date in enumerate(dates, start=1):
        if fraction != 3:
            sessions.append(Session(fraction, date, "091500", tuple(full)))
            continue
        partial = round(full[3].specified_mu * 0.42, 1)
        cut = BeamDelivery(full[3].beam, full[3].specified_mu, partial, "OPERATOR")
        sessions.append(Session(3, date, "091500", (*full[:3], cut)))
        rest = round(full[3].specified_mu - partial, 1)
        resumed = BeamDelivery(full[3].beam, rest, rest)
        sessions.append(Session(3, date, "094000", (resumed, *full[4:])))
    return sessions


def _control_points(d: BeamDelivery, session: Session) -> list[Dataset]:
    ap = d.beam.apertures[0]
    devices = [
        sequence_item(RTBeamLimitingDeviceType="ASYMX", LeafJawPositions=list(ap.jaw_x_mm)),
        sequence_item(RTBeamLimitingDeviceType="ASYMY", LeafJawPositions=list(ap.jaw_y_mm)),
        sequence_item(RTBeamLimitingDeviceType="MLCX", LeafJawPositions=ap.leaf_jaw_positions()),
    ]
    first = sequence_item(
        ReferencedControlPointIndex=0, TreatmentControlPointDate=session.date,
        TreatmentControlPointTime=session.time, SpecifiedMeterset=0.0, DeliveredMeterset=0.0,
        DoseRateSet=600, DoseRateDelivered=600, NominalBeamEnergyUnit="MV", NominalBeamEnergy=6,
        GantryAngle=d.beam.gantry_deg[0], GantryRotationDirection="NONE",
        BeamLimitingDeviceAngle=d.beam.collimator_deg, BeamLimitingDeviceRotationDirection="NONE",
        PatientSupportAngle=0.0, PatientSupportRotationDirection="NONE",
        TableTopEccentricAngle=0.0, TableTopEccentricRotationDirection="NONE",
        TableTopVerticalPosition=-150.0, TableTopLongitudinalPosition=900.0,
        TableTopLateralPosition=0.0, BeamLimitingDevicePositionSequence=devices)
    last = sequence_item(
        ReferencedControlPointIndex=1, TreatmentControlPointDate=session.date,
        TreatmentControlPointTime=session.time, SpecifiedMeterset=d.specified_mu,
        DeliveredMeterset=d.delivered_mu, DoseRateSet=600, DoseRateDelivered=600)
    return [first, last]


# Treatment Verification Status (Type 2) is left empty: dicom3tools 1.00 (Debian 12)
# rejects the standard's "VERIFIED" as an unknown enumerated value.


def _beam_session(d: BeamDelivery, session: Session) -> Dataset:
    item = sequence_item(
        ReferencedBeamNumber=d.beam.number, BeamName=d.beam.name, BeamType="STATIC",
        RadiationType="PHOTON", ReferencedPatientSetupNumber=1,
        NumberOfCompensators=0, NumberOfBoli=0, NumberOfBlocks=0,
        **wedge_items(d.beam, recorded=True),
        BeamLimitingDeviceLeafPairsSequence=[
            sequence_item(RTBeamLimitingDeviceType="ASYMX", NumberOfLeafJawPairs=1),
            sequence_item(RTBeamLimitingDeviceType="ASYMY", NumberOfLeafJawPairs=1),
            sequence_item(RTBeamLimitingDeviceType="MLCX", NumberOfLeafJawPairs=60)],
        CurrentFractionNumber=session.fraction, TreatmentDeliveryType="TREATMENT",
        TreatmentTerminationStatus=d.termination, TreatmentVerificationStatus="",
        SpecifiedPrimaryMeterset=d.specified_mu, DeliveredPrimaryMeterset=d.delivered_mu,
        NumberOfControlPoints=2, ControlPointDeliverySequence=_control_points(d, session))
    if d.termination != "NORMAL":
        item.MachineSpecificTreatmentTerminationCodeSequence = [sequence_item(
            CodeValue="BH-COUGH", CodingSchemeDesignator="99RTVDEMO",
            CodeMeaning=INTERRUPTION_REASON)]
        item.TreatmentTerminationDescription = INTERRUPTION_REASON
    return item


def write_beams_record(session: Session, *, uid: str, plan_uid: str, fractions_planned: int,
                       patient: Patient, series: Series, instance_number: int,
                       out_dir: Path) -> Path:
    """Write the RT Beams Treatment Record of one session."""
    ds = new_dataset(sop_class_uid=RTBeamsTreatmentRecordStorage, sop_instance_uid=uid,
                     patient=patient, series=series, instance_number=instance_number,
                     with_frame_of_reference=False)
    ds.TreatmentDate, ds.TreatmentTime = session.date, session.time
    ds.ReferencedRTPlanSequence = [sequence_item(ReferencedSOPClassUID=RTPlanStorage,
                                                 ReferencedSOPInstanceUID=plan_uid)]
    ds.TreatmentMachineSequence = [sequence_item(
        TreatmentMachineName=MACHINE, Manufacturer="rtviewer demo generator",
        InstitutionName="rtviewer Teaching Hospital", InstitutionAddress="",
        InstitutionalDepartmentName="Radiotherapy", ManufacturerModelName="rtviewer.demo",
        DeviceSerialNumber="0001")]
    ds.ReferencedFractionGroupNumber = 1
    ds.NumberOfFractionsPlanned = fractions_planned
    ds.PrimaryDosimeterUnit = "MU"
    ds.TreatmentSessionBeamSequence = [_beam_session(d, session) for d in session.deliveries]
    return write_dataset(ds, out_dir)
