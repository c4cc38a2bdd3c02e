"""RT Plans as the viewer understands them: external beam, ion and brachytherapy.

All positions are DICOM patient coordinates (LPS) in mm, angles in degrees
(IEC 61217), doses in Gy, metersets in the plan's Primary Dosimeter Unit (MU).
Ion-specific parts live in :mod:`rtviewer.model.ion`, brachytherapy parts in
:mod:`rtviewer.model.brachy`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rtviewer.model.arrays import FloatArray
from rtviewer.model.beam import (
    Applicator,
    Beam,
    BeamLimitingDevice,
    BeamType,
    Block,
    Compensator,
    ControlPoint,
    DevicePosition,
    RadiationType,
    RotationDirection,
    TreatmentDeliveryType,
    Wedge,
    frozen_array,
)
from rtviewer.model.findings import Finding

if TYPE_CHECKING:
    from rtviewer.model.brachy import BrachyTreatment

__all__ = [
    "frozen_array", "PlanKind", "BeamType", "TreatmentDeliveryType", "RadiationType",
    "RotationDirection", "DoseReferenceType", "DoseReferenceStructureType",
    "PatientSetup", "DoseReference", "ReferencedBeam", "ReferencedBrachySetup",
    "FractionGroupDoseReference", "FractionGroup", "Prescription", "ToleranceTable",
    "BeamLimitingDevice",
    "DevicePosition",
    "ControlPoint", "Wedge", "Block", "Applicator", "Compensator", "Beam", "Plan",
]


class PlanKind(enum.Enum):
    """Which kind of treatment an RT Plan describes."""

    EXTERNAL = "external beam"
    ION = "ion beam"
    BRACHY = "brachytherapy"


class DoseReferenceType(enum.Enum):
    """Dose Reference Type (300A,0020)."""

    TARGET = "TARGET"
    ORGAN_AT_RISK = "ORGAN_AT_RISK"


class DoseReferenceStructureType(enum.Enum):
    """Dose Reference Structure Type (300A,0014)."""

    POINT = "POINT"
    VOLUME = "VOLUME"
    COORDINATES = "COORDINATES"
    SITE = "SITE"


@dataclass(frozen=True)
class PatientSetup:
    """One Patient Setup item: how the patient lies for the beams that reference it."""

    setup_number: int | None
    patient_position: str | None
    setup_technique: str | None = None
    label: str | None = None


@dataclass(frozen=True, eq=False)
class DoseReference:
    """A dose reference (target, organ at risk, reference point); doses in Gy.

    ``point_mm`` is the Dose Reference Point Coordinates ``(x, y, z)`` when present.
    """

    number: int | None
    uid: str | None
    structure_type: DoseReferenceStructureType | None
    reference_type: DoseReferenceType | None
    description: str | None = None
    point_mm: FloatArray | None = None
    referenced_roi_number: int | None = None
    target_prescription_dose_gy: float | None = None
    target_minimum_dose_gy: float | None = None
    target_maximum_dose_gy: float | None = None
    delivery_maximum_dose_gy: float | None = None
    delivery_warning_dose_gy: float | None = None
    organ_at_risk_maximum_dose_gy: float | None = None
    organ_at_risk_full_volume_dose_gy: float | None = None
    organ_at_risk_limit_dose_gy: float | None = None
    raw_reference_type: str | None = None


@dataclass(frozen=True, eq=False)
class ReferencedBeam:
    """A beam of a fraction group: its meterset (MU per fraction) and beam dose (Gy)."""

    beam_number: int
    meterset: float | None
    beam_dose_gy: float | None
    dose_specification_point_mm: FloatArray | None = None
    beam_dose_type: str | None = None


@dataclass(frozen=True, eq=False)
class ReferencedBrachySetup:
    """A brachy application setup of a fraction group and its dose (Gy) at its point."""

    setup_number: int
    dose_gy: float | None
    dose_specification_point_mm: FloatArray | None = None


@dataclass(frozen=True)
class FractionGroupDoseReference:
    """A fraction group's own doses for one dose reference (Gy, for this group)."""

    dose_reference_number: int
    target_prescription_dose_gy: float | None = None
    delivery_maximum_dose_gy: float | None = None


