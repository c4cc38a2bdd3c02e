"""Resolve raw references against everything found under the scanned root (all patients)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rtviewer.dicom.sop_classes import lookup
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Reference

__all__ = ["Resolver"]

Record = dict[str, Any]


class Resolver:
    """Lookup tables built once from all instance records (path -> record)."""

    def __init__(self, records: dict[str, Record]) -> None:
        self.by_sop: dict[str, list[str]] = {}
        self.series_of_sop: dict[str, str] = {}
        self.series_first: dict[str, str] = {}
        self.image_frames: dict[str, str] = {}
        self.beams: dict[str, set[int]] = {}
        for path in sorted(records):
            rec = records[path]
            sop = rec["sop_instance_uid"]
            self.by_sop.setdefault(sop, []).append(path)
            if rec.get("beam_numbers"):
                self.beams.setdefault(sop, set()).update(rec["beam_numbers"])
            if lookup(rec["sop_class_uid"]).kind != "image":
                continue
            series = rec.get("series_uid")
            if series:
                self.series_of_sop.setdefault(sop, series)
                self.series_first.setdefault(series, path)
            frame = rec.get("frame_of_reference_uid")
            if frame:
                self.image_frames.setdefault(frame, path)

    def resolve(self, raw: list[Record]) -> tuple[list[Reference], list[Finding]]:
        """Turn one instance's raw references into resolved :class:`Reference` objects."""
        refs: list[Reference] = []
        findings: list[Finding] = []
        for item in raw:
            kind, uid = item["kind"], item["uid"]
            if kind == "image_series":
                refs.append(self._series(uid, item.get("instances") or []))
            elif kind == "contour_images":
                new_refs, new_findings = self._contour_images(item.get("instances") or [])
                refs += new_refs
                findings += new_findings
            elif kind == "frame_of_reference":
                path = self.image_frames.get(uid)
                refs.append(Reference(kind, uid, path is not None, _p(path)))
            elif kind == "beam":
                plan_uid, _, number = uid.partition("#")
                paths = self.by_sop.get(plan_uid)
                found = bool(paths) and int(number) in self.beams.get(plan_uid, set())
                refs.append(Reference(kind, uid, found, _p(paths[0]) if found and paths else None))
            else:
                paths = self.by_sop.get(uid)
                refs.append(Reference(kind, uid, bool(paths), _p(paths[0]) if paths else None))
        return refs, findings

    def _series(self, uid: str, instances: list[str]) -> Reference:
        # Point at a referenced image when one was found: with one Series Instance UID
        # split into volumes (Nelms 2 mm / 3 mm CT) that names the right volume.
        found = [p for sop in instances if self.series_of_sop.get(sop) == uid
                 for p in self.by_sop.get(sop, [])]
        path = min(found) if found else self.series_first.get(uid)
        missing = sum(1 for sop in instances if sop not in self.by_sop)
        return Reference("image_series", uid, path is not None, _p(path),
                         referenced_instance_count=len(instances),
                         missing_instance_count=missing)

    def _contour_images(self, instances: list[str]) -> tuple[list[Reference], list[Finding]]:
        """A structure set naming images but no series: attribute them to found series."""
        finding = Finding(
            "NO_REFERENCED_SERIES",
            f"The structure set names {len(instances)} contour images but no RT Referenced "
            "Series; the series is inferred from the images found.",
            Severity.WARNING, attribute="RTReferencedSeriesSequence")
        series = Counter(self.series_of_sop[s] for s in instances if s in self.series_of_sop)
        if not series:
            return [], [finding, Finding(
                "REFERENCED_IMAGES_MISSING",
                f"None of the {len(instances)} contour images it names was found.")]
        refs = []
        for uid, _count in series.most_common():
            refs.append(self._series(uid, [s for s in instances
                                           if self.series_of_sop.get(s, uid) == uid]))
        return refs, [finding]


def _p(path: str | None) -> Path | None:
    return None if path is None else Path(path)
