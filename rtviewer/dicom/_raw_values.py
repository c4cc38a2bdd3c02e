"""Decode element values from their raw bytes, without pydicom's per-value conversion.

Private to :mod:`rtviewer.dicom.values`, the one API the readers use: these helpers say
only *whether* bytes decode, never what that means for the object (the caller records
that). Why hand-written: pydicom turns every Decimal String value into a validated
``DSfloat`` object, which makes a structure set's hundreds of thousands of contour
coordinates (or a VMAT plan's leaf positions) take seconds; splitting the raw text is
exact and over ten times faster.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

__all__ = ["plain_text", "as_list", "finite_floats", "raw_bytes", "raw_decimal_strings",
           "plain_decimals"]

#: value representations whose raw text is taken as it is when every value is valid (the
#: standard restricts them to ASCII, so no character set applies); an invalid value goes
#: through pydicom, which warns about it (the warning becomes a finding)
_PLAIN_TEXT = {"UI": re.compile(rb"[0-9.]{0,64}"), "CS": re.compile(rb"[A-Z0-9 _]{0,16}")}

#: bytes a plain decimal list may hold; anything else (nan, inf, garbage) goes the exact
#: general path of :func:`raw_decimal_strings`
_PLAIN_DECIMAL_BYTES = b"0123456789eE+-. \\\x00"


def as_list(value: Any) -> list[Any]:
    """A single value or a multi-value as a list (text or a person name is one value)."""
    return list(value) if isinstance(value, MultiValue | list | tuple | np.ndarray) \
        else [value]


def finite_floats(value: Any) -> tuple[float, ...] | None:
    """An element value (single or multi) as floats; None when any is not a finite number.

    An empty multi-value gives ``()``.
    """
    try:
        numbers = tuple(float(v) for v in as_list(value))
    except (TypeError, ValueError):
        return None
    return numbers if all(math.isfinite(v) for v in numbers) else None


def _raw_element(ds: Dataset, keyword: str) -> tuple[bytes, str] | None:
    """The still-raw value bytes of an element and its VR, or None once converted."""
    tag = tag_for_keyword(keyword)
    if tag is None:
        return None
    try:
        elem = ds.get_item(tag)
    except Exception:  # let the general path report undecodable values
        return None
    if not isinstance(elem, RawDataElement) or not isinstance(elem.value, bytes):
        return None
    try:
        return elem.value, elem.VR or dictionary_VR(tag)
    except KeyError:
        return None


def raw_bytes(ds: Dataset, keyword: str, vrs: tuple[str, ...]) -> bytes | None:
    """The still-raw value bytes of an element of one of ``vrs``, or None."""
    raw = _raw_element(ds, keyword)
    return raw[0] if raw is not None and raw[1] in vrs else None


def plain_text(ds: Dataset, keyword: str) -> list[str] | None:
    """The values of a still-raw UI or CS element whose every value is valid, or None.

    Converting thousands of Contour Image UIDs through pydicom's value machinery would
    otherwise dominate reading a structure set.
    """
    raw = _raw_element(ds, keyword)
    pattern = _PLAIN_TEXT.get(raw[1]) if raw is not None else None
    if raw is None or pattern is None:
        return None
    parts = [part.strip(b" \x00") for part in raw[0].split(b"\\")]
    if not all(pattern.fullmatch(part) for part in parts):
        return None
    return [part.decode("ascii") for part in parts]


def raw_decimal_strings(ds: Dataset, keyword: str) -> list[bytes] | None:
    """The still-raw bytes of a DS/IS element split into its values, or None.

    Any element that is already converted, has another VR or no values returns None
    and goes the general way.
    """
    raw = raw_bytes(ds, keyword, ("DS", "IS"))
    if raw is None:
        return None
    parts = [part.strip(b" \x00") for part in raw.split(b"\\")]
    return parts if any(parts) else None


def plain_decimals(ds: Dataset, keyword: str) -> NDArray[np.float64] | None:
    """A raw DS/IS list of plain decimal numbers parsed in C, or None to go the general way.

    ``numpy.fromstring`` parses Contour Data's hundreds of thousands of coordinates about
    ten times faster than splitting them in Python; it is used only when the text holds
    nothing but digits, signs, points, exponents, padding and separators, and when it
    parses every value (else it warns and stops early: the general path decides).
    """
    raw = raw_bytes(ds, keyword, ("DS", "IS"))
    if raw is None or raw.translate(None, _PLAIN_DECIMAL_BYTES):
        return None
    text = raw.strip(b" \x00")
    if not text:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            values = np.fromstring(text, dtype=np.float64, sep="\\")
        except (DeprecationWarning, ValueError):
            return None
    return values if values.size == text.count(b"\\") + 1 else None
