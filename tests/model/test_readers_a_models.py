"""Model invariants: frozen objects, read-only arrays, shapes checked, derived geometry."""

import dataclasses

import numpy as np
import pytest

from rtviewer.core.grid import Grid
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits, DvhType, EmbeddedDvh
from rtviewer.model.image import ImageVolume, Rescale
from rtviewer.model.rtimage import RtImage, RtImageKind
from rtviewer.model.structure import Contour, ContourType, Roi


def _grid(shape=(2, 3, 4)):
    return Grid(affine=np.diag([2.0, 3.0, 5.0, 1.0]), shape=shape)


def test_dose_is_frozen_and_read_only():
    dose = Dose("rd.dcm", "1.2.3", _grid(), np.ones((2, 3, 4)), DoseUnits.GY,
                DoseType.PHYSICAL, DoseSummationType.PLAN)
    assert dose.dose_gy.dtype == np.float32
    with pytest.raises(ValueError):
        dose.dose_gy[0, 0, 0] = 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        dose.units = DoseUnits.RELATIVE  # type: ignore[misc]
    with pytest.raises(ValueError, match="differs from grid shape"):
        Dose("rd.dcm", "1.2.3", _grid(), np.ones((3, 3, 4)), DoseUnits.GY,
             DoseType.PHYSICAL, None)


def test_max():
    values = np.ones((2, 3, 4))
    values[0, 1, 2] = 7.5
    dose = Dose("rd.dcm", "1", _grid(), values, DoseUnits.GY, DoseType.PHYSICAL, None)
    assert dose.max_gy == 7.5


def test_image_volume_shape_and_unit():
    volume = ImageVolume(("a.dcm",), "1.2", "CT", _grid(), np.zeros((2, 3, 4)),
                         rescales=(Rescale(1.0, -1024.0, "HU"),))
    assert volume.unit == "HU" and volume.voxels.dtype == np.float32
    assert not volume.voxels.flags.writeable


def test_embedded_dvh_edges_in_declared_units():
    dvh = EmbeddedDvh((1,), DvhType.CUMULATIVE, DoseUnits.GY, None, "CM3",
                      np.full(4, 0.5), np.array([10.0, 8.0, 3.0, 0.0]))
    np.testing.assert_allclose(dvh.bin_lower_edges, [0.0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose(dvh.bin_upper_edges, [0.5, 1.0, 1.5, 2.0])


def test_roi_planes_group_by_position_along_normal():
    def square(z):
        return np.array([[0, 0, z], [1, 0, z], [1, 1, z], [0, 1, z]], float)
    contours = tuple(Contour(square(z), ContourType.CLOSED_PLANAR) for z in (3.0, 1.0, 3.0))
    roi = Roi(1, "PTV", (255, 0, 0), "PTV", contours + (
        Contour(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 9.0]]), ContourType.OPEN_NONPLANAR),))
    assert [p.position_mm for p in roi.planes] == [1.0, 3.0]
    assert [len(p.contours) for p in roi.planes] == [1, 2]
    assert roi.planes[0].normal == (0.0, 0.0, 1.0)
    assert len(roi.closed_polygons_mm()) == 3


def test_sagittal_contours_get_an_x_normal():
    def square(x):
        return np.array([[x, 0, 0], [x, 1, 0], [x, 1, 1], [x, 0, 1]], float)
    roi = Roi(1, "S", (0, 0, 0), None, tuple(Contour(square(x), ContourType.CLOSED_PLANAR)
                                             for x in (-2.0, 4.0)))
    assert roi.planes[0].normal == (1.0, 0.0, 0.0)
    assert [p.position_mm for p in roi.planes] == [-2.0, 4.0]


def test_rt_image_isocentre_and_magnification():
    image = RtImage("ri.dcm", "1", np.zeros((4, 6)), RtImageKind.PORTAL, "L", "NORMAL",
                    (0.5, 0.25), (-0.625, 0.75), 1500.0, 1000.0)
    assert image.magnification == 1.5
    assert image.pixel_spacing_at_isocenter_mm == pytest.approx((0.5 / 1.5, 0.25 / 1.5))
    assert image.isocenter_pixel() == pytest.approx((2.5, 1.5))
    assert image.shape == (4, 6)


def test_planes_tolerate_tiny_position_noise_across_rounding_boundaries():
    def square(z):
        return np.array([[0, 0, z], [1, 0, z], [1, 1, z], [0, 1, z]], float)
    roi = Roi(1, "R", (0, 0, 0), None, tuple(Contour(square(z), ContourType.CLOSED_PLANAR)
                                             for z in (1.004, 1.006, 3.0)))
    assert [len(p.contours) for p in roi.planes] == [2, 1]
