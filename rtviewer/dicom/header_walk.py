"""Walk the data elements of a DICOM file's bytes: integrity check and a fast header peek.

Why hand-written rather than pydicom: pydicom reads a value that the file cuts short
without complaint (a truncated copy parses "successfully"), so the scan needs an
independent check that every element's declared length fits in the file. The same
single pass over the top-level elements also collects the handful of attributes the
index needs for a plain image slice, which is 3-5x faster than building a pydicom
Dataset and converting its values -- what makes scanning thousands of CT slices
interactive. Only little-endian transfer syntaxes are walked; anything else raises
:class:`WalkUnsupported` and the caller relies on pydicom alone.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = [
    "FileTruncated",
    "WalkUnsupported",
    "NeedMoreBytes",
    "WalkResult",
    "walk_file",
    "PIXEL_DATA_TAGS",
]

_IMPLICIT_LE = "1.2.840.10008.1.2"
_UNSUPPORTED_TS = {"1.2.840.10008.1.2.2": "Explicit VR Big Endian",
                   "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian"}
_LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC",
                       b"UN", b"UR", b"UT", b"UV"})
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF
#: Pixel Data, Float Pixel Data, Double Float Pixel Data.
PIXEL_DATA_TAGS = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009})
_TAG_LEN = struct.Struct("<HHL")
_EXPLICIT = struct.Struct("<HH2sH")
_U32 = struct.Struct("<L")


class FileTruncated(Exception):
    """The file ends before a data element it declares (a cut-short copy)."""


class WalkUnsupported(Exception):
    """The file's encoding is not walked here (big endian, deflated, odd structure)."""


class NeedMoreBytes(Exception):
    """The buffer is a prefix of the file and more of it is needed."""


@dataclass
class WalkResult:
    """What one pass over a file found.

    Attributes
    ----------
    values : dict
        Top-level tag -> (VR or None for implicit VR, raw value bytes) for the wanted tags.
    meta : dict
        File meta (group 0002) tag -> raw value bytes.
    implicit_vr : bool
    has_pixel_data : bool
        A top-level Pixel Data (or float variant) element is present.
    """

    values: dict[int, tuple[str | None, bytes]] = field(default_factory=dict)
    meta: dict[int, bytes] = field(default_factory=dict)
    implicit_vr: bool = False
    has_pixel_data: bool = False


class _Cursor:
    """Bounds checks against the buffer (a prefix) and the real file size."""

    __slots__ = ("buf", "size")

    def __init__(self, buf: bytes, size: int) -> None:
        self.buf, self.size = buf, size

    def need(self, end: int, where: int) -> None:
        if end > len(self.buf):
            if len(self.buf) < self.size:
                raise NeedMoreBytes
            raise FileTruncated(f"the file ends at byte {self.size} inside the data element "
                                f"starting at byte {where}")

    def jump(self, end: int, where: int, tag: int, length: int) -> None:
        if end > self.size:
            raise FileTruncated(
                f"data element ({tag >> 16:04X},{tag & 0xFFFF:04X}) at byte {where} declares "
                f"{length} bytes but the file ends at byte {self.size}")


def walk_file(buf: bytes, file_size: int, wanted: frozenset[int]) -> WalkResult:
    """Walk a whole DICOM file, checking that every element fits in ``file_size``.

    Parameters
    ----------
    buf : bytes
        The file's bytes: all of them, or a prefix (then :class:`NeedMoreBytes` is
        raised when more is needed).
    file_size : int
        The file's size in bytes.
    wanted : frozenset of int
        Top-level tags (``group << 16 | element``) whose raw values to return.

    Returns
    -------
    WalkResult

    Raises
    ------
    FileTruncated, WalkUnsupported, NeedMoreBytes
    """
    cur = _Cursor(buf, file_size)
    result = WalkResult()
    pos = 132 if buf[128:132] == b"DICM" else 0
    pos = _read_meta(cur, pos, result)
    ts = result.meta.get(0x00020010, b"").rstrip(b"\x00 ").decode("ascii", "replace")
    if ts in _UNSUPPORTED_TS:
        raise WalkUnsupported(_UNSUPPORTED_TS[ts])
    if ts:
        result.implicit_vr = ts == _IMPLICIT_LE
    else:  # no file meta: guess like pydicom, from the first element's VR bytes
        cur.need(pos + 8, pos)
        result.implicit_vr = not buf[pos + 4:pos + 6].isalpha()
    _walk_top_level(cur, pos, result, wanted)
    return result


