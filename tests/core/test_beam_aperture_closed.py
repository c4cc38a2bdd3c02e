"""Closed leaf pairs (gap shut or behind the jaws) and their strips, in mm."""

import numpy as np

from rtviewer.core.beam_aperture import MlcLayer, closed_pairs, pair_strips

# four 10 mm pairs across y = -20..20 mm; gaps (A, B): open 10 mm, open 10 mm, shut, open 4 mm
LAYER = MlcLayer(np.array([-5.0, -5, 0, 6, 5, 5, 0, 10]), np.array([-20.0, -10, 0, 10, 20]))
OPEN = (-np.inf, np.inf)


def test_a_shut_gap_is_closed_without_jaws():
    assert closed_pairs(LAYER, OPEN, OPEN).tolist() == [False, False, True, False]


def test_pairs_behind_the_jaws_are_closed():
    # Y jaw -8..20 mm hides the pair at -20..-10; X jaw -10..5.5 hides the gap 6..10
    assert closed_pairs(LAYER, (-8.0, 20.0), (-10.0, 5.5)).tolist() == [True, False, True, True]
    # a jaw edge on a leaf boundary: the pair beyond it lets nothing through
    assert closed_pairs(LAYER, (-10.0, 20.0), OPEN).tolist() == [True, False, True, False]


def test_strips_span_the_pairs_in_mm():
    strips = pair_strips(LAYER.boundaries_mm, [True, False, True, False], reach_mm=200.0)
    np.testing.assert_allclose(strips[0], [[-200, -20], [200, -20], [200, -10], [-200, -10]])
    np.testing.assert_allclose(strips[1], [[-200, 0], [200, 0], [200, 10], [-200, 10]])
    # an MLCY travels along y: the strip spans y and lies across x
    turned = pair_strips(LAYER.boundaries_mm, [False, False, True, False], mlc_axis="Y")
    np.testing.assert_allclose(turned[0], [[0, -200], [0, 200], [10, 200], [10, -200]])
