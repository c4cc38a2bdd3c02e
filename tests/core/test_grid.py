import numpy as np
import pytest

from rtviewer.core.grid import Grid


def make_grid(**overrides):
    kwargs = dict(
        image_position_mm=(-100.0, -50.0, 20.0),
        image_orientation=(1, 0, 0, 0, 1, 0),
        pixel_spacing_mm=(0.8, 1.2),  # (row spacing Δj, column spacing Δi)
        slice_step_mm=(0, 0, 2.5),
        shape=(10, 20, 30),
    )
    kwargs.update(overrides)
    return Grid.from_dicom_geometry(**kwargs)


def test_pixel_spacing_is_row_then_column():
    g = make_grid()
    assert g.spacing_mm == pytest.approx((1.2, 0.8, 2.5))
    # one column step moves along the row direction by the column spacing
    np.testing.assert_allclose(g.index_to_patient([1, 0, 0]), [-98.8, -50.0, 20.0])
    np.testing.assert_allclose(g.index_to_patient([0, 1, 0]), [-100.0, -49.2, 20.0])
    np.testing.assert_allclose(g.index_to_patient([0, 0, 1]), [-100.0, -50.0, 22.5])


def test_origin_is_first_voxel_centre_and_round_trip():
    g = make_grid(image_orientation=(0, 1, 0, 0, 0, -1), slice_step_mm=(-3.0, 0, 0))
    np.testing.assert_allclose(g.index_to_patient([0, 0, 0]), [-100.0, -50.0, 20.0])
    pts = np.random.default_rng(0).uniform(-50, 50, (100, 3))
    np.testing.assert_allclose(g.index_to_patient(g.patient_to_index(pts)), pts, atol=1e-9)


def test_prone_feet_first_orientation_goes_through_affine():
    # HFP: rows run toward patient right (-x), columns toward posterior... (-1,0,0,0,-1,0)
    g = make_grid(image_orientation=(-1, 0, 0, 0, -1, 0))
    np.testing.assert_allclose(g.index_to_patient([1, 1, 0]), [-101.2, -50.8, 20.0])
    assert g.is_axis_aligned()


def test_oblique_is_not_axis_aligned_and_volume_is_det():
    c, s = np.cos(0.1), np.sin(0.1)
    g = make_grid(image_orientation=(c, s, 0, -s, c, 0))
    assert not g.is_axis_aligned()
    assert g.voxel_volume_mm3 == pytest.approx(1.2 * 0.8 * 2.5)


def test_contains_and_center():
    g = make_grid()
    expected = [-100 + 29 * 1.2 / 2, -50 + 19 * 0.8 / 2, 20 + 9 * 2.5 / 2]
    np.testing.assert_allclose(g.center_mm, expected)
    assert g.contains(g.center_mm)
    assert not g.contains([-100.0 - 0.7, -50.0, 20.0])
    assert g.contains([-100.0 - 0.5, -50.0, 20.0], margin_voxels=0.5)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="affine"):
        Grid(affine=np.zeros((3, 3)), shape=(1, 1, 1))
    with pytest.raises(ValueError, match="singular"):
        Grid(affine=np.diag([1.0, 1.0, 0.0, 1.0]), shape=(1, 1, 1))
    with pytest.raises(ValueError, match="shape"):
        Grid(affine=np.eye(4), shape=(0, 1, 1))


def test_affine_is_read_only():
    g = make_grid()
    with pytest.raises(ValueError):
        g.affine[0, 0] = 5.0
