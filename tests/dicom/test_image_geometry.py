"""Synthetic CT series in every patient position: same HU at the same patient point."""

import random

import numpy as np
import pytest
from geometry_factories import ORIENTATIONS, lattice_points, truth, write_ct_series

from rtviewer.dicom.image import read_image_volume
from rtviewer.errors import GeometryError, MissingAttributeError, UnreadableFileError


def _value_at(volume, xyz):
    ijk = volume.grid.patient_to_index(xyz)
    idx = np.rint(ijk).astype(int)
    assert np.allclose(ijk, idx, atol=1e-6), "lattice points must fall on voxel centres"
    return volume.voxels[idx[:, 2], idx[:, 1], idx[:, 0]]


@pytest.mark.parametrize("position", sorted(ORIENTATIONS))
@pytest.mark.parametrize("reverse", [False, True])
def test_same_hu_at_same_patient_point(tmp_path, position, reverse):
    paths = write_ct_series(tmp_path / position, position, reverse=reverse)
    random.Random(4).shuffle(paths)
    volume = read_image_volume(paths)
    points = lattice_points()
    np.testing.assert_allclose(_value_at(volume, points), truth(points), atol=0.125)
    assert volume.voxels.dtype == np.float32
    assert volume.patient_position == position
    assert volume.unit == "HU"
    assert volume.findings == ()
    # slices sorted along the normal: the k axis points along row x column
    normal = np.cross(volume.grid.directions[:, 0], volume.grid.directions[:, 1])
    assert np.dot(volume.grid.affine[:3, 2], normal) > 0
    assert not volume.voxels.flags.writeable


def test_missing_slice_is_empty_with_finding(tmp_path):
    paths = sorted(write_ct_series(tmp_path, "HFS"),
                   key=lambda p: read_image_volume([p]).grid.origin_mm[2])
    volume = read_image_volume(paths[:2] + paths[3:])
    assert volume.grid.shape[0] == 5
    assert volume.grid.spacing_mm[2] == pytest.approx(2.5)
    assert volume.missing_slice_indices == (2,)
    present = np.delete(volume.voxels, 2, axis=0)
    assert np.all(volume.voxels[2] == present.min())  # shown empty, not interpolated
    assert "MISSING_SLICES" in [f.code for f in volume.findings]
    points = lattice_points()
    keep = ~np.isclose(points[:, 2], -5.0)
    np.testing.assert_allclose(_value_at(volume, points[keep]), truth(points[keep]), atol=0.125)


def test_uneven_spacing_is_resampled_at_true_positions(tmp_path):
    from pydicom import dcmread
    paths = write_ct_series(tmp_path, "HFS")
    by_z = sorted(paths, key=lambda p: float(dcmread(p).ImagePositionPatient[2]))
    ds = dcmread(by_z[2])
    ds.ImagePositionPatient[2] = float(ds.ImagePositionPatient[2]) + 0.8  # -5 -> -4.2
    # keep the truth: slice values linear in z, so rewrite its pixels for the new z
    stored = ds.pixel_array.astype(np.float64) + 0.8 * 3.0 / 0.25
    ds.PixelData = np.rint(stored).astype(np.int16).tobytes()
    ds.save_as(by_z[2])
    volume = read_image_volume(by_z)
    assert "UNEVEN_SLICE_SPACING" in [f.code for f in volume.findings]
    points = lattice_points()
    # linear truth: linear interpolation along z is exact wherever it is evaluated
    np.testing.assert_allclose(_value_at(volume, points), truth(points), atol=0.2)


def test_gantry_tilt_keeps_positions(tmp_path):
    from pydicom import dcmread
    paths = write_ct_series(tmp_path, "HFS")
    shear = 0.3  # mm of y per mm of z
    for p in paths:
        ds = dcmread(p)
        x, y, z = (float(v) for v in ds.ImagePositionPatient)
        ds.ImagePositionPatient = [x, y + shear * (z + 10.0), z]
        ds.save_as(p)
    volume = read_image_volume(paths)
    assert "GANTRY_TILT" in [f.code for f in volume.findings]
    first = volume.grid.index_to_patient([0, 0, 4])
    assert first == pytest.approx([-20.0, -30.0 + shear * 10.0, 0.0])


def test_mixed_orientations_are_refused(tmp_path):
    paths = write_ct_series(tmp_path / "a", "HFS")[:2] + write_ct_series(tmp_path / "b", "HFDL")
    with pytest.raises(GeometryError, match="orientations"):
        read_image_volume(paths)


