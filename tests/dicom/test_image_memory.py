"""Big series: an image volume costs about its stored pixel data, and holds the same values.

Whole-numbered rescales (CT) give an int16 volume; the pixel bytes are read from
each file as it is decoded, never all at once (issue 16 point 11: a 1000-slice CT
peaked at 3.3x its pixel data; ``benchmarks/viewer.py`` measures the whole render).
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pydicom
import pytest

from rtviewer.demo.ct import write_ct_series
from rtviewer.demo.phantom import CtGeometry
from rtviewer.demo.uids import UidFactory
from rtviewer.demo.writer import Patient, Series
from rtviewer.dicom.image import read_image_volume


def _write_ct(folder, hu: np.ndarray) -> list:
    """``hu`` [k, j, i] as uint16 slices (HU = stored - 1024), the demo's own writer."""
    uid = UidFactory(len(hu))
    patient = Patient("MEM", "Memory^Test", "19700101", "O", uid("study"), "20260101",
                      "120000", "test", uid("for"))
    geometry = CtGeometry(shape=hu.shape, origin_mm=(-100.0, -100.0, 0.0), pixel_mm=1.5,
                          slice_mm=2.0)
    write_ct_series(hu.astype(np.float32), geometry, patient=patient,
                    series=Series("CT", uid("series"), 1, "memory", "20260101", "120000"),
                    slice_uids=[uid("slice", k) for k in range(len(hu))], out_dir=folder)
    return sorted(folder.rglob("*.dcm"))


def _rescaled_by_pydicom(path) -> np.ndarray:
    ds = pydicom.dcmread(path)
    return ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)


def test_reading_a_series_peaks_under_twice_its_pixel_data(tmp_path):
    rng = np.random.default_rng(11)
    hu = np.rint(rng.normal(0.0, 300.0, (60, 256, 256))).clip(-1024, 3071)
    paths = _write_ct(tmp_path, hu)
    pixel_bytes = hu.size * 2  # 16 bits stored
    tracemalloc.start()
    try:
        volume = read_image_volume(paths)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * pixel_bytes, f"peak {peak / pixel_bytes:.2f}x the pixel data"
    assert volume.voxels.dtype == np.int16
    # k runs along the slice normal (+z here): the written order
    np.testing.assert_array_equal(volume.voxels, hu)


def test_values_beyond_int16_turn_the_volume_to_float32_exactly(tmp_path):
    hu = np.full((6, 32, 32), -1000.0)
    hu[3, 10, 10] = 60000.0  # stored 61024 of 16 bits: beyond int16 once rescaled
    volume = read_image_volume(_write_ct(tmp_path, hu))
    assert volume.voxels.dtype == np.float32
    np.testing.assert_array_equal(volume.voxels, hu)


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["nelms-dvh-analytical/CT/2_mm_CT",
                                    "orthanc-tests/Comunix_PETCT/Ct"])
def test_an_int16_corpus_ct_equals_its_rescaled_pixels_slice_by_slice(corpus, folder):
    paths = sorted(p for p in (corpus / folder).iterdir() if p.is_file())
    volume = read_image_volume(paths)
    assert volume.voxels.dtype == np.int16
    for k, path in enumerate(volume.paths):
        np.testing.assert_array_equal(volume.voxels[k], _rescaled_by_pydicom(path),
                                      err_msg=str(path))
