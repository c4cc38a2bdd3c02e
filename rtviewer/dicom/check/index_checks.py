"""Checks on the scanned index alone: references, duplicates, series, patients, frames.

These read no file: they judge what :func:`rtviewer.dicom.scan.scan` recorded.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rtviewer.dicom.check.attributes import attribute_named_in
from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.sop_classes import lookup
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance, Reference, ScanResult, Series
from rtviewer.model.kind import Kind
from rtviewer.model.patient_identity import different_patients

__all__ = ["check_index", "instance_patients", "series_by_uid", "instance_frame_of_reference",
           "different_patients"]

_REFERENCE_ATTRIBUTE = {
    "rtplan": "ReferencedRTPlanSequence",
    "rtstruct": "ReferencedStructureSetSequence",
    "rtdose": "ReferencedDoseSequence",
    "beam": "ReferencedBeamNumber",
    "image_series": "RTReferencedSeriesSequence",
}
_REFERENCE_NAME = {"rtplan": "RT Plan", "rtstruct": "RT Structure Set", "rtdose": "RT Dose",
                   "beam": "beam", "image_series": "image series"}
#: Scanner codes renamed to the check's vocabulary.
_RENAMED = {"SERIES_SPLIT": "SERIES_UID_MULTIPLE_VOLUMES"}


def check_index(result: ScanResult, out: Collector) -> None:
    """Add every index-level finding of a scan to ``out``."""
    for problem in result.problems:
        out.add(Finding("UNREADABLE_FILE", f"The file cannot be used: {problem.reason}.",
                        Severity.ERROR, attribute_named_in(problem.reason),
                        "the file is left out"), problem.path, None)
    patients = instance_patients(result)
    series = series_by_uid(result)
    by_path = {inst.path: inst for inst in result.instances()}
    for inst in result.instances():
        _check_sop_class(inst, out)  # first: its wording wins over the scanner's
        for finding in inst.findings:
            if finding.code in ("DUPLICATE_SOP_INSTANCE_UID",):
                continue  # judged below, on content
            out.add(_renamed(finding), inst.path, inst.sop_instance_uid)
        for ref in inst.references:
            _check_reference(inst, ref, out)
            _check_chain(inst, ref, by_path, series, patients, out)
    _check_series_splits(result, out)


def _renamed(finding: Finding) -> Finding:
    code = _RENAMED.get(finding.code)
    if code is None:
        return finding
    return Finding(code, finding.message, finding.severity, finding.attribute,
                   finding.assumption)


def instance_patients(result: ScanResult) -> dict[Path, tuple[str | None, str | None]]:
    """Map each instance's path to its patient (ID, name as normalised by the scan)."""
    return {inst.path: (p.patient_id, p.patient_name)
            for p in result.patients for st in p.studies for se in st.series
            for inst in se.instances}


def series_by_uid(result: ScanResult) -> dict[str, list[Series]]:
    """Map each Series Instance UID to its volumes."""
    out: dict[str, list[Series]] = defaultdict(list)
    for p in result.patients:
        for st in p.studies:
            for se in st.series:
                if se.series_instance_uid:
                    out[se.series_instance_uid].append(se)
    return out


def instance_frame_of_reference(inst: Instance) -> frozenset[str]:
    """The Frames of Reference an instance declares (top level, else the ones it references)."""
    if inst.frame_of_reference_uid:
        return frozenset({inst.frame_of_reference_uid})
    return frozenset(r.uid for r in inst.references if r.kind == "frame_of_reference" and r.uid)


def _check_sop_class(inst: Instance, out: Collector) -> None:
    sop = lookup(inst.sop_class_uid)
    standard = inst.sop_class_uid.startswith("1.2.840.10008.")
    if sop.private or (not standard and inst.sop_class_uid):
        read_as = f"read as {sop.kind}" if sop.kind != Kind.OTHER else "listed, not displayed"
        out.add(Finding(
            "PRIVATE_SOP_CLASS", f"The SOP Class {inst.sop_class_uid} ({sop.name}) is private, "
            f"not a standard DICOM class; other systems may not read it.",
            Severity.WARNING, "SOPClassUID", read_as), inst.path, inst.sop_instance_uid)


