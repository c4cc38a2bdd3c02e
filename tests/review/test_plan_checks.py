"""Prescription, isocentre, approval, structure and dose checks on synthetic cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from review_builders import (
    at,
    beam,
    box_roi,
    case,
    control_point,
    dose,
    open_leaves,
    plan,
    point_roi,
    replace,
    square,
    structure_set,
)

from rtviewer.model.beam import TreatmentDeliveryType
from rtviewer.model.goals import GoalSet, parse_goal
from rtviewer.model.plan import (
    DoseReference,
    DoseReferenceStructureType,
    DoseReferenceType,
    FractionGroup,
    FractionGroupDoseReference,
    ReferencedBeam,
)
from rtviewer.model.record import RecordKind, TreatmentRecord, TreatmentSession
from rtviewer.model.structure import Contour, ContourType, Roi
from rtviewer.review import review_plan


def _by_code(found, code):
    return [f for f in found if f.code == code]


def _at(iso):
    leaves = open_leaves()
    return (control_point(0, 0.0, iso=iso, leaves=leaves), control_point(1, 1.0, iso=iso,
                                                                         leaves=leaves))


# --- isocentres --------------------------------------------------------------------------

def test_beam_off_the_labelled_isocentre():
    ss = structure_set(point_roi(1, "ISO", "ISOCENTER", (0.0, 0.0, 0.0)))
    found = review_plan(case(plan(beam(1), beam(2, cps=_at((3.0, 0.0, 4.0)))), ss))
    off = _by_code(found, "ISO_NOT_LABELLED")
    assert len(off) == 1 and off[0].severity.value == "error"
    assert off[0].values["distance_mm"] == 5.0 and off[0].objects == ("BEAM:B2", "ROI:ISO")
    assert off[0].location_mm == (3.0, 0.0, 4.0)


def test_two_named_isocentres_and_a_setup_beam_off_both():
    ss = structure_set(point_roi(1, "ISO_1", "ISOCENTER", (0.0, 0.0, 0.0)),
                       point_roi(2, "ISO_2", "ISOCENTER", (0.0, 0.0, 50.0)))
    beams = [beam(1), beam(2), beam(3, cps=_at((0, 0, 50.0))), beam(4, cps=_at((0, 0, 50.0))),
             beam(5, cps=_at((30.0, 0, 0)), delivery=TreatmentDeliveryType.SETUP)]
    found = review_plan(case(plan(*beams), ss))
    assert [f.code for f in found] == ["ISO_SETUP_BEAM", "ISO_MULTIPLE"]
    assert found[0].values == {"distance_mm": 30.0}
    assert found[1].values == {"distance_mm": 50.0} and "'ISO_2'" in found[1].message


# --- prescription ------------------------------------------------------------------------

def test_dose_reference_and_fraction_group_disagree():
    ref = DoseReference(1, None, DoseReferenceStructureType.SITE, DoseReferenceType.TARGET,
                        target_prescription_dose_gy=60.0)
    group = FractionGroup(1, 30, (ReferencedBeam(1, 100.0, 1.0, np.zeros(3)),
                                  ReferencedBeam(2, 100.0, 1.0, np.zeros(3))),
                          dose_references=(FractionGroupDoseReference(1, 50.0),))
    p = plan(beam(1), beam(2), rx_gy=66.0, dose_references=(ref,), fraction_groups=(group,))
    found = _by_code(review_plan(case(p)), "RX_INCONSISTENT")
    assert [(f.severity.value, f.values) for f in found] == [
        ("error", {"dose_reference_gy": 60.0, "fraction_group_gy": 50.0}),
        ("warning", {"beam_dose_total_gy": 60.0, "prescription_gy": 66.0, "fractions": 30.0})]


def _cube_case(hot_value=None, hot_at=None, rx=10.0, **plan_kw):
    """A 10 mm target cube (voxels 10..19) on a 1 mm 30^3 grid at 10 Gy, 5 Gy around."""
    values = np.full((30, 30, 30), 5.0)
    values[10:20, 10:20, 10:20] = 10.0
    if hot_at is not None:
        values[hot_at[::-1]] = hot_value
    ptv = box_roi(1, "PTV", "PTV", (9.5, 9.5, 10.0), (19.5, 19.5, 19.0))
    body = box_roi(2, "BODY", "EXTERNAL", (0.5, 0.5, 1.0), (28.5, 28.5, 28.0))
    return case(plan(beam(1), rx_gy=rx, **plan_kw), structure_set(ptv, body), dose(values))


def test_dose_maximum_and_target_median_against_the_prescription():
    assert review_plan(_cube_case()) == ()
    assert not _by_code(review_plan(_cube_case(rx=8.0)), "RX_DOSE_MAX")  # 125 %: plausible
    high = _by_code(review_plan(_cube_case(rx=7.0)), "RX_DOSE_MAX")
    assert len(high) == 1 and high[0].values == pytest.approx(
        {"dose_max_gy": 10.0, "prescription_gy": 7.0, "ratio": 10 / 7})
    found = {f.code: f for f in review_plan(_cube_case(rx=12.5))}
    assert found["RX_DOSE_MAX"].values["ratio"] == 0.8
    assert found["RX_TARGET_DOSE"].values == {"target_median_gy": 10.0, "prescription_gy": 12.5}


def test_hot_spot_outside_the_target_gives_its_distance_and_place():
    found = review_plan(_cube_case(hot_value=11.0, hot_at=(25, 14, 14)))
    hot = _by_code(found, "HOTSPOT_OUTSIDE_TARGET")
    # voxel x = 25; the nearest target voxel centre is x = 19: 6 mm
    assert len(hot) == 1 and hot[0].values == {"dose_max_gy": 11.0, "distance_mm": 6.0}
    assert hot[0].location_mm == (25.0, 14.0, 14.0)
    near = review_plan(_cube_case(hot_value=11.0, hot_at=(21, 14, 14)))  # 2 mm: within margin
    assert not _by_code(near, "HOTSPOT_OUTSIDE_TARGET")


# --- dose grid coverage ------------------------------------------------------------------

def test_coverage_target_error_goal_organ_warning_other_information():
    values = np.full((20, 20, 20), 1.0)  # voxels x, y, z = 0 .. 19 mm
    ptv = box_roi(1, "PTV", "PTV", (-4.5, 5.5, 5.0), (5.5, 15.5, 14.0))  # x -4..-1 outside
    lung = box_roi(2, "Lung_L", "ORGAN", (14.5, 0.5, 0.0), (24.5, 10.5, 9.0))  # x 20..24
    cord = box_roi(3, "SpinalCord", "ORGAN", (-2.5, 0.5, 0.0), (2.5, 10.5, 9.0))  # x -2, -1
    ss = structure_set(ptv, lung, cord)
    goals = GoalSet("test", "", (parse_goal("Lung_L", "V20Gy < 30 %"),))
    found = {f.objects[0]: f for f in review_plan(case(plan(beam(1), rx_gy=None), ss,
                                                       dose(values), goals=goals))
             if f.code == "DOSE_GRID_COVERAGE"}
    assert found["ROI:PTV"].severity.value == "error"
    assert found["ROI:PTV"].values["outside_cc"] == pytest.approx(4 * 10 * 10 / 1000)
    assert found["ROI:Lung_L"].severity.value == "warning"
    assert found["ROI:Lung_L"].values["outside_cc"] == pytest.approx(5 * 10 * 10 / 1000)
    assert found["ROI:SpinalCord"].severity.value == "info"
    assert found["ROI:SpinalCord"].values["outside_cc"] == pytest.approx(2 * 10 * 10 / 1000)
    without_goals = {f.objects[0]: f.severity.value
                     for f in review_plan(case(plan(beam(1), rx_gy=None), ss, dose(values)))
                     if f.code == "DOSE_GRID_COVERAGE"}
    assert without_goals == {"ROI:PTV": "error", "ROI:Lung_L": "warning",
                             "ROI:SpinalCord": "warning"}


# --- structures --------------------------------------------------------------------------

def _structures(*rois):
    return review_plan(case(plan(beam(1), rx_gy=None), structure_set(*rois)))


def test_laterality_offset_from_the_body_midline():
    body = box_roi(1, "BODY", "EXTERNAL", (-100.0, -100.0, 0.0), (120.0, 100.0, 10.0), 5.0)
    lung = Roi(2, "Lung_L", (0, 0, 255), "ORGAN", tuple(square(z, 20.0, cx=-50.0)
                                                          for z in (0.0, 5.0, 10.0)))
    found = _by_code(_structures(body, lung), "ROI_LATERALITY")
    # body centroid x = 10; lung centroid x = -50: 60 mm to the patient's right
    assert len(found) == 1 and found[0].values == pytest.approx(
        {"centroid_x_mm": -50.0, "midline_x_mm": 10.0, "offset_mm": -60.0})


def test_missing_slices_open_and_crossing_contours_empty_and_duplicates():
    gaps = Roi(1, "PTV", (1, 1, 1), "PTV", tuple(square(z) for z in (0, 2, 4, 10, 12, 14)))
    open_ = Roi(2, "Cord", (1, 1, 1), "ORGAN", (Contour(square(0).points_mm,
                                                        ContourType.OPEN_PLANAR),))
    bow = Contour(np.array([[0, 0, 0], [10, 10, 0], [10, 0, 0], [0, 10, 0]], float),
                  ContourType.CLOSED_PLANAR)
    crossing = Roi(3, "Bowel", (1, 1, 1), "ORGAN", (bow,))
    empty = Roi(4, "CTV", (1, 1, 1), "CTV", ())
    dup = Roi(5, "bowel", (1, 1, 1), "ORGAN", (square(0),))
    found = {f.code: f for f in _structures(gaps, open_, crossing, empty, dup)}
    assert found["ROI_MISSING_SLICES"].values == {"spacing_mm": 2.0, "gaps": 1,
                                                  "widest_gap_mm": 6.0}
    # a centroid: a sum of area-weighted centres, exact to rounding (numpy 2.4's sums
    # leave 1e-16 mm where 2.3's left 0.0)
    assert found["ROI_MISSING_SLICES"].location_mm == pytest.approx((0.0, 0.0, 7.0), abs=1e-9)
    assert found["ROI_OPEN_CONTOUR"].values == {"open_contours": 1}
    assert found["ROI_SELF_INTERSECTION"].values == {"contours": 1}
    assert found["ROI_EMPTY"].objects == ("ROI:CTV",)
    assert found["ROI_DUPLICATE_NAME"].values == {"count": 2}


def test_target_outside_body_and_couch_inside_body():
    values = np.zeros((20, 20, 20))
    body = box_roi(1, "BODY", "EXTERNAL", (-0.5, -0.5, 0.0), (9.5, 19.5, 19.0))  # x 0..9
    ptv = box_roi(2, "PTV", "PTV", (7.5, 0.5, 0.0), (12.5, 10.5, 9.0))  # x 8..12: 3 outside
    couch = box_roi(3, "CouchSurface", "SUPPORT", (-0.5, 17.5, 0.0), (19.5, 19.5, 19.0))
    found = {f.code: f for f in review_plan(case(plan(beam(1), rx_gy=None),
                                                 structure_set(body, ptv, couch),
                                                 dose(values)))}
    assert found["BODY_NOT_ENCLOSING_TARGET"].values["outside_cc"] == pytest.approx(
        3 * 10 * 10 / 1000)
    # couch rows y = 18, 19 inside the body's x 0..9, all 20 slices
    assert found["BODY_COUCH_OVERLAP"].values["overlap_cc"] == pytest.approx(10 * 2 * 20 / 1000)


def test_bolus_referenced_without_a_structure_and_the_reverse():
    found = _structures(box_roi(1, "PTV", "PTV", (0, 0, 0), (5, 5, 5)))
    assert not _by_code(found, "BOLUS_MISSING")
    p = plan(beam(1, number_of_boli=1, bolus_roi_numbers=(9,)), rx_gy=None)
    assert _by_code(review_plan(case(p, structure_set())), "BOLUS_MISSING")
    bolus = box_roi(2, "Bolus 5mm", "BOLUS", (0, 0, 0), (5, 5, 5))
    assert _by_code(_structures(bolus), "BOLUS_NOT_REFERENCED")


# --- approval ----------------------------------------------------------------------------

def _record(when: dt.datetime, n: int = 1) -> TreatmentRecord:
    return TreatmentRecord(f"RT{n}.dcm", None, None, RecordKind.BEAMS, "P", None, "1.2.4",
                           "LINAC", TreatmentSession(when, n, 30, 1))


def test_structure_set_approved_after_the_plan_and_after_the_first_treatment():
    p = plan(beam(1), rx_gy=None, review_date=dt.date(2026, 1, 8), review_time=dt.time(10))
    ss = structure_set(approval_status="APPROVED", review_date=dt.date(2026, 1, 10),
                       review_time=dt.time(9))
    records = (_record(at("2026-01-09", "08:00"), 1), _record(at("2026-01-12", "08:00"), 2))
    found = review_plan(case(p, ss, records=records))
    assert [f.code for f in found] == ["RECORD_BEFORE_APPROVAL",
                                       "STRUCTURE_SET_APPROVED_AFTER_PLAN"]
    assert found[0].objects[0] == "STRUCTURE_SET:SS"
    assert found[0].values == {"records_before_approval": 1.0, "hours_early": 25.0}
    assert found[1].values == {"days_after": 2.0}


def test_unapproved_plan_and_structure_set_with_a_record():
    p = plan(beam(1), rx_gy=None, approval_status="UNAPPROVED")
    ss = structure_set(approval_status="UNAPPROVED")
    found = review_plan(case(p, ss, records=(_record(at("2026-01-09", "08:00")),)))
    assert [f.code for f in found] == ["RECORD_BEFORE_APPROVAL", "RECORD_BEFORE_APPROVAL",
                                       "PLAN_NOT_APPROVED", "STRUCTURE_SET_NOT_APPROVED"]
    # a structure set without an Approval module (optional) is not judged
    assert [f.code for f in review_plan(case(plan(beam(1), rx_gy=None), structure_set()))] == []


def test_plan_approved_the_same_day_without_time_is_before_the_record():
    p = plan(beam(1), rx_gy=None, review_date=dt.date(2026, 1, 9))
    assert review_plan(case(p, records=(_record(at("2026-01-09", "08:00")),))) == ()
    early = review_plan(case(replace(p, review_date=dt.date(2026, 1, 10)),
                             records=(_record(at("2026-01-09", "08:00")),)))
    assert [f.values for f in early] == [{"records_before_approval": 1.0, "hours_early": 16.0}]


def test_beam_doses_without_points_add_up_at_the_reference_point():
    # Eclipse: each beam's contribution to the unlocated primary reference point
    group = FractionGroup(1, 23, (ReferencedBeam(1, 52.7, 0.5), ReferencedBeam(2, 64.0, 0.5),
                                  ReferencedBeam(3, 54.3, 0.5), ReferencedBeam(4, 64.0, 0.5),
                                  ReferencedBeam(5, None, None)))  # a setup beam
    ok = plan(*(beam(n) for n in (1, 2, 3, 4)), rx_gy=46.0, fraction_groups=(group,))
    assert not _by_code(review_plan(case(ok)), "RX_INCONSISTENT")
    scaled = _by_code(review_plan(case(replace(ok, prescription=replace(
        ok.prescription, dose_gy=57.5)))), "RX_INCONSISTENT")
    assert [f.values for f in scaled] == [{"beam_dose_total_gy": 46.0, "prescription_gy": 57.5,
                                           "fractions": 23.0}]
    mixed = FractionGroup(1, 23, (ReferencedBeam(1, 52.7, 0.5, np.zeros(3)),
                                  ReferencedBeam(2, 64.0, 0.5)))
    assert not _by_code(review_plan(case(replace(ok, fraction_groups=(mixed,)))),
                        "RX_INCONSISTENT")


def test_prescription_above_the_dose_reference_maximum():
    ref = DoseReference(1, None, DoseReferenceStructureType.SITE, DoseReferenceType.TARGET,
                        target_prescription_dose_gy=25.0, delivery_maximum_dose_gy=20.0,
                        target_maximum_dose_gy=20.0)
    found = _by_code(review_plan(case(plan(beam(1), rx_gy=25.0, dose_references=(ref,)))),
                     "RX_INCONSISTENT")
    assert [(f.severity.value, f.values) for f in found] == [
        ("error", {"prescription_gy": 25.0, "maximum_gy": 20.0})]
    assert "Delivery Maximum Dose" in found[0].message


def test_clearance_of_the_gantry_head_from_the_body_surface():
    # HFS, gantry 90: the source and the head lie towards the patient's left (+x); the
    # head face is 380 mm from the isocentre, the BODY surface at x = 360 mm: 20 mm away
    body = box_roi(1, "BODY", "EXTERNAL", (-100.0, -100.0, -50.0), (360.0, 100.0, 50.0), 10.0)
    leaves = open_leaves()
    lateral = beam(1, cps=(control_point(0, 0.0, gantry=90.0, leaves=leaves),
                           control_point(1, 1.0, gantry=90.0, leaves=leaves)))
    found = _by_code(review_plan(case(plan(lateral, rx_gy=None), structure_set(body))),
                     "CLEARANCE")
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert found[0].values == pytest.approx({"distance_mm": 20.0, "gantry_deg": 90.0,
                                             "couch_deg": 0.0})
    assert found[0].location_mm[0] == 360.0
    opposite = beam(1, cps=(control_point(0, 0.0, gantry=270.0, leaves=leaves),
                            control_point(1, 1.0, gantry=270.0, leaves=leaves)))
    assert not _by_code(review_plan(case(plan(opposite, rx_gy=None), structure_set(body))),
                        "CLEARANCE")


def test_srs_conformity_and_gradient_of_a_spilled_cube():
    values = np.full((30, 30, 30), 5.0)   # 50 % everywhere: V50 = 27 000 voxels
    values[8:22, 8:22, 8:22] = 10.0       # prescription isodose: 14^3 = 2744 voxels
    ptv = box_roi(1, "PTV", "PTV", (9.5, 9.5, 10.0), (19.5, 19.5, 19.0))  # 10^3 voxels
    srs = case(plan(beam(1), rx_gy=10.0, label="SRS brain"), structure_set(ptv), dose(values))
    found = {f.code: f for f in review_plan(srs)}
    assert found["SRS_CONFORMITY"].values["paddick_ci"] == pytest.approx(1000 / 2744)
    assert found["SRS_GRADIENT"].values["gradient_index"] == pytest.approx(27000 / 2744)
    conventional = review_plan(replace(srs, plan=replace(srs.plan, label="BRAIN")))
    assert not {"SRS_CONFORMITY", "SRS_GRADIENT"} & {f.code for f in conventional}


def test_findings_without_a_place_get_their_objects_place():
    b = beam(1, mu=4.0, cps=_at((10.0, 20.0, 30.0)))
    first = Roi(1, "Bowel", (1, 1, 1), "ORGAN", (square(5.0, cx=40.0),))
    second = Roi(2, "BOWEL", (1, 1, 1), "ORGAN", (square(5.0, cx=-40.0),))
    found = {f.code: f for f in review_plan(case(plan(b, rx_gy=None),
                                                 structure_set(first, second)))}
    assert found["BEAM_MU"].location_mm == (10.0, 20.0, 30.0)  # the beam's isocentre
    assert found["ROI_DUPLICATE_NAME"].location_mm == pytest.approx(  # the first's centroid
        (40.0, 0.0, 5.0), abs=1e-9)
    hot = {f.code: f for f in review_plan(_cube_case(hot_value=20.0, hot_at=(14, 14, 14)))}
    assert hot["RX_DOSE_MAX"].location_mm == (14.0, 14.0, 14.0)  # the maximum's voxel


def test_an_srs_target_median_above_a_low_isodose_prescription_is_plausible():
    # prescribed to the 60 % isodose: median 10 Gy for 6 Gy is 167 %, SRS limit 180 %
    srs = _cube_case(rx=6.0, label="SRS")
    assert not _by_code(review_plan(srs), "RX_TARGET_DOSE")
    found = _by_code(review_plan(replace(srs, plan=replace(srs.plan, label="BRAIN"))),
                     "RX_TARGET_DOSE")
    assert [f.values for f in found] == [{"target_median_gy": 10.0, "prescription_gy": 6.0}]
