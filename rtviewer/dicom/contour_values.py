"""The values a contour reader needs from each item of one ROI's Contour Sequence.

Only Contour Geometric Type, Number of Contour Points, Contour Data and the Referenced
SOP Instance UIDs of Contour Image Sequence are read.  When the Contour Sequence is
still the raw bytes pydicom left unparsed (a defined-length sequence in a little-endian
file: the Eclipse, RayStation, Oncentra and MIM exports of the corpus), its items are
walked by :func:`~rtviewer.dicom.header_walk.sequence_items` -- pydicom would build a
Dataset per contour and per image reference (1,554 of each in the DVH benchmark's
structure set, about half of the reading time) -- and all Contour Data values of the ROI
are parsed by one C call.  Only values that :mod:`rtviewer.dicom.values` would take
as they are without a word are decoded here (plain decimal numbers, codes and UIDs of
the standard's characters); anything else -- big endian, an unexpected VR, a value
that is not plain, a length running past its item -- sends the whole ROI through
:mod:`rtviewer.dicom.values`, so malformed files keep their exact findings (the two
paths agree on every corpus structure set: ``tests/dicom/test_contour_values.py``).
"""

from __future__ import annotations

import functools
import re
import struct
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

from rtviewer.dicom.decimal_strings import parse_plain_decimals
from rtviewer.dicom.header_walk import FileTruncated, WalkUnsupported, sequence_items
from rtviewer.dicom.values import array, integer, items, text
from rtviewer.model.findings import Finding

__all__ = ["ContourValues", "contour_values", "forget_values"]

_CONTOUR_SEQUENCE = 0x30060040
_GEOMETRIC_TYPE = 0x30060042
_NUMBER_OF_POINTS = 0x30060046
_CONTOUR_DATA = 0x30060050
_CONTOUR_IMAGES = 0x30060016
_REFERENCED_SOP_INSTANCE = 0x00081155
_CONTOUR_WANTED = frozenset({_GEOMETRIC_TYPE, _NUMBER_OF_POINTS, _CONTOUR_DATA,
                             _CONTOUR_IMAGES})
_IMAGE_WANTED = frozenset({_REFERENCED_SOP_INSTANCE})
#: the VR each element read here has (an explicit other VR, e.g. UN, goes the general way)
_VR = {_GEOMETRIC_TYPE: "CS", _NUMBER_OF_POINTS: "IS", _CONTOUR_DATA: "DS",
       _CONTOUR_IMAGES: "SQ", _REFERENCED_SOP_INSTANCE: "UI"}
#: values taken as they are (the rule of rtviewer.dicom.values: valid codes and UIDs)
_PLAIN_TEXT = {"CS": re.compile(rb"[A-Z0-9 _]{0,16}"), "UI": re.compile(rb"[0-9.]{0,64}")}
_PLAIN_DECIMAL_BYTES = b"0123456789eE+-. \\\x00"


@dataclass(frozen=True, eq=False)
class ContourValues:
    """What one Contour Sequence item holds, before any check.

    Attributes
    ----------
    data : (3N,) float64 ndarray or None
        Contour Data as numbers (patient x, y, z mm, interleaved); None when absent,
        empty or not numeric.
    data_present : bool
        Whether Contour Data has a value at all (tells "empty" from "not numeric").
    declared_points : int or None
        Number of Contour Points.
    geometric_type : str or None
        Contour Geometric Type, stripped.
    image_uids : tuple of str
        Referenced SOP Instance UIDs of Contour Image Sequence.
    notes : tuple of Finding
        What :mod:`rtviewer.dicom.values` said about the item's values (always empty
        for an item walked from its bytes: only clean values are taken there).
    """

    data: NDArray[np.float64] | None
    data_present: bool
    declared_points: int | None
    geometric_type: str | None
    image_uids: tuple[str, ...]
    notes: tuple[Finding, ...] = ()


def forget_values() -> None:
    """Empty the caches of decoded codes and image references.

    Benchmarks call it to time each run from the files, as one CLI run does.
    """
    _plain_text.cache_clear()
    _images.cache_clear()


def contour_values(roi_contour_item: Dataset, notes: list[Finding]) -> list[ContourValues]:
    """The values of every item of an ROI Contour item's Contour Sequence, in file order.

    ``notes`` receives what :func:`~rtviewer.dicom.values.items` says about the
    sequence itself (the items' own findings are in each :class:`ContourValues`).
    """
    raw = _raw_sequence(roi_contour_item)
    if raw is not None:
        walked = _walk(*raw)
        if walked is not None:
            return walked
    return [_from_dataset(c) for c in items(roi_contour_item, "ContourSequence", notes)]


