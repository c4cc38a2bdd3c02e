"""Checks of each file on its own: IOD conformance, empty Pixel Data, duplicate UIDs."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pydicom.dataset import Dataset

from rtviewer.dicom.canonical import file_content_digest
from rtviewer.dicom.captured import warnings_as_findings
from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.conformance import check_conformance
from rtviewer.dicom.files import read_dataset
from rtviewer.errors import RtViewerError
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance, ScanResult
from rtviewer.model.kind import Kind

__all__ = ["check_files", "check_duplicates"]


def check_files(result: ScanResult, out: Collector,
                cancel: Callable[[], bool] | None = None) -> None:
    """Check every instance's attributes against its IOD; report empty Pixel Data.

    Image slices are read without their pixels (Pixel Data is then not judged):
    a folder of thousands of CT slices must check in seconds.
    """
    for inst in result.instances():
        if cancel is not None and cancel():
            return  # the caller raises at its next stage
        images = inst.kind == Kind.IMAGE
        try:
            # large values (Pixel Data, Contour Data) are only judged by their length
            ds, findings = read_dataset(inst.path, stop_before_pixels=images, defer_size=4096)
        except RtViewerError as exc:
            out.add(Finding("UNREADABLE_FILE", f"The file cannot be read: {exc.message}.",
                            Severity.ERROR, assumption="the file is left out"),
                    inst.path, inst.sop_instance_uid)
            continue
        try:
            with warnings_as_findings() as value_warnings:
                findings += check_conformance(ds)
            findings += value_warnings
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the others
            findings.append(Finding(
                "CHECK_INCOMPLETE", f"The IOD conformance check of this file stopped "
                f"({type(exc).__name__}: {exc}).", Severity.WARNING,
                assumption="the file's other checks went on"))
        for finding in findings:
            out.add(finding, inst.path, inst.sop_instance_uid)
        empty = _empty_pixel_data(ds)
        if empty is not None:
            out.add(empty, inst.path, inst.sop_instance_uid)


def _empty_pixel_data(ds: Dataset) -> Finding | None:
    if "PixelData" not in ds:
        return None
    element = ds.get_item("PixelData")
    length = getattr(element, "length", None)
    if length is None:  # already decoded
        length = len(getattr(element, "value", b"") or b"")
    rows, columns = ds.get("Rows", None), ds.get("Columns", None)
    if length == 0 or rows == 0 or columns == 0:
        return Finding(
            "EMPTY_PIXEL_DATA", f"The file carries an empty Pixel Data element (Rows {rows}, "
            f"Columns {columns}): it holds no image.", Severity.INFO, "PixelData",
            "the element is ignored; the object is read for its other content")
    return None


def check_duplicates(result: ScanResult, out: Collector) -> None:
    """Report SOP Instance UIDs shared by several files.

    Different content under one UID is an error (references to the UID are
    ambiguous); copies are information: byte-identical ones, and the same dataset
    in another transfer syntax (:mod:`rtviewer.dicom.canonical`).
    """
    groups: dict[str, list[Instance]] = defaultdict(list)
    for inst in result.instances():
        if inst.sop_instance_uid:
            groups[inst.sop_instance_uid].append(inst)
    for uid, members in groups.items():
        if len(members) < 2:
            continue
        identical = len({_digest(inst.path) for inst in members}) == 1
        same_content = identical or _same_content(members)
        for inst in members:
            others = ", ".join(out.relative(o.path) for o in members if o is not inst)
            if same_content:
                copy = "an identical copy of this file" if identical else \
                    "the same object in another encoding (transfer syntax)"
                finding = Finding(
                    "DUPLICATE_SOP_INSTANCE_UID", f"SOP Instance UID {uid} is also used by "
                    f"{others}, {copy}.", Severity.INFO,
                    "SOPInstanceUID", "the copies are shown once each")
            else:
                finding = Finding(
                    "DUPLICATE_SOP_INSTANCE_UID", f"SOP Instance UID {uid} is also used by "
                    f"{others}, with different content: a reference to this UID cannot tell "
                    f"which object is meant.", Severity.ERROR, "SOPInstanceUID",
                    "files are kept apart by path; references resolve to the first by path")
            out.add(finding, inst.path, uid, severity=finding.severity)


def _same_content(members: list[Instance]) -> bool:
    """Whether files with different bytes hold the same dataset (canonical encoding)."""
    digests = {file_content_digest(inst.path) for inst in members}
    return len(digests) == 1 and None not in digests


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
