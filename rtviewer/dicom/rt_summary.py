"""One line per RT object that a physicist recognises, from its header.

RTSTRUCT: label and ROI count; RTPLAN: label, beams (or brachy channels), fractions;
RTDOSE: grid size and spacing, summation type, dose type, units; RT Image: label and
type; treatment records: date and fraction; spatial registrations: shift and rotation per
frame (a deformable one is named out of scope).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pydicom.dataset import Dataset

from rtviewer.dicom.values import integer, items, numbers, text, texts
from rtviewer.model.findings import Finding
from rtviewer.model.kind import Kind

__all__ = ["summarize"]


def summarize(ds: Dataset, kind: Kind, notes: list[Finding], *,
              rois_with_contours: int | None = None) -> str | None:
    """Return a one-line summary of an RT object, or None for other kinds.

    Parameters
    ----------
    ds : pydicom.Dataset
        The header (read with ``stop_before_pixels``).
    kind : Kind
        The object's kind (by SOP Class: :mod:`rtviewer.dicom.sop_classes`).
    rois_with_contours : int, keyword-only
        For a structure set read without its ROI Contour Sequence (the scan skips the
        bulky contour data): how many ROIs have contours.
    """
    if kind == Kind.STRUCTURE_SET:
        return _structure_set(ds, rois_with_contours, notes)
    summarizer = _SUMMARIZERS.get(kind)
    return summarizer(ds, notes) if summarizer is not None else None


def _count(ds: Dataset, keyword: str, notes: list[Finding]) -> int:
    return len(items(ds, keyword, notes))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _labelled(prefix: str, label: str | None) -> str:
    return f"{prefix} '{label}'" if label else prefix


def _structure_set(ds: Dataset, with_contours: int | None, notes: list[Finding]) -> str:
    n_rois = _count(ds, "StructureSetROISequence", notes)
    if with_contours is None:
        with_contours = sum(1 for item in items(ds, "ROIContourSequence", notes)
                            if items(item, "ContourSequence", notes))
    label = _labelled("Structure set", text(ds, "StructureSetLabel", notes))
    line = f"{label}: {_plural(n_rois, 'ROI')}"
    if with_contours < n_rois:
        line += f" ({n_rois - with_contours} without contours)"
    return line


def _fractions(ds: Dataset, notes: list[Finding]) -> str | None:
    counts = [c for c in (integer(g, "NumberOfFractionsPlanned", notes)
                          for g in items(ds, "FractionGroupSequence", notes)) if c is not None]
    if not counts:
        return None
    if len(counts) == 1:
        return _plural(counts[0], "fraction")
    return "fraction groups of " + " + ".join(str(c) for c in counts) + " fractions"


def _beam_counts(beams: list[Dataset], notes: list[Finding]) -> str:
    treatment = sum(1 for b in beams if (text(b, "TreatmentDeliveryType", notes)
                                         or "TREATMENT").upper() == "TREATMENT")
    line = _plural(len(beams), "beam")
    if treatment != len(beams):
        line += f" ({treatment} treatment, {len(beams) - treatment} setup)"
    return line


def _plan(ds: Dataset, notes: list[Finding]) -> str:
    parts = []
    if "BrachyTreatmentType" in ds or "ApplicationSetupSequence" in ds:
        channels = sum(len(items(s, "ChannelSequence", notes))
                       for s in items(ds, "ApplicationSetupSequence", notes))
        kind = text(ds, "BrachyTreatmentType", notes) or ""
        parts.append(f"brachytherapy{' ' + kind if kind else ''}, "
                     f"{_plural(channels, 'channel')}")
    else:
        parts.append(_beam_counts(items(ds, "BeamSequence", notes), notes))
    parts.append(_fractions(ds, notes) or "no fraction group")
    intent = text(ds, "PlanIntent", notes)
    if intent:
        parts.append(intent.lower())
    return f"{_labelled('Plan', text(ds, 'RTPlanLabel', notes))}: " + ", ".join(parts)


def _ion_plan(ds: Dataset, notes: list[Finding]) -> str:
    beams = items(ds, "IonBeamSequence", notes)
    radiation = {(text(b, "RadiationType", notes) or "").lower() for b in beams} - {""}
    parts = [_beam_counts(beams, notes).replace("beam", "ion beam", 1)]
    if radiation:
        parts.append("/".join(sorted(radiation)))
    parts.append(_fractions(ds, notes) or "no fraction group")
    return f"{_labelled('Ion plan', text(ds, 'RTPlanLabel', notes))}: " + ", ".join(parts)


def _dose(ds: Dataset, notes: list[Finding]) -> str:
    frames = integer(ds, "NumberOfFrames", notes) or 1
    columns, rows = integer(ds, "Columns", notes), integer(ds, "Rows", notes)
    size = f"{'?' if columns is None else columns}×{'?' if rows is None else rows}×{frames}"
    spacing = numbers(ds, "PixelSpacing", notes, count=2)
    offsets = numbers(ds, "GridFrameOffsetVector", notes)
    grid = f"grid {size} (columns×rows×frames)"
    if spacing is not None:
        step = f"{abs(offsets[1] - offsets[0]):g}" \
            if offsets is not None and len(offsets) > 1 else "?"
        grid += f" at {spacing[1]:g}×{spacing[0]:g}×{step} mm"
    fields = [text(ds, k, notes) or "?" for k in ("DoseSummationType", "DoseType", "DoseUnits")]
    return f"Dose {grid}, " + ", ".join(fields)


def _rt_image(ds: Dataset, notes: list[Finding]) -> str:
    image_type = texts(ds, "ImageType", notes)
    value3 = image_type[2] if len(image_type) > 2 and image_type[2] else None
    plane = text(ds, "RTImagePlane", notes)
    line = _labelled("RT Image", text(ds, "RTImageLabel", notes))
    details = [d for d in (value3, plane and f"plane {plane}") if d]
    return line + (": " + ", ".join(details) if details else "")


def _record(ds: Dataset, notes: list[Finding]) -> str:
    date = text(ds, "TreatmentDate", notes) or text(ds, "FirstTreatmentDate", notes) or "no date"
    if date and len(date) == 8 and date.isdigit():
        date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    fraction = None
    for keyword in ("TreatmentSessionBeamSequence", "TreatmentSessionIonBeamSequence",
                    "TreatmentSessionApplicationSetupSequence"):
        for item in items(ds, keyword, notes):
            fraction = integer(item, "CurrentFractionNumber", notes)
            if fraction is not None:
                break
        if fraction is not None:
            break
    if fraction is None and text(ds, "CurrentTreatmentStatus", notes) is not None:
        return f"Treatment summary {date}, status {text(ds, 'CurrentTreatmentStatus', notes)}"
    return f"Treatment record {date}, fraction {fraction if fraction is not None else '?'}"


def _registration(ds: Dataset, notes: list[Finding]) -> str:
    """Rigid: each source frame's shift and rotation; deformable: out of scope."""
    from pydicom.uid import DeformableSpatialRegistrationStorage

    if text(ds, "SOPClassUID", notes) == DeformableSpatialRegistrationStorage:
        return "Deformable registration: out of scope, not applied"
    parts = []
    for item in items(ds, "RegistrationSequence", notes):
        frame = text(item, "FrameOfReferenceUID", notes) or "?"
        for registration in items(item, "MatrixRegistrationSequence", notes):
            for entry in items(registration, "MatrixSequence", notes):
                values = numbers(entry, "FrameOfReferenceTransformationMatrix", notes)
                if values is None or len(values) != 16:
                    continue
                m = np.array(values).reshape(4, 4)
                if np.allclose(m, np.eye(4)):
                    continue
                cosine = np.clip((np.trace(m[:3, :3]) - 1) / 2, -1.0, 1.0)
                shift = ", ".join(f"{v:.1f}" for v in m[:3, 3])
                parts.append(f"frame …{frame[-8:]}: shift ({shift}) mm, rotation "
                             f"{np.degrees(np.arccos(cosine)):.1f}°")
    return "Registration: " + ("; ".join(parts) if parts else "identity only")


_SUMMARIZERS: dict[Kind, Callable[[Dataset, list[Finding]], str]] = {
    Kind.REGISTRATION: _registration,
    Kind.PLAN: _plan,
    Kind.ION_PLAN: _ion_plan,
    Kind.DOSE: _dose,
    Kind.RT_IMAGE: _rt_image,
    Kind.RECORD: _record,
}
