"""The result of ``rtviewer check``: findings located in files, with their counts.

Plain data shared by the command line and the Check panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rtviewer.model.findings import Severity

__all__ = ["ReportedFinding", "CheckReport", "EXIT_OK", "EXIT_WARNINGS", "EXIT_ERRORS",
           "EXIT_USAGE"]

#: ``rtviewer check`` exit statuses.
EXIT_OK, EXIT_WARNINGS, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2, 3

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class ReportedFinding:
    """One finding of a check, located in a file.

    Parameters
    ----------
    severity : Severity
    code : str
        Stable UPPER_SNAKE code.
    path : str
        The file, relative to the checked root, with ``/`` separators (``""`` for
        the root itself).
    sop_instance_uid : str or None
        The object concerned, when the file is a DICOM object.
    attribute : str or None
        The DICOM keyword, or a ``>``-separated path into sequences.
    message : str
        A sentence a physicist understands.
    assumption : str or None
        What rtviewer assumes instead when it goes on.
    """

    severity: Severity
    code: str
    path: str
    sop_instance_uid: str | None
    attribute: str | None
    message: str
    assumption: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """Return the finding as the JSON object of ``rtviewer check --json``."""
        return {"severity": self.severity.value, "code": self.code, "path": self.path,
                "sop_instance_uid": self.sop_instance_uid, "attribute": self.attribute,
                "message": self.message, "assumption": self.assumption}

    def sort_key(self) -> tuple[int, str, str, str]:
        """Errors first, then by file and code."""
        return (_ORDER[self.severity], self.path, self.code, self.attribute or "")


@dataclass(frozen=True)
class CheckReport:
    """All findings for one checked folder or file.

    Parameters
    ----------
    root : Path
        The absolute folder the paths are relative to.
    findings : tuple of ReportedFinding
        Sorted: errors first.
    """

    root: Path
    findings: tuple[ReportedFinding, ...]

    def counts(self) -> dict[str, int]:
        """Return the number of findings per severity (keys error, warning, info)."""
        counts = {s.value: 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts

    def exit_status(self) -> int:
        """Return 2 with errors, 1 with warnings, 0 otherwise (information allowed)."""
        counts = self.counts()
        if counts["error"]:
            return EXIT_ERRORS
        return EXIT_WARNINGS if counts["warning"] else EXIT_OK

    def to_json(self) -> dict[str, object]:
        """Return the report as the document printed by ``rtviewer check --json``."""
        return {"root": str(self.root), "findings": [f.to_json() for f in self.findings],
                "counts": self.counts()}
