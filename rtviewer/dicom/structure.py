"""Read an RT Structure Set into a :class:`~rtviewer.model.structure.StructureSet`.

ROI volumes come from the one volume function,
:func:`rtviewer.core.structure_volume.structure_volume_cc`; this reader never
computes volumes its own way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

from rtviewer.core.structure_volume import structure_volume_cc
from rtviewer.dicom.captured import with_warnings_as_findings
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.header_walk import check_not_truncated
from rtviewer.dicom.read_once import once
from rtviewer.dicom.sop_classes import RT_STRUCTURE_SET
from rtviewer.dicom.structure_contours import read_contours
from rtviewer.dicom.structure_references import ReferencedImages, read_referenced_images
from rtviewer.dicom.values import (
    date_of,
    integer,
    items,
    numbers,
    present_text,
    tag_text,
    text,
    time_of,
)
from rtviewer.errors import UnsupportedObjectError
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.kind import Kind
from rtviewer.model.structure import Contour, Roi, StructureSet

__all__ = ["RoiEntry", "StructureSetHead", "palette_color", "read_roi", "read_structure_head",
           "read_structure_set"]


#: colours for ROIs without ROI Display Color, picked by ROI Number (distinct, readable on CT)
PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
    (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212),
    (0, 128, 128), (220, 190, 255), (170, 110, 40), (255, 250, 200), (128, 0, 0),
    (170, 255, 195), (128, 128, 0), (255, 215, 180), (0, 0, 128), (128, 128, 128),
)


def palette_color(roi_number: int) -> tuple[int, int, int]:
    """The deterministic colour of an ROI without ROI Display Color."""
    return PALETTE[(roi_number - 1) % len(PALETTE)]


def read_structure_set(path: str | Path) -> StructureSet:
    """Read an RT Structure Set.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    StructureSet
        ROIs in Structure Set ROI Sequence order with contours in patient mm,
        colour, interpreted type, Frame of Reference and volume (cc, closed
        planar contours only); referenced series and images; findings.

    Raises
    ------
    RtViewerError
        Unreadable, or not an RT Structure Set.
    """
    path = Path(path)
    return once(Kind.STRUCTURE_SET, path, lambda: with_warnings_as_findings(lambda: _read(path)))


@dataclass(frozen=True, eq=False)
class RoiEntry:
    """One ROI's items in the structure set, before its contours are decoded.

    Attributes
    ----------
    roi_number : int
    item, contour_item, observation : Dataset or None
        Its items of Structure Set ROI, ROI Contour and RT ROI Observations Sequence
        (any may be missing).
    contour_bytes : int
        Length of its Contour Sequence when still undecoded (0 otherwise): what
        decoding and modelling it will cost, to share the ROIs out largest first.
    """

    roi_number: int
    item: Dataset | None
    contour_item: Dataset | None
    observation: Dataset | None
    contour_bytes: int


@dataclass(frozen=True, eq=False)
class StructureSetHead:
    """An RT Structure Set read up to its ROIs, whose contours are decoded one by one.

    :func:`read_roi` turns ``entries[i]`` into the :class:`Roi` that
    :func:`read_structure_set` gives, so that a command can decode, model and
    compute each ROI in one unit of work (``rtviewer dvh`` shares them with a forked
    copy of the process).

    Attributes
    ----------
    path : Path
    dataset : Dataset
        The file read without pixel data; Contour Sequences still undecoded.
    frame_of_reference_uid : str or None
    references : ReferencedImages
        The referenced frames, studies, series and images.
    entries : tuple of RoiEntry
        In the order of :attr:`StructureSet.rois`.
    findings : tuple of Finding
        About the file and its ROI sequences (not about any ROI's own values).
    """

    path: Path
    dataset: Dataset
    frame_of_reference_uid: str | None
    references: ReferencedImages
    entries: tuple[RoiEntry, ...]
    findings: tuple[Finding, ...]


def read_structure_head(path: str | Path) -> StructureSetHead:
    """Read an RT Structure Set without decoding any ROI's contours.

    Raises
    ------
    RtViewerError
        Unreadable, or not an RT Structure Set (as :func:`read_structure_set`).
    """
    path = Path(path)
    return with_warnings_as_findings(lambda: _head(path))


def read_roi(head: StructureSetHead, index: int) -> Roi:
    """ROI ``index`` of ``head``, as :func:`read_structure_set` reads it.

    pydicom's warnings while its values are decoded become the ROI's findings.
    """
    return with_warnings_as_findings(lambda: _roi(head, head.entries[index]))


def _roi(head: StructureSetHead, entry: RoiEntry) -> Roi:
    return _read_roi(entry.roi_number, entry.item, entry.contour_item, entry.observation,
                     head.frame_of_reference_uid)


def _head(path: Path) -> StructureSetHead:
    """:func:`read_structure_head` without the warning capture."""
    # Nelms' structure sets carry an empty Pixel Data: never read pixels here
    ds, read_findings = read_dataset(path, stop_before_pixels=True)
    findings = list(read_findings)
    sop_class = text(ds, "SOPClassUID", findings)
    if sop_class != RT_STRUCTURE_SET and text(ds, "Modality", findings) != "RTSTRUCT":
        raise UnsupportedObjectError(f"not an RT Structure Set (SOP Class {sop_class})",
                                     path=path)
    check_not_truncated(path)  # else the last ROIs would vanish without a word
    references = read_referenced_images(ds)
    findings += references.findings
    entries, more = _roi_entries(ds)
    findings += more
    return StructureSetHead(path, ds, references.frame_of_reference_uid, references,
                            tuple(entries), tuple(findings))


def _read(path: Path) -> StructureSet:
    """:func:`read_structure_set` without the warning capture."""
    head = _head(path)
    ds, references = head.dataset, head.references
    rois = [_roi(head, entry) for entry in head.entries]
    findings = list(head.findings)
    return StructureSet(
        path=path, sop_instance_uid=text(ds, "SOPInstanceUID", findings) or "",
        label=text(ds, "StructureSetLabel", findings) or "",
        frame_of_reference_uid=references.frame_of_reference_uid, rois=tuple(rois),
        referenced_series_uids=references.series_uids,
        contour_image_sop_uids=_all_contour_images(references.image_uids, rois),
        name=text(ds, "StructureSetName", findings) or "",
        referenced_study_uids=references.study_uids,
        date=date_of(ds, "StructureSetDate", findings, "structure set"),
        time=time_of(ds, "StructureSetTime", findings, "structure set"),
        approval_status=(text(ds, "ApprovalStatus", findings) or "").upper() or None,
        review_date=date_of(ds, "ReviewDate", findings, "review"),
        review_time=time_of(ds, "ReviewTime", findings, "review"), findings=tuple(findings))


def _contour_bytes(contour_item: Dataset | None) -> int:
    """Length of the item's Contour Sequence while pydicom has left it undecoded, else 0."""
    if contour_item is None:
        return 0
    try:
        value = contour_item.get_item(0x30060040)
    except Exception:  # noqa: BLE001 - only an estimate: the ROI's reading says what is wrong
        return 0
    raw = getattr(value, "value", None)
    return len(raw) if isinstance(value, RawDataElement) and isinstance(raw, bytes) else 0


def _roi_entries(ds: Dataset) -> tuple[list[RoiEntry], list[Finding]]:
    """Every ROI of Structure Set ROI Sequence, plus contours that name no such ROI."""
    findings: list[Finding] = []
    contour_items = {}
    for item in items(ds, "ROIContourSequence", findings):
        number = integer(item, "ReferencedROINumber", findings)
        if number is not None:
            contour_items[number] = item
    observations = {integer(o, "ReferencedROINumber", findings): o
                    for o in items(ds, "RTROIObservationsSequence", findings)}
    entries = []
    declared = set()
    for item in items(ds, "StructureSetROISequence", findings):
        number = integer(item, "ROINumber", findings)
        if number is None:
            name = text(item, "ROIName", findings)
            findings.append(Finding("ROI_WITHOUT_NUMBER", f"An ROI ({name!r}) has no ROI Number "
                                    "and was skipped.", attribute="ROINumber"))
            continue
        declared.add(number)
        contour_item = contour_items.get(number)
        entries.append(RoiEntry(number, item, contour_item, observations.get(number),
                                _contour_bytes(contour_item)))
    for number in sorted(set(contour_items) - declared):
        findings.append(Finding("CONTOURS_OF_UNDECLARED_ROI", f"ROI Contour Sequence holds "
                                f"contours for ROI {number}, which Structure Set ROI Sequence "
                                "does not declare.", attribute="ReferencedROINumber",
                                assumption=f"shown as 'ROI {number}'"))
        entries.append(RoiEntry(number, None, contour_items[number], observations.get(number),
                                _contour_bytes(contour_items[number])))
    return entries, findings


def _read_roi(number: int, item: Dataset | None, contour_item: Dataset | None,
              observation: Dataset | None, default_frame: str | None) -> Roi:
    """One ROI from its three sequence items (any may be missing)."""
    findings: list[Finding] = []
    name = (text(item, "ROIName", findings) if item is not None else None) or f"ROI {number}"
    label = f"ROI {number} {name!r}"
    contours: list[Contour] = []
    if contour_item is not None:
        contours, findings = read_contours(contour_item, label)
    color, from_file = _color(contour_item, number, label, findings)
    if not contours:
        findings.append(Finding("ROI_WITHOUT_CONTOURS", f"{label} has no contours.",
                                Severity.INFO, "ContourSequence"))
    roi = Roi(
        roi_number=number, name=name, color_rgb=color,
        interpreted_type=(text(observation, "RTROIInterpretedType", findings)
                          if observation is not None else None),
        contours=tuple(contours), volume_cc=None,
        frame_of_reference_uid=((text(item, "ReferencedFrameOfReferenceUID", findings)
                                 if item is not None else None) or default_frame),
        color_from_file=from_file,
        generation_algorithm=text(item, "ROIGenerationAlgorithm", findings) if item is not None
        else None, findings=tuple(findings))
    return _with_volume(roi, label)


def _with_volume(roi: Roi, label: str) -> Roi:
    """The ROI with its volume from the one volume function (closed planar contours only)."""
    polygons = [p for p in roi.closed_polygons_mm() if len(p) >= 3]
    if not polygons:
        return roi
    try:
        volume = structure_volume_cc(polygons)
    except ValueError as exc:
        finding = Finding("ROI_VOLUME_UNKNOWN", f"{label}: its volume cannot be computed "
                          f"({exc}).", attribute="ContourData")
        return replace(roi, findings=(*roi.findings, finding))
    if volume == 0.0 and len(roi.planes) == 1:
        finding = Finding("SINGLE_PLANE_ROI", f"{label} lies on one plane: its volume depends "
                          "on a slice thickness the structure set does not state.",
                          Severity.INFO, "ContourData", assumption="volume 0 cc")
        return replace(roi, volume_cc=volume, findings=(*roi.findings, finding))
    return replace(roi, volume_cc=volume)


def _color(contour_item: Dataset | None, number: int, label: str,
           findings: list[Finding]) -> tuple[tuple[int, int, int], bool]:
    """ROI Display Color, or the palette colour (with a finding saying why)."""
    palette = palette_color(number)
    if contour_item is None or present_text(contour_item, "ROIDisplayColor") is None:
        findings.append(Finding("NO_ROI_DISPLAY_COLOR", f"{label} has no ROI Display Color.",
                                Severity.INFO, "ROIDisplayColor",
                                assumption=f"palette colour {palette}"))
        return palette, False
    wanted = "three integers from 0 to 255"
    values = numbers(contour_item, "ROIDisplayColor", findings, label, count=3,
                     label="ROI Display Color", severity=Severity.INFO,
                     assumption=f"palette colour {palette}", wanted=wanted)
    if values is None:
        return palette, False
    if not all(0 <= v <= 255 and v == int(v) for v in values):
        findings.append(Finding("UNUSABLE_VALUE", f"{label}: ROI Display Color (ROIDisplayColor) "
                                f"{tag_text('ROIDisplayColor')} is not {wanted}: "
                                f"{present_text(contour_item, 'ROIDisplayColor')!r}.",
                                Severity.INFO, "ROIDisplayColor",
                                assumption=f"palette colour {palette}"))
        return palette, False
    return (int(values[0]), int(values[1]), int(values[2])), True


def _all_contour_images(referenced: tuple[str, ...], rois: list[Roi]) -> tuple[str, ...]:
    """Referenced images from the frame-of-reference tree and from the contours, once each."""
    seen = dict.fromkeys(referenced)
    for roi in rois:
        for contour in roi.contours:
            seen.update(dict.fromkeys(contour.referenced_sop_instance_uids))
    return tuple(seen)
