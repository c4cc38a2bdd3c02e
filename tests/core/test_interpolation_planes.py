import numpy as np
import pytest
from core_shapes import rotation

from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import resample_to_grid, trilinear_sample
from rtviewer.core.planes import (
    axial_plane,
    coronal_plane,
    plane_through,
    reslice,
    sagittal_plane,
)


def linear_field(xyz):
    xyz = np.asarray(xyz, float)
    return 3.0 + 0.5 * xyz[..., 0] - 0.25 * xyz[..., 1] + 0.125 * xyz[..., 2]


def oblique_grid(shape=(12, 15, 18)):
    affine = np.eye(4)
    affine[:3, :3] = rotation((1, 2, 0.5), 23) @ np.diag([1.5, 2.5, 3.0])
    affine[:3, 3] = (-20.0, 10.0, 5.0)
    return Grid(affine=affine, shape=shape)


def fill(grid, fn):
    nk, nj, ni = grid.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    return fn(grid.index_to_patient(np.stack([i, j, k], axis=-1))).astype(np.float32)


def test_voxel_centres_return_voxel_values_no_half_voxel_shift():
    g = Grid(affine=np.diag([2.0, 3.0, 4.0, 1.0]), shape=(3, 4, 5))
    vol = np.random.default_rng(1).random(g.shape)
    pts = g.index_to_patient([[0, 0, 0], [4, 3, 2], [2, 1, 1]])
    np.testing.assert_allclose(trilinear_sample(vol, g, pts, outside=np.nan),
                               [vol[0, 0, 0], vol[2, 3, 4], vol[1, 1, 2]])


def test_linear_field_is_exact_on_an_oblique_grid_and_outside_is_explicit():
    g = oblique_grid()
    vol = fill(g, linear_field)
    rng = np.random.default_rng(2)
    ijk = rng.uniform([0, 0, 0], np.array(g.shape[::-1]) - 1, size=(500, 3))
    pts = g.index_to_patient(ijk)
    np.testing.assert_allclose(trilinear_sample(vol, g, pts, outside=np.nan),
                               linear_field(pts), atol=1e-4)
    far = g.index_to_patient([[-0.6, 0, 0], [0, 0, g.shape[0] - 0.5]])
    assert trilinear_sample(vol, g, far, outside=-7.0).tolist() == [-7.0, -7.0]
    edge = g.index_to_patient([[g.shape[2] - 1, g.shape[1] - 1, g.shape[0] - 1]])
    assert trilinear_sample(vol, g, edge, outside=np.nan)[0] == pytest.approx(
        linear_field(edge)[0], abs=1e-4)


def test_single_slice_grid_samples_only_its_plane():
    g = Grid(affine=np.diag([1.0, 1.0, 2.0, 1.0]), shape=(1, 3, 3))
    vol = np.arange(9.0).reshape(1, 3, 3)
    out = trilinear_sample(vol, g, [[0.5, 0.5, 0.0], [0.5, 0.5, 0.5]], outside=np.nan)
    assert out[0] == pytest.approx(2.0)
    assert np.isnan(out[1])


def test_resample_to_grid_between_oblique_and_axial_grids():
    src = oblique_grid()
    vol = fill(src, linear_field)
    target = Grid(affine=np.diag([1.2, 0.8, 2.0, 1.0]) + np.array(
        [[0, 0, 0, -5], [0, 0, 0, 15], [0, 0, 0, 20], [0, 0, 0, 0]]), shape=(6, 20, 25))
    out = resample_to_grid(vol, src, target, outside=np.nan)
    expected = fill(target, linear_field)
    inside = src.contains(fill(target, lambda p: p).reshape(-1, 3)).reshape(target.shape)
    assert inside.sum() > 100 and (~inside).sum() > 100
    np.testing.assert_allclose(out[inside], expected[inside], atol=1e-3)
    assert np.all(np.isnan(out[~inside]))


