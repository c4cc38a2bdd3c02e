"""Forgiving getters for DICOM element values: empty or malformed values become None."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

__all__ = ["get_str", "get_float", "get_floats", "get_float_array", "raw_decimal_strings",
           "get_int", "first_item", "sequence", "finite_floats"]


def _raw(ds: Dataset, keyword: str) -> Any:
    """The element's value, or None when absent, empty or undecodable."""
    try:
        value = ds.get(keyword)
    except Exception:  # a malformed value can raise on access; treat it as absent
        return None
    if value is None or value == "":
        return None
    return value


#: value representations that the standard restricts to ASCII (no character set applies)
_ASCII_VRS = ("CS", "UI", "DA", "TM", "DT", "AS")


def get_str(ds: Dataset, keyword: str) -> str | None:
    """A text value stripped of padding; None when absent or empty (first value if multi)."""
    raw = _raw_bytes(ds, keyword, _ASCII_VRS)
    if raw is not None:  # ASCII-only VRs: skip pydicom's per-element conversion
        try:
            return raw.split(b"\\")[0].decode("ascii").strip().strip("\x00").strip() or None
        except UnicodeDecodeError:
            pass  # not ASCII after all: the general path decides
    value = _raw(ds, keyword)
    if value is None:
        return None
    if not isinstance(value, str | bytes) and hasattr(value, "__iter__"):
        values = list(value)
        if not values:
            return None
        value = values[0]
    text = str(value).strip()
    return text or None


def get_float(ds: Dataset, keyword: str) -> float | None:
    """A finite number (first value if multi-valued); None when absent, empty or bad."""
    values = get_floats(ds, keyword)
    return values[0] if values else None


def get_floats(ds: Dataset, keyword: str, count: int | None = None) -> tuple[float, ...] | None:
    """All values as finite floats; None when absent, malformed or not ``count`` long."""
    value = _raw(ds, keyword)
    if value is None:
        return None
    numbers = finite_floats(value)
    if not numbers:
        return None
    if count is not None and len(numbers) != count:
        return None
    return numbers


def _as_list(value: Any) -> list[Any]:
    """A single value or a multi-value as a list (text is one value, not characters)."""
    return [value] if isinstance(value, str | bytes) or not hasattr(value, "__iter__") \
        else list(value)


def finite_floats(value: Any) -> tuple[float, ...] | None:
    """An element value (single or multi) as floats; None when any is not a finite number.

    An empty multi-value gives ``()``.
    """
    try:
        numbers = tuple(float(v) for v in _as_list(value))
    except (TypeError, ValueError):
        return None
    return numbers if all(math.isfinite(v) for v in numbers) else None


def raw_decimal_strings(ds: Dataset, keyword: str) -> list[bytes] | None:
    """The still-raw bytes of a DS/IS element split into its values, or None.

    pydicom turns every Decimal String value into a validated ``DSfloat`` object,
    which makes a structure set's hundreds of thousands of contour coordinates (or a
    VMAT plan's leaf positions) take seconds; splitting the raw text ourselves is
    exact and over ten times faster. Any element that is already converted, has
    another VR or no values returns None and goes the normal way.
    """
    raw = _raw_bytes(ds, keyword, ("DS", "IS"))
    if raw is None:
        return None
    parts = [part.strip(b" \x00") for part in raw.split(b"\\")]
    return parts if any(parts) else None


#: bytes a plain decimal list may hold; anything else (nan, inf, garbage) goes the exact
#: general path of :func:`raw_decimal_strings`
_PLAIN_DECIMAL_BYTES = b"0123456789eE+-. \\\x00"


def _raw_bytes(ds: Dataset, keyword: str, vrs: tuple[str, ...]) -> bytes | None:
    """The still-raw value bytes of an element of one of ``vrs``, or None."""
    tag = tag_for_keyword(keyword)
    if tag is None:
        return None
    try:
        elem = ds.get_item(tag)
    except Exception:  # let the normal path report undecodable values
        return None
    if not isinstance(elem, RawDataElement) or not isinstance(elem.value, bytes):
        return None
    try:
        vr = elem.VR or dictionary_VR(tag)
    except KeyError:
        return None
    return elem.value if vr in vrs else None


def _plain_decimals(ds: Dataset, keyword: str) -> NDArray[np.float64] | None:
    """A raw DS/IS list of plain decimal numbers parsed in C, or None to go the general way.

    ``numpy.fromstring`` parses Contour Data's hundreds of thousands of coordinates about
    ten times faster than splitting them in Python; it is used only when the text holds
    nothing but digits, signs, points, exponents, padding and separators, and when it
    parses every value (else it warns and stops early: the general path decides).
    """
    raw = _raw_bytes(ds, keyword, ("DS", "IS"))
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


def get_float_array(ds: Dataset, keyword: str) -> NDArray[np.float64] | None:
    """All values of a numeric element as a float64 array; None when absent or malformed.

    Uses :func:`raw_decimal_strings` when the element is still raw; non-finite values
    are returned as they are, so callers can say which contour or leaf was bad.
    """
    fast = _plain_decimals(ds, keyword)
    if fast is not None:
        return fast
    parts = raw_decimal_strings(ds, keyword)
    if parts is not None:
        try:
            return np.array(parts, dtype=np.float64)
        except ValueError:
            pass  # an empty or non-numeric value: the general path decides
    value = _raw(ds, keyword)
    if value is None:
        return None
    try:
        return np.array([float(v) for v in _as_list(value)], dtype=np.float64)
    except (TypeError, ValueError):
        return None


def get_int(ds: Dataset, keyword: str) -> int | None:
    """An integer value (first value if multi-valued); None when absent or bad."""
    plain = _plain_decimals(ds, keyword)
    if plain is not None and np.all(np.isfinite(plain)):  # a raw number, parsed in C
        first = float(plain[0])
        return int(first) if first == int(first) else None
    value = get_float(ds, keyword)
    if value is None or value != int(value):
        return None
    return int(value)


def sequence(ds: Dataset, keyword: str) -> list[Dataset]:
    """The items of a sequence, or an empty list."""
    value = _raw(ds, keyword)
    if value is None:
        return []
    try:
        return list(value)
    except TypeError:
        return []


def first_item(ds: Dataset, keyword: str) -> Dataset | None:
    """The first item of a sequence, or None."""
    items = sequence(ds, keyword)
    return items[0] if items else None
