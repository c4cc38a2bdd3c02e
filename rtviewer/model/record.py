"""RT Treatment Records (RT Beams, RT Ion Beams, RT Brachy): what was delivered.

One record holds one treatment session. Metersets are in the plan's Primary
Dosimeter Unit (MU), times in seconds, angles in degrees (IEC 61217), positions
in mm.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from rtviewer.model.arrays import FloatArray
from rtviewer.model.findings import Finding
from rtviewer.model.plan import (
    BeamType,
    ControlPoint,
    RadiationType,
    TreatmentDeliveryType,
)

__all__ = ["RecordKind", "TerminationStatus", "DeliveredControlPoint", "TreatedBeam",
           "RecordedChannel", "RecordedApplicationSetup", "TreatmentSession",
           "TreatmentRecord"]


class RecordKind(enum.Enum):
    """Which treatment record this is."""

    BEAMS = "RT Beams Treatment Record"
    ION_BEAMS = "RT Ion Beams Treatment Record"
    BRACHY = "RT Brachy Treatment Record"


class TerminationStatus(enum.Enum):
    """Treatment Termination Status (3008,002A)."""

    NORMAL = "NORMAL"
    OPERATOR = "OPERATOR"
    MACHINE = "MACHINE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, eq=False)
class DeliveredControlPoint:
    """One delivered control point.

    ``geometry`` holds the delivered angles, positions and devices, inherited from the
    previous delivered control point when not restated (as in plans); its ``index`` is
    the position in the delivery sequence. ``referenced_control_point_index`` points
    at the plan's control point. ``spot_metersets_delivered`` (ion) is ``(N,)``.
    """

    geometry: ControlPoint
    referenced_control_point_index: int | None
    date_time: dt.datetime | None
    specified_meterset: float | None
    delivered_meterset: float | None
    dose_rate_delivered: float | None = None
    spot_metersets_delivered: FloatArray | None = None


@dataclass(frozen=True)
class TreatedBeam:
    """One beam of the session: specified versus delivered meterset and how it ended."""

    referenced_beam_number: int | None
    name: str | None
    beam_type: BeamType | None
    delivery_type: TreatmentDeliveryType | None
    radiation_type: RadiationType | None
    machine_name: str | None
    current_fraction_number: int | None
    specified_meterset: float | None
    delivered_meterset: float | None
    specified_treatment_time_s: float | None
    delivered_treatment_time_s: float | None
    termination_status: TerminationStatus | None
    termination_code: str | None
    termination_reason: str | None
    verification_status: str | None
    control_points: tuple[DeliveredControlPoint, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def completed(self) -> bool:
        """NORMAL termination with the specified meterset delivered (to 0.1 %).

        A NORMAL beam whose specified or delivered meterset is unstated counts
        as completed: there is nothing to compare.
        """
        if self.termination_status is not TerminationStatus.NORMAL:
            return False
        if self.specified_meterset is None or self.delivered_meterset is None:
            return True
        return self.delivered_meterset >= self.specified_meterset * (1 - 1e-3)

    @property
    def delivered_fraction(self) -> float | None:
        """Delivered / specified meterset, or ``None`` when either is missing or zero."""
        if not self.specified_meterset or self.delivered_meterset is None:
            return None
        return self.delivered_meterset / self.specified_meterset


@dataclass(frozen=True, eq=False)
class RecordedChannel:
    """A brachy channel as delivered; times in s (per pulse for PDR).

    ``delivered_relative_positions_mm`` ``(N,)`` is the Brachy Control Point Delivered
    Sequence (Control Point Relative Position, the standard's content);
    ``delivered_positions_mm`` ``(N, 3)`` and ``delivered_cumulative_time_weights`` ``(N,)``
    only when a writer adds them (older or private practice).
    """

    channel_number: int | None
    specified_total_time_s: float | None
    delivered_total_time_s: float | None
    specified_number_of_pulses: int | None
    delivered_number_of_pulses: int | None
    specified_pulse_repetition_interval_s: float | None
    delivered_pulse_repetition_interval_s: float | None
    referenced_source_number: int | None
    source_applicator_id: str | None
    number_of_control_points: int | None
    delivered_relative_positions_mm: FloatArray | None
    delivered_positions_mm: FloatArray | None
    delivered_cumulative_time_weights: FloatArray | None

    @property
    def time_deficit_s(self) -> float | None:
        """Specified minus delivered channel total time (s)."""
        if self.specified_total_time_s is None or self.delivered_total_time_s is None:
            return None
        return self.specified_total_time_s - self.delivered_total_time_s


@dataclass(frozen=True)
class RecordedApplicationSetup:
    """A brachy application setup as delivered, with its termination status."""

    setup_number: int | None
    setup_type: str | None
    current_fraction_number: int | None
    termination_status: TerminationStatus | None
    termination_code: str | None
    termination_reason: str | None
    verification_status: str | None
    channels: tuple[RecordedChannel, ...]


@dataclass(frozen=True)
class TreatmentSession:
    """The session a record describes: when, which fraction, of how many."""

    date_time: dt.datetime | None
    current_fraction_number: int | None
    number_of_fractions_planned: int | None
    referenced_fraction_group_number: int | None


@dataclass(frozen=True)
class TreatmentRecord:
    """An RT Beams / Ion Beams / Brachy Treatment Record: one session."""

    path: str
    sop_class_uid: str | None
    sop_instance_uid: str | None
    kind: RecordKind
    patient_id: str | None
    patient_name: str | None
    referenced_plan_uid: str | None
    machine_name: str | None
    session: TreatmentSession
    beams: tuple[TreatedBeam, ...] = ()
    application_setups: tuple[RecordedApplicationSetup, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def channels(self) -> tuple[RecordedChannel, ...]:
        """All recorded brachy channels, in file order."""
        return tuple(c for s in self.application_setups for c in s.channels)

    @property
    def interrupted(self) -> bool:
        """Whether the session was interrupted anywhere.

        True when a beam is not :attr:`TreatedBeam.completed` (not NORMAL, or
        short of its meterset) or an application setup ended other than NORMAL.
        """
        beams = any(not b.completed for b in self.beams)
        setups = any(s.termination_status is not TerminationStatus.NORMAL
                     for s in self.application_setups)
        return beams or setups
