"""Beam apertures, field edges in patient planes, and DRRs: analytic truths."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.core.beam_aperture import aperture_polygons, leaf_rectangles
from rtviewer.core.beam_outline import arc_span, central_axis, field_in_plane
from rtviewer.core.drr import drr
from rtviewer.core.grid import Grid
from rtviewer.core.iec61217 import BeamGeometry

ISO = np.array([10.0, -20.0, 30.0])
SQUARE = aperture_polygons(jaw_x_mm=(-40, 60), jaw_y_mm=(-20, 30))


def test_mlc_aperture_clipped_by_jaws():
    bounds = np.arange(-30.0, 31.0, 10.0)  # 6 pairs, 10 mm wide
    bank_a = np.array([-5, -10, -20, -20, 0, 0.0])
    bank_b = np.array([5, 10, 20, 40, 0, 0.0])   # last two pairs closed
    polys = aperture_polygons(jaw_x_mm=(-15, 30), jaw_y_mm=(-25, 10),
                              mlc_mm=np.concatenate([bank_a, bank_b]),
                              leaf_boundaries_mm=bounds)
    assert len(polys) == 1
    p = polys[0]
    assert p[:, 1].min() == -25 and p[:, 1].max() == 10
    assert p[:, 0].min() == -15 and p[:, 0].max() == 30  # 40 clipped by X2 = 30
    # area: pair 0 (-25..-20, width 10), pair 1 (-20..-10, 20), pair 2 (-10..0, 35),
    # pair 3 (0..10, 45)
    x, y = p[:, 0], p[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
    assert area == pytest.approx(5 * 10 + 10 * 20 + 10 * 35 + 10 * 45)


def test_separate_openings_and_mlcy():
    bounds = np.array([-10.0, 0.0, 10.0, 20.0])
    leaves = np.array([-5, 0, 10, 5, 0, 15.0])  # pair 1 closed: two openings
    polys = aperture_polygons(jaw_x_mm=(-50, 50), jaw_y_mm=(-50, 50), mlc_mm=leaves,
                              leaf_boundaries_mm=bounds)
    assert len(polys) == 2
    polys_y = aperture_polygons(jaw_x_mm=(-50, 50), jaw_y_mm=(-50, 50), mlc_mm=leaves,
                                leaf_boundaries_mm=bounds, mlc_axis="Y")
    np.testing.assert_allclose(polys_y[0], polys[0][:, ::-1])
    rects = leaf_rectangles(leaves, bounds, mlc_axis="X", reach_mm=100)
    assert rects.shape == (6, 4, 2)
    assert rects[3, 0].tolist() == [5.0, -10.0]  # bank B leaf 0 tip


def test_unbounded_field_raises():
    with pytest.raises(ValueError, match="both X and Y"):
        aperture_polygons(jaw_y_mm=(-5, 5))


@pytest.mark.parametrize(("position", "gantry", "depth_axis", "sign"), [
    ("HFS", 0, 1, -1),   # from anterior: the source is at -y
    ("HFS", 90, 0, +1),  # from the patient's left: +x
    ("HFP", 0, 1, +1),   # prone: gantry 0 enters posterior
    ("FFS", 90, 0, -1),  # feet first: gantry 90 is the patient's right
    ("FFP", 90, 0, +1),
])
def test_field_edges_scale_with_distance(position, gantry, depth_axis, sign):
    g = BeamGeometry(gantry_deg=gantry, isocenter_mm=ISO, patient_position=position)
    assert (g.source_mm - ISO)[depth_axis] == pytest.approx(sign * 1000.0)
    for shift in (-200.0, 0.0, 150.0):  # towards the source is -sign
        point = ISO.copy()
        point[depth_axis] -= sign * shift
        normal = np.eye(3)[depth_axis]
        (poly,) = field_in_plane(g, SQUARE, plane_point_mm=point, plane_normal=normal)
        np.testing.assert_allclose(poly[:, depth_axis], point[depth_axis])
        scale = (1000.0 + shift) / 1000.0
        lateral = poly - point
        extent = np.ptp(lateral, axis=0)
        # the field spans (100 x 50) mm at isocentre, scaled by distance from the source
        assert sorted(extent[[a for a in range(3) if a != depth_axis]]) == pytest.approx(
            [50.0 * scale, 100.0 * scale])


def test_hfs_gantry0_jaws_land_on_patient_axes():
    # HFS gantry 0, collimator 0: Xb is the patient's left (+x), Yb points to the head (+z)
    g = BeamGeometry(gantry_deg=0.0, isocenter_mm=ISO)
    (poly,) = field_in_plane(g, SQUARE, plane_point_mm=ISO + [0, 100, 0], plane_normal=(0, 1, 0))
    assert poly[:, 0].min() - ISO[0] == pytest.approx(-44.0)
    assert poly[:, 0].max() - ISO[0] == pytest.approx(66.0)
    assert poly[:, 2].min() - ISO[2] == pytest.approx(-22.0)
    assert poly[:, 2].max() - ISO[2] == pytest.approx(33.0)


def test_collimator_and_couch_rotation():
    g = BeamGeometry(gantry_deg=0.0, collimator_deg=90.0, isocenter_mm=ISO)
    (poly,) = field_in_plane(g, SQUARE, plane_point_mm=ISO, plane_normal=(0, 1, 0))
    # collimator 90 (CCW seen from the source side below): Xb turns to +Zf... -> jaws X now
    # span the patient's z, jaws Y the patient's x
    assert np.ptp(poly[:, 2]) == pytest.approx(100.0)
    assert np.ptp(poly[:, 0]) == pytest.approx(50.0)
    g = BeamGeometry(gantry_deg=90.0, couch_deg=90.0, isocenter_mm=ISO)
    axis = central_axis(g, t_range=(0.0, 1.0))
    np.testing.assert_allclose(axis[0], ISO + [0, 0, -1000.0], atol=1e-9)


def test_plane_through_source_gives_fan():
    g = BeamGeometry(gantry_deg=0.0, isocenter_mm=ISO)
    (quad,) = field_in_plane(g, SQUARE, plane_point_mm=ISO, plane_normal=(0, 0, 1),
                             t_range=(0.5, 1.5))
    np.testing.assert_allclose(quad[:, 2], ISO[2])
    # at t = 1.5 (500 mm beyond the isocentre) the X edges are 1.5 x (-40, 60)
    far = quad[np.isclose(quad[:, 1], ISO[1] + 500.0)]
    assert sorted(far[:, 0] - ISO[0]) == pytest.approx([-60.0, 90.0])


def test_plane_missing_the_beam():
    g = BeamGeometry(gantry_deg=0.0, isocenter_mm=ISO)
    out = field_in_plane(g, SQUARE, plane_point_mm=ISO + [0, 0, 500], plane_normal=(0, 0, 1),
                         t_range=(0.5, 1.5))
    assert out == []


def test_arc_span_radius():
    gs = [BeamGeometry(gantry_deg=a, isocenter_mm=ISO) for a in (0, 90, 180)]
    pts = arc_span(gs, radius_mm=100)
    np.testing.assert_allclose(pts - ISO, [[0, -100, 0], [100, 0, 0], [0, 100, 0]], atol=1e-9)


def test_drr_of_water_box_is_path_length():
    # a 100 mm water cube (HU 0) in air (HU -1000): a central ray crosses 100 mm of water
    grid = Grid(affine=np.diag([2.0, 2.0, 2.0, 1.0]) + np.c_[np.zeros((4, 3)),
                                                                [-99, -99, -99, 0]],
                shape=(100, 100, 100))
    volume = np.full(grid.shape, -1000.0, dtype=np.float32)
    volume[25:75, 25:75, 25:75] = 0.0
    g = BeamGeometry(gantry_deg=0.0, isocenter_mm=(0, 0, 0))
    image = drr(volume, grid, g, xb_mm=[0.0, 30.0, 80.0], yb_mm=[0.0], step_mm=0.5)
    assert image[0, 0] == pytest.approx(100.0, abs=2.0)
    assert image[0, 2] == pytest.approx(0.0, abs=1e-9)  # misses the cube
    g90 = BeamGeometry(gantry_deg=90.0, isocenter_mm=(0, 0, 0))
    assert drr(volume, grid, g90, [0.0], [0.0], step_mm=0.5)[0, 0] == pytest.approx(100.0,
                                                                                  abs=2.0)


def test_silhouette_of_edge_on_contours_is_the_solid_shadow():
    # a 40 x 40 x 40 mm box contoured every 2 mm on axial planes, seen from gantry 90
    # (HFS): each contour projects to a line, their union to a 40 x 40 mm square (x 1.0)
    from rtviewer.core.silhouette import union_outline

    g = BeamGeometry(gantry_deg=90.0)
    square = np.array([[-20.0, -20], [20, -20], [20, 20], [-20, 20]])
    polys = []
    for z in np.arange(-20.0, 20.1, 0.5):  # copies every half pixel, as the BEV does
        pts = np.column_stack([square, np.full(4, z)])
        polys.append(g.project_to_plane(pts, frame="gantry"))
    (outline,) = union_outline(polys, half_width_mm=50.0, pixel_mm=1.0)
    # the near face (x = +20, 980 mm from the source) magnifies by 1000/980
    assert np.ptp(outline[:, 1]) == pytest.approx(40.0 * 1000 / 980, abs=1.5)
    assert np.ptp(outline[:, 0]) == pytest.approx(40.0 * 1000 / 980, abs=1.5)


def test_union_fill_is_skimage_polygon_fill_of_each_polygon():
    # the one-pass scan-line fill must mark the pixels skimage.draw.polygon marks,
    # polygon by polygon (with the perimeters, which take the centres on an edge):
    # random concave stars, some partly outside the raster, some degenerate
    from skimage.draw import polygon as fill_polygon

    from rtviewer.core.silhouette import _fill_union, _mark_edges

    rng = np.random.default_rng(21)
    polys = []
    for _ in range(200):
        n = int(rng.integers(3, 40))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radius = rng.uniform(0.2, 30.0) * rng.uniform(0.3, 1.0, n)
        centre = rng.uniform(-10, 110, 2)
        rows, cols = centre[0] + radius * np.sin(angles), centre[1] + radius * np.cos(angles)
        polys.append((np.round(rows * 2) / 2, cols))  # vertices on pixel rows too
    polys.append((np.array([5.0, 5.0, 5.0]), np.array([1.0, 9.0, 4.0])))  # edge-on
    expected = np.zeros((100, 100), np.uint8)
    for rows, cols in polys:
        rr, cc = fill_polygon(rows, cols, shape=expected.shape)
        expected[rr, cc] = 1
    # the union takes the polygons as consecutive runs of one vertex array
    rows = np.concatenate([r for r, _ in polys])
    cols = np.concatenate([c for _, c in polys])
    lengths = np.array([len(r) for r, _ in polys])
    got = np.zeros_like(expected)
    _fill_union(got, rows, cols, lengths)
    _mark_edges(expected, rows, cols, lengths)
    _mark_edges(got, rows, cols, lengths)
    assert expected.sum() > 2000
    np.testing.assert_array_equal(got, expected)


def test_edge_marks_skip_only_edges_already_set():
    # _mark_edges skips edges whose pixels the mask holds already; the result must be
    # every pixel a ½-pixel walk along each edge rounds to, added to what was set
    from rtviewer.core.silhouette import _mark_edges

    rng = np.random.default_rng(7)
    lengths = rng.integers(2, 9, 300)
    rows = rng.uniform(-5, 65, int(lengths.sum()))
    cols = rng.uniform(-5, 65, int(lengths.sum()))
    before = (rng.uniform(size=(60, 60)) < 0.6).astype(np.uint8)
    before[20:40, 20:40] = 1  # a filled block: edges inside it are skipped
    expected = before.copy()
    start = 0
    for n in lengths:
        r, c = rows[start:start + n], cols[start:start + n]
        start += n
        for k in range(n):
            r0, c0, r1, c1 = r[k], c[k], r[(k + 1) % n], c[(k + 1) % n]
            count = int(np.ceil(2 * max(abs(r1 - r0), abs(c1 - c0)))) + 1
            for f in np.arange(count) / max(count - 1, 1):
                rr, cc = int(np.rint(r0 + f * (r1 - r0))), int(np.rint(c0 + f * (c1 - c0)))
                if 0 <= rr < 60 and 0 <= cc < 60:
                    expected[rr, cc] = 1
    got = before.copy()
    _mark_edges(got, rows, cols, lengths)
    assert (expected != before).sum() > 500
    np.testing.assert_array_equal(got, expected)


def test_drr_of_an_int16_ct_is_that_of_its_float_values():
    # int16 CTs (the usual volume) take a looked-up attenuation; it must be the
    # float arithmetic's, including the clip at -1000 HU and values far outside
    grid = Grid(affine=np.diag([2.0, 2.0, 2.0, 1.0]) + np.c_[np.zeros((4, 3)),
                                                                [-39, -39, -39, 0]],
                shape=(40, 40, 40))
    rng = np.random.default_rng(3)
    volume = rng.integers(-3000, 3000, grid.shape).astype(np.int16)
    volume[0, 0, :4] = (-32768, 32767, -1000, -1001)
    g = BeamGeometry(gantry_deg=30.0, isocenter_mm=(0, 0, 0))
    xs = np.linspace(-45.0, 45.0, 13)
    as_int = drr(volume, grid, g, xs, xs)
    as_float = drr(volume.astype(np.float32), grid, g, xs, xs)
    assert as_int.max() > 50.0
    np.testing.assert_allclose(as_int, as_float, rtol=1e-6)


def test_half_plane_clip_keeps_the_inside_and_adds_the_crossings_in_order():
    from rtviewer.core.beam_outline import _clip_half_plane

    # a 10 mm square cut by x <= 4 (coeff (-1, 0), offset 4): the left part, with the
    # two crossings on the bottom and top edges, in the square's vertex order
    square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    kept = _clip_half_plane(square, np.array([-1.0, 0.0]), 4.0)
    assert kept.tolist() == [[0.0, 0.0], [4.0, 0.0], [4.0, 10.0], [0.0, 10.0]]
    # a diagonal cut x + y <= 5 leaves a right triangle of area 12.5
    tri = _clip_half_plane(square, np.array([-1.0, -1.0]), 5.0)
    area = 0.5 * abs(np.dot(tri[:, 0], np.roll(tri[:, 1], -1))
                     - np.dot(tri[:, 1], np.roll(tri[:, 0], -1)))
    assert area == pytest.approx(12.5) and len(tri) == 3
    assert _clip_half_plane(square, np.array([1.0, 0.0]), -20.0).shape == (0, 2)  # all out
    assert np.array_equal(_clip_half_plane(square, np.array([1.0, 0.0]), 1.0), square)
