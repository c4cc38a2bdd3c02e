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

from rtviewer.dicom.element_values import get_int, get_str, sequence

__all__ = ["raw_references", "beam_numbers"]

RawReference = dict[str, Any]


def _uid(item: Dataset, keyword: str) -> str | None:
    text = (get_str(item, keyword) or "").strip("\x00 ")
    return text or None


def _raw_uid(item: Dataset) -> str | None:
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
    return _uid(item, "ReferencedSOPInstanceUID")


def _sop_refs(ds: Dataset, keyword: str, kind: str) -> list[RawReference]:
    refs = []
    for item in sequence(ds, keyword):
        uid = _uid(item, "ReferencedSOPInstanceUID")
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


def _contour_image_uids(ds: Dataset) -> list[str]:
    """SOP Instance UIDs named by the contours themselves (ROI Contour Sequence)."""
    uids: dict[str, None] = {}
    for roi in sequence(ds, "ROIContourSequence"):
        for contour in sequence(roi, "ContourSequence"):
            for image in sequence(contour, "ContourImageSequence"):
                uid = _raw_uid(image)
                if uid:
                    uids[uid] = None
    return list(uids)


def _referenced_series(ds: Dataset) -> dict[str, dict[str, None]]:
    """Series UID -> SOP Instance UIDs from the Referenced Frame of Reference Sequence."""
    series: dict[str, dict[str, None]] = {}
    for frame in sequence(ds, "ReferencedFrameOfReferenceSequence"):
        for study in sequence(frame, "RTReferencedStudySequence"):
            for ser in sequence(study, "RTReferencedSeriesSequence"):
                uid = _uid(ser, "SeriesInstanceUID")
                if uid:
                    images = series.setdefault(uid, {})
                    images.update(dict.fromkeys(
                        u for u in (_raw_uid(i) for i in sequence(ser, "ContourImageSequence"))
                        if u))
    return series


def _frames_of_reference(ds: Dataset) -> list[str]:
    uids = [_uid(f, "FrameOfReferenceUID")
            for f in sequence(ds, "ReferencedFrameOfReferenceSequence")]
    uids += [_uid(r, "ReferencedFrameOfReferenceUID")
             for r in sequence(ds, "StructureSetROISequence")]
    return list(dict.fromkeys(u for u in uids if u))


def _structure_set_refs(ds: Dataset) -> list[RawReference]:
    series = _referenced_series(ds)
    if len(series) == 1 and not next(iter(series.values())):
        # Contour Image Sequence is optional under the series: use the contours' own.
        only = next(iter(series))
        series[only] = dict.fromkeys(_contour_image_uids(ds))
    refs: list[RawReference] = [{"kind": "image_series", "uid": uid, "instances": list(images)}
                                for uid, images in series.items()]
    if not series:
        contour_images = _contour_image_uids(ds)
        if contour_images:
            refs.append({"kind": "contour_images", "uid": "", "instances": contour_images})
    refs.extend({"kind": "frame_of_reference", "uid": uid} for uid in _frames_of_reference(ds))
    return refs


def _rt_image_refs(ds: Dataset) -> list[RawReference]:
    refs = _sop_refs(ds, "ReferencedRTPlanSequence", "rtplan")
    beam = get_int(ds, "ReferencedBeamNumber")
    if beam is not None and refs:
        refs.append({"kind": "beam", "uid": f"{refs[0]['uid']}#{beam}"})
    return refs


def raw_references(ds: Dataset, kind: str) -> list[RawReference]:
    """Return the references an object declares.

    Parameters
    ----------
    ds : pydicom.Dataset
        The object's header.
    kind : str
        Its kind (:mod:`rtviewer.dicom.sop_classes`).

    Returns
    -------
    list of dict
        Unique references in declaration order.
    """
    if kind == "rtstruct":
        return _structure_set_refs(ds)
    refs: list[RawReference] = []
    if kind == "rtdose":
        refs = _sop_refs(ds, "ReferencedRTPlanSequence", "rtplan")
        refs += _sop_refs(ds, "ReferencedStructureSetSequence", "rtstruct")
    elif kind in ("rtplan", "rtionplan"):
        refs = _sop_refs(ds, "ReferencedStructureSetSequence", "rtstruct")
        refs += _sop_refs(ds, "ReferencedDoseSequence", "rtdose")
    elif kind == "rtimage":
        refs = _rt_image_refs(ds)
    elif kind == "rtrecord":
        refs = _sop_refs(ds, "ReferencedRTPlanSequence", "rtplan")
    return _unique(refs)


def beam_numbers(ds: Dataset) -> list[int]:
    """Beam Numbers of an external-beam or ion plan (empty for brachy and other objects)."""
    numbers = []
    for keyword in ("BeamSequence", "IonBeamSequence"):
        for beam in sequence(ds, keyword):
            number = get_int(beam, "BeamNumber")
            if number is not None:
                numbers.append(number)
    return numbers
