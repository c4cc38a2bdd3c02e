"""Build the patient → study → series (volume) → instance index from per-file records."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rtviewer.dicom.resolve import Resolver
from rtviewer.dicom.sop_classes import lookup
from rtviewer.dicom.volumes import split_volumes
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import (
    Instance,
    Patient,
    Problem,
    ScanResult,
    Series,
    SkippedFile,
    Study,
)

__all__ = ["build_index"]

Record = dict[str, Any]
_PatientKey = tuple[str | None, str | None]


def _duplicates(records: dict[str, Record], root: Path) -> dict[str, Finding]:
    """A DUPLICATE_SOP_INSTANCE_UID warning for every file sharing its UID with another."""
    by_uid: dict[str, list[str]] = {}
    for path, rec in records.items():
        by_uid.setdefault(rec["sop_instance_uid"], []).append(path)
    out = {}
    for uid, paths in by_uid.items():
        if len(paths) < 2:
            continue
        for path in paths:
            others = ", ".join(sorted(os.path.relpath(p, root) for p in paths if p != path))
            out[path] = Finding(
                "DUPLICATE_SOP_INSTANCE_UID",
                f"SOP Instance UID {uid} is also used by {others}; both files are kept and "
                "references to this UID resolve to the first by path.",
                Severity.WARNING, attribute="SOPInstanceUID")
    return out


def _finding(row: list[str]) -> Finding:
    return Finding(row[0], row[1], Severity(row[2]) if len(row) > 2 else Severity.WARNING)


def _instance(path: str, rec: Record, resolver: Resolver, extra: list[Finding]) -> Instance:
    sop = lookup(rec["sop_class_uid"])
    refs, ref_findings = resolver.resolve(rec.get("references") or [])
    position = rec.get("position")
    return Instance(
        path=Path(path), sop_class_uid=rec["sop_class_uid"], sop_class_name=sop.name,
        kind=sop.kind, sop_instance_uid=rec["sop_instance_uid"], modality=rec.get("modality"),
        summary=rec.get("summary"), frame_of_reference_uid=rec.get("frame_of_reference_uid"),
        instance_number=rec.get("instance_number"),
        image_position_mm=tuple(position) if position and len(position) == 3 else None,
        references=tuple(refs),
        findings=tuple([_finding(r) for r in rec.get("findings") or []] + ref_findings + extra),
    )


def _series_entries(paths: list[str], records: dict[str, Record], resolver: Resolver,
                    dups: dict[str, Finding]) -> list[Series]:
    entries = []
    for index, (members, findings) in enumerate(split_volumes(paths, records)):
        first = records[members[0]]
        instances = tuple(_instance(p, records[p], resolver, [dups[p]] if p in dups else [])
                          for p in members)
        entries.append(Series(
            series_instance_uid=first.get("series_uid"), volume_index=index,
            modality=first.get("modality"), series_number=first.get("series_number"),
            series_description=first.get("series_description"),
            frame_of_reference_uid=first.get("frame_of_reference_uid"),
            instances=instances, findings=tuple(findings)))
    return entries


def _sort_key(value: str | None) -> tuple[bool, str]:
    return (value is not None, value or "")


def build_index(root: Path, records: dict[str, Record], skipped: list[tuple[str, str]],
                problems: list[tuple[str, str]], *, cancelled: bool = False) -> ScanResult:
    """Assemble a :class:`ScanResult` from the per-file records.

    Parameters
    ----------
    root : Path
        The scanned root.
    records : dict
        Absolute path -> record (see :mod:`rtviewer.dicom.header`).
    skipped, problems : list of (path, reason)
        Found while walking the folder (before reading).
    cancelled : bool
        The scan was cancelled.
    """
    instances = {p: r for p, r in records.items() if r["status"] == "instance"}
    skipped = skipped + [(p, r["reason"]) for p, r in records.items() if r["status"] == "skipped"]
    problems = problems + [(p, r["reason"]) for p, r in records.items()
                           if r["status"] == "problem"]
    resolver = Resolver(instances)
    dups = _duplicates(instances, root)
    tree: dict[_PatientKey, dict[str | None, dict[str | None, list[str]]]] = {}
    for path, rec in instances.items():
        key = (rec.get("patient_id"), rec.get("patient_name"))
        by_study = tree.setdefault(key, {})
        by_study.setdefault(rec.get("study_uid"), {}).setdefault(rec.get("series_uid"), []) \
            .append(path)
    patients = []
    for key in sorted(tree, key=lambda k: (_sort_key(k[0]), _sort_key(k[1]))):
        studies: list[Study] = []
        for study_uid in sorted(tree[key], key=_sort_key):
            series_map = tree[key][study_uid]
            series: list[Series] = []
            for series_uid in sorted(series_map, key=_sort_key):
                series += _series_entries(series_map[series_uid], instances, resolver, dups)
            first = instances[min(p for paths in series_map.values() for p in paths)]
            studies.append(Study(study_uid, first.get("study_description"),
                                 first.get("study_date"), tuple(series)))
        patients.append(Patient(key[0], key[1], tuple(studies)))
    return ScanResult(
        root=root, patients=tuple(patients),
        skipped=tuple(SkippedFile(Path(p), r) for p, r in sorted(skipped)),
        problems=tuple(Problem(Path(p), r) for p, r in sorted(problems)),
        cancelled=cancelled)
