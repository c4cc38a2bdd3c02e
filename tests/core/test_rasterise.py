import numpy as np
import pytest
from core_shapes import circle_uv, polygon_area_circle, rotation, square_uv, stack, stack_of
from skimage.draw import polygon as skimage_polygon

from rtviewer.core.grid import Grid
from rtviewer.core.rasterise import even_odd_raster, in_plane_samples, structure_mask
from rtviewer.core.scanline import scanline_spans
from rtviewer.core.slab_model import build_slab_model


def test_spans_are_exact_row_coverage_with_holes():
    ring = [circle_uv(10.0, 2000), circle_uv(4.0, 2000, clockwise=True)]
    row, u0, u1 = scanline_spans(ring, (-9.5, 1.0, 20))
    lengths = np.bincount(row, weights=u1 - u0, minlength=20)
    v = -9.5 + np.arange(20)
    expected = 2 * np.sqrt(100 - v**2) - 2 * np.sqrt(np.clip(16 - v**2, 0, None))
    np.testing.assert_allclose(lengths, expected, atol=2e-3)


def test_raster_matches_skimage_for_one_polygon():
    rng = np.random.default_rng(3)
    t = np.sort(rng.uniform(0, 2 * np.pi, 40))
    r = rng.uniform(5, 15, 40)
    poly = np.column_stack([20 + r * np.cos(t), 18 + r * np.sin(t)])
    ours = even_odd_raster([poly], (0.0, 0.0), (1.0, 1.0), (40, 45))
    ref = np.zeros((40, 45), bool)
    rr, cc = skimage_polygon(poly[:, 1], poly[:, 0], shape=(40, 45))
    ref[rr, cc] = True
    # both test pixel centres; they may differ only on centres lying on an edge
    assert np.count_nonzero(ours != ref) <= 2
    assert ours.sum() == pytest.approx(ref.sum(), abs=2)


def test_in_plane_samples_integrate_the_exact_area_and_centroid():
    model = build_slab_model(stack_of(
        lambda z: [circle_uv(12.0, 720, center=(3.0, -2.0)), square_uv(3.0, center=(3.0, -2.0))],
        [0.0, 1.0]))
    plane = model.planes[0]
    points, area = in_plane_samples(plane, 0.4, row_phase=0.3, column_seed=0.2)
    assert area.sum() == pytest.approx(polygon_area_circle(12.0, 720) - 36.0)
    np.testing.assert_allclose(np.average(points, axis=0, weights=area), [3.0, -2.0], atol=0.02)
    assert not np.any((np.abs(points[:, 0] - 3) < 2.9) & (np.abs(points[:, 1] + 2) < 2.9))


def test_structure_mask_on_axial_grid_is_a_crop_with_the_right_volume():
    grid = Grid(affine=np.diag([0.5, 0.6, 1.0, 1.0]) + np.array(
        [[0, 0, 0, -40], [0, 0, 0, -40], [0, 0, 0, -20], [0, 0, 0, 0]]), shape=(41, 134, 161))
    polys = stack(circle_uv(10.0, 720), np.arange(-10.0, 10.1, 2.0))
    model = build_slab_model(polys)
    crop = structure_mask(model, grid)
    assert crop.mask.shape[0] < 30 and crop.mask.shape[1] < 50  # a crop, not the full grid
    volume = crop.voxel_count() * grid.voxel_volume_mm3
    assert volume == pytest.approx(model.volume_mm3, rel=0.02)
    full = crop.to_full()
    assert full.shape == grid.shape and full.sum() == crop.voxel_count()
    # slab faces: planes at -10..10 mm with 1 mm caps -> z in [-11, 11)
    zs = grid.axis_centers_mm(2)[:, 2][full.any(axis=(1, 2))]
    assert zs.min() == pytest.approx(-11.0) and zs.max() == pytest.approx(10.0)


def test_structure_mask_on_oblique_grid_agrees_with_axial():
    rot = rotation((1, 1, 1), 20)
    affine = np.eye(4)
    affine[:3, :3] = rot @ np.diag([0.7, 0.7, 0.7])
    affine[:3, 3] = rot @ np.array([-20.0, -20.0, -20.0])
    grid = Grid(affine=affine, shape=(58, 58, 58))
    polys = stack(circle_uv(9.0, 360), np.arange(-9.0, 9.1, 1.5))
    model = build_slab_model(polys)
    crop = structure_mask(model, grid)
    assert crop.voxel_count() * grid.voxel_volume_mm3 == pytest.approx(model.volume_mm3,
                                                                       rel=0.02)
