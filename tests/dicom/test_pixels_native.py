"""The direct uncompressed pixel reader and the float32 rescale equal pydicom's path exactly."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pydicom
import pytest
from corpus_files import IMAGE_CLASSES, RT_DOSE, _headers
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.pixels import decode_pixels
from rtviewer.dicom.pixels_native import native_pixels, rescaled
from rtviewer.errors import UnreadableFileError

JPEG2000 = "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"


def _pydicom_pixels(ds: Dataset) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(ds.pixel_array)


def _reference_rescale(stored: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    """What the reader computed before the fast path: float64 arithmetic, then float32."""
    return (stored.astype(np.float64) * slope + intercept).astype(np.float32)


@pytest.mark.corpus
def test_corpus_pixels_equal_pydicom(corpus):
    """Every corpus CT, MR, PET and RT Dose: same dtype, shape and values, and the rescale too."""
    paths = [p for p, c, _s, _o in _headers() if c in IMAGE_CLASSES | {RT_DOSE}]
    assert len(paths) >= 200
    paths_taken: Counter[tuple[str, str]] = Counter()
    for path in paths:
        ds, _findings = read_dataset(path)
        expected = _pydicom_pixels(ds)
        native = native_pixels(ds)
        got = decode_pixels(ds, path)
        assert got.dtype == expected.dtype, path
        np.testing.assert_array_equal(got, expected, err_msg=str(path), strict=True)
        assert got.flags.writeable
        view = decode_pixels(ds, path, writeable=False)  # what the volume reader uses
        np.testing.assert_array_equal(view, expected, err_msg=str(path), strict=True)
        signed = "signed" if int(ds.PixelRepresentation) else "unsigned"
        paths_taken[("native" if native is not None else "pydicom", signed)] += 1
        if str(ds.file_meta.TransferSyntaxUID) in JPEG2000:
            assert native is None, f"{path}: JPEG 2000 must decode through pydicom"
            paths_taken[("jpeg2000", signed)] += 1
        slope = float(ds.get("RescaleSlope", 1.0) or 1.0)
        intercept = float(ds.get("RescaleIntercept", 0.0) or 0.0)
        plane = got if got.ndim == 2 else got[0]
        np.testing.assert_array_equal(rescaled(plane, slope, intercept),
                                      _reference_rescale(plane, slope, intercept),
                                      err_msg=str(path), strict=True)
    # the corpus exercises both signednesses on the fast path and the pydicom path
    assert paths_taken[("native", "signed")] > 0 and paths_taken[("native", "unsigned")] > 0
    assert sum(n for (way, _s), n in paths_taken.items() if way == "jpeg2000") > 0


def _synthetic(tmp_path: Path, values: np.ndarray, *, allocated: int, stored: int,
               signed: bool, syntax: str = ExplicitVRLittleEndian,
               photometric: str = "MONOCHROME2", frames: int | None = None) -> Dataset:
    """A CT-like file with the given raw stored words, read back through read_dataset."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", "CT"
    ds.Rows, ds.Columns = values.shape[-2:]
    if frames is not None:
        ds.NumberOfFrames = frames
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = allocated, stored, stored - 1
    ds.PixelRepresentation = int(signed)
    ds.PixelData = values.astype(f"<u{allocated // 8}").tobytes()
    path = tmp_path / f"{allocated}_{stored}_{int(signed)}_{photometric}.dcm"
    ds.save_as(path, enforce_file_format=True)
    return read_dataset(path)[0]


@pytest.mark.parametrize(("allocated", "stored", "signed"), [
    (16, 12, False), (16, 12, True), (16, 16, True), (16, 16, False), (8, 8, False),
    (8, 7, True), (32, 32, True), (32, 20, True), (32, 24, False)])
