"""One encoding for a dataset, so that "the same object" does not depend on the transfer syntax.

A planning system sends Implicit VR Little Endian, a PACS forwards the same object
as Explicit VR; a lossless JPEG copy holds the same pixels. The file bytes differ,
the object does not. :func:`content_digest` hashes the dataset (file meta left out)
written as Implicit VR Little Endian, where no VR is written: values are compared
as bytes, whatever VR (or UN) the reader gave them. Group lengths (gggg,0000) depend
on the encoding and are left out. Encapsulated and Big Endian Pixel Data are decoded
first, so a lossless compressed copy equals its uncompressed original (a lossy one
does not); other word values of a Big Endian dataset are put in little-endian order.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.uid import UID, ExplicitVRBigEndian

__all__ = ["content_digest", "file_content_digest"]


def content_digest(ds: Dataset) -> str:
    """SHA-256 (hex) of ``ds`` in the canonical encoding described in the module.

    Parameters
    ----------
    ds : pydicom.Dataset
        A dataset as read from a file or received (its ``file_meta`` is ignored).

    Returns
    -------
    str
        Equal for datasets with equal content in any uncompressed transfer syntax.

    Raises
    ------
    ValueError
        The dataset cannot be encoded (its encapsulated pixels cannot be decoded).
    """
    big_endian = _syntax(ds) == ExplicitVRBigEndian
    source = _little_endian_copy(ds) if big_endian else ds
    canonical = Dataset()
    for elem in source:
        if elem.tag.element == 0x0000:  # group length: an artefact of the encoding
            continue
        canonical.add(copy.copy(elem))
    if "PixelData" in ds and (big_endian or _is_compressed(ds)):
        try:
            pixels = ds.pixel_array  # a Big Endian file decodes to a big-endian array
            canonical.PixelData = pixels.astype(pixels.dtype.newbyteorder("<")).tobytes()
        except Exception as exc:  # noqa: BLE001 - any decoder failure: no canonical form
            raise ValueError(f"cannot decode the pixel data: {exc}") from exc
    out = DicomBytesIO()
    out.is_little_endian, out.is_implicit_VR = True, True
    try:
        write_dataset(out, canonical)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on bad values
        raise ValueError(f"cannot encode the dataset: {exc}") from exc
    return hashlib.sha256(out.getvalue()).hexdigest()


def file_content_digest(path: Path) -> str | None:
    """:func:`content_digest` of the file at ``path``, or None when it cannot be read."""
    try:
        return content_digest(dcmread(path, force=True))
    except Exception:  # noqa: BLE001 - unreadable: callers fall back to the bytes
        return None


def _syntax(ds: Dataset) -> UID | None:
    return getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)


def _is_compressed(ds: Dataset) -> bool:
    syntax = _syntax(ds)
    return bool(syntax is not None and syntax.is_compressed)


# Bytes per word of the binary VRs whose values pydicom keeps as bytes in file order.
_WORD_BYTES = {"OW": 2, "OL": 4, "OF": 4, "OD": 8, "OV": 8}


def _little_endian_copy(ds: Dataset) -> Dataset:
    """A copy of a Big Endian dataset whose word values are in little-endian order.

    pydicom converts numbers (US, FL...) on writing but keeps OW/OL/OF/OD/OV bytes as
    read; Pixel Data is replaced by its decoded array by the caller.
    """
    out = copy.deepcopy(ds)
    for elem in out.iterall():
        size = _WORD_BYTES.get(str(elem.VR))
        if size and isinstance(elem.value, bytes) and elem.tag != 0x7FE00010:
            words = np.frombuffer(elem.value, dtype=f">u{size}")
            elem.value = words.astype(f"<u{size}").tobytes()
    return out
