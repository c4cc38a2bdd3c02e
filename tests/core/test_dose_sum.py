import numpy as np
import pytest

from rtviewer.core.dose_sum import DoseComponent, sum_doses
from rtviewer.core.grid import Grid


def grid(spacing, origin, shape):
    affine = np.diag([*spacing, 1.0])
    affine[:3, 3] = origin
    return Grid(affine=affine, shape=shape)


def fill(g, fn):
    nk, nj, ni = g.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    p = g.index_to_patient(np.stack([i, j, k], axis=-1))
    return fn(p[..., 0], p[..., 1], p[..., 2]).astype(np.float32)


def test_weighted_sum_on_different_grids():
    target = grid((2, 2, 2), (0, 0, 0), (5, 6, 7))
    other = grid((3, 1.5, 2.5), (-3, -3, -2.5), (8, 12, 8))
    a = DoseComponent(fill(target, lambda x, y, z: 1 + 0 * x), target, 2.0, "PLAN", "1.2.1")
    b = DoseComponent(fill(other, lambda x, y, z: 0.1 * x + 0.2 * z), other, 3.0, "BEAM", "1.2.2")
    total = sum_doses([a, b], target)
    expected = fill(target, lambda x, y, z: 2 + 3 * (0.1 * x + 0.2 * z))
    inside = fill(target, lambda x, y, z: (x <= 18) & (z <= 15)).astype(bool)
    np.testing.assert_allclose(total[inside], expected[inside], rtol=1e-5)
    np.testing.assert_allclose(total[~inside], 2.0)


def test_refuses_plan_dose_with_its_own_beam_dose():
    g = grid((1, 1, 1), (0, 0, 0), (2, 2, 2))
    d = np.ones(g.shape, np.float32)
    plan = DoseComponent(d, g, 1.0, "PLAN", "1.2.3")
    beam = DoseComponent(d, g, 1.0, "BEAM", "1.2.3")
    with pytest.raises(ValueError, match="already contains"):
        sum_doses([plan, beam], g)
    other_beam = DoseComponent(d, g, 1.0, "BEAM", "9.9")
    assert float(sum_doses([plan, other_beam], g).max()) == 2.0
    assert float(sum_doses([beam, DoseComponent(d, g, 1.0, "BEAM", "1.2.3")], g).max()) == 2.0
