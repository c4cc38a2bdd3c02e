"""Decode Pixel Data through pydicom's plugins, turning every failure into a named error."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.errors import MissingAttributeError, UnreadableFileError

__all__ = ["decode_pixels"]

_PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")


def decode_pixels(ds: Dataset, path: Path) -> NDArray[Any]:
    """Stored pixel values of a dataset (no rescale applied).

    Parameters
    ----------
    ds : Dataset
        A dataset read with its pixel data.
    path : Path
        The file, for error messages.

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
