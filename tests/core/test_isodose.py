import numpy as np
import pytest

from rtviewer.core.isodose import isodose_bands, isodose_lines, levels_from_percent
from rtviewer.core.planes import plane_through


def radial_plane(nan_border=False):
    plane = plane_through((10.0, -5.0, 30.0), (1, 0, 0), (0, 0, -1), spacing_mm=(0.5, 0.8),
                          shape=(101, 121))
    pts = plane.points_mm()
    r = np.hypot(pts[..., 0] - 10.0, pts[..., 2] - 30.0)
    dose = 60.0 - 2.0 * r  # cone-shaped dose: isodose L is a circle of radius (60 - L) / 2
    if nan_border:
        dose[:, :10] = np.nan
    return plane, dose


def test_isodose_lines_are_circles_in_patient_mm():
    plane, dose = radial_plane()
    levels = levels_from_percent([90, 50, 20], reference_gy=60.0)
    lines = isodose_lines(dose, plane, levels)
    assert [line.level_gy for line in lines] == pytest.approx([54.0, 30.0, 12.0])
    for line in lines:
        radius = (60.0 - line.level_gy) / 2
        assert len(line.polylines_mm) == 1
        pts = line.polylines_mm[0]
        np.testing.assert_allclose(pts[:, 1], -5.0)  # in the plane
        r = np.hypot(pts[:, 0] - 10.0, pts[:, 2] - 30.0)
        np.testing.assert_allclose(r, radius, atol=0.05)
        np.testing.assert_allclose(pts[0], pts[-1])  # closed


def test_levels_outside_the_dose_give_no_line_and_nan_is_masked():
    plane, dose = radial_plane(nan_border=True)
    lines = isodose_lines(dose, plane, [70.0, 12.0])
    assert lines[0].polylines_mm == ()
    assert len(lines[1].polylines_rc) >= 1
    for polyline in lines[1].polylines_rc:
        assert polyline[:, 1].min() >= 9.0  # nothing drawn in or along the NaN border


def test_bands_label_each_level():
    plane, dose = radial_plane(nan_border=True)
    bands = isodose_bands(dose, [12.0, 30.0, 54.0])
    assert bands.dtype == np.uint8
    assert bands[50, 60] == 3 and bands[:, :10].max() == 0
    r = np.hypot(*np.meshgrid((np.arange(101) - 50) * 0.8, (np.arange(121) - 60) * 0.5,
                              indexing="ij"))
    inside = r < (60 - 30) / 2 - 0.1
    assert np.all(bands[inside] >= 2)
    with pytest.raises(ValueError):
        isodose_bands(dose, [3.0, 2.0])
