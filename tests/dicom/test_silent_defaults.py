"""A present but unusable value (or a required one left out) is a finding, never a silent default.

Each test mutates a copy of a corpus file under ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.rtimage import read_rt_image
from rtviewer.dicom.structure import read_structure_set

PLAN = "pymedphys/06MV_plan.dcm"


def _copy(corpus: Path, name: str, tmp_path: Path, mutate) -> Path:
    ds = pydicom.dcmread(corpus / name, force=True)
    mutate(ds)
    out = tmp_path / Path(name).name
    ds.save_as(out)
    return out


def _finding(findings, code: str, attribute: str):
    return [f for f in findings if f.code == code and f.attribute == attribute]


@pytest.mark.corpus
@pytest.mark.parametrize("keyword", ["BeamLimitingDeviceAngle", "PatientSupportAngle"])
def test_first_control_point_without_collimator_or_couch_angle(corpus, tmp_path, keyword):
    baseline = read_plan(corpus / PLAN)
    assert not _finding(baseline.findings, "FIRST_CONTROL_POINT_INCOMPLETE", keyword)

    def drop(ds):
        del ds.BeamSequence[0].ControlPointSequence[0][keyword]

    plan = read_plan(_copy(corpus, PLAN, tmp_path, drop))
    (finding,) = _finding(plan.findings, "FIRST_CONTROL_POINT_INCOMPLETE", keyword)
    assert keyword in finding.message
    field = {"BeamLimitingDeviceAngle": "collimator_angle_deg",
             "PatientSupportAngle": "couch_angle_deg"}[keyword]
    assert getattr(plan.beams[0].control_points[0], field) is None


BRACHY = "pytg43-brachy/HDR/RP.HDR.dcm"


@pytest.mark.corpus
@pytest.mark.parametrize("keyword", ["SourceIsotopeHalfLife", "ReferenceAirKermaRate"])
@pytest.mark.parametrize("bad", [0.0, -73.8])
def test_brachy_source_strength_or_half_life_not_positive(corpus, tmp_path, keyword, bad):
    baseline = read_plan(corpus / BRACHY)
    assert not _finding(baseline.findings, "UNUSABLE_VALUE", keyword)

    def spoil(ds):
        setattr(ds.SourceSequence[0], keyword, bad)

    plan = read_plan(_copy(corpus, BRACHY, tmp_path, spoil))
    (finding,) = _finding(plan.findings, "UNUSABLE_VALUE", keyword)
    assert "not positive" in finding.message
    source = plan.brachy.sources[0]
    value = {"SourceIsotopeHalfLife": source.half_life_days,
             "ReferenceAirKermaRate": source.reference_air_kerma_rate}[keyword]
    assert value is None


STRUCTURES = "dicompyler-core/rtss.dcm"


@pytest.mark.corpus
@pytest.mark.parametrize("bad", ["-1", "255\\0\\300", "128\\0"])
def test_roi_display_color_out_of_range(corpus, tmp_path, bad):
    baseline = read_structure_set(corpus / STRUCTURES).rois[0]
    assert baseline.color_from_file

    def spoil(ds):
        ds.ROIContourSequence[0]["ROIDisplayColor"].value = bad

    roi = read_structure_set(_copy(corpus, STRUCTURES, tmp_path, spoil)).rois[0]
    assert not roi.color_from_file
    (finding,) = _finding(roi.findings, "UNUSABLE_VALUE", "ROIDisplayColor")
    assert "0 to 255" in finding.message
    assert not _finding(roi.findings, "NO_ROI_DISPLAY_COLOR", "ROIDisplayColor")


DRR = "slicerrt-eclipse-prostate/RI.1.2.246.352.71.3.2088656855.2381134.20110921150951.dcm"


@pytest.mark.corpus
@pytest.mark.parametrize(("keyword", "bad", "field"), [
    ("XRayImageReceptorTranslation", [0.0, 0.0], "receptor_translation_mm"),
    ("XRayImageReceptorAngle", [0.0, 90.0], "receptor_angle_deg"),
    ("GantryAngle", [0.0, 90.0], "gantry_angle_deg"),
    ("PatientSupportAngle", [0.0, 0.0], "couch_angle_deg"),
    ("WindowWidth", [0.0], "window"),
    ("WindowWidth", [-400.0], "window"),
    ("WindowCenter", [1.0, 2.0, 3.0], None),
])
def test_rt_image_unusable_receptor_or_window(corpus, tmp_path, keyword, bad, field):
    baseline = read_rt_image(corpus / DRR)
    assert baseline.findings == ()

    def spoil(ds):
        setattr(ds, keyword, bad)
        if keyword.startswith("Window"):
            ds.WindowCenter = ds.get("WindowCenter", 100.0)
            ds.WindowWidth = ds.get("WindowWidth", 200.0)

    image = read_rt_image(_copy(corpus, DRR, tmp_path, spoil))
    if field is None:  # several window values are allowed: the first pair is used
        assert image.findings == () and image.window[0] == 1.0
        return
    (finding,) = _finding(image.findings, "UNUSABLE_VALUE", keyword)
    assert keyword in finding.message
    assert getattr(image, field) is None
    assert not [f for f in image.findings if f.code == "RT_IMAGE_ANGLES_MISSING"]


DOSE = "nelms-dvh-analytical/DOSE_GRIDS/Linear_AntPost_3mm_Aligned.dcm"


@pytest.mark.corpus
@pytest.mark.parametrize("bad", [0.0, -3.0])
def test_dose_slice_thickness_not_positive(corpus, tmp_path, bad):
    baseline = read_dose(corpus / DOSE)
    assert not _finding(baseline.findings, "UNUSABLE_VALUE", "SliceThickness")

    def spoil(ds):
        ds.SliceThickness = bad

    dose = read_dose(_copy(corpus, DOSE, tmp_path, spoil))
    (finding,) = _finding(dose.findings, "UNUSABLE_VALUE", "SliceThickness")
    assert "not positive" in finding.message
    # The dose grid itself comes from the Grid Frame Offset Vector, unchanged.
    assert dose.grid.shape == baseline.grid.shape


@pytest.mark.corpus
@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_dvh_dose_scaling_not_positive(corpus, tmp_path, bad):
    name = "dicompyler-core/rtdose.dcm"
    baseline = read_dose(corpus / name).dvhs[0]
    assert not _finding(baseline.findings, "UNUSABLE_VALUE", "DVHDoseScaling")

    def spoil(ds):
        ds.DVHSequence[0].DVHDoseScaling = bad

    dvh = read_dose(_copy(corpus, name, tmp_path, spoil)).dvhs[0]
    (finding,) = _finding(dvh.findings, "UNUSABLE_VALUE", "DVHDoseScaling")
    assert finding.assumption == "1"
    assert dvh.dose_bin_widths.tolist() == baseline.dose_bin_widths.tolist()
