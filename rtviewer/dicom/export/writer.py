"""Write the selected files to a new folder, named by UID, with a manifest.

Plain export copies the bytes. Anonymised export runs every file of one export through
dicognito anonymisers sharing one secret (:mod:`rtviewer.dicom.export.profile`), one
whole-day date shift per patient, the user's free-text edits, then re-reads every file
written and names any identifier left (:mod:`rtviewer.dicom.export.verify`).
"""

from __future__ import annotations

import json
import secrets
import shutil
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset

from rtviewer.dicom.export.burnt_in import burnt_in_status
from rtviewer.dicom.export.free_text import TextEdits, apply_text_edits
from rtviewer.dicom.export.profile import (
    PROFILE_CODES,
    finish_profile,
    make_anonymiser,
    prepare_profile,
)
from rtviewer.dicom.export.verify import Leak, collect_identifiers, find_leaks
from rtviewer.dicom.files import read_dataset
from rtviewer.errors import RtViewerError
from rtviewer.model.index import Instance, ScanResult

__all__ = ["ExportOptions", "ExportedFile", "ExportResult", "export", "check_out_dir",
           "MANIFEST_NAME", "patient_groups", "zip_folder"]

MANIFEST_NAME = "manifest.json"
#: Auto date shift: a secret whole number of days back, at least two months (so a
#: known date cannot be recognised) and at most two years.
_AUTO_SHIFT_DAYS = (62, 730)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportOptions:
    """What the user asked for.

    Parameters
    ----------
    anonymise : bool
    patient_id, patient_name : str or None
        Replace dicognito's random ID and name (every exported patient gets them).
    date_shift_days : int or None
        Days added to every date; None: a secret shift per patient, 62 to 730 days back.
    keep_private : bool
        Keep private elements (dropped by default when anonymising).
    include_burnt_in : bool
        Export images that may hold burnt-in text even when anonymising.
    text_edits : mapping
        (keyword, original value) → new value for the kept free text.
    """

    anonymise: bool = False
    patient_id: str | None = None
    patient_name: str | None = None
    date_shift_days: int | None = None
    keep_private: bool = False
    include_burnt_in: bool = False
    text_edits: TextEdits = field(default_factory=dict)


@dataclass(frozen=True)
class ExportedFile:
    """One file written: its source, where it went, its (new) SOP Instance UID."""

    source: Path
    path: Path
    kind: str
    sop_instance_uid: str


@dataclass(frozen=True)
class ExportResult:
    """What an export did.

    ``uid_map`` (source UID → exported UID) and ``shift_days`` (per exported patient)
    are the re-identification key: kept in memory for the caller's checks, never written.
    """

    out_dir: Path
    files: tuple[ExportedFile, ...]
    burnt_in: tuple[tuple[Path, str], ...]
    withheld: tuple[Path, ...]
    leaks: tuple[Leak, ...]
    uid_map: Mapping[str, str]
    shift_days: Mapping[Path, int]
    notes: tuple[str, ...] = ()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out_dir(out: Path, sources: Sequence[Path]) -> Path:
    """The output folder, resolved; refused inside a source or when not empty.

    Raises
    ------
    RtViewerError
        ``out`` is a source folder or inside one, or an existing non-empty folder.
    """
    out = out.expanduser().resolve()
    for src in sources:
        folder = src.resolve() if src.is_dir() else src.resolve().parent
        if _inside(out, folder):
            raise RtViewerError(f"--out {out} is inside the source folder {folder}; "
                                "exports go to a new folder, never into the data")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RtViewerError(f"--out {out} exists and is not an empty folder")
    return out


