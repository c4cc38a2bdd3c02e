"""The one way a reader reads a DICOM value: absent is ``None``, unusable is a finding.

Every getter takes the ``notes`` of the object being read (any ``list`` of
:class:`~rtviewer.model.findings.Finding`, e.g. :class:`Notes`) and, optionally, the
place in the object (``where``: "beam 2, control point 5"). A value that is absent or
empty gives ``None`` (or the caller's ``default``) without a word, since the caller
knows whether the attribute is optional and says so itself. A value that is present
but cannot be used (undecodable bytes, text where a number belongs, NaN, the wrong
number of values, several values where one is expected, an unknown code, an
impossible date) gives the same ``None``/default *and* appends a finding that names
the attribute by keyword and tag and says what is assumed instead. Which file it was
is said by whoever shows the object's findings (the check's path column, the problems
dock, the scan record of that file).

Codes: ``UNUSABLE_VALUE`` for a present value that cannot be used (including bytes
pydicom cannot decode), ``MULTIPLE_VALUES`` for several values where one is expected
(the first is used), ``UNKNOWN_CODE`` for a coded string outside the defined terms,
``BAD_DATE`` / ``BAD_TIME``.

The raw-byte fast paths (Contour Data, leaf positions, UIDs) are in
:mod:`rtviewer.dicom._raw_values`, used only here.

Examples
--------
>>> from pydicom.dataset import Dataset
>>> from pydicom.dataelem import RawDataElement
>>> ds = Dataset()  # Rescale Slope 'abc', as read from a file (pydicom refuses to set it)
>>> ds[0x00281053] = RawDataElement(0x00281053, "DS", 4, b"abc ", 0, False, True)
>>> notes = Notes()
>>> number(ds, "RescaleSlope", notes, default=1.0, label="Rescale Slope")
1.0
>>> notes[0].code, notes[0].assumption
('UNUSABLE_VALUE', '1')
>>> print(notes[0].message)
Rescale Slope (RescaleSlope) (0028,1053) is not a finite number: 'abc'.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar, overload

import numpy as np
from numpy.typing import NDArray
from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.valuerep import DA, TM

from rtviewer.dicom._raw_values import (
    as_list,
    finite_floats,
    plain_decimals,
    plain_text,
    raw_decimal_strings,
)
from rtviewer.model.arrays import frozen_array
from rtviewer.model.findings import Finding, Severity

__all__ = ["Notes", "tag_text", "present_text", "text", "texts", "number", "numbers", "integer",
           "vector", "array", "items", "first_item", "coded", "numbered_items", "date_of",
           "time_of", "datetime_of"]

E = TypeVar("E", bound=enum.Enum)


class Notes(list[Finding]):
    """The findings gathered while reading one object."""

    def add(self, code: str, message: str, *, attribute: str | None = None,
            assumption: str | None = None, severity: Severity = Severity.WARNING) -> None:
        """Append a finding."""
        self.append(Finding(code, message, severity, attribute, assumption))


def tag_text(keyword: str) -> str:
    """The keyword's tag as ``(gggg,eeee)`` (empty for a keyword the dictionary lacks)."""
    tag = tag_for_keyword(keyword)
    return "" if tag is None else f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _unusable(notes: list[Finding], keyword: str, problem: str, *, where: str = "",
              label: str | None = None, raw: object = None, assumption: str = "unknown",
              code: str = "UNUSABLE_VALUE", severity: Severity = Severity.WARNING) -> None:
    """Record that ``keyword``'s value cannot be used, and what is assumed instead."""
    place = f"{where}: " if where else ""
    shown = f": {raw!r}" if raw is not None else ""
    name = f"{label} ({keyword})" if label else keyword
    notes.append(Finding(code, f"{place}{name} {tag_text(keyword)} {problem}{shown}.",
                         severity, keyword, assumption))


