"""Decode Pixel Data, turning every failure into a named error.

Uncompressed little-endian grey-scale data is read directly
(:mod:`rtviewer.dicom.pixels_native`); everything else through pydicom's plugins.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.dicom.pixels_native import native_pixels
from rtviewer.dicom.values import numbers, text
from rtviewer.errors import MissingAttributeError, UnreadableFileError
from rtviewer.model.findings import Finding

__all__ = ["decode_pixels", "release_pixel_data"]

_PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")


def release_pixel_data(ds: Dataset) -> None:
    """Drop the pixel bytes from a dataset (in memory only; the file is untouched).

    For readers that decoded the pixels and keep the dataset for its other
    attributes: with ``defer_size``, the bytes were read from the file on decoding
    and would otherwise stay in the dataset.
    """
    for keyword in _PIXEL_KEYWORDS:
        if keyword in ds:
            del ds[keyword]


def decode_pixels(ds: Dataset, path: Path, *, writeable: bool = True) -> NDArray[Any]:
    """Stored pixel values of a dataset (no rescale applied).

    Parameters
    ----------
    ds : Dataset
        A dataset read with its pixel data.
    path : Path
        The file, for error messages.
    writeable : bool, keyword-only
        False lets uncompressed data come back as a read-only view of the
        dataset's bytes (saves a copy when the caller only reads it).

    Returns
    -------
    ndarray
        ``(rows, columns)`` or ``(frames, rows, columns)``, the stored values.

    Raises
    ------
    MissingAttributeError
        No Pixel Data, or an empty one.
    UnreadableFileError
        The pixel data cannot be decoded (truncated, unsupported compression).
    """
    keyword = next((k for k in _PIXEL_KEYWORDS if k in ds), None)
    if keyword is None or not ds[keyword].value:
        raise MissingAttributeError("the file has no pixel data", path=path,
                                    attribute="PixelData")
    if keyword == "PixelData":
        _check_pixel_module(ds, path)
        native = native_pixels(ds, writeable=writeable)
        if native is not None:  # the common uncompressed case, without pydicom's overhead
            return native
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    with warnings.catch_warnings():
        # pydicom warns about odd but decodable encodings; the data decide
        warnings.simplefilter("ignore")
        try:
            array = ds.pixel_array
        except Exception as exc:  # decoders raise many kinds; the message says which
            name = getattr(syntax, "name", str(syntax))
            raise UnreadableFileError(
                f"the pixel data cannot be decoded (transfer syntax {name}): "
                f"{type(exc).__name__}: {exc}", path=path) from exc
    result: NDArray[Any] = np.asarray(array)
    return result


#: Image Pixel module attributes pydicom needs, with the values it can decode.
_PIXEL_MODULE: dict[str, tuple[str, tuple[int, ...] | None]] = {
    "Rows": ("Rows", None),
    "Columns": ("Columns", None),
    "SamplesPerPixel": ("Samples per Pixel", (1, 3, 4)),
    "BitsAllocated": ("Bits Allocated", (1, 8, 16, 32, 64)),
    "BitsStored": ("Bits Stored", None),
    "PixelRepresentation": ("Pixel Representation", (0, 1)),
}


def _check_pixel_module(ds: Dataset, path: Path) -> None:
    """Name the Image Pixel attribute that is missing or impossible.

    pydicom would fail too, but with a message about Python types ("'<' not supported
    between instances of 'int' and 'list'") that names no attribute.
    """
    notes: list[Finding] = []  # not kept: every unusable value below is an error naming it
    for keyword, (name, allowed) in _PIXEL_MODULE.items():
        values = numbers(ds, keyword, notes)
        if values is None:
            raise MissingAttributeError(f"the pixel data cannot be decoded: {name} is absent "
                                        "or not a number", path=path, attribute=keyword)
        value = values[0]
        if len(values) != 1 or value != int(value) or value < (0 if allowed else 1) \
                or (allowed is not None and int(value) not in allowed):
            rule = f"one of {', '.join(map(str, allowed))}" if allowed else "a positive integer"
            shown = "\\".join(f"{v:g}" for v in values)
            raise UnreadableFileError(f"the pixel data cannot be decoded: {name} is {shown}, "
                                      f"but must be {rule}", path=path)
    bits_stored = numbers(ds, "BitsStored", notes)
    bits_allocated = numbers(ds, "BitsAllocated", notes)
    if bits_stored and bits_allocated and bits_stored[0] > bits_allocated[0]:
        raise UnreadableFileError(f"the pixel data cannot be decoded: Bits Stored "
                                  f"({bits_stored[0]:g}) exceeds Bits Allocated "
                                  f"({bits_allocated[0]:g})", path=path)
    photometric = ds.get("PhotometricInterpretation") if "PhotometricInterpretation" in ds \
        else None
    if text(ds, "PhotometricInterpretation", notes) is None:
        raise MissingAttributeError("the pixel data cannot be decoded: Photometric "
                                    "Interpretation is absent", path=path,
                                    attribute="PhotometricInterpretation")
    if not isinstance(photometric, str):
        raise UnreadableFileError("the pixel data cannot be decoded: Photometric "
                                  f"Interpretation has several values ({photometric})",
                                  path=path)
    stated = text(ds, "NumberOfFrames", notes) if "NumberOfFrames" in ds else None
    frames = numbers(ds, "NumberOfFrames", notes) if stated is not None else (1.0,)
    if frames is None or len(frames) != 1 or frames[0] < 1 or frames[0] != int(frames[0]):
        raise UnreadableFileError("the pixel data cannot be decoded: Number of Frames is "
                                  f"{stated}, not a positive integer",
                                  path=path)
