"""DVHs against analytic truths: cubes, rotated cylinders and cones, rings, gradients."""

import numpy as np
import pytest
from core_shapes import circle_uv, polygon_area_circle, rotation, square_uv, stack, stack_of

from rtviewer.core.dvh import compute_dvh
from rtviewer.core.dvh_metrics import (
    dose_at_volume_cc,
    dose_at_volume_percent,
    homogeneity_index,
    paddick_conformity_index,
    volume_at_dose_gy,
    volume_at_dose_percent,
)
from rtviewer.core.grid import Grid
from rtviewer.core.slab_model import build_slab_model
from rtviewer.core.structure_volume import structure_volume_cc


def dose_grid(spacing=(2.0, 2.0, 2.0), lo=(-60.0, -60.0, -60.0), hi=(60.0, 60.0, 60.0)):
    shape = tuple(int(round((b - a) / s)) + 1 for a, b, s in zip(lo, hi, spacing, strict=True))
    affine = np.diag([*spacing, 1.0])
    affine[:3, 3] = lo
    return Grid(affine=affine, shape=shape[::-1])


def fill(grid, fn):
    nk, nj, ni = grid.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    p = grid.index_to_patient(np.stack([i, j, k], axis=-1))
    return fn(p).astype(np.float32)


def test_cube_with_linear_dose_along_x():
    grid = dose_grid((2.5, 2.0, 3.0))  # non-square pixels and slices
    dose = fill(grid, lambda p: 20.0 + 0.5 * p[..., 0])
    polys = stack(square_uv(10.0), np.arange(-9.0, 9.1, 2.0))  # 20 x 20 x 20 mm with caps
    dvh = compute_dvh(polys, dose, grid)
    assert dvh.volume_cc == pytest.approx(8.0, rel=1e-12)
    assert dvh.volume_cc == pytest.approx(structure_volume_cc(polys), rel=1e-12)
    # dose is uniform in [15, 25] Gy over the cube
    assert dvh.dmin_gy == pytest.approx(15.0, abs=1e-4)
    assert dvh.dmax_gy == pytest.approx(25.0, abs=1e-4)
    assert dvh.dmean_gy == pytest.approx(20.0, abs=1e-3)
    assert dose_at_volume_percent(dvh, 95) == pytest.approx(15.5, abs=0.02)
    assert dose_at_volume_percent(dvh, 2) == pytest.approx(24.8, abs=0.02)
    assert dose_at_volume_cc(dvh, 0.8) == pytest.approx(24.0, abs=0.02)
    assert np.isnan(dose_at_volume_cc(dvh, 8.5))
    assert volume_at_dose_gy(dvh, 17.5) == pytest.approx(6.0, rel=2e-3)
    assert volume_at_dose_gy(dvh, 17.5, relative=True) == pytest.approx(75.0, rel=2e-3)
    assert volume_at_dose_percent(dvh, 50, reference_gy=40.0) == pytest.approx(4.0, rel=2e-3)
    assert homogeneity_index(dvh) == pytest.approx((24.8 - 15.2) / 20.0, abs=2e-3)
    # curves: differential integrates to the volume; cumulative starts at the volume
    assert dvh.differential_cc.sum() == pytest.approx(8.0, rel=1e-9)
    assert dvh.cumulative_cc[0] == pytest.approx(8.0, rel=1e-9)
    assert dvh.cumulative_at(20.0, relative=True) == pytest.approx(50.0, abs=0.2)


@pytest.mark.parametrize("axis,angle", [((0, 0, 1), 0), ((1, 0, 0), 90), ((1, 1, 0.3), 33),
                                        ((0.2, 1, 0.5), 61)])