def patient_groups(scan: ScanResult) -> dict[Path, Path]:
    """Each file → the first file of its patient group (one date shift per group).

    A group joins the scan's patients that share a study: the corpus' proton plan
    names a different Patient ID than its own study's doses, and a study must keep
    one time line.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    owner: dict[Path, str] = {}
    for i, p in enumerate(scan.patients):
        for st in p.studies:
            parent[find(f"p{i}")] = find(f"s{st.study_instance_uid}")
            for se in st.series:
                owner.update((inst.path, f"p{i}") for inst in se.instances)
    first: dict[str, Path] = {}
    return {path: first.setdefault(find(key), path) for path, key in owner.items()}


def _shift_for(group: Path, shifts: dict[Path, int], options: ExportOptions) -> int:
    if group not in shifts:
        low, high = _AUTO_SHIFT_DAYS
        shifts[group] = options.date_shift_days if options.date_shift_days is not None \
            else -(low + secrets.randbelow(high - low + 1))
    return shifts[group]


def _uids(ds: Dataset, prefix: str = "") -> Iterator[tuple[str, str]]:
    for elem in ds:
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value or ()):
                yield from _uids(item, f"{prefix}{elem.tag}[{i}].")
        elif elem.VR == "UI" and isinstance(elem.value, str) and elem.value:
            yield f"{prefix}{elem.tag}", elem.value


def _all_uids(ds: Dataset) -> dict[str, str]:
    found = {f"meta{k}": v for k, v in _uids(ds.file_meta)}
    found.update(_uids(ds))
    return found


def _file_name(uid: str, taken: set[str]) -> str:
    # Two corpus files share a SOP Instance UID with different content: keep both.
    name, n = f"{uid}.dcm", 1
    while name in taken:
        n += 1
        name = f"{uid}_{n}.dcm"
    taken.add(name)
    return name


def _anonymise(ds: Dataset, inst: Instance, shift_days: int, seed: str,
               options: ExportOptions) -> dict[str, str]:
    """Anonymise one dataset in place; return its source → new UID pairs."""
    before = _all_uids(ds)
    prepare_profile(ds, options.keep_private)
    apply_text_edits(ds, options.text_edits)
    make_anonymiser(seed, shift_days).anonymize(ds)
    if options.patient_id is not None:
        ds.PatientID = options.patient_id
    if options.patient_name is not None:
        ds.PatientName = options.patient_name
    finish_profile(ds, identity_removed=burnt_in_status(ds) is None,
                   keep_private=options.keep_private)
    after = _all_uids(ds)
    return {old: after[k] for k, old in before.items() if k in after and after[k] != old}


def _write(ds: Dataset, path: Path) -> None:
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(path, enforce_file_format=True)


@dataclass
class _Run:
    """The state one export accumulates."""

    out: Path
    options: ExportOptions
    groups: dict[Path, Path]
    seed: str = field(default_factory=lambda: secrets.token_hex(16))
    shifts: dict[Path, int] = field(default_factory=dict)
    uid_map: dict[str, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    files: list[ExportedFile] = field(default_factory=list)
    burnt_in: list[tuple[Path, str]] = field(default_factory=list)
    withheld: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[Dataset] = field(default_factory=list)
    manifest: list[dict[str, Any]] = field(default_factory=list)


def _one(run: _Run, inst: Instance) -> None:
    ds, _findings = read_dataset(inst.path)
    status = burnt_in_status(ds)
    if status is not None:
        run.burnt_in.append((inst.path, status))
        if run.options.anonymise and not run.options.include_burnt_in:
            run.withheld.append(inst.path)
            return
    if not run.options.anonymise:
        name = _file_name(inst.sop_instance_uid, run.taken)
        shutil.copyfile(inst.path, run.out / name)
        _record(run, inst, ds, name, source=True)
        return
    run.sources.append(read_dataset(inst.path, stop_before_pixels=True)[0])
    group = run.groups.get(inst.path, inst.path)
    run.uid_map.update(_anonymise(ds, inst, _shift_for(group, run.shifts, run.options),
                                  run.seed, run.options))
    name = _file_name(str(ds.SOPInstanceUID), run.taken)
    _write(ds, run.out / name)
    _record(run, inst, ds, name, source=False)


def _record(run: _Run, inst: Instance, ds: Dataset, name: str, source: bool) -> None:
    uid = str(ds.get("SOPInstanceUID", ""))
    run.files.append(ExportedFile(inst.path, run.out / name, inst.kind, uid))
    entry = {"file": name, "kind": inst.kind, "sop_class_uid": inst.sop_class_uid,
             "modality": inst.modality, "sop_instance_uid": uid,
             "patient_id": str(ds.get("PatientID", "")),
             "study_instance_uid": str(ds.get("StudyInstanceUID", "")),
             "series_instance_uid": str(ds.get("SeriesInstanceUID", ""))}
    if source:  # a source path can name the patient: only in a plain export
        entry["source"] = str(inst.path)
    run.manifest.append(entry)


def _write_manifest(run: _Run, leaks: list[Leak]) -> None:
    doc = {
        "format": "rtviewer-export-1",
        "anonymised": run.options.anonymise,
        "profile": [{"code": c, "scheme": "DCM", "meaning": m} for c, m in PROFILE_CODES]
        if run.options.anonymise else None,
        "private_tags": "kept" if run.options.keep_private or not run.options.anonymise
        else "dropped",
        "files": run.manifest,
        "burnt_in_annotation": [{"status": s, "exported": p not in run.withheld}
                                for p, s in run.burnt_in],
        "verification": None if not run.options.anonymise else {
            "files_checked": len(run.files), "leaks": len(leaks)},
    }
    (run.out / MANIFEST_NAME).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n",
                                         encoding="utf-8")


def export(scan: ScanResult, instances: Sequence[Instance], out: Path,
           options: ExportOptions, progress: Progress | None = None) -> ExportResult:
    """Write ``instances`` to the new folder ``out`` (see :func:`check_out_dir`).

    Parameters
    ----------
    scan : ScanResult
        The scan the instances come from (their patients give the date-shift groups).
    instances : sequence of Instance
        The files to export, e.g. from :func:`~rtviewer.dicom.export.selection.select_chain`.
    out : Path
        A new or empty folder outside every source folder.
    options : ExportOptions
    progress : callable(done, total), optional

    Returns
    -------
    ExportResult
        With the verification's leaks (empty when nothing identifying was left).

    Raises
    ------
    RtViewerError
        ``out`` refused, or a source file cannot be read (the message names it).
    """
    out = check_out_dir(out, [scan.root])
    out.mkdir(parents=True, exist_ok=True)
    run = _Run(out, options, patient_groups(scan))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, inst in enumerate(instances):
            _one(run, inst)
            if progress is not None:
                progress(i + 1, len(instances))
    run.notes.extend(sorted({str(w.message) for w in caught}))
    leaks = _verify(run) if options.anonymise else []
    _write_manifest(run, leaks)
    return ExportResult(out, tuple(run.files), tuple(run.burnt_in), tuple(run.withheld),
                        tuple(leaks), dict(run.uid_map),
                        {f.path: run.shifts[run.groups.get(f.source, f.source)]
                         for f in run.files if run.groups.get(f.source, f.source)
                         in run.shifts}, tuple(run.notes))


def _verify(run: _Run) -> list[Leak]:
    ids = collect_identifiers(run.sources, set(run.shifts.values()))
    if ids.unchecked:
        run.notes.append("not checked, because the source uses them as clinical or "
                         "equipment text too (review the kept text): "
                         + ", ".join(repr(t) for t in ids.unchecked))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        return [leak for f in run.files for leak in find_leaks(f.path, ids)]


def zip_folder(folder: Path) -> Path:
    """``folder`` packed as ``folder.zip`` beside it (for a bug report or a course site)."""
    return Path(shutil.make_archive(str(folder), "zip", root_dir=folder))
