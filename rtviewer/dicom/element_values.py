"""Forgiving getters for DICOM element values: empty or malformed values become None."""

from __future__ import annotations

import math
from typing import Any

from pydicom.dataset import Dataset

__all__ = ["get_str", "get_float", "get_floats", "get_int", "first_item", "sequence"]


def _raw(ds: Dataset, keyword: str) -> Any:
    """The element's value, or None when absent, empty or undecodable."""
    try:
        value = ds.get(keyword)
    except Exception:  # a malformed value can raise on access; treat it as absent
        return None
    if value is None or value == "":
        return None
    return value


def get_str(ds: Dataset, keyword: str) -> str | None:
    """A text value stripped of padding; None when absent or empty (first value if multi)."""
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
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        items = [value]
    else:
        items = list(value)
    try:
        numbers = tuple(float(v) for v in items)
    except (TypeError, ValueError):
        return None
    if not numbers or not all(math.isfinite(v) for v in numbers):
        return None
    if count is not None and len(numbers) != count:
        return None
    return numbers


def get_int(ds: Dataset, keyword: str) -> int | None:
    """An integer value (first value if multi-valued); None when absent or bad."""
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
