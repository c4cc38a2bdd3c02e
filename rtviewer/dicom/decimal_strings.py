r"""Plain Decimal String values parsed in bulk with numpy array operations.

A structure set holds hundreds of thousands of Contour Data numbers ("170.00\\-183.75\\…");
``numpy.fromstring(..., sep="\\")`` parses them one C call per value at about half a
microsecond each -- the largest single cost of reading the DVH benchmark's structure set.
Plain values (an optional leading minus, digits, at most one decimal point, at most 15
digits) are parsed here instead with a few passes over the bytes: the digits of each
value make an integer mantissa ``M < 10**15`` and the digits after the point its scale
``f``; ``M / 10**f`` is one correctly rounded division of two exactly representable
numbers, hence the correctly rounded value of the decimal, bit for bit what
``fromstring`` (a correctly rounded ``strtod``) gives.  Anything else (exponents, a plus
sign, spaces, empty values, more digits) returns None and the caller parses it the
general way.

Written here because neither numpy nor the standard library parses a delimited byte
string in bulk faster than ``fromstring``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_DIGITS", "parse_plain_decimals"]

#: Most digits of a value taken here: its mantissa stays below 2**53 (exact in float64).
MAX_DIGITS = 15
_POWERS_OF_TEN = 10.0 ** np.arange(MAX_DIGITS + 1)  # all exact in float64
_BACKSLASH, _MINUS, _POINT, _ZERO = 0x5C, 0x2D, 0x2E, 0x30


def parse_plain_decimals(joined: bytes) -> NDArray[np.float64] | None:
    r"""The values of a backslash-separated string of plain decimals, or None.

    Parameters
    ----------
    joined : bytes
        Values separated by single backslashes, no padding.

    Returns
    -------
    (N,) float64 ndarray or None
        One value per backslash-separated field, identical to
        ``numpy.fromstring(joined, sep="\\")``; None when any field is not plain
        (module docstring), so that the caller decides.

    Examples
    --------
    >>> parse_plain_decimals(b"170.00\\-183.75\\.5\\-0")
    array([ 170.  , -183.75,    0.5 ,   -0.  ])
    >>> parse_plain_decimals(b"1e3\\2") is None
    True
    """
    text = np.frombuffer(joined, dtype=np.uint8)
    if text.size == 0:
        return None
    digit = (text - np.uint8(_ZERO)) <= 9  # uint8 wraps below '0'
    separator = text == _BACKSLASH
    point = text == _POINT
    minus = text == _MINUS
    if (np.count_nonzero(digit) + np.count_nonzero(separator) + np.count_nonzero(point)
            + np.count_nonzero(minus)) != text.size:
        return None
    field_of = np.cumsum(separator, dtype=np.int32)  # field index of every byte
    n_fields = int(field_of[-1]) + 1
    field_end = np.append(np.flatnonzero(separator), text.size)
    field_start = np.concatenate([[0], field_end[:-1] + 1])
    digits_at = np.flatnonzero(digit)
    digit_field = field_of[digits_at]
    n_digits = np.bincount(digit_field, minlength=n_fields)
    if n_digits.min() == 0 or n_digits.max() > MAX_DIGITS:
        return None
    minus_at, point_at = np.flatnonzero(minus), np.flatnonzero(point)
    minus_field, point_field = field_of[minus_at], field_of[point_at]
    if np.any(field_start[minus_field] != minus_at):
        return None  # a minus sign that is not a field's first byte
    if np.any(point_field[1:] == point_field[:-1]):
        return None  # two decimal points in one field
    # each digit's power: how many digits of its field follow it
    power = (np.cumsum(n_digits) - 1)[digit_field] - np.arange(len(digits_at))
    values = (text[digits_at] - np.uint8(_ZERO)) * _POWERS_OF_TEN[power]
    mantissa = np.bincount(digit_field, weights=values, minlength=n_fields)  # exact integers
    scale = np.zeros(n_fields, dtype=np.intp)
    scale[point_field] = field_end[point_field] - point_at - 1  # digits after the point
    result: NDArray[np.float64] = mantissa / _POWERS_OF_TEN[scale]
    result[minus_field] *= -1.0
    return result