def _check_reference(inst: Instance, ref: Reference, out: Collector) -> None:
    if ref.kind not in _REFERENCE_ATTRIBUTE:
        return  # a Frame of Reference without images is shown by the image series check
    name = _REFERENCE_NAME[ref.kind]
    attribute = _REFERENCE_ATTRIBUTE[ref.kind]
    if not ref.resolved:
        count = (f" (none of its {ref.referenced_instance_count} referenced images)"
                 if ref.referenced_instance_count else "")
        out.add(Finding(
            "MISSING_REFERENCE", f"The referenced {name} {ref.uid} is not in this folder"
            f"{count}.", Severity.WARNING, attribute,
            f"the {name} is shown as missing; what is present is shown"),
            inst.path, inst.sop_instance_uid)
    elif ref.kind == "image_series" and ref.missing_instance_count:
        out.add(Finding(
            "MISSING_INSTANCES", f"{ref.missing_instance_count} of the "
            f"{ref.referenced_instance_count} images this object references in series "
            f"{ref.uid} are not in this folder.", Severity.WARNING, "ContourImageSequence",
            "contours are drawn on the images present; the others are missing"),
            inst.path, inst.sop_instance_uid)


def _check_chain(inst: Instance, ref: Reference, by_path: dict[Path, Instance],
                 series: dict[str, list[Series]],
                 patients: dict[Path, tuple[str | None, str | None]], out: Collector) -> None:
    if not ref.resolved or ref.path is None or ref.kind in ("frame_of_reference", "beam"):
        return
    target = by_path.get(ref.path)
    if target is None:
        return
    name = _REFERENCE_NAME[ref.kind]
    mine, theirs = patients.get(inst.path), patients.get(ref.path)
    if mine and theirs and different_patients(mine, theirs):
        out.add(Finding(
            "PATIENT_MISMATCH_IN_CHAIN",
            f"This object belongs to patient {_who(mine)} but the {name} it references "
            f"({out.relative(ref.path)}) belongs to patient {_who(theirs)}.",
            Severity.ERROR, "PatientID", "none: objects of different patients are not combined"),
            inst.path, inst.sop_instance_uid)
    mine_frames = instance_frame_of_reference(inst)
    if ref.kind == "image_series":
        their_frames = frozenset(s.frame_of_reference_uid for s in series.get(ref.uid, [])
                                 if s.frame_of_reference_uid)
    else:
        their_frames = instance_frame_of_reference(target)
    # a mismatch only when no declared frame agrees (several are reported by the readers)
    if mine_frames and their_frames and not mine_frames & their_frames:
        out.add(Finding(
            "FRAME_OF_REFERENCE_MISMATCH",
            f"This object is in Frame of Reference {', '.join(sorted(mine_frames))} but the "
            f"{name} it references ({out.relative(ref.path)}) is in "
            f"{', '.join(sorted(their_frames))}: their coordinates cannot be assumed to "
            f"agree.", Severity.ERROR, "FrameOfReferenceUID",
            "none: the objects are not overlaid"), inst.path, inst.sop_instance_uid)


def _who(patient: tuple[str | None, str | None]) -> str:
    return f"ID {patient[0] or '(none)'!s}, name {patient[1] or '(none)'!s}"


def _check_series_splits(result: ScanResult, out: Collector) -> None:
    for uid, volumes in series_by_uid(result).items():
        if len(volumes) < 2 or not volumes[0].instances:
            continue
        why = next((f.message for v in volumes for f in v.findings
                    if f.code == "SERIES_SPLIT"), "")
        sizes = ", ".join(str(v.instance_count) for v in volumes)
        first = volumes[0].instances[0]
        out.add(Finding(
            "SERIES_UID_MULTIPLE_VOLUMES",
            f"Series {uid} holds {len(volumes)} distinct volumes ({sizes} images). {why}",
            Severity.WARNING, "SeriesInstanceUID", "each volume is shown as its own series"),
            first.path, first.sop_instance_uid)