def _read_meta(cur: _Cursor, pos: int, result: WalkResult) -> int:
    """Read group 0002 (always explicit VR little endian); return where the dataset starts."""
    buf = cur.buf
    while pos + 8 <= len(buf):
        group, elem, vr, length = _EXPLICIT.unpack_from(buf, pos)
        if group != 0x0002:
            break
        if not vr.isalpha():
            raise WalkUnsupported("file meta is not explicit VR")
        start = pos + 8
        if vr in _LONG_VRS:
            cur.need(pos + 12, pos)
            length = _U32.unpack_from(buf, pos + 8)[0]
            start = pos + 12
        cur.need(start + length, pos)
        result.meta[0x00020000 | elem] = bytes(buf[start:start + length])
        pos = start + length
    return pos


def _element_header(cur: _Cursor, pos: int, implicit: bool) -> tuple[int, str | None, int, int]:
    """Return (tag, VR, value length, value start) of the element at ``pos``."""
    buf = cur.buf
    cur.need(pos + 8, pos)
    if implicit:
        group, elem, length = _TAG_LEN.unpack_from(buf, pos)
        return group << 16 | elem, None, length, pos + 8
    group, elem, vr, length = _EXPLICIT.unpack_from(buf, pos)
    if group == 0xFFFE:  # item and delimiters have no VR
        return group << 16 | elem, None, _U32.unpack_from(buf, pos + 4)[0], pos + 8
    if not vr.isalpha():
        raise WalkUnsupported(f"invalid VR at byte {pos}")
    if vr in _LONG_VRS:
        cur.need(pos + 12, pos)
        return group << 16 | elem, vr.decode(), _U32.unpack_from(buf, pos + 8)[0], pos + 12
    return group << 16 | elem, vr.decode(), length, pos + 8


def _walk_top_level(cur: _Cursor, pos: int, result: WalkResult, wanted: frozenset[int]) -> None:
    size, implicit = cur.size, result.implicit_vr
    while pos < size:
        if size - pos < 8:
            raise FileTruncated(f"the file ends at byte {size} inside a data element header")
        tag, vr, length, start = _element_header(cur, pos, implicit)
        if tag in PIXEL_DATA_TAGS:
            result.has_pixel_data = True
        if length == _UNDEFINED:
            pos = _skip_items(cur, start, implicit)
            continue
        end = start + length
        cur.jump(end, pos, tag, length)
        if tag in wanted:
            cur.need(end, pos)
            result.values[tag] = (vr, bytes(cur.buf[start:end]))
        pos = end


def _skip_items(cur: _Cursor, pos: int, implicit: bool) -> int:
    """Skip the items of an undefined-length sequence; return the position after it."""
    while True:
        cur.need(pos + 8, pos)
        group, elem, length = _TAG_LEN.unpack_from(cur.buf, pos)
        tag = group << 16 | elem
        if tag == _SEQ_END:
            return pos + 8
        if tag != _ITEM:
            raise WalkUnsupported(f"expected a sequence item at byte {pos}")
        if length == _UNDEFINED:
            pos = _skip_item_dataset(cur, pos + 8, implicit)
        else:
            cur.jump(pos + 8 + length, pos, tag, length)
            pos += 8 + length


def _skip_item_dataset(cur: _Cursor, pos: int, implicit: bool) -> int:
    """Skip the elements of an undefined-length item; return the position after its end."""
    while True:
        tag, _vr, length, start = _element_header(cur, pos, implicit)
        if tag == _ITEM_END:
            return start
        if length == _UNDEFINED:
            pos = _skip_items(cur, start, implicit)
        else:
            cur.jump(start + length, pos, tag, length)
            pos = start + length
