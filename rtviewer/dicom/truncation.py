"""Detect files cut short: pydicom's forgiving reader silently returns what it could parse.

A truncated structure set would otherwise load with its last ROIs quietly
missing. Walking the top-level elements without reading their values shows
whether the last one ends beyond the end of the file.
"""

from __future__ import annotations

from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.filereader import data_element_generator, read_file_meta_info

from rtviewer.errors import UnreadableFileError

__all__ = ["check_not_truncated"]

_PREAMBLE = 128
_META_GROUP_LENGTH_ELEMENT = 12  # tag (4) + VR (2) + length (2) + UL value (4)


def check_not_truncated(path: Path, ds: Dataset) -> None:
    """Raise when a top-level element of the file ends beyond the end of the file.

    Parameters
    ----------
    path : Path
        The file that ``ds`` was read from.
    ds : Dataset
        The dataset as read (its Transfer Syntax decides the encoding).

    Raises
    ------
    UnreadableFileError
        The file is truncated (or its element lengths are corrupt).
    """
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None or syntax.is_deflated:
        return
    size = path.stat().st_size
    with path.open("rb") as fp:
        if fp.read(_PREAMBLE + 4)[_PREAMBLE:] != b"DICM":
            return  # no preamble: where the dataset starts is not known reliably
        meta = read_file_meta_info(path)
        fp.seek(_PREAMBLE + 4 + _META_GROUP_LENGTH_ELEMENT
                + int(meta.FileMetaInformationGroupLength))
        end = fp.tell()
        try:
            # values are skipped by seeking, so a length running past the end of the
            # file leaves the position beyond it
            for _element in data_element_generator(fp, syntax.is_implicit_VR,
                                                   syntax.is_little_endian, defer_size=0):
                end = max(end, fp.tell())
        except Exception as exc:  # any parse failure here means damaged lengths
            raise UnreadableFileError(f"the file is damaged: {exc}", path=path) from exc
    if end > size:
        raise UnreadableFileError(
            f"the file is truncated: it ends at byte {size} but its data run to byte {end}",
            path=path)
