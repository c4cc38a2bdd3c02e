"""Plan checks on analytic cases, and the seeded faults of the demo patients."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rtviewer.core.grid import Grid
from rtviewer.dicom.goal_file import read_goal_set, shipped_goal_sets
from rtviewer.errors import RtViewerError
from rtviewer.model.plan import PlanKind
from rtviewer.model.structure import Contour, ContourType, Roi
from rtviewer.review import CHECK_CODES, review_plan
from rtviewer.review.clearance import head_distance_mm
from rtviewer.review.dose_checks import paddick_indices, volume_outside_grid_cc
from rtviewer.review.geometry import plane_gaps, polygon_area_centroid, self_intersections
from rtviewer.review.names import laterality
from rtviewer.review.profile import load_profile
from rtviewer.review.seeded_faults import seed_faults


def _square(z: float, half: float = 10.0, cx: float = 0.0) -> Contour:
    pts = [[cx - half, -half, z], [cx + half, -half, z], [cx + half, half, z],
           [cx - half, half, z]]
    return Contour(np.array(pts, dtype=float), ContourType.CLOSED_PLANAR)


def _roi(name: str, contours: list[Contour], kind: str | None = "ORGAN") -> Roi:
    return Roi(1, name, (255, 0, 0), kind, tuple(contours))


def test_area_centroid_of_an_l_shape_is_exact():
    # L = 2x1 rectangle (centroid (1, 0.5)) + 1x1 square on top at (0.5, 1.5): area 3
    pts = np.array([[0, 0, 5], [2, 0, 5], [2, 1, 5], [1, 1, 5], [1, 2, 5], [0, 2, 5]], float)
    area, centre = polygon_area_centroid(pts)
    assert area == pytest.approx(3.0)
    np.testing.assert_allclose(centre, [(2 * 1 + 1 * 0.5) / 3, (2 * 0.5 + 1 * 1.5) / 3, 5])


def test_self_intersections_count_the_crossing_of_a_bow_tie_only():
    bow_tie = np.array([[0, 0, 0], [10, 10, 0], [10, 0, 0], [0, 10, 0]], float)
    assert self_intersections(bow_tie) == 1
    assert self_intersections(_square(0).points_mm) == 0


def test_plane_gaps_find_the_missing_planes_not_the_gap_between_two_lesions():
    roi = _roi("PTV", [_square(z) for z in (0, 2, 4, 10, 12, 14)])
    spacing, gaps = plane_gaps(roi, 1.5)
    assert spacing == 2.0 and gaps == [(4.0, 10.0)]
    lesions = _roi("GTV_ALL", [_square(z) for z in (0, 2, 4)]
                   + [_square(z, cx=60.0) for z in (10, 12, 14)])
    assert plane_gaps(lesions, 1.5)[1] == []


@pytest.mark.parametrize(("name", "side"), [
    ("Lung_L", "L"), ("Parotid_R", "R"), ("Lt Lung", "L"), ("Left Kidney", "L"),
    ("Femur_Head_R", "R"), ("PTV", None), ("Lungs", None), ("L_R_confused", None)])
def test_laterality_from_tg263_and_older_names(name, side):
    assert laterality(name) == side


def test_head_distance_in_the_gantry_system():
    points = np.array([[0, 0, 0], [0, 0, 400], [250, 0, 380], [250, 0, 500], [0, 0, 380]],
                      float)
    np.testing.assert_allclose(head_distance_mm(points, 380.0, 200.0), [380, -20, 50, 50, 0])


def test_paddick_indices_of_nested_cubes():
    dose = np.zeros((30, 30, 30), np.float32)
    dose[7:23, 7:23, 7:23] = 10.0   # 16^3 voxels >= 50 %
    dose[9:21, 9:21, 9:21] = 20.0   # 12^3 voxels >= 100 %
    target = np.zeros(dose.shape, bool)
    target[10:20, 10:20, 10:20] = True   # 10^3, all covered
    dose[0, 0, 0] = 20.0  # another target's isodose, not connected: not counted
    ci, gi = paddick_indices(dose, target, 20.0)
    assert ci == pytest.approx(1000 ** 2 / (1000 * 1728))
    assert gi == pytest.approx((16 ** 3) / (12 ** 3))


def test_volume_outside_the_dose_grid_is_counted_on_the_grid_lattice():
    # grid: 1 mm voxels, x centres 0..19, y 0..19, z 0..19
    affine = np.eye(4)
    grid = Grid(affine, (20, 20, 20))
    # ROI x -10.5..9.5 (20 columns, 10 of them at x >= 0), y 0.5..9.5... use squares
    contours = [Contour(np.array([[-10.5, -0.5, z], [9.5, -0.5, z], [9.5, 9.5, z],
                                  [-10.5, 9.5, z]], float), ContourType.CLOSED_PLANAR)
                for z in range(0, 10)]
    outside = volume_outside_grid_cc(_roi("X", contours), grid)
    # 10 columns (x = -10..-1) x 10 rows x 10 slices of 1 mm^3 are outside
    assert outside == pytest.approx(10 * 10 * 10 / 1000.0)


def test_a_profile_key_that_does_not_exist_is_named(tmp_path):
    bad = tmp_path / "profile.yaml"
    bad.write_text("beams:\n  mu_maxx: 10\n")
    with pytest.raises(RtViewerError, match="beams.mu_maxx"):
        load_profile(bad)
    good = tmp_path / "good.yaml"
    good.write_text("beams:\n  mu_max: 10\n")
    assert load_profile(good).number("beams", "mu_max") == 10.0


@pytest.fixture(scope="module")
def demo_cases(tmp_path_factory):
    from rtviewer.demo.generate import generate_demo
    from rtviewer.dicom.check.plan_cases import load_plan_cases

    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    cases = load_plan_cases(out)
    # every external-beam plan of the demo: the thorax's three, the prostate's photon and proton
    assert sorted(c.plan.label for _, c in cases) == sorted(DEMO_PLANS)
    return out, cases


#: The demo's external-beam plans (rtviewer/demo), by RT Plan Label.
DEMO_PLANS = ("Lung 3DCRT", "Lung 3D Replan", "Lung VMAT", "Prostate VMAT", "Prostate PBS")


def _conformal(demo_cases):
    """The thorax conformal plan: 6 beams at one isocentre."""
    return next(c for _, c in demo_cases[1] if c.plan.label == "Lung 3DCRT")


def test_the_clean_demo_plans_raise_nothing(demo_cases):
    for _, case in demo_cases[1]:
        assert [f.code for f in review_plan(case)] == []


def test_every_seeded_fault_of_the_demo_is_found_with_its_code(demo_cases):
    for _, case in demo_cases[1]:
        faults = seed_faults(case)
        # raise_mu, wrong_energy and collimator_180 leave ion beams alone (their MU and
        # energies follow other limits; a scanned beam has no collimator)
        ion = case.plan.kind is PlanKind.ION
        assert len(faults) == (11 if ion else 14), case.plan.label
        for fault in faults:
            codes = {f.code for f in review_plan(fault.case)}
            assert codes & fault.codes, (fault.name, codes)
            assert fault.codes <= set(CHECK_CODES)


def test_moved_isocentre_and_rotated_couch_give_their_numbers(demo_cases):
    case = _conformal(demo_cases)
    faults = {f.name: f for f in seed_faults(case)}
    moved = [f for f in review_plan(faults["move_isocentre"].case)
             if f.code == "ISO_BEAM_MISMATCH"]
    assert len(moved) == 1 and moved[0].values["distance_mm"] == pytest.approx(10.0)
    assert moved[0].severity.value == "error"
    clash = [f for f in review_plan(faults["rotate_couch"].case) if f.code == "CLEARANCE"]
    assert len(clash) == 1 and clash[0].values["couch_deg"] == 90.0
    assert clash[0].values["distance_mm"] < 0  # the head goes into the patient


def test_check_without_path_is_a_usage_error_but_the_profile_prints():
    run = subprocess.run([sys.executable, "-m", "rtviewer", "check"], capture_output=True,
                         text=True, check=False)
    assert run.returncode == 3 and "PATH" in run.stderr
    run = subprocess.run([sys.executable, "-m", "rtviewer", "check", "--print-profile"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0 and "TG-275" in run.stdout and "head_distance_mm" in run.stdout


def test_laterality_finding_names_the_centroid(demo_cases):
    case = _conformal(demo_cases)
    fault = next(f for f in seed_faults(case) if f.name == "swap_laterality")
    finding = next(f for f in review_plan(fault.case) if f.code == "ROI_LATERALITY")
    assert finding.severity.value == "error"
    # mirrored across the body midline: the offset keeps its size and flips its sign
    assert finding.values["offset_mm"] > 20.0 and finding.location_mm is not None


def test_check_plan_review_json_adds_a_plan_review_member(demo_cases):
    out, _ = demo_cases
    run = subprocess.run([sys.executable, "-m", "rtviewer", "check", str(out), "--plan-review",
                          "--json"], capture_output=True, text=True, check=False)
    document = json.loads(run.stdout)
    assert {"root", "findings", "counts"} <= set(document)
    plans = document["plan_review"]["plans"]
    assert len(plans) == len(DEMO_PLANS) and all(p["findings"] == [] for p in plans)


def test_check_plan_review_with_a_goal_set(demo_cases, tmp_path):
    out, _ = demo_cases
    run = subprocess.run([sys.executable, "-m", "rtviewer", "check", str(out), "--plan-review",
                          "--goals", "demo_thorax", "--json"], capture_output=True, text=True,
                         check=False)
    document = json.loads(run.stdout)
    assert document["plan_review"]["goals"] == read_goal_set(
        shipped_goal_sets()["demo_thorax"]).name
    assert all(p["findings"] == [] for p in document["plan_review"]["plans"])
    run = subprocess.run([sys.executable, "-m", "rtviewer", "check", str(out), "--plan-review",
                          "--goals", str(tmp_path / "none.yaml")], capture_output=True,
                         text=True, check=False)
    assert run.returncode == 3 and "none.yaml" in run.stderr


def test_structure_set_approval_and_dates_are_read(corpus):
    import datetime as dt

    from rtviewer.dicom.structure import read_structure_set

    approved = read_structure_set(corpus / "dicompyler-core" / "rtss.dcm")
    assert (approved.approval_status, approved.review_date, approved.date) == (
        "APPROVED", dt.date(1901, 1, 1), dt.date(1901, 1, 1))
    srs = read_structure_set(next((corpus / "pps-vendor-plans" / "ptv_based_SRS").glob("RS*")))
    assert (srs.approval_status, srs.review_date, srs.date, srs.time) == (
        "UNAPPROVED", None, dt.date(2018, 3, 24), dt.time(15, 10, 5, 737000))
