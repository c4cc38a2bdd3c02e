"""Display frame, orientation labels, plane cuts and contour outlines (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.core.grid import Grid
from rtviewer.core.slab_model import build_slab_model
from rtviewer.view.contour_geometry import roi_outline
from rtviewer.view.view_geometry import DisplayFrame, orientation_label, slice_volume


def _grid(orientation, spacing=(2.0, 1.0), step=(0, 0, 3.0), shape=(4, 5, 6)):
    return Grid.from_dicom_geometry(image_position_mm=(10, 20, 30), image_orientation=orientation,
                                    pixel_spacing_mm=spacing, slice_step_mm=step, shape=shape)


@pytest.mark.parametrize(("orientation", "step", "labels"), [
    ((1, 0, 0, 0, 1, 0), (0, 0, 3), {"left": "R", "right": "L", "top": "A", "bottom": "P"}),
    ((-1, 0, 0, 0, -1, 0), (0, 0, 3), {"left": "L", "right": "R", "top": "P", "bottom": "A"}),
    ((-1, 0, 0, 0, 1, 0), (0, 0, -3), {"left": "L", "right": "R", "top": "A", "bottom": "P"}),
])
def test_axial_labels_follow_the_affine(orientation, step, labels):
    frame = DisplayFrame.from_grid(_grid(orientation, step=step))
    assert frame.edge_labels("axial") == labels


def test_sagittal_and_coronal_put_the_gantry_end_on_top():
    hfs = DisplayFrame.from_grid(_grid((1, 0, 0, 0, 1, 0)))
    assert hfs.edge_labels("coronal") == {"left": "R", "right": "L", "top": "H", "bottom": "F"}
    assert hfs.edge_labels("sagittal") == {"left": "A", "right": "P", "top": "H", "bottom": "F"}
    ffs = DisplayFrame.from_grid(_grid((-1, 0, 0, 0, 1, 0), step=(0, 0, -3)))
    assert ffs.edge_labels("coronal") == {"left": "L", "right": "R", "top": "F", "bottom": "H"}


def test_orientation_label_of_oblique_direction():
    assert orientation_label(np.array([0.8, -0.6, 0.0])) == "LA"


@pytest.mark.parametrize("orientation", [(1, 0, 0, 0, 1, 0), (-1, 0, 0, 0, -1, 0)])
@pytest.mark.parametrize("view", ["axial", "sagittal", "coronal"])
def test_plane_affine_maps_pixels_to_their_patient_position(orientation, view):
    grid = _grid(orientation)
    volume = np.random.default_rng(0).random(grid.shape).astype(np.float32)
    frame = DisplayFrame.from_grid(grid)
    u, v, n = frame.axes(view)
    centre = grid.index_to_patient([2, 3, 1])
    plane = slice_volume(grid, volume, frame, view, float(centre @ n), linear=False)
    rows, cols = plane.values.shape
    for r, c in [(0, 0), (rows - 1, cols - 1), (1, 2)]:
        s, t = plane.affine @ [c, r, 1.0]
        xyz = s * u + t * v + float(centre @ n) * n
        ijk = np.rint(grid.patient_to_index(xyz)).astype(int)
        assert np.allclose(grid.patient_to_index(xyz), ijk, atol=1e-9)
        assert plane.values[r, c] == volume[ijk[2], ijk[1], ijk[0]]


def test_linear_slice_interpolates_between_planes():
    grid = _grid((1, 0, 0, 0, 1, 0))
    k = np.arange(grid.shape[0], dtype=np.float32)[:, None, None]
    volume = np.broadcast_to(k * 10, grid.shape).copy()
    frame = DisplayFrame.from_grid(grid)
    plane = slice_volume(grid, volume, frame, "axial", 30 + 1.5, linear=True)
    assert np.allclose(plane.values, 5.0)
    assert slice_volume(grid, volume, frame, "axial", 30 - 0.1, linear=True) is None
    assert slice_volume(grid, volume, frame, "axial", 30 - 1.4, linear=False) is not None


def _square(z, half=10.0):
    return np.array([[-half, -half, z], [half, -half, z], [half, half, z], [-half, half, z]])


def test_cut_outline_has_flat_caps_half_a_spacing_beyond_the_contours():
    ring = [_square(z) for z in (0.0, 2.0, 4.0)] + [_square(2.0, 5.0)]
    model = build_slab_model(ring)
    frame = DisplayFrame.hfs()
    out = roi_outline(model, frame, "coronal", 0.0)  # plane y = 0 crosses the hole at z=2
    t = out.t[np.isfinite(out.t)]
    s = out.s[np.isfinite(out.s)]
    assert np.isclose(t.min(), -5.0) and np.isclose(t.max(), 1.0)  # t = -z, caps at -1 .. 5
    assert np.isclose(s.min(), -10.0) and np.isclose(s.max(), 10.0)
    assert np.any(np.isclose(s, 5.0))  # the hole's edges are drawn
    area = sum(np.ptp(c[:, 0]) * np.ptp(c[:, 1]) for c in out.fill_polygons)
    assert np.isclose(area, 20 * 6 - 10 * 2)


def test_axial_outline_uses_the_slab_containing_the_slice():
    model = build_slab_model([_square(z) for z in (0.0, 2.0)])
    frame = DisplayFrame.hfs()
    assert not roi_outline(model, frame, "axial", 2.9).empty
    assert roi_outline(model, frame, "axial", 3.1).empty
    assert roi_outline(model, frame, "axial", -1.1).empty
