"""Every image series of the corpus loads (or is refused with a clear message)."""

import numpy as np
import pytest
from corpus_files import image_series

from rtviewer.dicom.image import read_image_volume
from rtviewer.errors import GeometryError

SERIES = image_series()
#: one Series Instance UID holding three orientations (corpus README): refused, not mixed
MIXED = {key for key in SERIES if "dicomdirtests_MR" in key}


@pytest.mark.corpus
@pytest.mark.parametrize("key", sorted(SERIES))
def test_every_image_series_loads(corpus, key):
    paths = SERIES[key]
    try:
        volume = read_image_volume(paths)
    except GeometryError as exc:
        assert key in MIXED, f"{key}: {exc}"
        assert exc.path is not None
        assert "orientation" in str(exc)
        return
    assert volume.voxels.shape == volume.grid.shape
    # int16 only when every slice's rescale is whole-numbered (the value check is in
    # test_image_memory.py)
    whole = all(float(r.slope).is_integer() and float(r.intercept).is_integer()
                for r in volume.rescales)
    assert volume.voxels.dtype in ((np.int16, np.float32) if whole else (np.float32,))
    assert np.isfinite(volume.voxels).any()
    assert len(volume.paths) == len(paths)


def _series(corpus, folder):
    return sorted((corpus / folder).glob("*.dcm"))


@pytest.mark.corpus
def test_matrad_ct_100_slices(corpus):
    volume = read_image_volume(sorted((corpus / "matrad-dicomexport").glob("ct_slice_*.dcm")))
    assert volume.grid.shape == (100, 200, 200)
    assert volume.grid.spacing_mm == pytest.approx((2.0, 2.0, 3.0))
    assert volume.unit == "HU"
    assert volume.voxels.min() == pytest.approx(-1000.0)
    assert volume.findings == ()


@pytest.mark.corpus
def test_jpeg2000_pet_and_ct_decode(corpus):
    pet = read_image_volume(_series(corpus, "orthanc-tests/Comunix_PETCT/Pet"))
    ct = read_image_volume(_series(corpus, "orthanc-tests/Comunix_PETCT/Ct"))
    assert pet.modality == "PT" and pet.unit == "BQML"
    assert pet.grid.shape == (2, 128, 128)
    assert pet.voxels.max() > 1000.0  # activity concentration, not zeros
    assert ct.grid.shape[1:] == (512, 512)
    assert ct.unit == "HU"
    assert -1100 < float(ct.voxels.min()) < -900  # air


@pytest.mark.corpus
def test_oblique_mr_is_flagged(corpus):
    volume = read_image_volume(_series(corpus, "orthanc-tests/Brainix_MR/Flair"))
    assert volume.grid.shape == (22, 288, 288)
    assert "OBLIQUE_ORIENTATION" in [f.code for f in volume.findings]
    assert not volume.grid.is_axis_aligned()


@pytest.mark.corpus
def test_feet_first_single_slice(corpus):
    volume = read_image_volume([corpus / "pydicom-testfiles" / "CT_small.dcm"])
    assert volume.patient_position == "FFS"
    assert volume.grid.shape == (1, 128, 128)
    single = [f for f in volume.findings if f.code == "SINGLE_SLICE"]
    assert single and "5 mm" in single[0].assumption
    assert volume.grid.spacing_mm[2] == pytest.approx(5.0)


@pytest.mark.corpus
def test_mixed_orientation_series_is_refused_with_counts(corpus):
    # MR700 holds 7 radial oblique projections, one orientation each
    key = next(k for k in SERIES if "MR700" in k)
    with pytest.raises(GeometryError, match="mixes 7 image orientations"):
        read_image_volume(SERIES[key])
