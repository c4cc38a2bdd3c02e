import numpy as np
import pytest
from core_shapes import circle_uv, polygon_area_circle, rotation, square_uv, stack, stack_of

from rtviewer.core.slab_model import build_slab_model, even_odd_area_mm2
from rtviewer.core.structure_volume import structure_volume_cc


def test_cube_includes_half_spacing_caps():
    # 11 planes 2 mm apart spanning 20 mm; slab model adds 1 mm each end -> 22 mm tall
    polys = stack(square_uv(10.0), np.arange(0.0, 20.1, 2.0))
    assert structure_volume_cc(polys) == pytest.approx(20 * 20 * 22 / 1000.0, rel=1e-12)


def test_nelms_cylinder_truth_pi_r2_h_plus_spacing():
    # Nelms Cylinder_30: r = 12 mm, contours over h = 24 mm at 3 mm -> pi r^2 (h + 3)
    n = 2000
    polys = stack(circle_uv(12.0, n), np.arange(-12.0, 12.1, 3.0))
    expected = polygon_area_circle(12.0, n) * (24 + 3) / 1000.0
    assert structure_volume_cc(polys) == pytest.approx(expected, rel=1e-12)
    assert structure_volume_cc(polys) == pytest.approx(np.pi * 144 * 27 / 1000, rel=1e-5)


@pytest.mark.parametrize("clockwise_hole", [False, True])
def test_ring_with_hole_subtracts_whatever_the_orientation(clockwise_hole):
    def ring(_z):
        return [circle_uv(20.0, 1000), circle_uv(8.0, 1000, clockwise=clockwise_hole)]

    polys = stack_of(ring, [0.0, 2.5, 5.0])
    area = polygon_area_circle(20.0, 1000) - polygon_area_circle(8.0, 1000)
    assert structure_volume_cc(polys) == pytest.approx(area * 7.5 / 1000, rel=1e-12)


def test_island_inside_hole_and_disjoint_parts():
    polys = [square_uv(10), square_uv(6), square_uv(2), square_uv(3, center=(30, 0))]
    expected = 400 - 144 + 16 + 36
    assert even_odd_area_mm2(polys) == pytest.approx(expected)


@pytest.mark.parametrize("axis,angle", [((1, 0, 0), 90), ((0, 1, 0), 90), ((1, 2, 3), 37)])
def test_non_axial_planes_give_the_same_volume(axis, angle):
    rot = rotation(axis, angle)
    polys = stack(circle_uv(7.0, 500), np.arange(0.0, 9.0, 1.5), rot=rot, shift=(5, -40, 12))
    expected = polygon_area_circle(7.0, 500) * (7.5 + 1.5) / 1000
    assert structure_volume_cc(polys) == pytest.approx(expected, rel=1e-9)
    model = build_slab_model(polys)
    assert abs(abs(float(model.normal @ rot[:, 2])) - 1) < 1e-12


def test_contour_order_and_duplicate_closing_vertex_do_not_matter():
    polys = stack(square_uv(5.0), [4.0, 0.0, 2.0])
    closed = [np.vstack([p, p[:1]]) for p in polys]
    assert structure_volume_cc(closed) == pytest.approx(100 * 6 / 1000)


def test_gap_is_not_bridged_and_pieces_get_their_own_caps():
    polys = stack(square_uv(5.0), [0.0, 2.0, 4.0, 20.0, 22.0])
    # pieces: 3 planes -> 6 mm, 2 planes -> 4 mm, nominal spacing 2 mm
    assert structure_volume_cc(polys) == pytest.approx(100 * (6 + 4) / 1000)


def test_single_plane_needs_a_spacing():
    polys = stack(square_uv(5.0), [3.0])
    assert structure_volume_cc(polys) == 0.0
    assert structure_volume_cc(polys, plane_spacing_mm=2.5) == pytest.approx(100 * 2.5 / 1000)


def test_nearly_coplanar_contours_share_a_plane():
    polys = stack(square_uv(5.0), [0.0, 2.0, 4.0]) + stack(square_uv(1.0), [2.01])
    model = build_slab_model(polys)
    assert len(model.planes) == 3
    assert model.planes[1].area_mm2 == pytest.approx(96.0)


def test_degenerate_input():
    assert structure_volume_cc([]) == 0.0
    assert structure_volume_cc([np.zeros((2, 3))]) == 0.0
    with pytest.raises(ValueError, match="polygons_mm"):
        structure_volume_cc([np.zeros((4, 2))])


def test_overlapping_contours_leave_their_overlap_out():
    a = square_uv(2.0, center=(2.0, 2.0))
    b = square_uv(2.0, center=(4.0, 4.0))
    assert even_odd_area_mm2([a, b]) == pytest.approx(16 + 16 - 2 * 4)
    polys = stack_of(lambda z: [a, b], [0.0, 1.0])
    assert structure_volume_cc(polys) == pytest.approx(24 * 2 / 1000)


def test_contours_scattered_around_their_slice_stay_one_plane():
    # a ring whose hole was written 0.08 mm off its slice (rounded oblique coordinates)
    def ring(z):
        return [circle_uv(10.0, 400), circle_uv(4.0, 400)]

    polys = stack_of(ring, [0.0, 2.5, 5.0, 7.5])
    for index in (1, 3, 5, 7):  # the holes
        polys[index] = polys[index] + [0.0, 0.0, 0.08]
    model = build_slab_model(polys)
    assert len(model.planes) == 4
    area = polygon_area_circle(10.0, 400) - polygon_area_circle(4.0, 400)
    assert structure_volume_cc(polys) == pytest.approx(area * 10 / 1000, rel=1e-3)
