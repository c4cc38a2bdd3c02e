"""The brachytherapy objects under a folder, and what their treatment records delivered.

``rtviewer brachy-check`` and the review report find the same files and compare the
same records with their plan; each says in its own words what it could not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydicom.uid import RTBrachyTreatmentRecordStorage

from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.record import read_treatment_record
from rtviewer.dicom.values import text
from rtviewer.errors import RtViewerError
from rtviewer.model.brachy_records import FractionDelivery, compare_record
from rtviewer.model.findings import Finding
from rtviewer.model.plan import Plan

__all__ = ["brachy_plans_and_records", "plan_deliveries"]


def brachy_plans_and_records(folder: Path) -> tuple[list[Path], list[Path]]:
    """Brachy RT Plans and RT Brachy Treatment Records under ``folder``, by path.

    A file that is no DICOM, or cannot be read, is passed over: this only sorts files,
    their readers say what is wrong with them.
    """
    plans, records = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            ds, _ = read_dataset(path, stop_before_pixels=True,
                                 specific_tags=["Modality", "SOPClassUID",
                                                "ApplicationSetupSequence"])
        except (RtViewerError, OSError):
            continue
        noted: list[Finding] = []  # sorting only: the plan and record readers report values
        if text(ds, "Modality", noted) == "RTPLAN" and "ApplicationSetupSequence" in ds:
            plans.append(path)
        elif text(ds, "SOPClassUID", noted) == RTBrachyTreatmentRecordStorage:
            records.append(path)
    return plans, records


def plan_deliveries(plan: Plan, record_paths: Iterable[Path], tolerance_pct: float
                    ) -> tuple[list[FractionDelivery], list[RtViewerError]]:
    """Every record among ``record_paths`` that references ``plan``, compared with it.

    Returns
    -------
    deliveries : list of FractionDelivery
        By delivery date and time, then path.
    unreadable : list of RtViewerError
        The records that could not be read (each names its file).
    """
    out, unreadable = [], []
    for path in record_paths:
        try:
            record = read_treatment_record(path)
        except RtViewerError as exc:
            unreadable.append(exc)
            continue
        if record.referenced_plan_uid and record.referenced_plan_uid == plan.sop_instance_uid:
            out.append(compare_record(plan, record, tolerance_pct))
    return sorted(out, key=lambda d: (d.date_time or "", d.record_path)), unreadable
