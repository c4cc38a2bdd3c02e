"""Decay of a source's strength and LQ EQD2 on worked examples."""

import datetime as dt

import pytest

from rtviewer.core.radioactive_decay import decay_factor, elapsed_days, half_life_days
from rtviewer.core.radiobiology import bed_gy, eqd2_gy


def test_one_half_life_halves_the_strength_exactly():
    assert decay_factor(73.83, 73.83) == 0.5
    assert decay_factor(2 * 1925.3, 1925.3) == 0.25
    assert decay_factor(0.0, 73.83) == 1.0
    start = dt.datetime(2026, 1, 1, 8, 0)
    assert elapsed_days(start, start + dt.timedelta(days=73, hours=19, minutes=55, seconds=12)) \
        == pytest.approx(73.83, abs=1e-9)


def test_half_life_from_the_file_first_then_the_isotope():
    assert half_life_days("Ir-192", 74.0)[0] == 74.0
    assert half_life_days("192Ir", None)[0] == 73.83
    assert half_life_days("Co-60", None)[0] == 1925.3
    assert half_life_days("I-125", None)[0] is None
    with pytest.raises(ValueError):
        decay_factor(1.0, 0.0)


def test_eqd2_of_4_x_7_gy_hdr():
    """4 × 7 Gy: BED10 = 28 (1 + 0.7) = 47.6 Gy, EQD2(10) = 47.6 / 1.2 = 39.67 Gy;
    BED3 = 28 (1 + 7/3) = 93.33 Gy, EQD2(3) = 93.33 / (5/3) = 56.0 Gy."""
    assert bed_gy(7.0, 4, 10.0) == pytest.approx(47.6)
    assert eqd2_gy(7.0, 4, 10.0) == pytest.approx(39.6667, abs=1e-4)
    assert eqd2_gy(7.0, 4, 3.0) == pytest.approx(56.0)


def test_eqd2_of_2_gy_fractions_is_the_dose_and_of_ebrt():
    assert eqd2_gy(2.0, 25, 3.0) == pytest.approx(50.0)
    # 45 Gy in 25 × 1.8 Gy: EQD2(10) = 45 (1.8 + 10) / 12 = 44.25 Gy
    assert eqd2_gy(1.8, 25, 10.0) == pytest.approx(44.25)
    with pytest.raises(ValueError):
        eqd2_gy(7.0, 4, 0.0)