def _from_dataset(item: Dataset) -> ContourValues:
    """One Contour Sequence item read through :mod:`rtviewer.dicom.values`."""
    notes: list[Finding] = []
    data = array(item, "ContourData", notes)
    present = data is not None or _has_value(item, "ContourData")
    if data is None or data.size == 0 or not np.all(np.isfinite(data[:data.size // 3 * 3])):
        # the contour is dropped for its data: its other values are not read (nor noted)
        return ContourValues(data, present, None, None, (), tuple(notes))
    images = tuple(u for u in (text(r, "ReferencedSOPInstanceUID", notes)
                               for r in items(item, "ContourImageSequence", notes)) if u)
    return ContourValues(data, present, integer(item, "NumberOfContourPoints", notes),
                         text(item, "ContourGeometricType", notes), images, tuple(notes))


def _has_value(item: Dataset, keyword: str) -> bool:
    """Whether the element is present with a non-empty value (even an unparseable one)."""
    try:
        value = item.get(keyword)
    except Exception:  # undecodable is still "present"
        return True
    return value is not None and value != ""


def _raw_sequence(item: Dataset) -> tuple[bytes, bool] | None:
    """Contour Sequence's unparsed little-endian bytes and whether the VR is implicit."""
    try:
        element = item.get_item(_CONTOUR_SEQUENCE)
    except Exception:  # let the general path report what is wrong
        return None
    if (not isinstance(element, RawDataElement) or not isinstance(element.value, bytes)
            or not element.is_little_endian):
        return None
    return element.value, bool(element.is_implicit_VR)


class _NotPlain(Exception):
    """A value the general path must read (and may have something to say about)."""


def _field(fields: dict[int, tuple[str | None, bytes]], tag: int) -> bytes | None:
    entry = fields.get(tag)
    if entry is None:
        return None
    vr, value = entry
    if vr is not None and vr != _VR[tag]:
        raise _NotPlain
    return value


@functools.lru_cache(maxsize=4096)
def _plain_text(raw: bytes | None, vr: str) -> str | None:
    """The first value of a valid code or UID (None when empty).

    Cached by value: every contour says CLOSED_PLANAR (an error is raised again, never
    cached).
    """
    if raw is None:
        return None
    parts = [part.strip(b" \x00") for part in raw.split(b"\\")]
    if not all(_PLAIN_TEXT[vr].fullmatch(part) for part in parts):
        raise _NotPlain
    return parts[0].decode("ascii") or None


def _count(raw: bytes | None) -> int | None:
    text_value = raw.strip(b" \x00") if raw is not None else b""
    if not text_value:
        return None
    if not text_value.isdigit():
        raise _NotPlain
    return int(text_value)


def _decimals(raws: list[bytes]) -> list[NDArray[np.float64]]:
    """Every non-empty Contour Data of the ROI parsed at once.

    Plain decimals by :func:`~rtviewer.dicom.decimal_strings.parse_plain_decimals`, any
    other value by one ``numpy.fromstring`` call (exponents, padding), which must agree.
    """
    if any(t.translate(None, _PLAIN_DECIMAL_BYTES) for t in raws):
        raise _NotPlain  # nan, inf, junk: the general path decides
    counts = np.array([t.count(b"\\") + 1 for t in raws], dtype=np.intp)
    joined = b"\\".join(raws)
    values = parse_plain_decimals(joined)  # the common case, a few times faster
    if values is None:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            try:
                values = np.fromstring(joined, dtype=np.float64, sep="\\")
            except (DeprecationWarning, ValueError):
                raise _NotPlain from None  # an empty value between values, a stray space
    if values.size != int(counts.sum()):
        raise _NotPlain
    return np.split(values, np.cumsum(counts)[:-1])


@functools.lru_cache(maxsize=4096)
def _images(raw: bytes | None, implicit: bool) -> tuple[str, ...]:
    """Referenced SOP Instance UIDs of a Contour Image Sequence's raw value.

    Cached by value: the contours of every ROI on one image slice reference it with the
    same bytes (the benchmark's 1,554 contours lie on 150 slices), and walking each
    of them was a sixth of reading the structure set.
    """
    if raw is None:
        return ()
    uids = (_plain_text(_field(fields, _REFERENCED_SOP_INSTANCE), "UI")
            for fields in sequence_items(raw, implicit, _IMAGE_WANTED))
    return tuple(u for u in uids if u)


def _walk(value: bytes, implicit: bool) -> list[ContourValues] | None:
    """The Contour Sequence walked from its raw bytes, or None for the general path."""
    try:
        walked = sequence_items(value, implicit, _CONTOUR_WANTED)
        data = [(_field(f, _CONTOUR_DATA) or b"").strip(b" \x00") for f in walked]
        parsed = iter(_decimals([d for d in data if d]))
        return [ContourValues(next(parsed) if d else None, bool(d),
                              _count(_field(f, _NUMBER_OF_POINTS)),
                              _plain_text(_field(f, _GEOMETRIC_TYPE), "CS"),
                              _images(_field(f, _CONTOUR_IMAGES), implicit))
                for f, d in zip(walked, data, strict=True)]
    except (_NotPlain, WalkUnsupported, FileTruncated, struct.error):
        return None