def test_planes_cover_grid_and_have_radiological_axes():
    g = Grid(affine=np.diag([2.0, 1.0, 3.0, 1.0]), shape=(10, 30, 20))
    ax = axial_plane(g, 6.0)
    assert ax.shape == (30, 20) and ax.spacing_mm == (2.0, 1.0)
    np.testing.assert_allclose(ax.points_mm()[0, 0], [0, 0, 6])
    np.testing.assert_allclose(ax.normal, [0, 0, 1])
    sag = sagittal_plane(g, 10.0)
    assert sag.shape == (10, 30) and sag.spacing_mm == (1.0, 3.0)
    np.testing.assert_allclose(sag.points_mm()[0, 0], [10, 0, 27])  # superior row first
    cor = coronal_plane(g, 4.0)
    assert cor.shape == (10, 20)
    np.testing.assert_allclose(cor.points_mm()[-1, -1], [38, 4, 0])


def test_reslice_axial_sagittal_and_oblique_planes():
    g = oblique_grid((20, 20, 20))
    vol = fill(g, linear_field)
    centre = g.center_mm
    for plane in (axial_plane(g, centre[2], spacing_mm=(1.0, 1.0)),
                  sagittal_plane(g, centre[0], spacing_mm=(1.0, 1.0)),
                  plane_through(centre, (1, 1, 0), (0, 0.3, 1), spacing_mm=(0.7, 1.1),
                                shape=(9, 11))):
        values = reslice(vol, g, plane, outside=np.nan)
        pts = plane.points_mm()
        ok = np.isfinite(values)
        assert ok.sum() > 50
        np.testing.assert_allclose(values[ok], linear_field(pts)[ok], atol=1e-3)
        np.testing.assert_array_equal(ok, g.contains(pts))
    p = plane_through(centre, (1, 1, 0), (0, 0.3, 1), spacing_mm=(0.7, 1.1), shape=(9, 11))
    np.testing.assert_allclose(p.pixel_to_patient([4, 5]), centre, atol=1e-9)
    np.testing.assert_allclose(p.patient_to_pixel(p.pixel_to_patient([2.5, 7.25])), [2.5, 7.25])


@pytest.mark.parametrize("columns", [np.diag([1.5, 2.0, 2.5]),
                                     np.array([[0, 2.0, 0], [-1.5, 0, 0], [0, 0, -2.5]]),
                                     np.array([[0, 0, 2.5], [1.5, 0, 0], [0, -2.0, 0]])])
def test_separable_reslice_equals_trilinear(columns):
    affine = np.eye(4)
    affine[:3, :3] = columns
    affine[:3, 3] = (-10.0, 5.0, 3.0)
    g = Grid(affine=affine, shape=(9, 11, 13))
    vol = np.random.default_rng(5).random(g.shape).astype(np.float32)
    centre = g.center_mm + [0.37, -0.61, 0.83]
    for make in (axial_plane, sagittal_plane, coronal_plane):
        axis = {axial_plane: 2, sagittal_plane: 0, coronal_plane: 1}[make]
        plane = make(g, centre[axis], spacing_mm=(0.7, 0.9))
        fast = reslice(vol, g, plane, outside=-1.0)
        slow = trilinear_sample(vol, g, plane.points_mm(), outside=-1.0)
        np.testing.assert_allclose(fast, slow, atol=1e-5)
        assert (fast == -1.0).sum() == (slow == -1.0).sum()
    away = axial_plane(g, 1000.0)
    assert np.all(reslice(vol, g, away, outside=-1.0) == -1.0)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_lines_along_an_axis_equal_trilinear(axis):
    from rtviewer.core.interpolation import sample_at_indices, sample_lines_along_axis

    rng = np.random.default_rng(axis)
    vol = rng.random((7, 9, 11)).astype(np.float32)
    sizes = vol.shape[::-1]
    base = rng.uniform(-0.5, np.array(sizes) - 0.5, size=(40, 3))
    groups = rng.integers(1, 5, size=40)
    start = np.cumsum(groups) - groups
    # lines run forwards, backwards (negative index steps: descending groups) or wholly
    # outside, and may leave the grid
    ascending = [np.sort(rng.uniform(-0.7, sizes[axis] - 0.3, g)) for g in groups]
    t = np.concatenate([a if m % 3 == 0 else a[::-1] if m % 3 == 1 else -a[::-1] - 1.0
                        for m, a in enumerate(ascending)])
    ijk = np.repeat(base, groups, axis=0)
    ijk[:, axis] = t
    expected = sample_at_indices(vol, ijk, outside=-9.0)
    got = sample_lines_along_axis(vol, base, axis, t, start, outside=-9.0)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert (got == -9.0).any() and (got != -9.0).any()