def test_unused_high_bits_follow_pydicom(tmp_path, allocated, stored, signed):
    """Garbage above Bits Stored is cleared (unsigned) or sign-extended (signed), as pydicom."""
    rng = np.random.default_rng(allocated * 100 + stored)
    words = rng.integers(0, 2 ** allocated, size=(2, 5, 7), dtype=np.uint64)
    ds = _synthetic(tmp_path, words, allocated=allocated, stored=stored, signed=signed, frames=2)
    native = native_pixels(ds)
    assert native is not None
    expected = _pydicom_pixels(ds)
    np.testing.assert_array_equal(native, expected, strict=True)
    assert native.shape == (2, 5, 7)
    if signed and stored < allocated:
        assert native.min() < 0 and native.max() < 2 ** (stored - 1)
    if not signed:
        assert native.max() < 2 ** stored


def test_single_frame_monochrome1_and_implicit_vr(tmp_path):
    words = np.array([[0, 1, 4095], [65535, 2048, 7]], dtype=np.uint64)
    ds = _synthetic(tmp_path, words, allocated=16, stored=12, signed=False,
                    syntax=ImplicitVRLittleEndian, photometric="MONOCHROME1")
    native = native_pixels(ds)
    assert native is not None
    np.testing.assert_array_equal(native, [[0, 1, 4095], [4095, 2048, 7]], strict=False)
    np.testing.assert_array_equal(native, _pydicom_pixels(ds), strict=True)


def test_short_pixel_data_is_left_to_pydicom(tmp_path):
    """Too few bytes: the fast path declines and the error names the shortfall as before."""
    ds = _synthetic(tmp_path, np.zeros((4, 4), dtype=np.uint64), allocated=16, stored=16,
                    signed=False)
    ds.PixelData = ds.PixelData[:20]
    assert native_pixels(ds) is None
    with pytest.raises(UnreadableFileError, match="cannot be decoded"):
        decode_pixels(ds, Path("short.dcm"))


def test_colour_and_big_endian_go_through_pydicom(tmp_path):
    ds = _synthetic(tmp_path, np.zeros((2, 2), dtype=np.uint64), allocated=16, stored=16,
                    signed=False)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.2"
    assert native_pixels(ds) is None
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.PhotometricInterpretation = "RGB"
    assert native_pixels(ds) is None


@pytest.mark.parametrize(("dtype", "slope", "intercept"), [
    ("<i2", 1.0, -1024.0), ("<u2", 1.0, -1024.0), ("<u2", 2.0, -8192.0), ("<i2", 255.0, 0.0),
    ("<i2", 256.0, 0.0), ("<u2", 0.5, -1024.0), ("<u2", 1.0, -1024.5), ("<i4", 1.0, -1024.0),
    ("<u1", 3.0, 1.0), ("<u2", 0.0034567, 0.0), ("<i2", 1.0, 2.0 ** 24), ("<i2", -1.0, 0.0),
    ("<i1", 1.0, 0.0), ("<u2", 1.0, 0.0)])
def test_rescale_equals_float64_arithmetic(dtype, slope, intercept):
    """Integer CT rescales take float32 arithmetic; the result is bit-identical either way."""
    info = np.iinfo(np.dtype(dtype))
    rng = np.random.default_rng(7)
    stored = rng.integers(info.min, info.max, size=(64, 64), endpoint=True).astype(dtype)
    stored.flat[:2] = info.min, info.max  # the extremes decide exactness
    out = np.full((64, 64), np.nan, dtype=np.float32)
    result = rescaled(stored, slope, intercept, out=out)
    assert result is out
    np.testing.assert_array_equal(out, _reference_rescale(stored, slope, intercept), strict=True)


def test_pydicom_reads_the_synthetic_file_the_same(tmp_path):
    """The synthetic files are valid: pydicom's own dcmread gives the same stored values."""
    words = np.arange(12, dtype=np.uint64).reshape(3, 4) * 1000
    ds = _synthetic(tmp_path, words, allocated=16, stored=16, signed=True)
    again = pydicom.dcmread(tmp_path / "16_16_1_MONOCHROME2.dcm")
    np.testing.assert_array_equal(native_pixels(ds), again.pixel_array, strict=True)
