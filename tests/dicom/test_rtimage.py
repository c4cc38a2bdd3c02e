"""RT Images: every corpus file loads; DRR isocentre, portal magnification, empty positions."""

import numpy as np
import pytest
from corpus_files import RT_IMAGE, files_of, ids
from pydicom import dcmread

from rtviewer.dicom.rtimage import read_rt_image
from rtviewer.errors import MissingAttributeError, UnsupportedObjectError
from rtviewer.model.rtimage import RtImageKind

RT_IMAGES = files_of(RT_IMAGE)
DRR = "slicerrt-eclipse-prostate/RI.1.2.246.352.71.3.2088656855.2381134.20110921150951.dcm"


@pytest.mark.corpus
@pytest.mark.parametrize("path", RT_IMAGES, ids=ids(RT_IMAGES))
def test_every_rt_image_loads(corpus, path):
    image = read_rt_image(path)
    assert image.pixels.dtype == np.float32 and image.pixels.ndim == 2
    assert np.ptp(image.pixels) > 0
    assert image.sid_mm is not None and min(image.pixel_spacing_mm) > 0
    assert not image.pixels.flags.writeable


@pytest.mark.corpus
def test_eclipse_drr_isocentre_and_references(corpus):
    image = read_rt_image(corpus / DRR)
    assert image.kind is RtImageKind.DRR
    assert image.isocenter_pixel() == pytest.approx((255.5, 255.5))
    assert image.referenced_plan_uid == "1.2.246.352.71.5.2088656855.377401.20110920153647"
    assert image.referenced_beam_number == 1
    assert (image.gantry_angle_deg, image.collimator_angle_deg, image.couch_angle_deg) == (0, 0, 0)
    jaws = {d.device_type: d.positions_mm.tolist() for d in image.exposures[0].limiting_devices}
    assert jaws == {"X": [-50.0, 50.0], "Y": [-50.0, 50.0]}
    assert image.findings == ()


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["DRGS_open.dcm", "DRGS_dmlc.dcm"])
def test_drgs_pixel_size_at_isocentre(corpus, name):
    image = read_rt_image(corpus / "pylinac" / name)
    assert image.kind is RtImageKind.PORTAL
    assert image.pixel_spacing_mm == pytest.approx((0.784, 0.784))
    assert image.sid_mm == 1500 and image.sad_mm == 1000
    assert image.pixel_spacing_at_isocenter_mm == pytest.approx((0.5227, 0.5227), abs=1e-4)
    assert image.gantry_angle_deg is None


@pytest.mark.corpus
def test_portal_images_have_empty_position_and_three_lack_gantry(corpus):
    portals = [read_rt_image(p) for p in RT_IMAGES if p.name != DRR.split("/")[-1]]
    assert len(portals) == 4
    for image in portals:
        assert image.image_position_mm is None and image.isocenter_pixel() is None
        assert "NO_RT_IMAGE_POSITION" in [f.code for f in image.findings]
        assert image.referenced_plan_uid is None
    assert sum(image.gantry_angle_deg is None for image in portals) == 3


@pytest.mark.corpus
def test_receptor_translation_moves_the_isocentre(corpus, tmp_path):
    ds = dcmread(corpus / DRR)
    ds.XRayImageReceptorTranslation = [10.0, -20.0, 0.0]  # receptor shifted 10 mm in x
    path = tmp_path / "shifted.dcm"
    ds.save_as(path)
    column, row = read_rt_image(path).isocenter_pixel()
    spacing = 0.9765625
    assert column == pytest.approx(255.5 - 10.0 / spacing)
    assert row == pytest.approx(255.5 - 20.0 / spacing)


def test_missing_pixel_data_and_wrong_kind(corpus, tmp_path):
    ds = dcmread(corpus / DRR)
    del ds.PixelData
    path = tmp_path / "nopixels.dcm"
    ds.save_as(path)
    with pytest.raises(MissingAttributeError) as info:
        read_rt_image(path)
    assert info.value.path == path
    with pytest.raises(UnsupportedObjectError):
        read_rt_image(corpus / "dicompyler-core" / "rtdose.dcm")
