"""rtviewer's TG-43 dose of a brachy plan's dwells as a Dose, on the pyTG43 corpus plans."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pydicom
import pytest

from rtviewer.core.interpolation import trilinear_sample
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.model.brachy_check import check_plan, roi_points
from rtviewer.model.brachy_dwells import treatment_dwells
from rtviewer.model.brachy_tg43_dose import (
    APPLICATOR_MARGIN_MM,
    TG43_DOSE_NAME,
    is_tg43_dose,
    tg43_dose,
    tg43_dose_as,
)
from rtviewer.model.dose import DoseSummationType, DoseUnits
from rtviewer.model.dose_reference import percent_reference

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def hdr(corpus):
    folder = corpus / "pytg43-brachy" / "HDR"
    plan = read_plan(folder / "RP.HDR.dcm")
    structures = read_structure_set(folder / "RS.HDR.dcm")
    return plan, structures, tg43_dose(plan, structures, grid_mm=2.0)


def test_eclipse_point_a_from_the_grid_within_half_a_percent(hdr):
    plan, structures, result = hdr
    dose = result.dose
    check = check_plan(plan, roi_points=roi_points(structures))
    points = np.array([p.point_mm for p in check.points[:2]])
    on_grid = trilinear_sample(dose.dose_gy, dose.grid, points, outside=np.nan)
    # Eclipse BrachyVision: Σ CDRC × Application Setup Dose = 6.0016 / 6.1362 Gy
    assert on_grid == pytest.approx([6.0016, 6.1362], rel=0.005)
    assert on_grid == pytest.approx([p.dose_per_fraction_gy for p in check.points[:2]],
                                    rel=0.005)


def test_the_dose_says_what_it_is(hdr):
    plan, _structures, result = hdr
    dose = result.dose
    assert is_tg43_dose(dose) and dose.path.name == TG43_DOSE_NAME
    assert not dose.path.exists()  # a name, never a file
    assert dose.summation_type is DoseSummationType.FRACTION and dose.units is DoseUnits.GY
    assert dose.referenced_plan_uid == plan.sop_instance_uid
    said = dose.findings[0].message
    assert "NOT the planning system's RT Dose" in said and "GammaMed Plus HDR" in said
    assert "at 2 mm" in said and "40700 U" in said
    assert dose.grid.spacing_mm == pytest.approx((2.0, 2.0, 2.0))
    assert result.dwell_count == 25 and result.source_key == "GammaMed Plus HDR"


def test_the_grid_reaches_the_margin_around_every_dwell(hdr):
    plan, _structures, result = hdr
    grid = result.dose.grid
    dwells = treatment_dwells(plan.brachy, all_pulses=True).positions_mm
    corners = grid.index_to_patient(np.array([[0.0, 0.0, 0.0],
                                              [s - 1.0 for s in grid.shape[::-1]]]))
    assert np.all(corners[0] <= dwells.min(axis=0) - APPLICATOR_MARGIN_MM)
    assert np.all(corners[1] >= dwells.max(axis=0) + APPLICATOR_MARGIN_MM)


def test_percent_reference_is_the_application_setup_dose(hdr):
    plan, _structures, result = hdr
    reference = percent_reference(result.dose, plan)
    assert reference.dose_gy == pytest.approx(6.00156, abs=1e-5)
    assert reference.label == ("Brachy Application Setup Dose 6.00156 Gy per fraction "
                               "(FRACTION dose)")


def test_scaled_to_a_whole_course_dose_and_refused_for_a_part(hdr):
    _plan, _structures, result = hdr
    from dataclasses import replace

    tg43 = result.dose
    plan_dose = replace(tg43, summation_type=DoseSummationType.PLAN, findings=())
    scaled, label = tg43_dose_as(tg43, plan_dose, 4)
    assert scaled.max_gy == pytest.approx(4 * tg43.max_gy, rel=1e-6)
    assert label == f"{TG43_DOSE_NAME} × 4 fractions (PLAN dose)" and is_tg43_dose(scaled)
    same, _ = tg43_dose_as(tg43, replace(plan_dose, summation_type=DoseSummationType.FRACTION),
                           4)
    assert same is tg43
    with pytest.raises(ValueError, match="BEAM dose"):
        tg43_dose_as(tg43, replace(plan_dose, summation_type=DoseSummationType.BEAM), 4)
    with pytest.raises(ValueError, match="no number of fractions"):
        tg43_dose_as(tg43, plan_dose, None)


def test_pdr_dose_is_every_pulse_of_the_fraction(corpus):
    folder = corpus / "pytg43-brachy" / "PDR"
    plan = read_plan(folder / "RP.PDR.dcm")
    result = tg43_dose(plan, None, grid_mm=3.0)
    check = check_plan(plan)
    points = np.array([p.point_mm for p in check.points])
    on_grid = trilinear_sample(result.dose.dose_gy, result.dose.grid, points, outside=np.nan)
    # 43 pulses; Eclipse's per-pulse Point A doses 0.5241 / 0.5389 Gy
    assert on_grid / 43 == pytest.approx([0.5241, 0.5389], rel=0.01)
    # Eclipse's PDR setup dose (30.1 Gy) is per fraction, Oncentra's per pulse: not a 100 %
    reference = percent_reference(result.dose, plan)
    assert reference.dose_gy is None and "may be per pulse or per fraction" in reference.label


def test_unknown_source_is_named_and_a_chosen_one_computes(corpus, tmp_path):
    ds = pydicom.dcmread(corpus / "pytg43-brachy" / "HDR" / "RP.HDR.dcm")
    for source in ds.SourceSequence:  # as an anonymiser leaves it (pyTG43's rotated plan)
        source.SourceIsotopeName = "isotope"
        source.SourceManufacturer = "manufacturer"
        for keyword in ("SourceModelID", "SourceDescription"):
            if keyword in source:
                delattr(source, keyword)
    ds.RTPlanDate = "19010101"
    path = tmp_path / "RP.anonymised.dcm"
    ds.save_as(path)
    plan = read_plan(path)
    with pytest.raises(ValueError, match="no TG-43 consensus dataset for the plan's source"):
        tg43_dose(plan, None)
    check = check_plan(plan, source_key="GammaMed Plus HDR")
    # 1901-01-01 is no treatment date: not decayed back 117 years, and said
    assert check.strength.decay == 1.0 and check.strength.at_time_u == pytest.approx(40700)
    assert any("1901-01-01" in n and "not decayed" in n for n in check.notes)
    assert check.at_plan_time is None
    assert check.points[0].dose_per_fraction_gy == pytest.approx(6.0016, rel=0.005)
    assert check.strength.reference_time == dt.datetime(2018, 3, 20)


def test_a_tilted_plan_gives_the_same_point_doses(corpus, tmp_path):
    # the plan and structures turned rigidly (an applicator-aligned image set): the
    # dwells, source axes and points turn together, so every dose is unchanged
    from factories.tilted import rotation, tilt_point, tilted_copy

    folder = corpus / "pytg43-brachy" / "HDR"
    plan = read_plan(folder / "RP.HDR.dcm")
    centre = np.asarray(plan.reference_points[0].point_mm, dtype=np.float64)
    turn = rotation(25.0, -15.0)
    with warnings.catch_warnings():  # the pyTG43 files' UIDs are 'UNKNOWN'
        warnings.simplefilter("ignore")
        tilted_copy([folder / "RP.HDR.dcm", folder / "RS.HDR.dcm"], turn, centre, tmp_path)
    tilted = read_plan(tmp_path / "RP.HDR.dcm")
    straight = check_plan(plan)
    turned = check_plan(tilted)
    assert [p.dose_per_fraction_gy for p in turned.points] == pytest.approx(
        [p.dose_per_fraction_gy for p in straight.points], rel=1e-9)
    assert np.allclose([p.point_mm for p in turned.points],
                       tilt_point(np.array([p.point_mm for p in straight.points]), turn,
                                  centre))
    result = tg43_dose(tilted, read_structure_set(tmp_path / "RS.HDR.dcm"), grid_mm=2.0)
    on_grid = trilinear_sample(result.dose.dose_gy, result.dose.grid,
                               np.array([p.point_mm for p in turned.points[:2]]),
                               outside=np.nan)
    assert on_grid == pytest.approx([6.0016, 6.1362], rel=0.005)  # Eclipse's Point A