def test_rotated_cylinder_with_caps_and_dose_along_its_axis(axis, angle):
    rot = rotation(axis, angle)
    r, spacing = 8.0, 2.0
    offsets = np.arange(0.0, 20.1, spacing)
    centre = np.array([3.0, -7.0, 5.0])
    polys = stack(circle_uv(r, 400), offsets, rot=rot, shift=centre)
    axis_dir = rot[:, 2]
    grid = dose_grid((2.0, 2.5, 2.0))
    dose = fill(grid, lambda p: 30.0 + 0.8 * ((p - centre) @ axis_dir))
    dvh = compute_dvh(polys, dose, grid)
    length = 20.0 + spacing  # caps of half a spacing at both ends
    assert dvh.volume_cc == pytest.approx(polygon_area_circle(r, 400) * length / 1000, rel=1e-9)
    lo, hi = 30.0 - 0.8 * spacing / 2, 30.0 + 0.8 * (20.0 + spacing / 2)
    assert dvh.dmin_gy == pytest.approx(lo, abs=0.01)
    assert dvh.dmax_gy == pytest.approx(hi, abs=0.01)
    assert dvh.dmean_gy == pytest.approx((lo + hi) / 2, abs=0.02)
    for percent in (99, 95, 50, 5, 1):
        expected = hi - percent / 100 * (hi - lo)
        assert dose_at_volume_percent(dvh, percent) == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize("angle", [0.0, 40.0])
def test_cylinder_with_gradient_across_its_axis_matches_circular_segments(angle):
    rot = rotation((1, 0.5, 0), angle)
    r = 10.0
    polys = stack(circle_uv(r, 720), np.arange(0.0, 10.1, 2.5), rot=rot)
    across = rot[:, 0]
    grid = dose_grid((3.0, 1.5, 2.5))
    dose = fill(grid, lambda p: 10.0 + 1.0 * (p @ across))
    dvh = compute_dvh(polys, dose, grid)
    height = 12.5
    for d in (-8.0, -3.0, 0.0, 4.0, 9.0):
        segment = r * r * np.arccos(d / r) - d * np.sqrt(r * r - d * d)
        assert volume_at_dose_gy(dvh, 10.0 + d) == pytest.approx(segment * height / 1000,
                                                                 abs=0.002 * dvh.volume_cc)
    assert dvh.dmin_gy == pytest.approx(0.0, abs=0.01)
    assert dvh.dmax_gy == pytest.approx(20.0, abs=0.01)


@pytest.mark.parametrize("angle", [0.0, 25.0])
def test_rotated_cone_matches_the_slab_model_distribution(angle):
    rot = rotation((0.3, 1, 0), angle)
    spacing, height, base = 3.0, 24.0, 12.0
    offsets = np.arange(0.0, height + 0.1, spacing)
    radii = base * (1 - offsets / height)
    radii[-1] = 0.05  # a tiny tip contour, as planning systems write it
    polys = [p for z, rr in zip(offsets, radii, strict=True)
             for p in stack(circle_uv(rr, 360), [z], rot=rot)]
    grid = dose_grid((2.0, 2.0, 2.0))
    g = 0.5
    dose = fill(grid, lambda p: 20.0 + g * (p @ rot[:, 2]))
    dvh = compute_dvh(polys, dose, grid)
    model = build_slab_model(polys)
    # along the axis, the slab model is piecewise constant area: exact cumulative curve
    for t in np.linspace(-1.4, 25.4, 12):
        expected = sum(p.area_mm2 * max(0.0, p.upper_mm - max(p.lower_mm, t))
                       for p in model.planes) / 1000
        assert dvh.cumulative_at(20.0 + g * t) == pytest.approx(expected, abs=1e-3 * dvh.volume_cc)
    # Dmax sits on the tip contour's cap face, half a spacing beyond it
    assert dvh.dmax_gy == pytest.approx(20.0 + g * (height + spacing / 2), abs=1e-3)
    assert dvh.dmin_gy == pytest.approx(20.0 - g * spacing / 2, abs=1e-3)


def test_ring_with_hole_excludes_the_hole():
    def ring(_z):
        return [circle_uv(15.0, 720), circle_uv(6.0, 720, clockwise=True)]

    polys = stack_of(ring, np.arange(-4.0, 4.1, 2.0))
    grid = dose_grid((2.0, 2.0, 2.0))
    # radial dose: the hole (r < 6) is hot and must not count
    dose = fill(grid, lambda p: 50.0 - 2.0 * np.hypot(p[..., 0], p[..., 1]))
    dvh = compute_dvh(polys, dose, grid)
    area = polygon_area_circle(15.0, 720) - polygon_area_circle(6.0, 720)
    assert dvh.volume_cc == pytest.approx(area * 10 / 1000, rel=1e-9)
    # trilinear interpolation of a cone-shaped dose is not exact: a 2 % band
    assert dvh.dmax_gy == pytest.approx(50.0 - 2 * 6.0, rel=0.02)
    assert dvh.dmin_gy == pytest.approx(50.0 - 2 * 15.0, rel=0.02)
    assert volume_at_dose_gy(dvh, 38.5) < 0.005 * dvh.volume_cc


