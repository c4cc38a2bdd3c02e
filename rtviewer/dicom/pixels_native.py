"""Uncompressed little-endian grey-scale Pixel Data read straight from its bytes.

pydicom's pixel path spends most of its time on generality (validation of
options, plugin dispatch, processing hooks) that a plain CT slice does not
need. This module reads the common case (native little-endian transfer syntax,
one sample per pixel, 8/16/32 bits allocated) with :func:`numpy.frombuffer`
and reproduces exactly what pydicom 3 returns: the stored dtype chosen by Bits
Allocated and Pixel Representation, and the unused high bits cleared (unsigned)
or sign-extended (signed) when Bits Stored < Bits Allocated, as pydicom does by
default (``correct_unused_bits``). Anything else answers None and goes through
pydicom; ``tests/dicom/test_pixels_native.py`` checks the equality on the corpus.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

__all__ = ["native_pixels", "rescaled"]

#: integers up to this magnitude are exact in float32 (24-bit significand)
_FLOAT32_EXACT = 2.0 ** 24

#: Implicit VR Little Endian and Explicit VR Little Endian: pixel bytes as stored
_NATIVE_LITTLE_ENDIAN = frozenset({"1.2.840.10008.1.2", "1.2.840.10008.1.2.1"})
_MONOCHROME = frozenset({"MONOCHROME1", "MONOCHROME2"})


def native_pixels(ds: Dataset, *, writeable: bool = True) -> NDArray[Any] | None:
    """Stored values of uncompressed little-endian grey-scale Pixel Data, or None.

    Parameters
    ----------
    ds : Dataset
        A dataset read with its pixel data whose Image Pixel module has been
        checked (``pixels._check_pixel_module``): the attributes read here are
        present and single-valued.
    writeable : bool, keyword-only
        False allows a read-only view on the dataset's bytes (no copy) when no
        bit correction is needed.

    Returns
    -------
    ndarray or None
        ``(rows, columns)`` (one frame) or ``(frames, rows, columns)``, equal to
        pydicom's ``ds.pixel_array``; None when this case is not the
        simple one (compressed or big-endian syntax, colour, 1 or 64 bits, too
        few bytes, float pixel data), so the caller uses pydicom.
    """
    layout = _layout(ds)
    if layout is None:
        return None
    dtype, frames, rows, columns, unused_bits = layout
    raw = ds["PixelData"].value
    count = frames * rows * columns
    if not isinstance(raw, bytes | bytearray) or len(raw) < count * dtype.itemsize:
        return None  # pydicom names the shortfall
    values = np.frombuffer(raw, dtype=dtype, count=count)
    if writeable or unused_bits:
        values = values.copy()
    if unused_bits:
        # the bits above Bits Stored carry no meaning (PS3.5 8.1.1): shifting left
        # then right clears them (unsigned) or extends the sign (signed), as pydicom
        np.left_shift(values, unused_bits, out=values)
        np.right_shift(values, unused_bits, out=values)
    shape = (rows, columns) if frames == 1 else (frames, rows, columns)
    return values.reshape(shape)


def _layout(ds: Dataset) -> tuple[np.dtype[Any], int, int, int, int] | None:
    """(dtype, frames, rows, columns, unused bits) of a simple case, else None."""
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if syntax is None or str(syntax) not in _NATIVE_LITTLE_ENDIAN or "PixelData" not in ds:
        return None
    if _int(ds, "SamplesPerPixel") != 1 or ds.get("PhotometricInterpretation") not in _MONOCHROME:
        return None
    allocated, stored = _int(ds, "BitsAllocated"), _int(ds, "BitsStored")
    representation = _int(ds, "PixelRepresentation")
    if allocated not in (8, 16, 32) or stored is None or not 1 <= stored <= allocated \
            or representation not in (0, 1):
        return None
    rows, columns = _int(ds, "Rows"), _int(ds, "Columns")
    frames = _int(ds, "NumberOfFrames") if "NumberOfFrames" in ds else 1
    if not rows or not columns or not frames or frames < 1:
        return None
    dtype = np.dtype(f"<{'ui'[representation]}{allocated // 8}")
    return dtype, frames, rows, columns, allocated - stored


def _int(ds: Dataset, keyword: str) -> int | None:
    """An integer-valued attribute, or None when absent or not one integer."""
    value = ds.get(keyword)
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def rescaled(stored: NDArray[Any], slope: float, intercept: float,
             out: NDArray[np.float32] | None = None) -> NDArray[np.float32]:
    """``stored * slope + intercept`` computed in float64, returned as float32.

    Parameters
    ----------
    stored : ndarray
        Stored pixel values.
    slope, intercept : float
        Rescale Slope and Intercept (output unit per stored unit, output unit).
    out : ndarray of float32, optional
        Where to write the result (same shape as ``stored``); a new array if None.

    Returns
    -------
    ndarray, float32
        ``out`` or a new array. When every value is an integer that float32 holds
        exactly (integer stored values of at most 16 bits, integer slope and
        intercept, results below 2**24 in magnitude: the usual CT), the arithmetic
        is done in float32, which gives the identical result at a third of the cost.
    """
    if out is None:
        out = np.empty(stored.shape, dtype=np.float32)
    if _exact_in_float32(stored, slope, intercept):
        # one pass per operation; the integer -> float32 cast inside the ufunc is exact
        if slope != 1.0:
            np.multiply(stored, np.float32(slope), out=out, dtype=np.float32)
            np.add(out, np.float32(intercept), out=out)
        else:
            np.add(stored, np.float32(intercept), out=out, dtype=np.float32)
        return out
    wide = stored.astype(np.float64)
    wide *= slope
    wide += intercept
    out[...] = wide  # float64 -> float32 rounds as astype does
    return out


def _exact_in_float32(stored: NDArray[Any], slope: float, intercept: float) -> bool:
    """Whether ``stored * slope + intercept`` and each step are integers below 2**24."""
    if stored.dtype.kind not in "ui" or stored.dtype.itemsize > 2:
        return False
    if not (float(slope).is_integer() and float(intercept).is_integer()):
        return False
    largest = float(np.iinfo(stored.dtype).max - min(np.iinfo(stored.dtype).min, 0))
    return abs(slope) * largest + abs(intercept) < _FLOAT32_EXACT
