"""Gather findings from every source into one report, located and de-duplicated."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rtviewer.dicom.check.attributes import attribute_named_in
from rtviewer.model.check import CheckReport, ReportedFinding
from rtviewer.model.findings import Finding, Severity

__all__ = ["ISSUE_SEVERITIES", "Collector"]

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Severities fixed by rtviewer's check contract, whoever raises the code (scanner,
#: readers or cross-object checks). Codes not listed keep their source's severity.
ISSUE_SEVERITIES: dict[str, Severity] = {
    "FRAME_OF_REFERENCE_MISMATCH": _E,
    "PATIENT_MISMATCH_IN_CHAIN": _E,
    "DVH_STATISTICS_UNITS": _E,
    "UNREADABLE_FILE": _E,
    "MISSING_SOP_CLASS_UID": _E,
    "MISSING_REFERENCE": _W,
    "MISSING_INSTANCES": _W,
    "SERIES_UID_MULTIPLE_VOLUMES": _W,
    "PRIVATE_SOP_CLASS": _W,
    "STUDY_SHARED_BY_PATIENTS": _W,
    "FRAME_OF_REFERENCE_SHARED_BY_PATIENTS": _W,
    "INVALID_UID": _W,
    "MAX_DOSE_IMPLAUSIBLE": _W,
    "DOSE_GRID_MISSES_TARGET": _W,
    "DELIVERED_MU_DEVIATION": _W,
    "CONTOUR_OFF_IMAGE_PLANE": _W,
    "CONTOUR_OUTSIDE_IMAGE_VOLUME": _W,
    "NO_FILE_META": _I,
    "EMPTY_PIXEL_DATA": _I,
    "ROI_WITHOUT_CONTOURS": _I,
    "MISSING_TYPE2_ATTRIBUTE": _I,
    "ENUMERATED_VALUE": _I,
    "RECORDED_INTERRUPTION": _I,
    "PYDICOM_WARNING": _I,
}

#: Codes that describe a whole file: one per file, whatever the source's wording.
_ONCE_PER_FILE = frozenset({"NO_FILE_META", "PRIVATE_SOP_CLASS", "DUPLICATE_SOP_INSTANCE_UID",
                            "EMPTY_PIXEL_DATA", "UNREADABLE_FILE", "NO_REFERENCED_SERIES",
                            "MISSING_SOP_CLASS_UID"})


class Collector:
    """Accumulate findings for files under one root.

    Parameters
    ----------
    root : Path
        The absolute folder that reported paths are relative to.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._findings: list[ReportedFinding] = []
        self._seen: set[tuple[str, ...]] = set()
        self._suppressed: set[tuple[str, str]] = set()

    def relative(self, path: Path | str | None) -> str:
        """Return ``path`` relative to the root, with ``/`` separators."""
        if path is None:
            return ""
        p = Path(path)
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    def add(self, finding: Finding, path: Path | str | None, sop_instance_uid: str | None,
            *, severity: Severity | None = None) -> None:
        """Add one finding about a file (``severity`` overrides the table and the source)."""
        rel = self.relative(path)
        if (rel, finding.code) in self._suppressed:
            return
        key = ((rel, finding.code) if finding.code in _ONCE_PER_FILE
               else (rel, finding.code, finding.attribute or "", finding.message))
        if key in self._seen:
            return
        self._seen.add(key)
        chosen = severity or ISSUE_SEVERITIES.get(finding.code, finding.severity)
        attribute = finding.attribute or attribute_named_in(finding.message)
        self._findings.append(ReportedFinding(
            chosen, finding.code, rel, sop_instance_uid or None, attribute,
            finding.message, finding.assumption))

    def suppress(self, path: Path | str, codes: tuple[str, ...]) -> None:
        """Drop (now and later) these codes for a file: a finer finding replaces them."""
        rel = self.relative(path)
        self._suppressed.update((rel, code) for code in codes)
        self._findings = [f for f in self._findings
                          if not (f.path == rel and f.code in codes)]

    def without_attribute(self, code: str) -> list[ReportedFinding]:
        """The findings of ``code`` that name no attribute yet."""
        return [f for f in self._findings if f.code == code and not f.attribute]

    def set_attribute(self, finding: ReportedFinding, attribute: str) -> None:
        """Name the attribute of a finding already collected."""
        self._findings = [dataclasses.replace(f, attribute=attribute) if f is finding else f
                          for f in self._findings]

    def report(self) -> CheckReport:
        """Return the findings so far, errors first."""
        return CheckReport(self.root, tuple(sorted(self._findings,
                                                   key=ReportedFinding.sort_key)))
