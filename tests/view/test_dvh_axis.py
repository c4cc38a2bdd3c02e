"""The DVH plot's dose axis: fitted to the shown maxima, a brachy source's tail cut and named."""

from __future__ import annotations

import pytest

from rtviewer.view.dvh_axis import HEADROOM, TAIL_FACTOR, dvh_dose_axis


def test_axis_fits_the_largest_shown_maximum_with_headroom():
    axis = dvh_dose_axis([("PTV", 64.2), ("Lung", 61.0), ("Cord", 40.0)], 60.0)
    assert axis.upper == pytest.approx(64.2 * (1 + HEADROOM))
    assert axis.cut_names == () and axis.largest == pytest.approx(64.2)


def test_a_source_tail_beyond_three_prescriptions_is_cut_and_named():
    # the demo HDR plan: 28 Gy prescription, CTV-HR and External reach 740 and 788 Gy
    maxima = [("External", 787.9), ("CTV-HR", 740.5), ("Bladder", 24.8), ("Rectum", 24.6)]
    axis = dvh_dose_axis(maxima, 28.0)
    assert axis.upper == pytest.approx(TAIL_FACTOR * 28.0 * (1 + HEADROOM))
    assert axis.cut_names == ("External", "CTV-HR") and axis.largest == pytest.approx(787.9)
    whole = dvh_dose_axis(maxima, 28.0, fit_all=True)
    assert whole.upper == pytest.approx(787.9 * (1 + HEADROOM)) and whole.cut_names == ()


def test_hiding_the_hot_structures_refits_to_the_organs():
    axis = dvh_dose_axis([("Bladder", 24.8), ("Rectum", 24.6)], 28.0)
    assert axis.upper == pytest.approx(24.8 * (1 + HEADROOM)) and axis.cut_names == ()


def test_without_a_prescription_nothing_is_cut_and_nothing_shown_gives_none():
    assert dvh_dose_axis([("CTV", 740.0), ("Rectum", 20.0)], None).cut_names == ()
    assert dvh_dose_axis([], 28.0) is None
    assert dvh_dose_axis([("Empty", 0.0)], 28.0) is None
