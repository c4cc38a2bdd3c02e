"""The RT (Ion) Beams Treatment Records under a folder that reference one plan.

The review report's external-beam records section reads them; what cannot be read
is returned with its reason (the error names the file), never dropped.
"""

from __future__ import annotations

from pathlib import Path

from pydicom.uid import RTBeamsTreatmentRecordStorage, RTIonBeamsTreatmentRecordStorage

from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.record import read_treatment_record
from rtviewer.dicom.values import text
from rtviewer.errors import RtViewerError
from rtviewer.model.findings import Finding
from rtviewer.model.record import TreatmentRecord

__all__ = ["beam_records_of_plan"]

_BEAM_RECORDS = {RTBeamsTreatmentRecordStorage, RTIonBeamsTreatmentRecordStorage}


def beam_records_of_plan(folder: Path, plan_uid: str | None
                         ) -> tuple[list[TreatmentRecord], list[RtViewerError]]:
    """The beam treatment records under ``folder`` whose Referenced RT Plan is ``plan_uid``.

    Returns
    -------
    records : list of TreatmentRecord
        In path order (the summary sorts by session date).
    unreadable : list of RtViewerError
        Beam records that could not be read, each naming its file.
    """
    records: list[TreatmentRecord] = []
    unreadable: list[RtViewerError] = []
    if not plan_uid:
        return records, unreadable
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            ds, _ = read_dataset(path, stop_before_pixels=True, specific_tags=["SOPClassUID"])
        except (RtViewerError, OSError):
            continue  # not DICOM: sorting only, the readers report what is wrong
        noted: list[Finding] = []
        if text(ds, "SOPClassUID", noted) not in _BEAM_RECORDS:
            continue
        try:
            record = read_treatment_record(path)
        except RtViewerError as exc:
            unreadable.append(exc)
            continue
        if record.referenced_plan_uid == plan_uid:
            records.append(record)
    return records, unreadable
