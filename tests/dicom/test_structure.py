"""RT Structure Sets: every corpus file loads, known values, and malformed contours."""

import math

import numpy as np
import pytest
from corpus_files import RT_STRUCT, files_of, ids
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from rtviewer.core.structure_volume import structure_volume_cc
from rtviewer.dicom.structure import palette_color, read_structure_set
from rtviewer.errors import UnreadableFileError, UnsupportedObjectError
from rtviewer.model.structure import ContourType

STRUCTURE_SETS = files_of(RT_STRUCT)


@pytest.mark.corpus
@pytest.mark.parametrize("path", STRUCTURE_SETS, ids=ids(STRUCTURE_SETS))
def test_every_rtstruct_loads(corpus, path):
    structure_set = read_structure_set(path)
    assert structure_set.rois
    assert len({r.roi_number for r in structure_set.rois}) == len(structure_set.rois)
    for roi in structure_set.rois:
        assert all(c.points_mm.shape[1] == 3 for c in roi.contours)
        closed = roi.closed_polygons_mm()
        assert (roi.volume_cc is not None) == bool(closed)
        if roi.volume_cc is not None:
            assert roi.volume_cc == structure_volume_cc(closed)  # the one volume function


@pytest.mark.corpus
def test_dicompyler_rois(corpus):
    structure_set = read_structure_set(corpus / "dicompyler-core" / "rtss.dcm")
    assert len(structure_set.rois) == 10
    areola = structure_set.roi_by_name("Areola")
    assert areola.contours == () and areola.volume_cc is None
    assert "ROI_WITHOUT_CONTOURS" in [f.code for f in areola.findings]
    others = [r for r in structure_set.rois if r.name != "Areola"]
    assert all(r.contours for r in others)
    body = structure_set.roi_by_name("BODY")
    assert body.interpreted_type == "EXTERNAL" and body.color_rgb == (154, 155, 100)
    # up to 7 contours on one slice; holes are kept as separate contours on the plane
    assert max(len(p.contours) for p in structure_set.roi_by_name("Lt Lung").planes) == 7
    assert structure_set.referenced_series_uids == ("2.16.840.1.113662.2.12.0.3057.1241703565.43",)
    assert len(structure_set.contour_image_sop_uids) == 98
    assert structure_set.frame_of_reference_uid == "2.16.840.1.113662.2.12.0.3057.1241703565.36"


@pytest.mark.corpus
def test_raystation_srs_28_rois(corpus):
    path = next((corpus / "pps-vendor-plans" / "BrainSRSRaystationVMAT").glob("RS*.dcm"))
    structure_set = read_structure_set(path)
    assert len(structure_set.rois) == 28
    walls = [r for r in structure_set.rois if r.name.endswith("_WALL")]
    assert len(walls) == 5
    # ring ROIs: the inner contour of each ring shares its plane with the outer one
    assert sum(len(r.contours) - len(r.planes) for r in walls) == 79
    assert all(max(len(p.contours) for p in r.planes) == 2 for r in walls)


@pytest.mark.corpus
def test_nelms_cylinder_volume_includes_caps(corpus):
    structure_set = read_structure_set(corpus / "nelms-dvh-analytical" / "STRUCTURES"
                                       / "Cylinder_30_0.dcm")
    cylinder = structure_set.roi_by_name("Cylinder_30_0")
    # truth pi * 12^2 * (24 + 3) mm^3; the polygon inscribes the circle
    assert cylinder.volume_cc == pytest.approx(math.pi * 144 * 27 / 1000, rel=1e-3)
    marker = structure_set.roi_by_name("POI_1")
    assert marker.contours == () and not marker.color_from_file
    assert marker.color_rgb == palette_color(marker.roi_number)


@pytest.mark.corpus
def test_brachy_catheters_are_open_and_have_no_volume(corpus):
    structure_set = read_structure_set(corpus / "pytg43-brachy" / "HDR" / "RS.HDR.dcm")
    tandem = structure_set.roi_by_name("tandem")
    assert tandem.contours[0].contour_type is ContourType.OPEN_NONPLANAR
    assert tandem.volume_cc is None
    assert structure_set.roi_by_name("1.5cm").contours[0].contour_type is ContourType.OPEN_PLANAR
    assert structure_set.roi_by_name("HRCTV").volume_cc > 0


@pytest.mark.corpus
def test_rt_utils_contour_image_references_without_series(corpus):
    structure_set = read_structure_set(corpus / "rt-utils" / "mock_data"
                                       / "non_existent_reference_rt.dcm")
    assert structure_set.referenced_series_uids == ()
    assert structure_set.contour_image_sop_uids
    assert "NO_REFERENCED_SERIES" in [f.code for f in structure_set.findings]


def test_not_a_structure_set(corpus):
    with pytest.raises(UnsupportedObjectError) as info:
        read_structure_set(corpus / "dicompyler-core" / "rtdose.dcm")
    assert info.value.path.name == "rtdose.dcm"


@pytest.mark.corpus
@pytest.mark.parametrize("fraction", [0.3, 0.9, 0.9999])
def test_truncated_structure_set_is_refused_not_half_read(corpus, tmp_path, fraction):
    data = (corpus / "dicompyler-core" / "rtss.dcm").read_bytes()
    path = tmp_path / "rtss.dcm"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(UnreadableFileError, match="truncated") as info:
        read_structure_set(path)
    assert info.value.path == path


# -- synthetic structure sets -----------------------------------------------------

def _square(z, half=10.0, centre=(0.0, 0.0)):
    cx, cy = centre
    return [cx - half, cy - half, z, cx + half, cy - half, z,
            cx + half, cy + half, z, cx - half, cy + half, z]


