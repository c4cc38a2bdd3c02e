"""Numbers the readers compute with: a present but unusable value is a finding, never silent.

:mod:`rtviewer.dicom.element_values` turns absent and malformed values alike into
``None``. Where a reader then falls back on a default (Rescale Slope 1, Intercept 0,
Dose Grid Scaling 1), a malformed value must not pass for an absent one: a CT whose
Rescale Intercept reads ``abc`` would otherwise be shown 1,000 HU off without a word.
"""

from __future__ import annotations

import math
from typing import overload

from pydicom.dataset import Dataset

from rtviewer.dicom.element_values import get_floats
from rtviewer.model.findings import Finding, Severity

__all__ = ["checked_float", "checked_floats", "present_text"]


def present_text(ds: Dataset | None, keyword: str) -> str | None:
    """The element's value as text (60 characters at most) when present and not empty.

    ``None`` when ``ds`` is None or the element is absent or empty; ``"(undecodable)"``
    when pydicom cannot convert it.
    """
    try:
        if ds is None or keyword not in ds:
            return None
        value = ds[keyword].value
    except Exception:  # undecodable on access: present, and unusable
        return "(undecodable)"
    if value is None or value == "" or value == b"":
        return None
    return str(value)[:60]


@overload
def checked_float(ds: Dataset, keyword: str, *, default: float, findings: list[Finding],
                  label: str, nonzero: bool = ..., positive: bool = ...,
                  severity: Severity = ...) -> float: ...


@overload
def checked_float(ds: Dataset, keyword: str, *, default: None, findings: list[Finding],
                  label: str, nonzero: bool = ..., positive: bool = ...,
                  severity: Severity = ...) -> float | None: ...


def checked_float(ds: Dataset, keyword: str, *, default: float | None,
                  findings: list[Finding], label: str, nonzero: bool = False,
                  positive: bool = False, severity: Severity = Severity.WARNING
                  ) -> float | None:
    """One number from ``ds``; ``default`` when absent, and a finding when unusable.

    Parameters
    ----------
    ds : Dataset
        The data set (or sequence item) holding the element.
    keyword : str
        The DICOM keyword.
    default : float or None
        The value used when the element is absent, empty or unusable.
    findings : list of Finding, keyword-only
        Receives an ``UNUSABLE_VALUE`` finding when the element is present but not
        one finite number (text, NaN, infinity, several values) or breaks the rule.
    label : str, keyword-only
        What the value is, for the message (e.g. ``"Rescale Slope"``).
    nonzero, positive : bool, keyword-only
        Refuse zero / values not above zero.
    severity : Severity, keyword-only
        Of the finding.

    Returns
    -------
    float or None
        The value, or ``default``.
    """
    raw = present_text(ds, keyword)
    if raw is None:
        return default
    values = get_floats(ds, keyword)
    value = values[0] if values is not None and len(values) == 1 else None
    problem = None
    if value is None or not math.isfinite(value):
        problem = "is not one finite number"
    elif positive and value <= 0:
        problem = "is not positive"
    elif nonzero and value == 0:
        problem = "is zero"
    if problem is None:
        assert value is not None
        return value
    findings.append(Finding(
        "UNUSABLE_VALUE", f"{label} ({keyword}) {problem}: {raw!r}.", severity, keyword,
        assumption="unknown" if default is None else f"{default:g}"))
    return default


def checked_floats(ds: Dataset, keyword: str, *, findings: list[Finding], label: str,
                   count: int | None = None, severity: Severity = Severity.WARNING,
                   assumption: str = "unknown") -> tuple[float, ...] | None:
    """All values of ``ds``'s element; None when absent, and a finding when unusable.

    Parameters
    ----------
    ds : Dataset
        The data set (or sequence item) holding the element.
    keyword : str
        The DICOM keyword.
    findings : list of Finding, keyword-only
        Receives an ``UNUSABLE_VALUE`` finding when the element is present but not
        finite numbers (or not ``count`` of them).
    label : str, keyword-only
        What the values are, for the message.
    count : int or None, keyword-only
        The number of values required (None: any number, at least one).
    severity : Severity, keyword-only
        Of the finding.
    assumption : str, keyword-only
        What is used instead, for the finding.

    Returns
    -------
    tuple of float or None
        The values, or None when absent or unusable.
    """
    raw = present_text(ds, keyword)
    if raw is None:
        return None
    values = get_floats(ds, keyword, count)
    if values is not None:
        return values
    wanted = f"{count} finite numbers" if count else "finite numbers"
    findings.append(Finding("UNUSABLE_VALUE", f"{label} ({keyword}) is not {wanted}: {raw!r}.",
                            severity, keyword, assumption=assumption))
    return None
