"""The references an RT object declares, as plain dicts (resolved later by the index).

Each raw reference is ``{"kind": ..., "uid": ...}``; image-series references also
carry ``"instances"``: the SOP Instance UIDs of the images the structure set names.
A structure set without any RT Referenced Series but with contour-image references
(rt-utils' ``non_existent_reference_rt.dcm``) yields one ``"contour_images"`` entry,
which the index attributes to whatever series those images belong to.
"""

from __future__ import annotations

from typing import Any

from pydicom.dataset import Dataset

from rtviewer.dicom.values import integer, items, text
from rtviewer.model.findings import Finding
from rtviewer.model.kind import Kind

__all__ = ["raw_references", "beam_numbers"]

RawReference = dict[str, Any]


def _uid(item: Dataset, keyword: str, notes: list[Finding]) -> str | None:
    value = (text(item, keyword, notes) or "").strip("\x00 ")
    return value or None


def _raw_uid(item: Dataset, notes: list[Finding]) -> str | None:
    """Referenced SOP Instance UID, read from the raw bytes when still raw.

    Converting hundreds of Contour Image items through pydicom's value machinery
    would otherwise dominate the scan of a folder.
    """
    elem = item.get_item(0x00081155)
    if elem is None:
        return None
    value = elem.value
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").strip("\x00 ") or None
    return _uid(item, "ReferencedSOPInstanceUID", notes)


def _sop_refs(ds: Dataset, keyword: str, kind: str, notes: list[Finding]) -> list[RawReference]:
    refs = []
    for item in items(ds, keyword, notes):
        uid = _uid(item, "ReferencedSOPInstanceUID", notes)
        if uid:
            refs.append({"kind": kind, "uid": uid})
    return refs


def _unique(refs: list[RawReference]) -> list[RawReference]:
    seen: set[tuple[str, str]] = set()
    out = []
    for ref in refs:
        key = (ref["kind"], ref["uid"])
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


def _contour_image_uids(ds: Dataset, notes: list[Finding]) -> list[str]:
    """SOP Instance UIDs named by the contours themselves (ROI Contour Sequence)."""
    uids: dict[str, None] = {}
    for roi in items(ds, "ROIContourSequence", notes):
        for contour in items(roi, "ContourSequence", notes):
            for image in items(contour, "ContourImageSequence", notes):
                uid = _raw_uid(image, notes)
                if uid:
                    uids[uid] = None
    return list(uids)


def _referenced_series(ds: Dataset, notes: list[Finding]) -> dict[str, dict[str, None]]:
    """Series UID -> SOP Instance UIDs from the Referenced Frame of Reference Sequence."""
    series: dict[str, dict[str, None]] = {}
    for frame in items(ds, "ReferencedFrameOfReferenceSequence", notes):
        for study in items(frame, "RTReferencedStudySequence", notes):
            for ser in items(study, "RTReferencedSeriesSequence", notes):
                uid = _uid(ser, "SeriesInstanceUID", notes)
                if uid:
                    images = series.setdefault(uid, {})
                    images.update(dict.fromkeys(
                        u for u in (_raw_uid(i, notes)
                                    for i in items(ser, "ContourImageSequence", notes)) if u))
    return series


def _frames_of_reference(ds: Dataset, notes: list[Finding]) -> list[str]:
    uids = [_uid(f, "FrameOfReferenceUID", notes)
            for f in items(ds, "ReferencedFrameOfReferenceSequence", notes)]
    uids += [_uid(r, "ReferencedFrameOfReferenceUID", notes)
             for r in items(ds, "StructureSetROISequence", notes)]
    return list(dict.fromkeys(u for u in uids if u))


def _structure_set_refs(ds: Dataset, notes: list[Finding]) -> list[RawReference]:
    series = _referenced_series(ds, notes)
    if len(series) == 1 and not next(iter(series.values())):
        # Contour Image Sequence is optional under the series: use the contours' own.
        only = next(iter(series))
        series[only] = dict.fromkeys(_contour_image_uids(ds, notes))
    refs: list[RawReference] = [{"kind": "image_series", "uid": uid, "instances": list(images)}
                                for uid, images in series.items()]
    if not series:
        contour_images = _contour_image_uids(ds, notes)
        if contour_images:
            refs.append({"kind": "contour_images", "uid": "", "instances": contour_images})
    refs.extend({"kind": "frame_of_reference", "uid": uid}
                for uid in _frames_of_reference(ds, notes))
    return refs


def _rt_image_refs(ds: Dataset, notes: list[Finding]) -> list[RawReference]:
    refs = _sop_refs(ds, "ReferencedRTPlanSequence", "rtplan", notes)
    beam = integer(ds, "ReferencedBeamNumber", notes)
    if beam is not None and refs:
        refs.append({"kind": "beam", "uid": f"{refs[0]['uid']}#{beam}"})
    return refs


def raw_references(ds: Dataset, kind: Kind, notes: list[Finding]) -> list[RawReference]:
    """Return the references an object declares.

    Parameters
    ----------
    ds : pydicom.Dataset
        The object's header.
    kind : Kind
        Its kind (by SOP Class: :mod:`rtviewer.dicom.sop_classes`).

    Returns
    -------
    list of dict
        Unique references in declaration order.
    """
    if kind == Kind.STRUCTURE_SET:
        return _structure_set_refs(ds, notes)
    refs: list[RawReference] = []
    if kind == Kind.DOSE:
        refs = _sop_refs(ds, "ReferencedRTPlanSequence", "rtplan", notes)
        refs += _sop_refs(ds, "ReferencedStructureSetSequence", "rtstruct", notes)
    elif kind.is_plan:
        refs = _sop_refs(ds, "ReferencedStructureSetSequence", "rtstruct", notes)
        refs += _sop_refs(ds, "ReferencedDoseSequence", "rtdose", notes)
    elif kind == Kind.RT_IMAGE:
        refs = _rt_image_refs(ds, notes)
    elif kind == Kind.RECORD:
        refs = _sop_refs(ds, "ReferencedRTPlanSequence", "rtplan", notes)
    return _unique(refs)


def beam_numbers(ds: Dataset, notes: list[Finding]) -> list[int]:
    """Beam Numbers of an external-beam or ion plan (empty for brachy and other objects)."""
    numbers = []
    for keyword in ("BeamSequence", "IonBeamSequence"):
        for beam in items(ds, keyword, notes):
            number = integer(beam, "BeamNumber", notes)
            if number is not None:
                numbers.append(number)
    return numbers