def test_missing_image_position_names_the_file(tmp_path):
    from pydicom import dcmread
    paths = write_ct_series(tmp_path, "HFS")
    ds = dcmread(paths[1])
    del ds.ImagePositionPatient
    ds.save_as(paths[1])
    with pytest.raises(MissingAttributeError) as info:
        read_image_volume(paths)
    assert info.value.path == paths[1]
    assert "Image Position" in str(info.value)


def test_missing_pixel_data_names_the_file(tmp_path):
    from pydicom import dcmread
    paths = write_ct_series(tmp_path, "HFS")
    ds = dcmread(paths[0])
    del ds.PixelData
    ds.save_as(paths[0])
    with pytest.raises(MissingAttributeError) as info:
        read_image_volume(paths)
    assert info.value.path == paths[0]


def test_truncated_slice_names_the_file(tmp_path):
    paths = write_ct_series(tmp_path, "HFS")
    data = paths[3].read_bytes()
    paths[3].write_bytes(data[: len(data) - 40])
    with pytest.raises(UnreadableFileError) as info:
        read_image_volume(paths)
    assert info.value.path == paths[3]


def test_two_different_slices_at_one_position_are_refused(tmp_path):
    a = write_ct_series(tmp_path / "a", "HFS")
    b = write_ct_series(tmp_path / "b", "HFS")
    with pytest.raises(GeometryError, match="same position"):
        read_image_volume(a + b[:1])


def test_per_slice_rescale_and_single_slice_spacing(tmp_path):
    from pydicom import dcmread
    paths = write_ct_series(tmp_path, "HFS")
    ds = dcmread(paths[0])
    # same HU written with another slope/intercept: values must not change
    hu = ds.pixel_array * 0.25 - 1024.0
    ds.RescaleSlope, ds.RescaleIntercept = 0.5, -2048.0
    ds.PixelData = np.rint((hu + 2048.0) / 0.5).astype(np.int16).tobytes()
    ds.save_as(paths[0])
    volume = read_image_volume(paths)
    assert "PER_SLICE_RESCALE" in [f.code for f in volume.findings]
    points = lattice_points()
    np.testing.assert_allclose(_value_at(volume, points), truth(points), atol=0.25)
    ds.SpacingBetweenSlices = 4.0
    ds.save_as(paths[0])
    single = read_image_volume(paths[:1])
    assert single.grid.spacing_mm[2] == pytest.approx(4.0)
    assert "Spacing Between Slices" in single.findings[0].assumption


@pytest.mark.parametrize("position", ["HFS", "FFP", "HFDR"])
def test_enhanced_multiframe_ct(tmp_path, position):
    from geometry_factories import write_enhanced_ct
    path = write_enhanced_ct(tmp_path / "enhanced.dcm", position, frame_order=[3, 0, 4, 1, 2])
    volume = read_image_volume([path])
    assert volume.grid.shape[0] == 5
    points = lattice_points()
    np.testing.assert_allclose(_value_at(volume, points), truth(points), atol=0.125)
    assert volume.unit == "HU" and volume.findings == ()


def test_enhanced_frame_without_position_names_file_and_frame(tmp_path):
    from geometry_factories import write_enhanced_ct
    from pydicom import dcmread
    path = write_enhanced_ct(tmp_path / "enhanced.dcm", "HFS")
    ds = dcmread(path)
    del ds.PerFrameFunctionalGroupsSequence[2].PlanePositionSequence
    ds.save_as(path)
    with pytest.raises(MissingAttributeError, match="frame 3") as info:
        read_image_volume([path])
    assert info.value.path == path


def test_rt_object_is_not_an_image_slice(tmp_path):
    from geometry_factories import write_dose

    from rtviewer.errors import UnsupportedObjectError
    path = write_dose(tmp_path / "rd.dcm", "HFS")
    with pytest.raises(UnsupportedObjectError, match="not an image"):
        read_image_volume([path])


def test_slice_thickness_differing_from_spacing_is_noted(tmp_path):
    from pydicom import dcmread
    paths = write_ct_series(tmp_path, "HFS")
    for p in paths:
        ds = dcmread(p)
        ds.SliceThickness = 5.0  # slices 2.5 mm apart: overlapping reconstruction
        ds.save_as(p)
    volume = read_image_volume(paths)
    assert [f.code for f in volume.findings] == ["SLICE_THICKNESS_DIFFERS_FROM_SPACING"]
    assert volume.grid.spacing_mm[2] == pytest.approx(2.5)
