"""Synthetic RT Doses in every patient position give the same dose at the same patient point."""

import numpy as np
import pytest
from geometry_factories import ORIENTATIONS, lattice_points, truth, write_dose
from pydicom import dcmread

from rtviewer.dicom.dose import read_dose
from rtviewer.errors import MissingAttributeError, UnreadableFileError


def _dose_at(dose, xyz):
    ijk = dose.grid.patient_to_index(xyz)
    idx = np.rint(ijk).astype(int)
    assert np.allclose(ijk, idx, atol=1e-6), "lattice points must fall on voxel centres"
    return dose.dose_gy[idx[:, 2], idx[:, 1], idx[:, 0]]


@pytest.mark.parametrize("position", sorted(ORIENTATIONS))
@pytest.mark.parametrize("decreasing", [False, True], ids=["increasing", "decreasing"])
def test_relative_offsets_any_position(tmp_path, position, decreasing):
    path = write_dose(tmp_path / "rd.dcm", position, decreasing=decreasing)
    offsets = [float(v) for v in dcmread(path).GridFrameOffsetVector]
    assert offsets[0] == 0 and (offsets[1] < 0) == decreasing
    dose = read_dose(path)
    points = lattice_points()
    np.testing.assert_allclose(_dose_at(dose, points), truth(points), atol=1e-3)
    assert dose.findings == ()
    assert dose.dose_gy.dtype == np.float32 and not dose.dose_gy.flags.writeable


def test_absolute_offsets_hfs(tmp_path):
    path = write_dose(tmp_path / "rd.dcm", "HFS", absolute=True)
    ds = dcmread(path)
    assert float(ds.GridFrameOffsetVector[0]) == float(ds.ImagePositionPatient[2]) != 0
    dose = read_dose(path)
    points = lattice_points()
    np.testing.assert_allclose(_dose_at(dose, points), truth(points), atol=1e-3)
    assert [f.code for f in dose.findings] == ["ABSOLUTE_GRID_FRAME_OFFSETS"]


def test_all_forms_agree_voxel_for_voxel(tmp_path):
    points = lattice_points()
    reference = _dose_at(read_dose(write_dose(tmp_path / "a.dcm", "HFS")), points)
    for i, position in enumerate(sorted(ORIENTATIONS)):
        for decreasing in (False, True):
            path = write_dose(tmp_path / f"{i}{decreasing}.dcm", position, decreasing=decreasing)
            np.testing.assert_array_equal(_dose_at(read_dose(path), points), reference)


def test_absolute_offsets_with_oblique_orientation_is_a_guess(tmp_path):
    path = write_dose(tmp_path / "rd.dcm", "HFP", absolute=True)
    ds = dcmread(path)
    ds.GridFrameOffsetVector = [float(ds.ImagePositionPatient[2]) - 2.5 * k for k in range(5)]
    ds.save_as(path)
    dose = read_dose(path)
    codes = [f.code for f in dose.findings]
    assert codes == ["NONSTANDARD_GRID_FRAME_OFFSETS"]
    assert "only with Image Orientation" in dose.findings[0].message
    # best guess: first frame at Image Position, spacing from the differences
    assert dose.grid.origin_mm == pytest.approx([float(v) for v in ds.ImagePositionPatient])
    assert dose.grid.spacing_mm[2] == pytest.approx(2.5)


def test_first_offset_neither_zero_nor_z(tmp_path):
    path = write_dose(tmp_path / "rd.dcm", "HFS")
    ds = dcmread(path)
    ds.GridFrameOffsetVector = [7.0 + 2.5 * k for k in range(5)]
    ds.save_as(path)
    dose = read_dose(path)
    assert [f.code for f in dose.findings] == ["NONSTANDARD_GRID_FRAME_OFFSETS"]
    points = lattice_points()
    np.testing.assert_allclose(_dose_at(dose, points), truth(points), atol=1e-3)


