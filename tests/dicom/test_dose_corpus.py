"""RT Doses of the corpus: every file loads, and the values physicists know are there."""

import numpy as np
import pytest
from corpus_files import RT_DOSE, files_of, ids

from rtviewer.dicom.dose import read_dose
from rtviewer.model.dose import DoseSummationType, DoseType, DoseUnits, DvhType

DOSES = files_of(RT_DOSE)


@pytest.mark.corpus
@pytest.mark.parametrize("path", DOSES, ids=ids(DOSES))
def test_every_rtdose_loads(corpus, path):
    dose = read_dose(path)
    assert dose.dose_gy.shape == dose.grid.shape
    assert dose.dose_gy.dtype == np.float32
    assert np.isfinite(dose.dose_gy).all()
    assert dose.max_gy > 0
    assert dose.summation_type is not None


def test_corpus_has_the_doses_of_the_readme(corpus):
    assert len(DOSES) == 16


@pytest.mark.corpus
def test_dicompyler_dose(corpus):
    dose = read_dose(corpus / "dicompyler-core" / "rtdose.dcm")
    assert dose.grid.shape == (98, 129, 194)
    assert dose.grid.spacing_mm == pytest.approx((2.5, 2.5, 3.0))
    assert dose.max_gy == pytest.approx(14.68, abs=0.005)
    assert dose.units is DoseUnits.GY and dose.summation_type is DoseSummationType.PLAN
    assert dose.referenced_plan_uid == "1.2.246.352.71.5.320687012.24189.20090603083342"
    assert dose.referenced_structure_set_uid is not None


@pytest.mark.corpus
def test_dicompyler_embedded_dvh_kept_in_gy_with_percent_statistics_flagged(corpus):
    dose = read_dose(corpus / "dicompyler-core" / "rtdose.dcm")
    assert len(dose.dvhs) == 9
    body = next(d for d in dose.dvhs if d.referenced_roi_numbers == (1,))
    assert body.dvh_type is DvhType.CUMULATIVE and body.volume_units == "CM3"
    assert len(body.volumes) == 1470
    np.testing.assert_allclose(body.dose_bin_widths, 0.01)  # Gy, never rescaled
    assert body.bin_upper_edges[-1] == pytest.approx(14.70, abs=1e-6)
    assert body.maximum_dose == pytest.approx(104.862666666667)  # percent, as stored
    codes = [f.code for f in body.findings]
    assert "DVH_STATISTICS_DISAGREE_WITH_CURVE" in codes
    assert "DVH_STATISTICS_EXCEED_GRID" in codes
    assert "percent of a 14" in next(
        f.message for f in body.findings if f.code == "DVH_STATISTICS_DISAGREE_WITH_CURVE")
    assert "EMBEDDED_DVH_INCONSISTENT" in [f.code for f in dose.findings]


@pytest.mark.corpus
def test_raystation_srs_dose(corpus):
    folder = corpus / "pps-vendor-plans" / "BrainSRSRaystationVMAT"
    dose = read_dose(next(folder.glob("RD*.dcm")))
    assert dose.max_gy == pytest.approx(52.5, abs=0.01)


@pytest.mark.corpus
def test_gamma_knife_frames_run_in_minus_z(corpus):
    dose = read_dose(corpus / "pps-vendor-plans" / "GK_test_data_gkdosefile"
                     / "RTDOSE0000000000.dcm")
    assert dose.grid.shape == (12, 13, 13)
    assert dose.max_gy == pytest.approx(33.84, abs=0.005)
    np.testing.assert_allclose(dose.grid.affine[:3, 2], [0.0, 0.0, -1.0])
    assert dose.grid.origin_mm[2] == pytest.approx(1.8)
    assert dose.grid.index_to_patient([0, 0, 11])[2] == pytest.approx(1.8 - 11)
    assert dose.findings == ()


@pytest.mark.corpus
def test_proton_beam_doses_sum_to_plan_dose(corpus):
    doses = [read_dose(p) for p in sorted((corpus / "aptg-proton" / "plan03_ramp_full")
                                          .glob("RD*.dcm"))]
    plan = next(d for d in doses if d.summation_type is DoseSummationType.PLAN)
    beams = [d for d in doses if d.summation_type is DoseSummationType.BEAM]
    assert sorted(n for b in beams for n in b.referenced_beam_numbers) == [1, 2]
    assert all(d.dose_type is DoseType.EFFECTIVE for d in doses)
    assert all(b.grid.same_geometry(plan.grid) for b in beams)
    total = sum(b.dose_gy.astype(np.float64) for b in beams)
    difference = total - plan.dose_gy
    # 2e-5 relative over the whole grid (Frobenius norm): measured 1.49e-5
    assert np.linalg.norm(difference) <= 2e-5 * np.linalg.norm(plan.dose_gy)
    # voxel by voxel, within the three files' rounding: half a Dose Grid Scaling step each
    # (the largest single-voxel difference, 4.6e-5 Gy, is 2.08e-5 of the maximum)
    rounding = 0.5 * (3.372591e-05 + 2.979206e-05 + 2.99978e-05)
    assert np.abs(difference).max() <= rounding
    assert np.abs(difference).max() > 0  # a real comparison, not the same file twice


@pytest.mark.corpus
@pytest.mark.parametrize("spacing", [1, 2, 3])
def test_nelms_linear_gradients(corpus, spacing):
    folder = corpus / "nelms-dvh-analytical" / "DOSE_GRIDS"
    # README: the AntPost grid varies with DICOM y, the SupInf grid with DICOM z
    for name, axis, sign in (("AntPost", 1, -1.0), ("SupInf", 2, +1.0)):
        dose = read_dose(folder / f"Linear_{name}_{spacing}mm_Aligned.dcm")
        nk, nj, ni = dose.grid.shape
        k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
        xyz = dose.grid.index_to_patient(np.stack([i, j, k], axis=-1))
        expected = np.maximum(0.0, 10.0 + sign * xyz[..., axis])
        np.testing.assert_allclose(dose.dose_gy, expected, atol=1e-4)


@pytest.mark.corpus
def test_single_frame_dose_without_number_of_frames(corpus):
    one = read_dose(corpus / "pydicom-testfiles" / "rtdose_1frame.dcm")
    many = read_dose(corpus / "pydicom-testfiles" / "rtdose.dcm")
    assert one.grid.shape == (1, 10, 10) and many.grid.shape == (15, 10, 10)
    np.testing.assert_array_equal(one.dose_gy[0], many.dose_gy[0])
    codes = [f.code for f in one.findings]
    assert "GRID_FRAME_OFFSETS_EXCEED_FRAMES" in codes and "RELATIVE_DOSE" in codes
    assert one.units is DoseUnits.RELATIVE


@pytest.mark.corpus
def test_monaco_dose_without_file_meta(corpus):
    dose = read_dose(corpus / "pps-vendor-plans" / "monaco_plans_VMAT"
                     / "2018CompLung_VMAT_Dose.dcm")
    assert "NO_FILE_META" in [f.code for f in dose.findings]
    assert dose.grid.shape == (177, 81, 139)
    assert dose.max_gy == pytest.approx(10.26, abs=0.01)  # 51 % of its 20 Gy prescription
    assert dose.referenced_structure_set_uid is not None