def _write(tmp_path, contours_by_roi, *, colours=True, undeclared=()):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.481.3"
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "RTSTRUCT"
    ds.StructureSetLabel = "SYNTH"
    frame = Dataset()
    frame.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.2"
    ds.ReferencedFrameOfReferenceSequence = [frame]
    ds.StructureSetROISequence, ds.ROIContourSequence, ds.RTROIObservationsSequence = [], [], []
    for number, contours in contours_by_roi.items():
        if number not in undeclared:
            roi = Dataset()
            roi.ROINumber, roi.ROIName = number, f"R{number}"
            roi.ReferencedFrameOfReferenceUID = frame.FrameOfReferenceUID
            ds.StructureSetROISequence.append(roi)
        item = Dataset()
        item.ReferencedROINumber = number
        if colours:
            item.ROIDisplayColor = [10, 20, 30]
        item.ContourSequence = []
        for geometric_type, data in contours:
            c = Dataset()
            c.ContourGeometricType = geometric_type
            c.NumberOfContourPoints = len(data) // 3
            c.ContourData = data
            item.ContourSequence.append(c)
        ds.ROIContourSequence.append(item)
        observation = Dataset()
        observation.ReferencedROINumber, observation.RTROIInterpretedType = number, "PTV"
        ds.RTROIObservationsSequence.append(observation)
    path = tmp_path / "rs.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def test_hole_is_even_odd_and_volume_from_core(tmp_path):
    planes = [0.0, 2.0, 4.0]
    contours = [(t, d) for z in planes for t, d in
                (("CLOSED_PLANAR", _square(z, 10)), ("CLOSED_PLANAR", _square(z, 5)))]
    roi = read_structure_set(_write(tmp_path, {1: contours})).rois[0]
    # (20^2 - 10^2) mm^2 x (4 + 2) mm = 1.8 cc with half-spacing caps
    assert roi.volume_cc == pytest.approx(1.8)
    assert [p.position_mm for p in roi.planes] == pytest.approx(planes)
    assert all(len(p.contours) == 2 for p in roi.planes)
    assert roi.interpreted_type == "PTV" and roi.color_rgb == (10, 20, 30)
    assert roi.findings == ()


def test_malformed_contour_data(tmp_path):
    good = _square(0.0)
    contours = [("CLOSED_PLANAR", good + [1.0]),                       # 13 values
                ("CLOSED_PLANAR", _square(2.0)[:-1] + [float("nan")]),  # NaN
                ("CLOSED_PLANAR", _square(4.0))]
    roi = read_structure_set(_write(tmp_path, {1: contours})).rois[0]
    codes = {f.code for f in roi.findings}
    assert {"CONTOUR_DATA_NOT_TRIPLETS", "CONTOUR_DATA_NOT_FINITE"} <= codes
    assert len(roi.contours) == 2  # the NaN contour is dropped, the 13-value one repaired
    np.testing.assert_array_equal(roi.contours[0].points_mm.ravel(), good)


def test_missing_colour_uses_deterministic_palette_and_undeclared_roi(tmp_path):
    path = _write(tmp_path, {3: [("CLOSED_PLANAR", _square(0.0))],
                             7: [("POINT", [1.0, 2.0, 3.0])]}, colours=False, undeclared=(7,))
    structure_set = read_structure_set(path)
    first, second = structure_set.rois
    assert first.color_rgb == palette_color(3) and not first.color_from_file
    assert second.name == "ROI 7" and second.volume_cc is None
    assert second.contours[0].contour_type is ContourType.POINT
    assert "CONTOURS_OF_UNDECLARED_ROI" in [f.code for f in structure_set.findings]
    assert read_structure_set(path).rois[0].color_rgb == first.color_rgb  # deterministic


def test_single_plane_roi_has_zero_volume_with_finding(tmp_path):
    roi = read_structure_set(_write(tmp_path, {1: [("CLOSED_PLANAR", _square(0.0))]})).rois[0]
    assert roi.volume_cc == 0.0
    assert [f.code for f in roi.findings] == ["SINGLE_PLANE_ROI"]


def test_model_arrays_are_read_only(tmp_path):
    roi = read_structure_set(_write(tmp_path, {1: [("CLOSED_PLANAR", _square(0.0))]})).rois[0]
    with pytest.raises(ValueError):
        roi.contours[0].points_mm[0, 0] = 5.0


@pytest.mark.corpus
@pytest.mark.parametrize("path", STRUCTURE_SETS, ids=ids(STRUCTURE_SETS))
def test_rois_read_one_by_one_from_the_head_are_the_structure_sets(corpus, path):
    from rtviewer.dicom.structure import read_roi, read_structure_head

    whole = read_structure_set(path)
    head = read_structure_head(path)
    assert head.frame_of_reference_uid == whole.frame_of_reference_uid
    assert [e.roi_number for e in head.entries] == [r.roi_number for r in whole.rois]
    for index, roi in enumerate(whole.rois):
        alone = read_roi(head, index)
        assert (alone.name, alone.color_rgb, alone.interpreted_type, alone.volume_cc) == \
            (roi.name, roi.color_rgb, roi.interpreted_type, roi.volume_cc)
        assert [(c.contour_type, c.referenced_sop_instance_uids) for c in alone.contours] == \
            [(c.contour_type, c.referenced_sop_instance_uids) for c in roi.contours]
        assert all(np.array_equal(a.points_mm, b.points_mm)
                   for a, b in zip(alone.contours, roi.contours, strict=True))
        # the ROI's own findings; pydicom's warnings land on the ROI, not on the set
        assert [f.message for f in alone.findings
                if f.code != "PYDICOM_WARNING"] == [f.message for f in roi.findings]