def test_small_structure_gets_sub_voxel_sampling():
    grid = dose_grid((3.0, 3.0, 3.0))
    dose = fill(grid, lambda p: 10.0 + 2.0 * p[..., 1])
    polys = stack(circle_uv(1.5, 90), [0.0, 0.5, 1.0])  # about 0.01 cc
    dvh = compute_dvh(polys, dose, grid)
    assert dvh.volume_cc == pytest.approx(polygon_area_circle(1.5, 90) * 1.5 / 1000)
    assert dvh.dmin_gy == pytest.approx(7.0, abs=0.01)
    assert dvh.dmax_gy == pytest.approx(13.0, abs=0.01)
    # rows quantise v: at most half a row pitch (0.037 mm here) times the gradient
    assert dose_at_volume_percent(dvh, 50) == pytest.approx(10.0, abs=0.03)
    assert np.isnan(dose_at_volume_cc(dvh, 0.03))


def test_structure_outside_the_dose_grid_gets_the_outside_dose():
    grid = dose_grid((2.0, 2.0, 2.0), lo=(-20, -20, -20), hi=(20, 20, 20))
    dose = fill(grid, lambda p: 5.0 + 0 * p[..., 0])
    polys = stack(square_uv(5.0, center=(20.0, 0.0)), np.arange(-4.0, 4.1, 2.0))
    dvh = compute_dvh(polys, dose, grid, outside_gy=0.0)
    assert dvh.outside_volume_cc == pytest.approx(dvh.volume_cc / 2, rel=0.05)
    assert volume_at_dose_gy(dvh, 4.0, relative=True) == pytest.approx(50.0, abs=2.5)


def test_paddick_conformity_index():
    grid = dose_grid((1.0, 1.0, 1.0), lo=(-30, -30, -30), hi=(30, 30, 30))
    # 60 Gy for x >= -5 mm, 0 below: trilinear reaches 59 Gy at x = -5 - 1/60 mm
    dose = fill(grid, lambda p: np.where(p[..., 0] >= -5.0, 60.0, 0.0))
    target = stack(square_uv(10.0), np.arange(-9.5, 9.6, 1.0))  # a 20 mm cube
    dvh = compute_dvh(target, dose, grid)
    tv_piv = (10.0 + 5.0 + 1 / 60) * 400 / 1000
    assert volume_at_dose_gy(dvh, 59.0) == pytest.approx(tv_piv, rel=1e-3)
    ci = paddick_conformity_index(dvh, 59.0, prescription_isodose_volume_cc=12.0)
    assert ci == pytest.approx(tv_piv**2 / (8.0 * 12.0), rel=2e-3)


def test_sphere_volume_and_dvh_in_a_gradient():
    r, spacing = 10.0, 0.5
    offsets = np.arange(-r + spacing / 2, r, spacing)

    def disc(z):
        return [circle_uv(np.sqrt(r * r - z * z), 720)]

    polys = stack_of(disc, offsets)
    exact = 4 / 3 * np.pi * r**3 / 1000
    grid = dose_grid((2.0, 3.0, 2.5))
    dose = fill(grid, lambda p: 30.0 + 1.0 * p[..., 2])
    dvh = compute_dvh(polys, dose, grid)
    assert dvh.volume_cc == pytest.approx(exact, rel=0.003)
    assert dvh.dmean_gy == pytest.approx(30.0, abs=0.01)
    for h in (1.0, 5.0, 10.0, 15.0):  # spherical cap above z = r - h
        cap = np.pi * h * h * (3 * r - h) / 3 / 1000
        assert dvh.cumulative_at(30.0 + r - h) == pytest.approx(cap, abs=0.004 * exact)
    assert dvh.edges_percent(60.0)[100] == pytest.approx(100 * dvh.edges_gy[100] / 60.0)
