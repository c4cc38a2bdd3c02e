"""The hot tail of a coarsely sampled structure sees every hot voxel (issue 13.1).

A large structure is sampled coarsely for its bulk; its hottest tail is sampled again
finely.  Which voxel columns are hot is decided from the dose voxels themselves, so a
hot spot far smaller than the coarse pitch and away from every coarse sample still
gets its fine samples and its small-volume metrics.
"""

import numpy as np
import pytest
from core_shapes import square_uv, stack

from rtviewer.core.dose_samples import choose_sampling
from rtviewer.core.dvh import compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_cc
from rtviewer.core.grid import Grid
from rtviewer.core.slab_model import build_slab_model

STEP = 2.5  # mm, dose voxel and contour spacing


def _tent_volume_cc(dose_gy: float, peak_gy: float) -> float:
    """Volume (cc) where a lone voxel's trilinear tent ``peak·(1-|x|)(1-|y|)(1-|z|)`` >= dose.

    With ``a = 1 - |x|`` etc. uniform on [0, 1], ``-ln(abc)`` follows Gamma(3, 1): the
    fraction of the 2×2×2-voxel support where ``abc >= t`` is
    ``1 - t (1 + s + s²/2)``, ``s = -ln t``.
    """
    t = dose_gy / peak_gy
    s = -np.log(t)
    return 8 * (1 - t * (1 + s + s * s / 2)) * STEP**3 / 1000.0


def _d_at_cc(volume_cc: float, peak_gy: float) -> float:
    low, high = 1e-9, peak_gy
    for _ in range(100):  # bisection: the tent volume falls as the dose rises
        mid = 0.5 * (low + high)
        low, high = (mid, high) if _tent_volume_cc(mid, peak_gy) > volume_cc else (low, mid)
    return 0.5 * (low + high)


def test_a_lone_hot_voxel_between_coarse_samples_gets_its_small_volume_metrics():
    # a 200 x 200 x 25 mm box (1,000 cc) sampled at a coarse pitch of about 26 mm
    box = stack(square_uv(100.0), np.arange(11) * STEP)
    model = build_slab_model(box)
    grid = Grid(affine=np.array([[STEP, 0, 0, -110.0], [0, STEP, 0, -110.0],
                                 [0, 0, STEP, -10.0], [0, 0, 0, 1.0]]), shape=(19, 89, 89))
    dose = np.zeros(grid.shape, dtype=np.float32)
    dose[8:13, 60:81, 60:81] = 1.0  # a 1 Gy plateau: the tail's 30 cc threshold
    peak, hot = 10.0, (8, 21, 23)  # a lone 10 Gy voxel far from the plateau
    dose[hot] = peak
    plan = choose_sampling(model, grid, max_samples=2_000)
    assert plan.pitch_mm > 8 * STEP and plan.grid_pitch_mm == STEP / 2
    dvh = compute_dvh(model, dose, grid, max_samples=2_000)
    assert dvh.dmax_gy == pytest.approx(peak)
    # capped at 2,000 samples without the voxel-based hot tail, D0.01cc and D0.03cc were
    # the plateau's 1.00 Gy; the fine pitch (half a voxel) follows a one-voxel spike's
    # tent within 8 % (a smooth dose far closer)
    for volume_cc in (0.01, 0.03):
        expected = _d_at_cc(volume_cc, peak)
        assert expected > 1.5  # only the lone voxel's tent reaches it
        assert dose_at_volume_cc(dvh, volume_cc) == pytest.approx(expected, rel=0.08)
    assert dvh.cumulative_at(1.5) == pytest.approx(_tent_volume_cc(1.5, peak), rel=0.08)
    assert dvh.volume_cc == pytest.approx(200 * 200 * 11 * STEP / 1000.0, rel=1e-9)