def present_text(ds: Dataset | None, keyword: str) -> str | None:
    """The element's value as text (60 characters at most) when present and not empty.

    ``None`` when ``ds`` is None or the element is absent or empty; ``"(undecodable)"``
    when pydicom cannot convert it. For messages, never for computing.
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


def _value(ds: Dataset, keyword: str, notes: list[Finding], where: str) -> Any:
    """The value, or None when absent/empty; undecodable values become a finding."""
    try:
        if keyword not in ds:
            return None
        value = ds[keyword].value
    except Exception as exc:  # pydicom converts lazily and may raise on bad bytes
        _unusable(notes, keyword, f"cannot be decoded ({exc})", where=where,
                  assumption="ignored")
        return None
    if value is None or (isinstance(value, str | bytes) and not value.strip()):
        return None
    if isinstance(value, list | tuple) and not value:
        return None
    return value


def text(ds: Dataset, keyword: str, notes: list[Finding], where: str = "") -> str | None:
    """A text value stripped of padding (the first value if multi-valued)."""
    plain = plain_text(ds, keyword)
    if plain is not None:  # valid UIDs and codes: skip pydicom's per-element conversion
        return plain[0] or None
    value = _value(ds, keyword, notes, where)
    if value is None:
        return None
    values = as_list(value)
    if not values:
        return None
    value = values[0]
    result = str(value).strip().strip("\x00").strip()
    return result or None


def texts(ds: Dataset, keyword: str, notes: list[Finding], where: str = "") -> list[str]:
    """Every value of a text element, stripped of padding (empty when absent)."""
    value = _value(ds, keyword, notes, where)
    if value is None:
        return []
    return [str(v).strip().strip("\x00").strip() for v in as_list(value)]


def _rule_broken(value: float, positive: bool, nonzero: bool) -> str | None:
    if positive and value <= 0:
        return "is not positive"
    if nonzero and value == 0:
        return "is zero"
    return None


@overload
def number(ds: Dataset, keyword: str, notes: list[Finding], where: str = ..., *,
           default: float, label: str | None = ..., positive: bool = ...,
           nonzero: bool = ..., several: Literal["first", "unusable"] = ...,
           severity: Severity = ...) -> float: ...


@overload
def number(ds: Dataset, keyword: str, notes: list[Finding], where: str = ..., *,
           default: None = ..., label: str | None = ..., positive: bool = ...,
           nonzero: bool = ..., several: Literal["first", "unusable"] = ...,
           severity: Severity = ...) -> float | None: ...


def number(ds: Dataset, keyword: str, notes: list[Finding], where: str = "", *,
           default: float | None = None, label: str | None = None, positive: bool = False,
           nonzero: bool = False, several: Literal["first", "unusable"] = "first",
           severity: Severity = Severity.WARNING) -> float | None:
    """One finite number; ``default`` when absent or unusable (then with a finding).

    Parameters
    ----------
    ds : Dataset
        The data set (or sequence item) holding the element.
    keyword : str
        The DICOM keyword.
    notes : list of Finding
        Receives an ``UNUSABLE_VALUE`` finding when the value is present but not a
        finite number or breaks the rule (``positive``, ``nonzero``); a
        ``MULTIPLE_VALUES`` one when it holds several values and ``several`` is
        ``"first"``.
    where : str
        The place in the object, for the message.
    default : float or None, keyword-only
        What is used when the value is absent or unusable.
    label : str or None, keyword-only
        What the value is ("Rescale Slope"), for the message; the keyword otherwise.
    positive, nonzero : bool, keyword-only
        Refuse values not above zero / zero.
    several : {"first", "unusable"}, keyword-only
        Several values where one is expected: use the first (with a finding) or
        refuse them all (a scaling factor must not be guessed).
    severity : Severity, keyword-only
        Of the finding.
    """
    value = _value(ds, keyword, notes, where)
    if value is None:
        return default
    assumption = "unknown" if default is None else f"{default:g}"
    values = finite_floats(value)
    if not values or (several == "unusable" and len(values) > 1):
        what = "is not one finite number" if several == "unusable" else "is not a finite number"
        _unusable(notes, keyword, what, where=where, label=label,
                  raw=present_text(ds, keyword), assumption=assumption, severity=severity)
        return default
    broken = _rule_broken(values[0], positive, nonzero)
    if broken is not None:
        _unusable(notes, keyword, broken, where=where, label=label,
                  raw=present_text(ds, keyword), assumption=assumption, severity=severity)
        return default
    if len(values) > 1:
        _unusable(notes, keyword, f"holds {len(values)} values where one is expected",
                  where=where, label=label, code="MULTIPLE_VALUES",
                  assumption=f"the first, {values[0]:g}", severity=severity)
    return values[0]


def numbers(ds: Dataset, keyword: str, notes: list[Finding], where: str = "", *,
            count: int | None = None, label: str | None = None,
            severity: Severity = Severity.WARNING, assumption: str = "unknown",
            wanted: str | None = None) -> tuple[float, ...] | None:
    """All values as finite floats; None when absent, and a finding when unusable.

    Parameters
    ----------
    count : int or None, keyword-only
        The number of values required (None: any number, at least one).
    assumption : str, keyword-only
        What is used instead, for the finding.
    wanted : str or None, keyword-only
        What the values must be, for the message ("three integers from 0 to 255");
        ``count`` finite numbers otherwise.
    """
    value = _value(ds, keyword, notes, where)
    if value is None:
        return None
    values = finite_floats(value)
    if values and (count is None or len(values) == count):
        return values
    if wanted is None:
        wanted = f"{count} finite numbers" if count else "finite numbers"
    _unusable(notes, keyword, f"is not {wanted}", where=where, label=label,
              raw=present_text(ds, keyword), assumption=assumption, severity=severity)
    return None


def integer(ds: Dataset, keyword: str, notes: list[Finding], where: str = "") -> int | None:
    """An integer value (the first if multi-valued); a fraction is rounded, with a finding."""
    plain = plain_decimals(ds, keyword)
    if plain is not None and plain.size == 1 and math.isfinite(plain[0]):  # parsed in C
        value: float | None = float(plain[0])
    else:
        value = number(ds, keyword, notes, where)
    if value is None:
        return None
    if value != int(value):
        _unusable(notes, keyword, "is not an integer", where=where, raw=value,
                  assumption=f"rounded to {round(value)}")
    return int(round(value))


def vector(ds: Dataset, keyword: str, notes: list[Finding], where: str = "",
           count: int | None = None) -> NDArray[np.float64] | None:
    """All values as a read-only float64 array, optionally of exactly ``count`` values."""
    fast = raw_decimal_strings(ds, keyword)
    value = fast if fast is not None else _value(ds, keyword, notes, where)
    if value is None:
        return None
    values = finite_floats(value)
    if values is None or (count is not None and len(values) != count):
        expected = f"{count} finite numbers" if count else "finite numbers"
        _unusable(notes, keyword, f"does not hold {expected}", where=where,
                  raw=present_text(ds, keyword), assumption="ignored")
        return None
    return frozen_array(values, ndim=1)


def array(ds: Dataset, keyword: str, notes: list[Finding],
          where: str = "") -> NDArray[np.float64] | None:
    """All values of a numeric element as a float64 array; None when absent or malformed.

    Unlike :func:`vector`, non-finite numbers are returned as they are, so that the
    caller can say which contour or leaf was bad; text that is no number is a finding.
    """
    fast = plain_decimals(ds, keyword)
    if fast is not None:
        return fast
    parts = raw_decimal_strings(ds, keyword)
    if parts is not None:
        try:
            return np.array(parts, dtype=np.float64)
        except ValueError:
            pass  # an empty or non-numeric value: the general path decides
    value = _value(ds, keyword, notes, where)
    if value is None:
        return None
    try:
        return np.array([float(v) for v in as_list(value)], dtype=np.float64)
    except (TypeError, ValueError):
        _unusable(notes, keyword, "does not hold numbers", where=where,
                  raw=present_text(ds, keyword), assumption="ignored")
        return None


def items(ds: Dataset, keyword: str, notes: list[Finding], where: str = "") -> list[Dataset]:
    """The items of a sequence, or an empty list (undecodable: with a finding)."""
    value = _value(ds, keyword, notes, where)
    if value is None:
        return []
    try:
        return [item for item in value if isinstance(item, Dataset)]
    except TypeError:
        _unusable(notes, keyword, "is not a sequence", where=where, assumption="no items")
        return []


def first_item(ds: Dataset, keyword: str, notes: list[Finding],
               where: str = "") -> Dataset | None:
    """The first item of a sequence, or None."""
    found = items(ds, keyword, notes, where)
    return found[0] if found else None


def coded(enum_type: type[E], ds: Dataset, keyword: str, notes: list[Finding],
          where: str = "") -> E | None:
    """A coded string as a member of ``enum_type``; unknown codes are a finding."""
    value = text(ds, keyword, notes, where)
    if value is None:
        return None
    try:
        return enum_type(value.upper())
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum_type)
        _unusable(notes, keyword, f"is not one of the defined terms ({allowed})", where=where,
                  raw=value, code="UNKNOWN_CODE", assumption="unknown")
        return None


def numbered_items(ds: Dataset, keyword: str, number_keyword: str, label: str,
                   notes: list[Finding]) -> Iterator[tuple[Dataset, int | None, str]]:
    """Each item of a sequence with its number and its place (``"<label> <number>"``).

    The number is read with :func:`integer`, its findings placed at ``label``.
    """
    for item in items(ds, keyword, notes):
        number_ = integer(item, number_keyword, notes, label)
        yield item, number_, f"{label} {number_}"


def _parsed(ds: Dataset, keyword: str, notes: list[Finding], where: str,
            parse: Callable[[str], Any], code: str, kind: str) -> Any:
    """The value parsed by ``parse`` (None when absent); an unparsable one is a finding."""
    value = text(ds, keyword, notes, where)
    if value is None:
        return None
    try:
        parsed = parse(value)
    except ValueError:
        parsed = None
    if parsed is None:
        _unusable(notes, keyword, f"is not a DICOM {kind}", where=where, raw=value, code=code)
    return parsed


def date_of(ds: Dataset, keyword: str, notes: list[Finding], where: str = "") -> dt.date | None:
    """A DA value as a date."""
    parsed = _parsed(ds, keyword, notes, where, DA, "BAD_DATE", "date")
    return None if parsed is None else dt.date(parsed.year, parsed.month, parsed.day)


def time_of(ds: Dataset, keyword: str, notes: list[Finding], where: str = "") -> dt.time | None:
    """A TM value as a time."""
    parsed = _parsed(ds, keyword, notes, where, TM, "BAD_TIME", "time")
    return None if parsed is None else dt.time(parsed.hour, parsed.minute, parsed.second,
                                               parsed.microsecond)


def datetime_of(ds: Dataset, date_keyword: str, time_keyword: str, notes: list[Finding],
                where: str = "") -> dt.datetime | None:
    """A date and a time attribute combined (midnight when the time is absent)."""
    day = date_of(ds, date_keyword, notes, where)
    if day is None:
        return None
    moment = time_of(ds, time_keyword, notes, where) or dt.time()
    return dt.datetime.combine(day, moment)
