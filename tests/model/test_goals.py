"""Goal syntax, TG-263 matching, EQD2/BED and goal evaluation on analytic and Nelms cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.radiobiology import (
    bed_gy,
    eqd2_gy,
    physical_from_bed_gy,
    physical_from_eqd2_gy,
)
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.goal_file import read_goal_set, read_synonyms, shipped_goal_sets
from rtviewer.dicom.structure import read_structure_set
from rtviewer.errors import RtViewerError
from rtviewer.model.goal_evaluation import Context, Status, evaluate_goal, evaluate_goals
from rtviewer.model.goals import GoalSet, GoalSyntaxError, Metric, Priority, parse_goal
from rtviewer.model.structure_names import find_roi, standard_name


@pytest.mark.parametrize(("text", "metric", "parameter", "op", "limit", "unit"), [
    ("D0.03cc < 45 Gy", Metric.D_CC, 0.03, "<", 45.0, "Gy"),
    ("V20Gy < 30 %", Metric.V_GY, 20.0, "<", 30.0, "%"),
    ("Dmean < 20 Gy", Metric.DMEAN, None, "<", 20.0, "Gy"),
    ("D95 >= 95 % Rx", Metric.D_PERCENT, 95.0, ">=", 95.0, "% Rx"),
    ("V25Gy<10%", Metric.V_GY, 25.0, "<", 10.0, "%"),
    ("V95%Rx >= 98 %", Metric.V_PERCENT_RX, 95.0, ">=", 98.0, "%"),
    ("V15Gy < 120 cc", Metric.V_GY, 15.0, "<", 120.0, "cc"),
    ("Dmax <= 50 Gy", Metric.DMAX, None, "<=", 50.0, "Gy"),
])
def test_goal_syntax(text, metric, parameter, op, limit, unit):
    goal = parse_goal("X", text)
    assert (goal.metric, goal.parameter, goal.comparison, goal.limit, goal.unit) == (
        metric, parameter, op, limit, unit)


@pytest.mark.parametrize("text", ["D0.03cc < 45 %", "V20Gy < 30 Gy", "Dmean 20 Gy",
                                  "D120 < 5 Gy", "D2cc < 70 Gy EQD2", "Dx < 3 Gy"])
def test_bad_goals_are_refused_with_the_structure_named(text):
    with pytest.raises(GoalSyntaxError, match="Cord"):
        parse_goal("Cord", text)


# -- TG-263 and synonyms ------------------------------------------------------------------

def test_tg263_exact_normalised_and_synonym_matches():
    assert standard_name("SpinalCord").how == "TG-263"
    assert standard_name("spinal_cord").standard == "SpinalCord"
    assert standard_name("Cord").how == "default synonym 'Cord' → SpinalCord"
    assert standard_name("Lt Lung").standard == "Lung_L"
    assert standard_name("Weird organ").standard is None
    found = find_roi("SpinalCord", ["BODY", "SC", "PTV"])
    assert found.roi_name == "SC" and "synonym" in found.how
    assert find_roi("SpinalCord", ["BODY"], {"Myelon": "SpinalCord"}) is None
    assert find_roi("SpinalCord", ["Myelon"], {"Myelon": "SpinalCord"}).how.startswith(
        "synonym 'Myelon'")


def test_synonym_file_both_directions(tmp_path):
    path = tmp_path / "syn.yaml"
    path.write_text("synonyms:\n  SpinalCord: [Myelon, RM]\n  Herz: Heart\n", encoding="utf-8")
    assert read_synonyms(path) == {"Myelon": "SpinalCord", "RM": "SpinalCord", "Herz": "Heart"}


def test_every_shipped_goal_set_reads_and_cites(tmp_path):
    sets = shipped_goal_sets()
    assert {"quantec", "lung_conventional", "prostate_conventional", "head_neck_conventional",
            "sbrt_tg101", "demo_thorax"} <= set(sets)
    for path in sets.values():
        goal_set = read_goal_set(path)
        assert goal_set.citation and goal_set.goals
        assert all(g.source for g in goal_set.goals)
    tg101 = read_goal_set(sets["sbrt_tg101"])
    cord3 = [g for g in tg101.goals if g.structure == "SpinalCord" and g.applies_to(3)]
    assert [g.text for g in cord3] == ["D0.035cc < 21.9 Gy", "D0.35cc < 18 Gy"]


def test_goal_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("goals:\n  - SpinalCord: Dmax < 50 furlongs\n", encoding="utf-8")
    with pytest.raises(RtViewerError, match="bad.yaml"):
        read_goal_set(bad)
    bad.write_text("goals: [", encoding="utf-8")
    with pytest.raises(RtViewerError, match="not YAML"):
        read_goal_set(bad)


# -- EQD2 / BED: worked examples --------------------------------------------------------

def test_bed_and_eqd2_worked_examples():
    # Conventional 60 Gy / 30 fx, alpha/beta 10: BED 72 Gy, EQD2 60 Gy (the identity).
    assert bed_gy(2, 30, 10) == pytest.approx(72.0)
    assert eqd2_gy(2, 30, 10) == pytest.approx(60.0)
    # Lung SBRT 48 Gy / 4 fx, alpha/beta 10: BED10 = 105.6 Gy (JCOG 0403, Nagata Y et al.,
    # Int J Radiat Oncol Biol Phys 2015;93(5):989-996).
    assert bed_gy(12, 4, 10) == pytest.approx(105.6)
    # 54 Gy / 3 fx (RTOG 0236, Timmerman R et al., JAMA 2010;303(11):1070-1076):
    # BED10 = 54 (1 + 18/10) = 151.2 Gy.
    assert bed_gy(18, 3, 10) == pytest.approx(151.2)
    # HDR cervix 7 Gy x 4, alpha/beta 10: EQD2 = 28 (1 + 7/10) / 1.2 = 39.67 Gy
    # (the worksheet arithmetic of the ABS cervix guidelines, Viswanathan AN et al.,
    # Brachytherapy 2012;11:47-52).
    assert eqd2_gy(7, 4, 10) == pytest.approx(39.6667, abs=1e-4)
    for total, n, ab in ((48, 4, 10), (21.9, 3, 2), (7, 1, 3)):
        assert physical_from_bed_gy(bed_gy(total / n, n, ab), n, ab) == pytest.approx(total)
        assert physical_from_eqd2_gy(eqd2_gy(total / n, n, ab), n, ab) == pytest.approx(total)


# -- evaluation on an exact DVH ---------------------------------------------------------

def _uniform_dvh(low_gy=10.0, high_gy=30.0, volume_cc=100.0, outside_cc=0.0) -> Dvh:
    """Dose uniformly distributed between low and high over volume_cc (exact histogram)."""
    bin_gy = 0.01
    centres = (np.arange(int(round(high_gy / bin_gy))) + 0.5) * bin_gy
    differential = np.where(centres > low_gy, volume_cc * bin_gy / (high_gy - low_gy), 0.0)
    return Dvh(bin_gy, differential, volume_cc, low_gy, high_gy, (low_gy + high_gy) / 2,
               outside_volume_cc=outside_cc)


CTX = Context(1.0, 20.0, 5, "slab")


@pytest.mark.parametrize(("text", "value", "status"), [
    ("Dmax < 35 Gy", 30.0, Status.PASS),
    ("Dmean < 19 Gy", 20.0, Status.FAIL),
    ("V20Gy < 60 %", 50.0, Status.PASS),
    ("V20Gy < 40 cc", 50.0, Status.FAIL),
    ("D50 >= 95 % Rx", 100.0, Status.PASS),
    ("V110%Rx < 10 %", 40.0, Status.FAIL),
])
def test_values_status_and_margin(text, value, status):
    result = evaluate_goal(parse_goal("X", text), "X", "same name", _uniform_dvh(), CTX)
    assert result.value == pytest.approx(value, rel=5e-3, abs=0.05)
    assert result.status == status
    sign = 1 if result.goal.comparison in "<=" else -1
    assert result.margin == pytest.approx(sign * (result.goal.limit - result.value))


def test_eqd2_goal_converts_with_the_plans_fractions():
    goal = parse_goal("X", "Dmax < 50 Gy EQD2", alpha_beta_gy=3.0)
    result = evaluate_goal(goal, "X", "same name", _uniform_dvh(), CTX)
    # 30 Gy in 5 fractions, alpha/beta 3: BED 90 Gy, EQD2 54 Gy
    assert result.value == pytest.approx(eqd2_gy(6.0, 5, 3.0))
    assert result.value == pytest.approx(54.0)
    assert result.status == Status.FAIL
    v_goal = parse_goal("X", "V20Gy < 60 % EQD2", alpha_beta_gy=3.0)
    threshold = physical_from_eqd2_gy(20.0, 5, 3.0)
    expected = 100 * (30.0 - threshold) / 20.0
    assert evaluate_goal(v_goal, "X", "", _uniform_dvh(), CTX).value == pytest.approx(
        expected, abs=0.2)


def test_partly_outside_the_grid_is_not_evaluable_not_pass():
    result = evaluate_goal(parse_goal("X", "Dmax < 100 Gy"), "X", "", _uniform_dvh(
        outside_cc=1.0), CTX)
    assert result.status == Status.NOT_EVALUABLE and "outside the dose grid" in result.note
    assert result.failed_mandatory


def test_fraction_variant_and_missing_structure():
    goals = (parse_goal("Cord", "Dmax < 21.9 Gy", fractions=(3,)),
             parse_goal("Cord", "Dmax <= 30 Gy", fractions=(5,)),
             parse_goal("Liver", "Dmean < 30 Gy", priority=Priority.OPTIMAL))
    results = evaluate_goals(GoalSet("t", "", goals), ["Spinal Cord"], lambda _: _uniform_dvh(),
                             CTX)
    assert [r.goal.text for r in results] == ["Dmax <= 30 Gy", "Dmean < 30 Gy"]
    assert results[0].roi_name == "Spinal Cord" and results[0].status == Status.PASS
    assert results[1].status == Status.NO_STRUCTURE and not results[1].failed_mandatory


# -- Nelms analytical benchmark: known D and V values -------------------------------------

@pytest.mark.corpus
def test_nelms_cylinder_goals_match_the_analytical_truth(corpus):
    root = corpus / "nelms-dvh-analytical"
    structures = read_structure_set(root / "STRUCTURES" / "Cylinder_20_0.dcm")
    dose = read_dose(root / "DOSE_GRIDS" / "Linear_SupInf_2mm_Aligned.dcm")
    roi = structures.roi_by_name("Cylinder_20_0")
    dvh = compute_dvh(roi.closed_polygons_mm(), dose.dose_gy, dose.grid)
    ctx = Context(1.0, None, None, "slab")
    # truth (analytical_points.csv): Dmax 29.00, Dmean 16.00, D99 3.26 Gy, volume 11.7621 cc
    truth = {"Dmax < 29.5 Gy": 29.0, "Dmean < 16.5 Gy": 16.0, "D99 >= 3 Gy": 3.26}
    for text, value in truth.items():
        result = evaluate_goal(parse_goal("Cylinder", text), roi.name, "", dvh, ctx)
        assert result.value == pytest.approx(value, rel=0.01)
        assert result.status == Status.PASS
    # linear SI gradient across a cylinder 24 mm long from 3 to 29 Gy: V16Gy is half
    half = evaluate_goal(parse_goal("Cylinder", "V16Gy < 60 %"), roi.name, "", dvh, ctx)
    assert half.value == pytest.approx(50.0, abs=1.5)
    rx = evaluate_goal(parse_goal("Cylinder", "D95 >= 95 % Rx"), roi.name, "", dvh, ctx)
    assert rx.status == Status.NOT_EVALUABLE and "prescription" in rx.note
    assert not math.isnan(dvh.volume_cc)


def _nelms_rows(corpus):
    import csv

    path = corpus / "nelms-dvh-analytical" / "ANALYTICAL" / "analytical_points.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["structure_shift"] == "0"
                and r["ct_slice_spacing_mm"] in ("2mm", "3mm")
                and r["ct_slice_spacing_mm"] == f"{r['dose_voxel_mm']}mm"]


@pytest.mark.corpus
@pytest.mark.parametrize("shape", ["Sphere", "Cylinder", "Cone"])
@pytest.mark.parametrize("spacing", ["2mm", "3mm"])
def test_goals_on_the_nelms_shapes_give_the_analytical_d_and_v_values(corpus, shape, spacing):
    """Dmean, D95, D5 and V(Dmean) from goals against the truth of Nelms et al. 2015."""
    root = corpus / "nelms-dvh-analytical"
    rows = [r for r in _nelms_rows(corpus) if r["structure"].startswith(shape)
            and r["ct_slice_spacing_mm"] == spacing]
    assert len(rows) == 2  # AP and SI gradients
    for row in rows:
        structures = read_structure_set(root / "STRUCTURES" / f"{row['structure']}.dcm")
        grid = "AntPost" if row["gradient"] == "Z(AP)" else "SupInf"
        dose = read_dose(root / "DOSE_GRIDS" / f"Linear_{grid}_{row['dose_voxel_mm']}mm_"
                                               "Aligned.dcm")
        roi = next(r for r in structures.rois if any(c.is_closed for c in r.contours))
        dvh = compute_dvh(roi.closed_polygons_mm(), dose.dose_gy, dose.grid)
        ctx = Context(1.0, None, None, "slab")
        for text, truth_cgy in (("Dmean < 100 Gy", row["Dmean_cGy"]),
                                ("D95 < 100 Gy", row["D95_cGy"]),
                                ("D5 < 100 Gy", row["D5_cGy"])):
            result = evaluate_goal(parse_goal(roi.name, text), roi.name, "", dvh, ctx)
            assert result.value == pytest.approx(float(truth_cgy) / 100, rel=0.02, abs=0.1), (
                row["structure"], row["gradient"], text)
        # half the volume lies above the median; for the symmetric shapes in a linear
        # gradient the median is the mean dose
        if shape != "Cone":
            half = evaluate_goal(parse_goal(roi.name, f"V{float(row['Dmean_cGy']) / 100:g}Gy"
                                                      " < 60 %"), roi.name, "", dvh, ctx)
            assert half.value == pytest.approx(50.0, abs=2.0)