@dataclass(frozen=True)
class FractionGroup:
    """A fraction group: fractions planned and the beams / setups delivered each fraction."""

    number: int | None
    fractions_planned: int | None
    referenced_beams: tuple[ReferencedBeam, ...] = ()
    referenced_brachy_setups: tuple[ReferencedBrachySetup, ...] = ()
    description: str | None = None
    dose_references: tuple[FractionGroupDoseReference, ...] = ()

    def referenced_beam(self, beam_number: int) -> ReferencedBeam | None:
        """The fraction group's entry for ``beam_number``, or ``None``."""
        return next((b for b in self.referenced_beams if b.beam_number == beam_number), None)


@dataclass(frozen=True)
class Prescription:
    """The prescription dose the viewer uses (Gy per plan, never scaled by fractions).

    ``source`` says where it came from (attribute and dose reference) or that
    there is none and the user must set it.
    """

    dose_gy: float | None
    source: str
    dose_reference_number: int | None = None


@dataclass(frozen=True)
class ToleranceTable:
    """A Tolerance Table Sequence item (300A,0040): its number and label."""

    number: int | None
    label: str | None


@dataclass(frozen=True, eq=False)
class Plan:
    """An RT Plan or RT Ion Plan of any kind.

    ``beams`` holds :class:`Beam` items (:class:`rtviewer.model.ion.IonBeam` for ion plans);
    ``brachy`` the brachytherapy part when ``kind`` is BRACHY.
    """

    path: str
    sop_class_uid: str | None
    sop_instance_uid: str | None
    kind: PlanKind
    label: str | None
    name: str | None
    description: str | None
    date: dt.date | None
    time: dt.time | None
    intent: str | None
    geometry: str | None
    manufacturer: str | None
    model_name: str | None
    patient_id: str | None
    patient_name: str | None
    study_instance_uid: str | None
    series_instance_uid: str | None
    frame_of_reference_uid: str | None
    approval_status: str | None
    referenced_structure_set_uid: str | None
    patient_setups: tuple[PatientSetup, ...]
    dose_references: tuple[DoseReference, ...]
    fraction_groups: tuple[FractionGroup, ...]
    beams: tuple[Beam, ...]
    prescription: Prescription
    brachy: BrachyTreatment | None = None
    findings: tuple[Finding, ...] = ()
    reviewer_name: str | None = None
    review_date: dt.date | None = None
    review_time: dt.time | None = None
    tolerance_tables: tuple[ToleranceTable, ...] = ()

    def tolerance_table(self, number: int | None) -> ToleranceTable | None:
        """The tolerance table with that number, or ``None``."""
        return next((t for t in self.tolerance_tables if t.number == number), None)

    def beam(self, number: int) -> Beam | None:
        """The beam with Beam Number ``number``, or ``None``."""
        return next((b for b in self.beams if b.number == number), None)

    def patient_setup(self, number: int | None) -> PatientSetup | None:
        """The patient setup with that number, or ``None``."""
        return next((s for s in self.patient_setups if s.setup_number == number), None)

    @property
    def treatment_beams(self) -> tuple[Beam, ...]:
        """Beams whose delivery type is TREATMENT (or unstated)."""
        return tuple(b for b in self.beams if b.delivery_type in
                     (TreatmentDeliveryType.TREATMENT, None))

    @property
    def fractions_planned(self) -> int | None:
        """Number of Fractions Planned of the first fraction group."""
        return self.fraction_groups[0].fractions_planned if self.fraction_groups else None

    @property
    def reference_points(self) -> tuple[DoseReference, ...]:
        """Dose references that carry coordinates."""
        return tuple(d for d in self.dose_references if d.point_mm is not None)
