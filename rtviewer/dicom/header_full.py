"""The pydicom path of the scan: RT objects, multi-frame and unusual files."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from typing import Any

import pydicom
from pydicom.dataset import Dataset

from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.header_record import Record, instance_record, problem, skipped
from rtviewer.dicom.rt_references import beam_numbers, raw_references
from rtviewer.dicom.rt_summary import summarize
from rtviewer.dicom.sop_classes import lookup
from rtviewer.dicom.sop_inference import infer_sop_class, missing_sop_class_finding
from rtviewer.dicom.values import integer, number, numbers, text
from rtviewer.errors import NotDicomError, UnreadableFileError
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.kind import Kind

__all__ = ["full_record"]

_TEXT_KEYWORDS = ("SOPInstanceUID", "Modality", "PatientID", "PatientName", "StudyInstanceUID",
                  "StudyDescription", "StudyDate", "SeriesInstanceUID", "SeriesDescription",
                  "FrameOfReferenceUID")
_FLOAT_LISTS = ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing")
_INTS = ("SeriesNumber", "InstanceNumber", "NumberOfFrames", "Rows", "Columns")
#: Values larger than this (contour points, DVH curves) are skipped, not read.
_DEFER_SIZE = "16 KB"


def _finding_row(f: Finding) -> list[str]:
    return [f.code, f.message, f.severity.value]


def _values(ds: Dataset, notes: list[Finding]) -> dict[str, Any]:
    """The values of the record, keyed by keyword; unusable ones noted."""
    v: dict[str, Any] = {k: text(ds, k, notes) for k in _TEXT_KEYWORDS}
    for keyword in _FLOAT_LISTS:
        values = numbers(ds, keyword, notes)
        v[keyword] = None if values is None else list(values)
    v.update({k: integer(ds, k, notes) for k in _INTS})
    v["SliceThickness"] = number(ds, "SliceThickness", notes)
    return v


def _read_trimmed(data: bytes) -> tuple[Dataset, list[Finding]]:
    """Parse in-memory bytes (a structure set without its contours), warnings captured."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = pydicom.dcmread(io.BytesIO(data), force=True, stop_before_pixels=True,
                             defer_size=_DEFER_SIZE)
    found = [Finding("PYDICOM_WARNING", str(w.message), Severity.INFO) for w in caught]
    meta = getattr(ds, "file_meta", None)
    if meta is None or "TransferSyntaxUID" not in meta:
        found.append(Finding("NO_FILE_META", "The file has no DICOM file meta information "
                             "(no Transfer Syntax).", Severity.INFO))
    return ds, found


def _needs_contours(record: Record) -> bool:
    """A structure set whose image references live only in its contours."""
    series = [r for r in record.get("references", []) if r["kind"] == "image_series"]
    return not series or any(not r.get("instances") for r in series)


def full_record(path: str, *, trimmed: bytes | None = None,
                rois_with_contours: int | None = None) -> Record:
    """Read a header with pydicom and build its record (summary and references included).

    Parameters
    ----------
    path : str
        The file.
    trimmed : bytes, keyword-only
        For a structure set: the file's bytes without its ROI Contour Sequence, parsed
        instead of the file (contour data is most of a structure set and not needed).
    rois_with_contours : int, keyword-only
        With ``trimmed``: how many ROIs have contours.
    """
    try:
        if trimmed is not None:
            ds, found = _read_trimmed(trimmed)
        else:
            ds, found = read_dataset(path, stop_before_pixels=True, defer_size=_DEFER_SIZE)
    except NotDicomError as exc:
        return skipped(exc.message)
    except UnreadableFileError as exc:
        return problem(exc.message)
    except Exception:  # noqa: BLE001 - the trimmed parse failed: read the file itself
        return full_record(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = _build(ds, found, rois_with_contours)
    if trimmed is not None and record["status"] == "instance" and _needs_contours(record):
        return full_record(path)
    messages = {row[1] for row in record.get("findings", [])}
    for w in caught:
        if str(w.message) not in messages:
            messages.add(str(w.message))
            record.setdefault("findings", []).append(
                ["PYDICOM_WARNING", str(w.message), "info"])
    return record


def _guarded(part: Callable[[], Any], fallback: Any, code: str, what: str,
             findings: list[list[str]]) -> Any:
    """One part of a record, or ``fallback`` with a finding saying what was lost."""
    try:
        return part()
    except (ValueError, TypeError, IndexError, AttributeError, KeyError, OverflowError,
            NotImplementedError) as exc:
        findings.append([code, f"{what} ({type(exc).__name__}: {exc})", "warning"])
        return fallback


def _build(ds: Dataset, found: list[Finding], rois_with_contours: int | None) -> Record:
    notes: list[Finding] = []
    sop_class_uid = text(ds, "SOPClassUID", notes)
    missing_class = None
    if not sop_class_uid and not notes:
        inferred = infer_sop_class(ds)  # never silent: the finding says what it is read as
        missing_class = missing_sop_class_finding(inferred, empty="SOPClassUID" in ds)
        sop_class_uid = inferred.uid
    v = _values(ds, notes)
    if not v["SOPInstanceUID"]:
        return problem("DICOM file without SOP Instance UID: it cannot be identified")
    sop = lookup(sop_class_uid)
    if sop.kind == Kind.DICOMDIR:
        return skipped("DICOMDIR (a media directory, not an object)")
    findings = [_finding_row(f) for f in found]
    if missing_class is not None:
        findings.append(_finding_row(missing_class))
    # Each part guarded on its own: a summary that fails must not lose the references.
    summary = _guarded(lambda: summarize(ds, sop.kind, notes,
                                         rois_with_contours=rois_with_contours),
                       None, "SUMMARY_FAILED", "the header could not be summarised", findings)
    references = _guarded(lambda: raw_references(ds, sop.kind, notes), [], "REFERENCES_FAILED",
                          "the references to other objects could not be read", findings)
    beams = _guarded(lambda: beam_numbers(ds, notes), [], "BEAM_NUMBERS_FAILED",
                     "the beam numbers could not be read", findings)
    findings += [_finding_row(f) for f in dict.fromkeys(notes)]  # once per value
    if sop.private:
        findings.append(["PRIVATE_SOP_CLASS", f"{sop.name}: read as a standard "
                         f"{sop.kind.upper()}", "info"])
    return instance_record(v, sop_class_uid=sop.uid or (sop_class_uid or ""), findings=findings,
                           summary=summary, references=references, beam_numbers=beams)
