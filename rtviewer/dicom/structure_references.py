"""What an RT Structure Set was drawn on: Frame of Reference, studies, series, image slices."""

from __future__ import annotations

from dataclasses import dataclass

from pydicom.dataset import Dataset

from rtviewer.dicom.values import items, text
from rtviewer.model.findings import Finding, Severity

__all__ = ["ReferencedImages", "read_referenced_images"]


@dataclass(frozen=True)
class ReferencedImages:
    """Referenced Frame of Reference Sequence, flattened."""

    frame_of_reference_uid: str | None
    study_uids: tuple[str, ...]
    series_uids: tuple[str, ...]
    image_uids: tuple[str, ...]
    findings: tuple[Finding, ...]


def read_referenced_images(ds: Dataset) -> ReferencedImages:
    """Frame of Reference, studies, series and contour images a structure set references.

    Parameters
    ----------
    ds : Dataset
        The RT Structure Set dataset.

    Returns
    -------
    ReferencedImages
        UIDs in file order, without repeats; findings for several or no Frame of
        Reference (falling back on the ROIs' Referenced Frame of Reference UID).
    """
    findings: list[Finding] = []
    frames, studies, series, images = [], [], [], []
    for frame in items(ds, "ReferencedFrameOfReferenceSequence", findings):
        frames.append(text(frame, "FrameOfReferenceUID", findings))
        for study in items(frame, "RTReferencedStudySequence", findings):
            studies.append(text(study, "ReferencedSOPInstanceUID", findings))
            for item in items(study, "RTReferencedSeriesSequence", findings):
                series.append(text(item, "SeriesInstanceUID", findings))
                images += [text(i, "ReferencedSOPInstanceUID", findings)
                           for i in items(item, "ContourImageSequence", findings)]
    unique_frames = _unique(frames)
    if not unique_frames:
        unique_frames = _unique([text(r, "ReferencedFrameOfReferenceUID", findings)
                                 for r in items(ds, "StructureSetROISequence", findings)])
        findings.append(Finding(
            "NO_REFERENCED_FRAME_OF_REFERENCE", "The structure set has no Referenced Frame of "
            "Reference Sequence.", attribute="ReferencedFrameOfReferenceSequence",
            assumption=(f"the ROIs' Frame of Reference {unique_frames[0]}" if unique_frames
                        else "unknown Frame of Reference")))
    elif len(unique_frames) > 1:
        findings.append(Finding(
            "SEVERAL_FRAMES_OF_REFERENCE", f"The structure set references {len(unique_frames)} "
            "Frames of Reference.", attribute="ReferencedFrameOfReferenceSequence",
            assumption="the first one; each ROI keeps its own"))
    if not series:
        findings.append(Finding("NO_REFERENCED_SERIES", "The structure set names no image "
                                "series it was drawn on.", Severity.INFO,
                                "RTReferencedSeriesSequence"))
    return ReferencedImages(unique_frames[0] if unique_frames else None, _unique(studies),
                            _unique(series), _unique(images), tuple(findings))


def _unique(values: list[str | None]) -> tuple[str, ...]:
    """Non-empty values, first occurrence order."""
    return tuple(dict.fromkeys(v for v in values if v))
