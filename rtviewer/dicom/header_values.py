"""Decode the few raw header values the scan needs, without building a pydicom Dataset.

Used on the fast path for plain image slices (see :mod:`rtviewer.dicom.header_walk`).
Text in Person Name / Long String is decoded with pydicom's character-set support.
"""

from __future__ import annotations

import struct
from typing import Any

from pydicom.charset import convert_encodings, decode_bytes

__all__ = ["IMAGE_TAGS", "decode_image_values"]

_TAGS: dict[str, int] = {
    "SpecificCharacterSet": 0x00080005,
    "SOPClassUID": 0x00080016,
    "SOPInstanceUID": 0x00080018,
    "StudyDate": 0x00080020,
    "Modality": 0x00080060,
    "StudyDescription": 0x00081030,
    "SeriesDescription": 0x0008103E,
    "PatientName": 0x00100010,
    "PatientID": 0x00100020,
    "SliceThickness": 0x00180050,
    "StudyInstanceUID": 0x0020000D,
    "SeriesInstanceUID": 0x0020000E,
    "SeriesNumber": 0x00200011,
    "InstanceNumber": 0x00200013,
    "ImagePositionPatient": 0x00200032,
    "ImageOrientationPatient": 0x00200037,
    "FrameOfReferenceUID": 0x00200052,
    "NumberOfFrames": 0x00280008,
    "Rows": 0x00280010,
    "Columns": 0x00280011,
    "PixelSpacing": 0x00280030,
}
#: The top-level tags the fast path collects.
IMAGE_TAGS: frozenset[int] = frozenset(_TAGS.values())
_TEXT = {"StudyDescription", "SeriesDescription", "PatientName", "PatientID"}
_FLOATS = {"SliceThickness", "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"}
_INTS = {"SeriesNumber", "InstanceNumber", "NumberOfFrames"}
_USHORT = {"Rows", "Columns"}
_U16 = struct.Struct("<H")


def _ascii(raw: bytes) -> str | None:
    text = raw.decode("ascii", "replace").strip("\x00 ")
    return text or None


def _floats(raw: bytes) -> list[float] | None:
    text = _ascii(raw)
    if text is None:
        return None
    return [float(v) for v in text.split("\\")]


def _text(raw: bytes, encodings: list[str] | None) -> str | None:
    decoded = raw.decode("latin-1") if encodings is None \
        else decode_bytes(raw, encodings, {0x5E, 0x3D})
    text = decoded.strip("\x00 ")
    return text or None


def _decode_one(name: str, vr: str | None, raw: bytes, encodings: list[str] | None) -> Any:
    if name in _TEXT:
        return _text(raw, encodings)
    if name in _FLOATS:
        values = _floats(raw)
        if values is not None and name == "SliceThickness":
            return values[0]
        return values
    if name in _USHORT and vr in (None, "US") and len(raw) == 2:
        return _U16.unpack(raw)[0]
    if name in _INTS or name in _USHORT:
        text = _ascii(raw)
        return None if text is None else int(float(text))
    return _ascii(raw)


def decode_image_values(values: dict[int, tuple[str | None, bytes]]) -> dict[str, Any]:
    """Decode collected raw values into Python values keyed by DICOM keyword.

    Parameters
    ----------
    values : dict
        tag -> (VR or None, raw little-endian bytes) from
        :func:`rtviewer.dicom.header_walk.walk_file`.

    Returns
    -------
    dict
        keyword -> str, int, float, list of float, or None. Raises ``ValueError`` on
        a malformed number (the caller then falls back to pydicom).
    """
    encodings = None
    charset = values.get(_TAGS["SpecificCharacterSet"])
    if charset is not None:
        terms = (_ascii(charset[1]) or "").split("\\")
        if any(t.strip() not in ("", "ISO_IR 100", "ISO_IR 6") for t in terms):
            encodings = convert_encodings([t.strip() for t in terms])
    out: dict[str, Any] = {}
    for name, tag in _TAGS.items():
        item = values.get(tag)
        out[name] = None if item is None else _decode_one(name, item[0], item[1], encodings)
    return out
