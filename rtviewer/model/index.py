"""What a scanned folder holds: patients, studies, series (one per volume), instances.

Plain, immutable data produced by :func:`rtviewer.dicom.scan.scan`. Every path is
absolute; files are identified by path, never by SOP Instance UID (two corpus files
may share one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rtviewer.model.findings import Finding
from rtviewer.model.kind import Kind

__all__ = [
    "REFERENCE_KINDS",
    "Reference",
    "Instance",
    "Series",
    "Study",
    "Patient",
    "SkippedFile",
    "Problem",
    "ScanResult",
]

#: The kinds of object an instance may reference.
REFERENCE_KINDS: tuple[str, ...] = (
    "rtplan", "rtstruct", "rtdose", "image_series", "frame_of_reference", "beam",
)


@dataclass(frozen=True)
class Reference:
    """One reference from an instance to another object, resolved within the scanned root.

    Parameters
    ----------
    kind : str
        One of :data:`REFERENCE_KINDS`.
    uid : str
        The referenced UID: SOP Instance UID (rtplan, rtstruct, rtdose), Series Instance
        UID (image_series), Frame of Reference UID, or ``<plan SOP Instance UID>#<Beam
        Number>`` for a beam.
    resolved : bool
        Whether the object was found anywhere under the scanned root (any patient).
        An image series is resolved when at least one of its instances was found.
    path : Path or None
        The file found (for a series or Frame of Reference: its first instance); None
        when unresolved.
    referenced_instance_count, missing_instance_count : int or None
        For ``image_series`` only: the distinct image instances the structure set names
        (Contour Image Sequence) and how many of them are not under the root.
    """

    kind: str
    uid: str
    resolved: bool
    path: Path | None = None
    referenced_instance_count: int | None = None
    missing_instance_count: int | None = None


@dataclass(frozen=True)
class Instance:
    """One DICOM file (one SOP instance) found by the scan.

    Parameters
    ----------
    path : Path
        Absolute path of the file.
    sop_class_uid, sop_class_name : str
        The SOP Class and its name.
    kind : Kind
        rtviewer's kind of object (by SOP Class: :mod:`rtviewer.dicom.sop_classes`).
    sop_instance_uid : str
    modality : str or None
    summary : str or None
        One line a physicist recognises (e.g. ROI count, beams and fractions).
    frame_of_reference_uid : str or None
    instance_number : int or None
    image_position_mm : tuple of float or None
        Image Position (Patient) (x, y, z) in mm, single-frame images only.
    references : tuple of Reference
    findings : tuple of Finding
        Warnings on this file (pydicom's, duplicate UIDs, missing file meta, ...).
    """

    path: Path
    sop_class_uid: str
    sop_class_name: str
    kind: Kind
    sop_instance_uid: str
    modality: str | None
    summary: str | None = None
    frame_of_reference_uid: str | None = None
    instance_number: int | None = None
    image_position_mm: tuple[float, float, float] | None = None
    references: tuple[Reference, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Series:
    """One volume of a series: split entries repeat the UID with increasing ``volume_index``."""

    series_instance_uid: str | None
    volume_index: int
    modality: str | None
    series_number: int | None
    series_description: str | None
    frame_of_reference_uid: str | None
    instances: tuple[Instance, ...]
    findings: tuple[Finding, ...] = ()

    @property
    def instance_count(self) -> int:
        """The number of instances (files) in this volume."""
        return len(self.instances)


@dataclass(frozen=True)
class Study:
    """A study of one patient."""

    study_instance_uid: str | None
    study_description: str | None
    study_date: str | None
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Patient:
    """A patient, keyed by (Patient ID, Patient Name without trailing ``^`` and spaces)."""

    patient_id: str | None
    patient_name: str | None
    studies: tuple[Study, ...]


@dataclass(frozen=True)
class SkippedFile:
    """A file that is not a DICOM object to show (not DICOM, empty, DICOMDIR, FIFO, ...)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Problem:
    """A DICOM file that cannot be used (truncated, unparseable, no SOP Instance UID...)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class ScanResult:
    """Everything found under ``root``; every file is in exactly one of the three lists.

    Parameters
    ----------
    root : Path
        The absolute scanned folder (or the folder of a scanned file).
    patients : tuple of Patient
    skipped : tuple of SkippedFile
    problems : tuple of Problem
    cancelled : bool
        True when the user cancelled: the result then holds only what was read.
    """

    root: Path
    patients: tuple[Patient, ...]
    skipped: tuple[SkippedFile, ...]
    problems: tuple[Problem, ...]
    cancelled: bool = False

    def instances(self) -> list[Instance]:
        """All instances, in tree order."""
        return [inst for p in self.patients for st in p.studies for se in st.series
                for inst in se.instances]
