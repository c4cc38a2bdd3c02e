"""Beam checks on synthetic beams: closed leaf pairs, wedges, angles, MU, field, machine."""

from __future__ import annotations

import numpy as np
import pytest
from review_builders import beam, case, control_point, open_leaves, plan, replace

from rtviewer.model.beam import BeamType, Wedge
from rtviewer.review import review_plan
from rtviewer.review.beam_checks import check_beams
from rtviewer.review.context import ReviewContext
from rtviewer.review.leaf_checks import closed_pairs_in_field
from rtviewer.review.profile import load_profile
from rtviewer.review.wedge_checks import angular_distance_deg, is_dynamic_wedge


def _found(*beams, **plan_kw):
    ctx = ReviewContext(case(plan(*beams, **plan_kw)), load_profile())
    return list(check_beams(ctx))


def _codes(found):
    return sorted(f.code for f in found)


def _leaves_with_closed_pairs() -> np.ndarray:
    """Jaws X -40..40, Y -30..30; pairs k = 1..10 span y = -60+10k .. -50+10k."""
    leaves = open_leaves()
    a, b = leaves[:10], leaves[10:]
    a[2], b[2] = -0.25, 0.25   # pair 3 (y -30..-20): inside, gap 0.5 mm at x = 0
    a[3], b[3] = 5.0, 5.0      # pair 4 (y -20..-10): inside, shut at x = 5
    a[5], b[5] = 45.0, 45.0    # pair 6: behind the X2 jaw (40)
    a[6], b[6] = -39.5, -39.5  # pair 7: within 1 mm of the X1 jaw: covered by its edge
    a[1], b[1] = 0.0, 0.0      # pair 2 (y -40..-30): behind the Y1 jaw (-30)
    a[7], b[7] = -1.0, 1.0     # pair 8: a 2 mm gap, open
    return np.concatenate([a, b])


def test_closed_pairs_in_the_jaw_opening_are_named_with_index_and_position():
    leaves = _leaves_with_closed_pairs()
    b = beam(1, cps=(control_point(0, 0.0, leaves=leaves), control_point(1, 1.0, leaves=leaves)))
    _, positions = 0, {"ASYMX": np.array([-40.0, 40]), "ASYMY": np.array([-30.0, 30]),
                       "MLCX": leaves}
    pairs = closed_pairs_in_field(b, positions, 0, 0.6, 1.0)
    assert [(p.leaf_pair, p.position_mm, p.gap_mm) for p in pairs] == [(3, 0.0, 0.5),
                                                                        (4, 5.0, 0.0)]
    found = [f for f in _found(b) if f.code == "BEAM_CLOSED_LEAF_PAIR"]
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert found[0].values == {"closed_pairs": 2.0, "control_points": 2.0, "control_point": 0.0,
                               "leaf_pair": 3.0, "position_mm": 0.0, "gap_mm": 0.5}
    assert "pair 3 at 0.0 mm, pair 4 at 5.0 mm" in found[0].message


def test_closed_pairs_of_a_modulated_beam_are_not_reported():
    shut = _leaves_with_closed_pairs()
    b = beam(1, beam_type=BeamType.DYNAMIC,
             cps=(control_point(0, 0.0, leaves=shut), control_point(1, 1.0, leaves=shut + 1.0)))
    assert "BEAM_CLOSED_LEAF_PAIR" not in _codes(_found(b))


def test_clean_conformal_beam_raises_nothing():
    assert _found(beam(1), beam(2)) == []


@pytest.mark.parametrize(("orientation", "flagged"), [
    (0.0, False), (270.0, False), (269.5, False), (45.0, True), (None, True), (181.5, True)])
def test_wedge_orientation_against_the_profile(orientation, flagged):
    w = Wedge(1, "STANDARD", "W30", 30.0, 0.8, orientation)
    found = [f for f in _found(beam(1, wedges=(w,))) if f.code == "BEAM_WEDGE_ORIENTATION"]
    assert bool(found) == flagged
    if flagged and orientation is not None:
        assert found[0].severity.value == "error"
        assert found[0].values["orientation_deg"] == orientation


def test_dynamic_wedge_minimum_mu():
    edw = Wedge(1, "DYNAMIC", "EDW30OUT", 30.0, None, 0.0)
    found = [f for f in _found(beam(1, mu=15.0, wedges=(edw,))) if f.code == "BEAM_WEDGE_MU"]
    assert len(found) == 1 and found[0].values == {"mu": 15.0}
    assert _found(beam(1, mu=20.0, wedges=(edw,))) == []
    assert is_dynamic_wedge(Wedge(1, "STANDARD", "EDW15IN", 15.0, None, 0.0))
    assert not is_dynamic_wedge(Wedge(1, "STANDARD", "W60", 60.0, 0.3, 90.0))
    assert angular_distance_deg(359.0, 1.0) == 2.0


@pytest.mark.parametrize(("collimator", "flagged"), [
    (0.0, False), (175.0, False), (180.0, True), (184.0, True), (185.0, False), (350.0, False)])
def test_collimator_angle_limits(collimator, flagged):
    cps = (control_point(0, 0.0, collimator=collimator, leaves=open_leaves()),
           control_point(1, 1.0, collimator=collimator, leaves=open_leaves()))
    found = [f for f in _found(beam(1, cps=cps)) if f.code == "BEAM_COLLIMATOR_ANGLE"]
    assert bool(found) == flagged
    if flagged:
        assert found[0].values == {"collimator_deg": collimator}


