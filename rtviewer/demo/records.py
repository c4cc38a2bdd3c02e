"""RT Beams Treatment Records: one per delivered session of a plan.

The conformal thorax plan: five fractions on consecutive weekdays; fraction 3 is
interrupted during beam 4 (operator beam hold: the patient coughed) and completed in a
second session the same day, which delivers the rest of beam 4 and beams 5-6. The
prostate VMAT plan: its first week, every arc recorded control point by control point.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import RTBeamsTreatmentRecordStorage, RTPlanStorage

from rtviewer.demo.beams import PlannedBeam
from rtviewer.demo.rtplan import MACHINE, wedge_items
from rtviewer.demo.writer import (
    Patient,
    Series,
    new_dataset,
    sequence_item,
    set_decimal_strings,
    text_item,
    write_dataset,
)

__all__ = ["BeamDelivery", "Session", "control_point_seconds", "daily_sessions", "plan_sessions",
           "write_beams_record"]

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


def daily_sessions(beams: list[PlannedBeam], beam_mu: tuple[float, ...],
                   dates: tuple[str, ...], time: str) -> list[Session]:
    """One uninterrupted session per date (fractions 1, 2, ...), every beam as planned."""
    full = tuple(BeamDelivery(b, round(mu, 1), round(mu, 1))
                 for b, mu in zip(beams, beam_mu, strict=True))
    return [Session(n, date, time, full) for n, date in enumerate(dates, start=1)]


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


#: Dose rate set (MU/min) and the fastest gantry rotation (°/s) of the demo linac.
DOSE_RATE_MU_PER_MIN = 600
GANTRY_SPEED_DEG_PER_S = 6.0


def _clock(start: str, seconds: float) -> str:
    """The DICOM TM ``seconds`` after ``start`` (HHMMSS), to 0.1 s."""
    h, m, s = int(start[:2]), int(start[2:4]), int(start[4:6])
    tenths = int(round((h * 3600 + m * 60 + s + seconds) * 10))
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    return f"{h:02d}{m:02d}{rest // 10:02d}.{rest % 10}"


def control_point_seconds(beam: PlannedBeam, mu: float) -> list[float]:
    """Seconds from beam on to each control point of a full delivery of ``mu`` MU.

    Each interval lasts as long as its slower axis needs: its MU at the set dose rate,
    or its gantry travel at the fastest rotation (which limits most VMAT arcs).
    """
    weights = np.asarray(beam.cumulative_weight)
    seconds = np.diff(weights) * mu / (DOSE_RATE_MU_PER_MIN / 60.0)
    if beam.is_arc:
        travel = np.abs((np.diff(beam.gantry_deg) + 180.0) % 360.0 - 180.0)
        seconds = np.maximum(seconds, travel / GANTRY_SPEED_DEG_PER_S)
    return [0.0, *np.cumsum(seconds).tolist()]


def _first_control_point(d: BeamDelivery, session: Session, time: str) -> Dataset:
    ap = d.beam.apertures[0]
    devices = [
        sequence_item(RTBeamLimitingDeviceType="ASYMX", LeafJawPositions=list(ap.jaw_x_mm)),
        sequence_item(RTBeamLimitingDeviceType="ASYMY", LeafJawPositions=list(ap.jaw_y_mm)),
        sequence_item(RTBeamLimitingDeviceType="MLCX", LeafJawPositions=ap.leaf_jaw_positions()),
    ]
    return sequence_item(
        ReferencedControlPointIndex=0, TreatmentControlPointDate=session.date,
        TreatmentControlPointTime=time, SpecifiedMeterset=0.0, DeliveredMeterset=0.0,
        DoseRateSet=DOSE_RATE_MU_PER_MIN, DoseRateDelivered=DOSE_RATE_MU_PER_MIN,
        NominalBeamEnergyUnit="MV", NominalBeamEnergy=6,
        GantryAngle=d.beam.gantry_deg[0],
        GantryRotationDirection=d.beam.rotation if d.beam.is_arc else "NONE",
        BeamLimitingDeviceAngle=d.beam.collimator_deg, BeamLimitingDeviceRotationDirection="NONE",
        PatientSupportAngle=0.0, PatientSupportRotationDirection="NONE",
        TableTopEccentricAngle=0.0, TableTopEccentricRotationDirection="NONE",
        TableTopVerticalPosition=-150.0, TableTopLongitudinalPosition=900.0,
        TableTopLateralPosition=0.0, BeamLimitingDevicePositionSequence=devices)


def _control_points(d: BeamDelivery, session: Session, start_s: float) -> list[Dataset]:
    """The delivered control points, stamped from ``start_s`` after the session time.

    A static beam records its two control points; an arc every control point, with the
    gantry angle and leaf positions it passed through.
    """
    seconds = [start_s + t for t in control_point_seconds(d.beam, d.delivered_mu)]
    points = [_first_control_point(d, session, _clock(session.time, seconds[0]))]
    last = len(d.beam.gantry_deg) - 1
    for i in range(1, last + 1):
        mu = (d.beam.cumulative_weight[i] - d.beam.cumulative_weight[i - 1]) * d.delivered_mu
        last_cp = i == last
        arc = {"GantryAngle": d.beam.gantry_deg[i],
               "GantryRotationDirection": "NONE" if last_cp else d.beam.rotation
               } if d.beam.is_arc else {}
        cp = text_item(
            ReferencedControlPointIndex=i, TreatmentControlPointDate=session.date,
            TreatmentControlPointTime=_clock(session.time, seconds[i]),
            SpecifiedMeterset=d.specified_mu if last_cp else
            round(d.beam.cumulative_weight[i] * d.specified_mu, 2),
            DeliveredMeterset=d.delivered_mu if last_cp else
            round(d.beam.cumulative_weight[i] * d.delivered_mu, 2),
            DoseRateSet=DOSE_RATE_MU_PER_MIN,
            # the mean rate over the interval ending here (an arc slows it to the gantry)
            DoseRateDelivered=round(60.0 * mu / max(seconds[i] - seconds[i - 1], 1e-6), 1),
            **arc)
        if d.beam.is_arc:
            mlc = text_item(RTBeamLimitingDeviceType="MLCX")
            set_decimal_strings(mlc, "LeafJawPositions",
                                d.beam.apertures[i].leaf_jaw_positions(), decimals=1)
            cp.BeamLimitingDevicePositionSequence = [mlc]
        points.append(cp)
    return points


# Treatment Verification Status (Type 2) is left empty: dicom3tools 1.00 (Debian 12)
# rejects the standard's "VERIFIED" as an unknown enumerated value.


#: Between two beams of a session: the gantry moves, the leaves take the next field (s).
BEAM_CHANGE_S = 40.0


def _beam_session(d: BeamDelivery, session: Session, start_s: float) -> Dataset:
    item = sequence_item(
        ReferencedBeamNumber=d.beam.number, BeamName=d.beam.name,
        BeamType="DYNAMIC" if d.beam.is_arc else "STATIC",
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
        NumberOfControlPoints=len(d.beam.gantry_deg),
        ControlPointDeliverySequence=_control_points(d, session, start_s))
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
    items, start_s = [], 0.0
    for d in session.deliveries:
        items.append(_beam_session(d, session, start_s))
        start_s += control_point_seconds(d.beam, d.delivered_mu)[-1] + BEAM_CHANGE_S
    ds.TreatmentSessionBeamSequence = items
    return write_dataset(ds, out_dir)
