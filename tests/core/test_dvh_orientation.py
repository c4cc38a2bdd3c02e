"""The same physical structure and dose stored in every patient orientation: same DVH."""

import numpy as np
import pytest
from core_shapes import circle_uv, stack_of

from rtviewer.core.dvh import compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_cc, dose_at_volume_percent
from rtviewer.core.grid import Grid

# Physical lattice of dose voxel centres (non-square pixels: 2.5 mm in x, 2.0 mm in y)
X = -40.0 + 2.5 * np.arange(33)
Y = -30.0 + 2.0 * np.arange(31)
Z = -21.0 + 3.0 * np.arange(15)

# (row direction, column direction) cosines of each position, frames up or down in z
ORIENTATIONS = {
    "HFS": ((1, 0, 0), (0, 1, 0), +1),
    "HFP": ((-1, 0, 0), (0, -1, 0), +1),
    "FFS": ((-1, 0, 0), (0, 1, 0), -1),
    "FFP": ((1, 0, 0), (0, -1, 0), -1),
    "HFDL": ((0, -1, 0), (1, 0, 0), +1),
    "HFDR": ((0, 1, 0), (-1, 0, 0), -1),
}
AXES = {0: X, 1: Y, 2: Z}


def physical_dose(p):
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    # asymmetric along every axis, so that a mirrored axis would change the DVH
    return (40.0 * np.exp(-((x - 3) ** 2 + (y + 2) ** 2) / 400.0 - (z - 6) ** 2 / 300.0)
            + 0.1 * x - 0.05 * y + 0.3 * z + 12)


def grid_for(name):
    row, col, frames = ORIENTATIONS[name]
    directions = []
    origin, shape = [], []
    for cosines in (row, col, (0, 0, frames)):
        axis = int(np.argmax(np.abs(cosines)))
        sign = int(np.sign(cosines[axis]))
        values = AXES[axis] if sign > 0 else AXES[axis][::-1]
        step = np.zeros(3)
        step[axis] = values[1] - values[0]
        directions.append(step)
        origin.append((axis, values[0]))
        shape.append(len(values))
    affine = np.eye(4)
    affine[:3, :3] = np.column_stack(directions)
    for axis, value in origin:
        affine[axis, 3] = value
    grid = Grid(affine=affine, shape=(shape[2], shape[1], shape[0]))
    nk, nj, ni = grid.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    dose = physical_dose(grid.index_to_patient(np.stack([i, j, k], axis=-1))).astype(np.float32)
    return grid, dose


def structure():
    def plane(z):
        r = 14.0 * np.sqrt(max(1 - ((z - 4) / 16.0) ** 2, 0.02))
        return [circle_uv(r, 200, center=(5.0, -3.0)), circle_uv(r / 3, 100, center=(5.0, -3.0))]

    return stack_of(plane, np.arange(-10.0, 17.6, 2.5))


def summary(dvh):
    return np.array([dvh.volume_cc, dvh.dmin_gy, dvh.dmax_gy, dvh.dmean_gy,
                     dose_at_volume_percent(dvh, 98), dose_at_volume_percent(dvh, 50),
                     dose_at_volume_percent(dvh, 2), dose_at_volume_cc(dvh, 0.03)])


def test_grids_hold_the_same_physical_dose():
    hfs_grid, hfs = grid_for("HFS")
    for name in ORIENTATIONS:
        grid, dose = grid_for(name)
        assert sorted(dose.ravel().tolist()) == sorted(hfs.ravel().tolist())
        assert not np.allclose(grid.affine, hfs_grid.affine) or name == "HFS"


@pytest.mark.parametrize("name", [n for n in ORIENTATIONS if n != "HFS"])
def test_same_dvh_in_every_orientation(name):
    polys = structure()
    reference = compute_dvh(polys, *grid_for("HFS")[::-1])
    dvh = compute_dvh(polys, *grid_for(name)[::-1])
    np.testing.assert_allclose(summary(dvh), summary(reference), rtol=1e-3)
    edges = np.linspace(0, reference.dmax_gy, 50)
    np.testing.assert_allclose(dvh.cumulative_at(edges), reference.cumulative_at(edges),
                               atol=1e-3 * reference.volume_cc)
