"""The DVH's hot-voxel dilation equals scipy's maximum filter (edge-replicating) exactly."""

import numpy as np
import pytest
from scipy.ndimage import maximum_filter

from rtviewer.core.dose_samples import _dilate_box


@pytest.mark.parametrize("seed", range(4))
def test_dilate_box_is_scipy_maximum_filter_nearest(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(60):
        shape = tuple(int(n) for n in rng.integers(1, 14, 3))
        half = [int(h) for h in rng.integers(0, 6, 3)]  # reaches longer than the box too
        flags = rng.random(shape) < rng.random() * 0.2
        expected = maximum_filter(flags.view(np.uint8), size=[2 * h + 1 for h in half],
                                  mode="nearest").view(bool)
        got = _dilate_box(flags, half)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got, expected)


def test_dilate_box_one_voxel_grows_to_its_box_clipped_at_the_edge() -> None:
    flags = np.zeros((5, 6, 7), dtype=bool)
    flags[0, 3, 6] = True
    got = _dilate_box(flags, [1, 2, 3])
    expected = np.zeros_like(flags)
    expected[0:2, 1:6, 3:7] = True
    np.testing.assert_array_equal(got, expected)
    assert flags.sum() == 1  # the input is left as it was
