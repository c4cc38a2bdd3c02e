"""The hand-written monotone cubic is scipy's PchipInterpolator, on random data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from rtviewer.core.monotone_cubic import MonotoneCubic


def _data(rng: np.random.Generator, kind: int) -> tuple[np.ndarray, np.ndarray]:
    n = int(rng.integers(2, 12))
    x = np.cumsum(rng.uniform(0.1, 5.0, n)) + rng.uniform(-50.0, 50.0)
    if kind == 0:
        y = rng.uniform(0.0, 100.0, n)  # anything
    elif kind == 1:
        y = np.sort(rng.uniform(0.0, 100.0, n))  # monotone
    elif kind == 2:
        y = rng.integers(0, 3, n).astype(float)  # plateaus: zero slopes
    else:
        y = 50.0 - (x - x.mean()) ** 2  # a sphere's r²
    return x, y


@pytest.mark.parametrize("kind", range(4))
def test_equals_scipys_pchip_inside_at_the_knots_and_beyond_the_ends(kind: int) -> None:
    rng = np.random.default_rng(kind)
    for _ in range(500):
        x, y = _data(rng, kind)
        z = np.concatenate([rng.uniform(x[0] - 3.0, x[-1] + 3.0, 50), x])
        expected = PchipInterpolator(x, y)(z)
        np.testing.assert_allclose(MonotoneCubic(x, y)(z), expected, rtol=1e-12,
                                   atol=1e-12 * float(np.abs(y).max() + 1.0))


def test_stays_monotone_and_passes_through_the_points() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    y = np.array([0.0, 0.1, 5.0, 5.1, 10.0])  # a steep step: an ordinary cubic overshoots
    f = MonotoneCubic(x, y)
    z = np.linspace(0.0, 4.0, 401)
    assert np.all(np.diff(f(z)) >= 0)
    assert np.array_equal(f(x), y)


def test_two_points_give_the_line_and_bad_input_is_refused() -> None:
    f = MonotoneCubic([1.0, 3.0], [2.0, 6.0])
    assert np.allclose(f([0.0, 2.0, 4.0]), [0.0, 4.0, 8.0])
    with pytest.raises(ValueError, match="increasing"):
        MonotoneCubic([0.0, 0.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least 2"):
        MonotoneCubic([0.0], [1.0])
