"""Identity of studies and frames across patients, and UIDs that are not UIDs.

A Study Instance UID or a Frame of Reference UID names one thing of one patient;
used by several patients (the corpus' SRS exports, the proton phantom) it lets a
viewer, a PACS or a planning system link objects of different patients. A value
that is not a valid UID (``UNKNOWN``) merges unrelated objects the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.check.index_checks import different_patients
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance, ScanResult

__all__ = ["check_identities"]

PatientKey = tuple[str | None, str | None]
# PS3.5 §9.1: dot-separated numeric components without leading zeros, at most 64 chars
_UID = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*")


def _valid_uid(value: str) -> bool:
    # pydicom's UID.is_valid warns on the very values we report; the rule is short
    return len(value) <= 64 and _UID.fullmatch(value) is not None


def check_identities(result: ScanResult, out: Collector) -> None:
    """Report studies and frames shared by patients, and invalid key UIDs."""
    studies: dict[str, dict[PatientKey, Instance]] = defaultdict(dict)
    frames: dict[str, dict[PatientKey, Instance]] = defaultdict(dict)
    for patient in result.patients:
        key = (patient.patient_id, patient.patient_name)
        for study in patient.studies:
            for series in study.series:
                for inst in series.instances:
                    if study.study_instance_uid:
                        studies[study.study_instance_uid].setdefault(key, inst)
                    if inst.frame_of_reference_uid:
                        frames[inst.frame_of_reference_uid].setdefault(key, inst)
                    _check_uids(inst, study.study_instance_uid, series.series_instance_uid,
                                out)
    _report_shared(studies, "STUDY_SHARED_BY_PATIENTS", "StudyInstanceUID",
                   ("Study Instance UID", "study"), out)
    _report_shared(frames, "FRAME_OF_REFERENCE_SHARED_BY_PATIENTS", "FrameOfReferenceUID",
                   ("Frame of Reference UID", "frame of reference"), out)


def _report_shared(groups: dict[str, dict[PatientKey, Instance]], code: str, attribute: str,
                   what: tuple[str, str], out: Collector) -> None:
    for uid, by_patient in groups.items():
        keys = list(by_patient)
        for key, inst in by_patient.items():
            others = [k for k in keys if k is not key and different_patients(key, k)]
            if not others:
                continue
            names = "; ".join(f"ID {k[0] or '(none)'}, name {k[1] or '(none)'}" for k in others)
            out.add(Finding(
                code, f"{what[0]} {uid} of patient ID {key[0] or '(none)'} is also used by "
                f"patient {names}: one {what[1]} cannot belong to several patients.",
                Severity.WARNING, attribute,
                "objects are grouped by patient first; links between patients are reported"),
                inst.path, inst.sop_instance_uid)


_KEY_UIDS: tuple[tuple[str, str, Callable[[Instance], str | None]], ...] = (
    ("SOPInstanceUID", "SOP Instance UID", lambda i: i.sop_instance_uid),
    ("FrameOfReferenceUID", "Frame of Reference UID", lambda i: i.frame_of_reference_uid),
)


def _check_uids(inst: Instance, study_uid: str | None, series_uid: str | None,
                out: Collector) -> None:
    values = [("StudyInstanceUID", "Study Instance UID", study_uid),
              ("SeriesInstanceUID", "Series Instance UID", series_uid)]
    values += [(keyword, name, get(inst)) for keyword, name, get in _KEY_UIDS]
    for keyword, name, value in values:
        if value and not _valid_uid(value):
            out.add(Finding(
                "INVALID_UID", f"{name} {value!r} is not a valid UID: unrelated objects "
                f"carrying the same value are grouped together.", Severity.WARNING, keyword,
                "the value is used as written"), inst.path, inst.sop_instance_uid)