def test_dose_grid_scaling_applied(tmp_path):
    a = read_dose(write_dose(tmp_path / "a.dcm", "HFS", scaling=1e-3))
    b = read_dose(write_dose(tmp_path / "b.dcm", "HFS", scaling=2e-3))
    np.testing.assert_allclose(a.dose_gy, b.dose_gy, atol=1e-3)
    assert a.max_gy == pytest.approx(float(truth(lattice_points()).max()), abs=1e-3)


def test_missing_frame_is_interpolated(tmp_path):
    path = write_dose(tmp_path / "rd.dcm", "HFS")
    ds = dcmread(path)
    frames = ds.pixel_array
    keep = [0, 1, 3, 4]
    ds.PixelData = np.ascontiguousarray(frames[keep]).tobytes()
    ds.NumberOfFrames = 4
    ds.GridFrameOffsetVector = [float(ds.GridFrameOffsetVector[k]) for k in keep]
    ds.save_as(path)
    dose = read_dose(path)
    assert dose.grid.shape[0] == 5
    assert "DOSE_FRAME_GAPS" in [f.code for f in dose.findings]
    points = lattice_points()  # the truth is linear: interpolation restores it exactly
    np.testing.assert_allclose(_dose_at(dose, points), truth(points), atol=1e-3)


def test_truncated_dose_names_the_file(tmp_path):
    path = write_dose(tmp_path / "rd.dcm", "HFS")
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(UnreadableFileError) as info:
        read_dose(path)
    assert info.value.path == path


@pytest.mark.parametrize("keyword", ["PixelData", "ImagePositionPatient"])
def test_missing_essentials_name_the_file(tmp_path, keyword):
    path = write_dose(tmp_path / "rd.dcm", "HFS")
    ds = dcmread(path)
    delattr(ds, keyword)
    ds.save_as(path)
    with pytest.raises(MissingAttributeError) as info:
        read_dose(path)
    assert info.value.path == path
    assert info.value.attribute == keyword


def test_dose_points_and_references(tmp_path):
    from pydicom.dataset import Dataset
    path = write_dose(tmp_path / "rd.dcm", "HFS")
    ds = dcmread(path)
    roi = Dataset()
    roi.ROINumber, roi.ROIName = 4, "Ref point"
    ds.StructureSetROISequence = [roi]
    contour = Dataset()
    contour.ContourGeometricType, contour.NumberOfContourPoints = "POINT", 1
    contour.ContourData = [1.5, -2.0, 3.25]
    item = Dataset()
    item.ReferencedROINumber = 4
    item.ContourSequence = [contour]
    ds.ROIContourSequence = [item]
    value = Dataset()
    value.ReferencedROINumber, value.DoseValue = 4, 2.125
    ds.RTDoseROISequence = [value]
    ds.DoseSummationType = "BEAM"
    group = Dataset()
    group.ReferencedFractionGroupNumber = 2
    beam = Dataset()
    beam.ReferencedBeamNumber = 3
    group.ReferencedBeamSequence = [beam]
    ds.ReferencedRTPlanSequence[0].ReferencedFractionGroupSequence = [group]
    structure_set = Dataset()
    structure_set.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.3"
    structure_set.ReferencedSOPInstanceUID = "1.2.3.4"
    ds.ReferencedStructureSetSequence = [structure_set]
    ds.save_as(path)
    dose = read_dose(path)
    assert len(dose.dose_points) == 1
    point = dose.dose_points[0]
    assert point.position_mm == (1.5, -2.0, 3.25)
    assert point.dose_gy == 2.125 and point.name == "Ref point"
    assert dose.referenced_fraction_group_number == 2
    assert dose.referenced_beam_numbers == (3,)
    assert dose.referenced_structure_set_uid == "1.2.3.4"
    assert dose.referenced_plan_uid == "1.2.826.0.1.3680043.8.498.3"


def test_not_a_dose(tmp_path):
    from geometry_factories import write_ct_series

    from rtviewer.errors import UnsupportedObjectError
    paths = write_ct_series(tmp_path, "HFS")
    with pytest.raises(UnsupportedObjectError) as info:
        read_dose(paths[0])
    assert info.value.path == paths[0]