def test_couch_angle_limits():
    cps = (control_point(0, 0.0, couch=180.0, leaves=open_leaves()),
           control_point(1, 1.0, couch=180.0, leaves=open_leaves()))
    found = [f for f in _found(beam(1, cps=cps)) if f.code == "BEAM_COUCH_ANGLE"]
    assert len(found) == 1 and found[0].values == {"couch_deg": 180.0}


def test_mu_limits_and_mu_per_gy():
    # 60 Gy / 30 fractions = 2 Gy per fraction; 2 beams of 1600 MU: 1600 MU per Gy
    found = _found(beam(1, mu=1600.0), beam(2, mu=1600.0))
    plan_level = [f for f in found if f.code == "BEAM_MU_PER_GY"]
    assert [f.values["mu_per_gy"] for f in plan_level] == [1600.0]
    assert "BEAM_MU" not in _codes(found)
    low = [f for f in _found(beam(1, mu=4.0), beam(2)) if f.code == "BEAM_MU"]
    assert len(low) == 1 and low[0].values == {"mu": 4.0}


def test_beam_mu_per_gy_outlier_against_the_other_beams():
    beams = [beam(n, mu=100.0, beam_dose_gy=0.5) for n in (1, 2, 3)]
    beams.append(beam(4, mu=1000.0, beam_dose_gy=0.5))  # 2000 MU/Gy vs the others' 200
    found = [f for f in _found(*beams) if f.code == "BEAM_MU_PER_GY"]
    assert len(found) == 1 and found[0].objects == ("BEAM:B4",)
    assert found[0].values["mu_per_gy"] == 2000.0
    assert found[0].values["others_median_mu_per_gy"] == 200.0


def test_minimum_field_size_and_no_opening():
    cps = (control_point(0, 0.0, jaws=((-4, 4), (-30, 30)), leaves=open_leaves()),
           control_point(1, 1.0, jaws=((-4, 4), (-30, 30)), leaves=open_leaves()))
    small = [f for f in _found(beam(1, cps=cps)) if f.code == "BEAM_FIELD_SIZE"]
    assert len(small) == 1 and small[0].values == {"jaw_opening_mm": 8.0}
    shut = open_leaves(-50.0, -45.0)  # every leaf pair open only behind the X1 jaw (-40)
    cps = (control_point(0, 0.0, leaves=shut), control_point(1, 1.0, leaves=shut))
    closed = [f for f in _found(beam(1, cps=cps)) if f.code == "BEAM_JAW_MLC"]
    assert len(closed) == 1 and closed[0].values == {"control_points": 1.0}


def test_energy_and_dose_rate_from_the_machine_table():
    cps = (control_point(0, 0.0, leaves=open_leaves(), nominal_energy=7.0, dose_rate_set=3000.0),
           control_point(1, 1.0, leaves=open_leaves()))
    b = beam(1, cps=cps)
    found = {f.code: f for f in _found(replace(b, control_points=cps))}
    assert found["BEAM_ENERGY"].values == {"energy": 7.0}
    assert found["BEAM_DOSE_RATE"].values == {"dose_rate": 3000.0}


def test_beam_name_convention():
    profile = load_profile()
    profile.sections["beams"]["name_pattern"] = r"B\d"
    ok = ReviewContext(case(plan(beam(1))), profile)
    assert list(check_beams(ok)) == []
    bad = ReviewContext(case(plan(replace(beam(1), name="lateral"))), profile)
    assert [f.code for f in check_beams(bad)] == ["BEAM_NAME"]


def test_review_plan_orders_errors_first():
    w = Wedge(1, "STANDARD", "W30", 30.0, 0.8, 45.0)
    found = review_plan(case(plan(beam(1, mu=4.0, wedges=(w,)))))
    assert [f.code for f in found] == ["BEAM_WEDGE_ORIENTATION", "BEAM_MU"]


def test_unequal_shares_of_a_common_point_are_not_judged_per_beam():
    # step-and-shoot beams at one point (Pinnacle corpus plan): 205 MU for 0.0107 Gy,
    # 206 MU for 0.711 Gy: 290 to 19 000 MU per Gy, no beam stands out from agreeing others
    beams = [beam(1, mu=205.2, beam_dose_gy=0.010705), beam(2, mu=206.1, beam_dose_gy=0.711374),
             beam(3, mu=132.6, beam_dose_gy=0.239051), beam(4, mu=202.3, beam_dose_gy=0.0201087)]
    assert [f for f in _found(*beams, rx_gy=None) if f.code == "BEAM_MU_PER_GY"] == []


def test_open_field_mu_per_gy_limit_for_a_single_beam():
    # the pydicom test plan's one static field: 116 MU for 1.0275 Gy; x 10 is 1129 MU per Gy
    ok = _found(beam(1, mu=116.0036697, beam_dose_gy=1.0275401), rx_gy=30.826203)
    assert [f for f in ok if f.code == "BEAM_MU_PER_GY"] == []
    raised = [f for f in _found(beam(1, mu=1160.036697, beam_dose_gy=1.0275401),
                                rx_gy=30.826203) if f.code == "BEAM_MU_PER_GY"]
    assert len(raised) == 1
    assert raised[0].values["mu_per_gy"] == pytest.approx(1160.036697 / 1.0275401)
    assert "limit 1000" in raised[0].message
    w = Wedge(1, "STANDARD", "W60", 60.0, 0.3, 0.0)  # a wedged field may need that many
    wedged = _found(beam(1, mu=1160.036697, beam_dose_gy=1.0275401, wedges=(w,)),
                    rx_gy=30.826203)
    assert [f for f in wedged if f.code == "BEAM_MU_PER_GY"] == []
