"""The scan index's per-file record: a plain JSON-able dict (see :mod:`rtviewer.dicom.header`).

Both header readers build records here: the fast byte walk (``header``) and the pydicom
path (``header_full``), which the fast one falls back to; keeping the builders apart from
both keeps the fallback from importing back into its caller.
"""

from __future__ import annotations

from typing import Any

from rtviewer.dicom.sop_classes import lookup
from rtviewer.model.kind import Kind

__all__ = ["Record", "skipped", "problem", "instance_record", "clean_patient_name"]

Record = dict[str, Any]


def skipped(reason: str) -> Record:
    """A record for a file that is not a DICOM object to index."""
    return {"status": "skipped", "reason": reason}


def problem(reason: str) -> Record:
    """A record for a DICOM file that cannot be used."""
    return {"status": "problem", "reason": reason}


def clean_patient_name(name: str | None) -> str | None:
    """Patient Name with trailing ``^`` and spaces removed (None when empty)."""
    if name is None:
        return None
    text = str(name).rstrip("^ \x00")
    return text or None


def _image_summary(v: dict[str, Any]) -> str | None:
    if v.get("Rows") is None or v.get("Columns") is None:
        return None
    text = f"{v['Columns']}×{v['Rows']}"
    spacing = v.get("PixelSpacing")
    if spacing and len(spacing) == 2:
        text += f" at {spacing[1]:g}×{spacing[0]:g} mm"
    if v.get("SliceThickness") is not None:
        text += f", slice thickness {v['SliceThickness']:g} mm"
    frames = v.get("NumberOfFrames")
    if frames and frames > 1:
        text += f", {frames} frames"
    return text


def instance_record(v: dict[str, Any], *, sop_class_uid: str, findings: list[list[str]],
                    summary: str | None = None, references: list[dict[str, Any]] | None = None,
                    beam_numbers: list[int] | None = None) -> Record:
    """Build an instance record from decoded values keyed by DICOM keyword."""
    sop = lookup(sop_class_uid)
    if summary is None and sop.kind == Kind.IMAGE:
        summary = _image_summary(v)
    return {
        "status": "instance",
        "sop_class_uid": sop_class_uid,
        "sop_instance_uid": v["SOPInstanceUID"],
        "modality": v.get("Modality"),
        "patient_id": v.get("PatientID"),
        "patient_name": clean_patient_name(v.get("PatientName")),
        "study_uid": v.get("StudyInstanceUID"),
        "study_description": v.get("StudyDescription"),
        "study_date": v.get("StudyDate"),
        "series_uid": v.get("SeriesInstanceUID"),
        "series_number": v.get("SeriesNumber"),
        "series_description": v.get("SeriesDescription"),
        "frame_of_reference_uid": v.get("FrameOfReferenceUID"),
        "instance_number": v.get("InstanceNumber"),
        "frames": v.get("NumberOfFrames"),
        "orientation": v.get("ImageOrientationPatient"),
        "position": v.get("ImagePositionPatient"),
        "pixel_spacing": v.get("PixelSpacing"),
        "rows": v.get("Rows"),
        "columns": v.get("Columns"),
        "slice_thickness": v.get("SliceThickness"),
        "summary": summary,
        "references": references or [],
        "beam_numbers": beam_numbers or [],
        "findings": findings,
    }
