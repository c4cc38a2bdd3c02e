"""Recoverable problems attached to the objects they concern."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Severity", "Finding"]


class Severity(enum.Enum):
    """How much a finding matters to a plan review."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """A quirk found while reading an object, and what rtviewer did about it.

    Parameters
    ----------
    code : str
        Stable UPPER_SNAKE identifier (e.g. ``"DUPLICATE_SOP_INSTANCE_UID"``).
    message : str
        A sentence a physicist understands.
    severity : Severity
        Defaults to a warning.
    attribute : str or None
        The DICOM attribute keyword concerned, when there is one.
    assumption : str or None
        What rtviewer assumes instead when it goes on.
    """

    code: str
    message: str
    severity: Severity = Severity.WARNING
    attribute: str | None = None
    assumption: str | None = None
