"""MU-weighted fluence: analytic sliding window, step-and-shoot, dual layer, MLCY."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.core.beam_aperture import MlcLayer
from rtviewer.core.fluence import ApertureState, fluence_map

BOUNDS = np.array([-20.0, -10.0, 0.0, 10.0, 20.0])


def _gap(left: float, width: float, axis: str = "X") -> ApertureState:
    """A gap in all four pairs; jaws wide along the travel, at the bank's edge across."""
    leaves = np.array([left] * 4 + [left + width] * 4)
    wide, bank = (-100.0, 100.0), (-20.0, 20.0)
    jaws = (wide, bank) if axis == "X" else (bank, wide)
    return ApertureState(*jaws, (MlcLayer(leaves, BOUNDS),), axis)


def test_sliding_window_gives_gap_over_travel():
    """A 10 mm gap sweeping 90 mm at a constant rate: every point it crosses gets 10/90."""
    f = fluence_map([_gap(-50.0, 10.0), _gap(40.0, 10.0)], [0.0, 1.0], half_width_mm=60.0)
    inside_x = (f.x_mm > -40.0) & (f.x_mm < 40.0)
    inside_y = np.abs(f.y_mm) < 20.0
    assert np.allclose(f.values[np.ix_(inside_y, inside_x)], 10.0 / 90.0)
    assert np.all(f.values[~inside_y] == 0.0)
    # integral: the gap's area × weight, 10 mm × 40 mm × 1
    assert f.values.sum() * f.pixel_mm ** 2 == pytest.approx(400.0)
    assert f.substeps == 90


def test_step_and_shoot_weights_each_segment():
    a, b = _gap(-30.0, 30.0), _gap(-10.0, 30.0)  # A: -30..0, B: -10..20
    f = fluence_map([a, a, b, b], [0.0, 0.3, 0.3, 1.0], half_width_mm=60.0)
    row = f.values[np.argmin(np.abs(f.y_mm - 5.5))]
    at = {x: row[np.argmin(np.abs(f.x_mm - x))] for x in (-20.5, -5.5, 10.5, 30.5)}
    assert at[-20.5] == pytest.approx(0.3) and at[-5.5] == pytest.approx(1.0)
    assert at[10.5] == pytest.approx(0.7) and at[30.5] == 0.0
    assert f.substeps == 1
    union = f.open_fraction[np.argmin(np.abs(f.y_mm - 5.5))]
    assert np.array_equal(union > 0.5, (f.x_mm > -30) & (f.x_mm < 20))


def test_dual_layer_fluence_is_the_intersection():
    top = MlcLayer(np.array([-10.0, -10, 10, 10]), np.array([-10.0, 0, 10]))
    low = MlcLayer(np.array([0.0, 0, 20, 20]), np.array([-5.0, 5, 15]))
    s = ApertureState(None, None, (top, low))
    f = fluence_map([s, s], [0.0, 2.0], half_width_mm=30.0)
    open_ = f.values > 0
    xs, ys = np.meshgrid(f.x_mm, f.y_mm)
    assert np.array_equal(open_, (xs > 0) & (xs < 10) & (ys > -5) & (ys < 10))
    assert f.values.max() == 2.0


def test_mlcy_turns_rows_and_columns():
    f = fluence_map([_gap(-30.0, 10.0, "Y")] * 2, [0.0, 1.0], half_width_mm=40.0)
    xs, ys = np.meshgrid(f.x_mm, f.y_mm)
    # MLCY leaves travel along Y: the gap is -30..-20 in Y, the pairs span -20..20 in X
    assert np.array_equal(f.values > 0, (ys > -30) & (ys < -20) & (np.abs(xs) < 20))


def test_weights_must_match_control_points():
    with pytest.raises(ValueError, match="2 control points but 3 weights"):
        fluence_map([_gap(0, 1)] * 2, [0, 1, 2], half_width_mm=10.0)
