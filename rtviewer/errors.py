"""The small error vocabulary of rtviewer.

Every error names the file it concerns and says, in a sentence a physicist
understands, why the object cannot be used. Recoverable quirks are *not*
errors: they become :class:`rtviewer.model.findings.Finding` warnings attached
to the object that was still read.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "RtViewerError",
    "NotDicomError",
    "UnreadableFileError",
    "UnsupportedObjectError",
    "MissingAttributeError",
    "GeometryError",
    "IncompatibleDataError",
]


class RtViewerError(Exception):
    """Base class: an object that cannot be used at all.

    Parameters
    ----------
    message : str
        One sentence saying what is wrong, in the user's terms.
    path : str or Path, optional
        The file concerned, when there is one.
    """

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.message = message
        self.path = None if path is None else Path(path)
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class NotDicomError(RtViewerError):
    """The file is not DICOM (no DICM prefix and no parseable dataset)."""


class UnreadableFileError(RtViewerError):
    """The file is DICOM but cannot be read: truncated, corrupt, or no permission."""


class UnsupportedObjectError(RtViewerError):
    """The file is valid DICOM but not an object this reader understands."""


class MissingAttributeError(RtViewerError):
    """An attribute without which the object cannot be used is absent or empty."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 attribute: str | None = None) -> None:
        self.attribute = attribute
        super().__init__(message, path=path)


class GeometryError(RtViewerError):
    """Positions or orientations are inconsistent beyond any safe assumption."""


class IncompatibleDataError(RtViewerError):
    """Objects cannot be combined (different Frame of Reference, dose units, ...)."""
