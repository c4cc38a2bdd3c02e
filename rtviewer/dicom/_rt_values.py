"""Attribute getters shared by the plan and record readers.

Each getter returns ``None`` for an absent or empty attribute and, for a value
that is present but unusable, also appends a :class:`Finding` to ``notes`` so
the physicist sees what was ignored. ``where`` names the place in the object
("beam 2, control point 5") for those messages.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.valuerep import DA, TM

from rtviewer.dicom.element_values import finite_floats, raw_decimal_strings
from rtviewer.dicom.element_values import sequence as items
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.plan import frozen_array

__all__ = ["Notes", "text", "number", "integer", "vector", "coded", "items", "numbered_items",
           "date_of", "time_of", "datetime_of"]

E = TypeVar("E", bound=enum.Enum)


class Notes(list[Finding]):
    """The findings gathered while reading one object."""

    def add(self, code: str, message: str, *, attribute: str | None = None,
            assumption: str | None = None, severity: Severity = Severity.WARNING) -> None:
        """Append a finding."""
        self.append(Finding(code, message, severity, attribute, assumption))


def _raw(ds: Dataset, keyword: str, notes: Notes, where: str) -> Any:
    """The value, or None when absent/empty; undecodable values become a finding."""
    if keyword not in ds:
        return None
    try:
        value = ds[keyword].value
    except Exception as exc:  # pydicom converts lazily and may raise on bad bytes
        notes.add("UNREADABLE_VALUE", f"{where}: {keyword} cannot be decoded ({exc}); "
                  "it is ignored.", attribute=keyword)
        return None
    if value is None or (isinstance(value, str | bytes) and not value.strip()):
        return None
    return value


def text(ds: Dataset, keyword: str, notes: Notes | None = None, where: str = "") -> str | None:
    """A text value stripped of padding (first value if multi-valued)."""
    value = _raw(ds, keyword, notes if notes is not None else Notes(), where)
    if value is None:
        return None
    if not isinstance(value, str) and isinstance(value, Iterable):
        value = next(iter(value), None)
        if value is None:
            return None
    result = str(value).strip()
    return result or None


def number(ds: Dataset, keyword: str, notes: Notes, where: str) -> float | None:
    """A finite float (first value if multi-valued, with a finding).

    Every caller reads a single-valued attribute, so more values mean the writer put
    something else there.
    """
    value = _raw(ds, keyword, notes, where)
    if value is None:
        return None
    numbers = finite_floats(value)
    if not numbers:
        notes.add("BAD_NUMBER", f"{where}: {keyword} = {value!r} is not a finite number; "
                  "it is ignored.", attribute=keyword)
        return None
    if len(numbers) > 1:
        notes.add("MULTIPLE_VALUES", f"{where}: {keyword} holds {len(numbers)} values where "
                  "one is expected.", attribute=keyword,
                  assumption=f"the first, {numbers[0]:g}")
    return numbers[0]


def integer(ds: Dataset, keyword: str, notes: Notes, where: str) -> int | None:
    """An integer value."""
    value = number(ds, keyword, notes, where)
    if value is None:
        return None
    if value != int(value):
        notes.add("BAD_NUMBER", f"{where}: {keyword} = {value} is not an integer; "
                  "it is rounded.", attribute=keyword)
    return int(round(value))


def vector(ds: Dataset, keyword: str, notes: Notes, where: str,
           count: int | None = None) -> NDArray[np.float64] | None:
    """All values as a read-only float64 array, optionally of exactly ``count`` values."""
    fast = raw_decimal_strings(ds, keyword)
    value = fast if fast is not None else _raw(ds, keyword, notes, where)
    if value is None:
        return None
    numbers = finite_floats(value)
    if numbers is None or (count is not None and len(numbers) != count):
        expected = f"{count} finite numbers" if count else "finite numbers"
        notes.add("BAD_NUMBER", f"{where}: {keyword} should hold {expected}; "
                  "it is ignored.", attribute=keyword)
        return None
    return frozen_array(numbers, ndim=1)


def coded(enum_type: type[E], ds: Dataset, keyword: str, notes: Notes,
          where: str) -> E | None:
    """A coded string as a member of ``enum_type``; unknown codes are a finding."""
    value = text(ds, keyword, notes, where)
    if value is None:
        return None
    try:
        return enum_type(value.upper())
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        notes.add("UNKNOWN_CODE", f"{where}: {keyword} = {value!r} is not one of the "
                  f"defined terms ({allowed}); it is treated as unknown.", attribute=keyword)
        return None


def numbered_items(ds: Dataset, keyword: str, number_keyword: str, label: str,
                   notes: Notes) -> Iterator[tuple[Dataset, int | None, str]]:
    """Each item of a sequence with its number and its place (``"<label> <number>"``).

    The number is read with :func:`integer`, its findings placed at ``label``.
    """
    for item in items(ds, keyword):
        number_ = integer(item, number_keyword, notes, label)
        yield item, number_, f"{label} {number_}"


def _parsed(ds: Dataset, keyword: str, notes: Notes, where: str,
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
        notes.add(code, f"{where}: {keyword} = {value!r} is not a DICOM {kind}.",
                  attribute=keyword)
    return parsed


def date_of(ds: Dataset, keyword: str, notes: Notes, where: str) -> dt.date | None:
    """A DA value as a date."""
    parsed = _parsed(ds, keyword, notes, where, DA, "BAD_DATE", "date")
    return None if parsed is None else dt.date(parsed.year, parsed.month, parsed.day)


def time_of(ds: Dataset, keyword: str, notes: Notes, where: str) -> dt.time | None:
    """A TM value as a time."""
    parsed = _parsed(ds, keyword, notes, where, TM, "BAD_TIME", "time")
    return None if parsed is None else dt.time(parsed.hour, parsed.minute, parsed.second,
                                               parsed.microsecond)


def datetime_of(ds: Dataset, date_keyword: str, time_keyword: str, notes: Notes,
                where: str) -> dt.datetime | None:
    """A date and a time attribute combined (midnight when the time is absent)."""
    day = date_of(ds, date_keyword, notes, where)
    if day is None:
        return None
    moment = time_of(ds, time_keyword, notes, where) or dt.time()
    return dt.datetime.combine(day, moment)
