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

from rtviewer.dicom.element_values import get_floats, get_int, get_str, sequence

__all__ = ["summarize"]


def summarize(ds: Dataset, kind: str, *, rois_with_contours: int | None = None) -> str | None:
    """Return a one-line summary of an RT object, or None for other kinds.

    Parameters
    ----------
    ds : pydicom.Dataset
        The header (read with ``stop_before_pixels``).
    kind : str
        The object's kind from :mod:`rtviewer.dicom.sop_classes`.
    rois_with_contours : int, keyword-only
        For a structure set read without its ROI Contour Sequence (the scan skips the
        bulky contour data): how many ROIs have contours.
    """
    if kind == "rtstruct":
        return _structure_set(ds, rois_with_contours)
    summarizer = _SUMMARIZERS.get(kind)
    return summarizer(ds) if summarizer is not None else None


def _text(ds: Dataset, keyword: str) -> str | None:
    # Forgiving getters throughout: a malformed value leaves a gap in the summary line,
    # never a failed record (the readers report the value itself).
    return get_str(ds, keyword)


def _count(ds: Dataset, keyword: str) -> int:
    return len(sequence(ds, keyword))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _labelled(prefix: str, label: str | None) -> str:
    return f"{prefix} '{label}'" if label else prefix


def _structure_set(ds: Dataset, with_contours: int | None = None) -> str:
    n_rois = _count(ds, "StructureSetROISequence")
    if with_contours is None:
        with_contours = sum(1 for item in sequence(ds, "ROIContourSequence")
                            if sequence(item, "ContourSequence"))
    text = f"{_labelled('Structure set', _text(ds, 'StructureSetLabel'))}: {_plural(n_rois, 'ROI')}"
    if with_contours < n_rois:
        text += f" ({n_rois - with_contours} without contours)"
    return text


def _fractions(ds: Dataset) -> str | None:
    counts = [c for c in (get_int(g, "NumberOfFractionsPlanned")
                          for g in sequence(ds, "FractionGroupSequence")) if c is not None]
    if not counts:
        return None
    if len(counts) == 1:
        return _plural(counts[0], "fraction")
    return "fraction groups of " + " + ".join(str(c) for c in counts) + " fractions"


def _beam_counts(beams: list[Dataset]) -> str:
    treatment = sum(1 for b in beams
                    if (_text(b, "TreatmentDeliveryType") or "TREATMENT").upper() == "TREATMENT")
    text = _plural(len(beams), "beam")
    if treatment != len(beams):
        text += f" ({treatment} treatment, {len(beams) - treatment} setup)"
    return text


def _plan(ds: Dataset) -> str:
    parts = []
    if "BrachyTreatmentType" in ds or "ApplicationSetupSequence" in ds:
        channels = sum(len(sequence(s, "ChannelSequence"))
                       for s in sequence(ds, "ApplicationSetupSequence"))
        kind = _text(ds, "BrachyTreatmentType") or ""
        parts.append(f"brachytherapy{' ' + kind if kind else ''}, "
                     f"{_plural(channels, 'channel')}")
    else:
        parts.append(_beam_counts(sequence(ds, "BeamSequence")))
    parts.append(_fractions(ds) or "no fraction group")
    intent = _text(ds, "PlanIntent")
    if intent:
        parts.append(intent.lower())
    return f"{_labelled('Plan', _text(ds, 'RTPlanLabel'))}: " + ", ".join(parts)


def _ion_plan(ds: Dataset) -> str:
    beams = sequence(ds, "IonBeamSequence")
    radiation = {(_text(b, "RadiationType") or "").lower() for b in beams} - {""}
    parts = [_beam_counts(beams).replace("beam", "ion beam", 1)]
    if radiation:
        parts.append("/".join(sorted(radiation)))
    parts.append(_fractions(ds) or "no fraction group")
    return f"{_labelled('Ion plan', _text(ds, 'RTPlanLabel'))}: " + ", ".join(parts)


def _dose(ds: Dataset) -> str:
    frames = get_int(ds, "NumberOfFrames") or 1
    columns, rows = get_int(ds, "Columns"), get_int(ds, "Rows")
    size = f"{'?' if columns is None else columns}×{'?' if rows is None else rows}×{frames}"
    spacing = get_floats(ds, "PixelSpacing", 2)
    offsets = get_floats(ds, "GridFrameOffsetVector")
    grid = f"grid {size} (columns×rows×frames)"
    if spacing is not None:
        step = f"{abs(offsets[1] - offsets[0]):g}" \
            if offsets is not None and len(offsets) > 1 else "?"
        grid += f" at {spacing[1]:g}×{spacing[0]:g}×{step} mm"
    fields = [_text(ds, k) or "?" for k in ("DoseSummationType", "DoseType", "DoseUnits")]
    return f"Dose {grid}, " + ", ".join(fields)


def _rt_image(ds: Dataset) -> str:
    image_type = _image_type(ds)
    value3 = image_type[2] if len(image_type) > 2 and image_type[2] else None
    plane = _text(ds, "RTImagePlane")
    text = _labelled("RT Image", _text(ds, "RTImageLabel"))
    details = [d for d in (value3, plane and f"plane {plane}") if d]
    return text + (": " + ", ".join(details) if details else "")


def _image_type(ds: Dataset) -> list[str]:
    """Image Type values as stripped strings (empty when absent or unreadable)."""
    try:
        value = ds.get("ImageType")
    except Exception:  # a malformed value raises on access: treat it as absent
        return []
    if value is None:
        return []
    values = [value] if isinstance(value, str | bytes) else list(value)
    return [str(v).strip() for v in values]


def _record(ds: Dataset) -> str:
    date = _text(ds, "TreatmentDate") or _text(ds, "FirstTreatmentDate") or "no date"
    if date and len(date) == 8 and date.isdigit():
        date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    fraction = None
    for keyword in ("TreatmentSessionBeamSequence", "TreatmentSessionIonBeamSequence",
                    "TreatmentSessionApplicationSetupSequence"):
        for item in sequence(ds, keyword):
            fraction = get_int(item, "CurrentFractionNumber")
            if fraction is not None:
                break
        if fraction is not None:
            break
    if fraction is None and _text(ds, "CurrentTreatmentStatus") is not None:
        return f"Treatment summary {date}, status {_text(ds, 'CurrentTreatmentStatus')}"
    return f"Treatment record {date}, fraction {fraction if fraction is not None else '?'}"


def _registration(ds: Dataset) -> str:
    """Rigid: each source frame's shift and rotation; deformable: out of scope."""
    from pydicom.uid import DeformableSpatialRegistrationStorage

    if _text(ds, "SOPClassUID") == DeformableSpatialRegistrationStorage:
        return "Deformable registration: out of scope, not applied"
    parts = []
    for item in sequence(ds, "RegistrationSequence"):
        frame = _text(item, "FrameOfReferenceUID") or "?"
        for registration in sequence(item, "MatrixRegistrationSequence"):
            for entry in sequence(registration, "MatrixSequence"):
                values = get_floats(entry, "FrameOfReferenceTransformationMatrix")
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


_SUMMARIZERS: dict[str, Callable[[Dataset], str]] = {
    "registration": _registration,
    "rtplan": _plan,
    "rtionplan": _ion_plan,
    "rtdose": _dose,
    "rtimage": _rt_image,
    "rtrecord": _record,
}
