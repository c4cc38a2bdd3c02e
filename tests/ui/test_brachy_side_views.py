"""Brachytherapy in the slice views (issue 14 point 6): only what lies near the plane,
and reference points as labelled markers, at their positions in mm."""

from __future__ import annotations

import warnings

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.plan_geometry import FADE_HALF_SLABS, brachy_drawing, clip_to_slab, fade
from rtviewer.view.reference_points import markers_on_view, reference_points
from rtviewer.view.scene import Scene
from rtviewer.view.view_geometry import DisplayFrame

HFS = DisplayFrame.hfs()
PROSTATE_RS = ("slicerrt-eclipse-prostate/"
               "RS.1.2.246.352.71.4.2088656855.2404649.20110920153449.dcm")


def test_a_polyline_is_cut_exactly_at_the_slab_faces():
    # a line rising 1 mm in depth per 2 mm along s, from depth -4 to +4 mm
    s = np.linspace(-8.0, 8.0, 5)
    st = np.column_stack([s, np.zeros(5)])
    clipped = clip_to_slab(st, s / 2.0, -1.5, 1.5)
    finite = clipped[np.isfinite(clipped[:, 0])]
    assert finite[:, 0].min() == pytest.approx(-3.0) and finite[:, 0].max() == pytest.approx(3.0)
    assert np.all(np.isnan(clipped[2::3]))  # one NaN row after each piece
    assert clip_to_slab(st, s / 2.0, 5.0, 9.0).size == 0
    assert fade(np.array([0.0, 1.5, 3.0, 4.5, 6.0]), 1.5) == pytest.approx([1, 1, 0.5, 0, 0])


def test_side_views_draw_only_the_dwell_positions_and_channel_parts_near_the_plane(corpus):
    plan = read_plan(corpus / "pytg43-brachy/oncentra/RP.oncentra.dcm")
    channels = plan.brachy.channels
    dwell = np.concatenate([c.dwell_positions_mm[c.dwell_times_s > 0] for c in channels])
    half = 1.5  # a 3 mm image
    for view in ("sagittal", "coronal", "axial"):
        _u, _v, n = HFS.axes(view)
        depth = float(dwell[len(dwell) // 2] @ n)
        drawing = brachy_drawing(plan, HFS, view, depth, half)
        distance = dwell @ n - depth
        shown = np.abs(distance) <= FADE_HALF_SLABS * half
        assert 0 < shown.sum() < len(dwell)
        assert drawing.hidden == int((~shown).sum())
        np.testing.assert_allclose(drawing.dwell_st, HFS.to_view(view, dwell[shown])[:, :2],
                                   atol=1e-9)
        np.testing.assert_allclose(drawing.alpha, fade(distance[shown], half))
        assert np.all(drawing.alpha[np.abs(distance[shown]) <= half] == 1.0)
        # every drawn channel point lies on a channel, within half a slab of the plane
        near = drawing.paths_st[np.isfinite(drawing.paths_st[:, 0])]
        assert len(near) > 0
        for st in near:
            gap = min(_distance_to_path(st, depth, c.control_point_positions_mm, view,
                                        half) for c in channels)
            assert gap < 1e-6


def _distance_to_path(st, depth, cps, view, half):
    """Distance (mm) from a view point to the parts of a channel's polyline whose depth
    lies within ``half`` of ``depth`` (each segment's part found by its two crossings)."""
    view_xyz = HFS.to_view(view, cps)
    best = np.inf
    for p, q in zip(view_xyz[:-1], view_xyz[1:], strict=True):
        dp, dq = p[2] - depth, q[2] - depth
        if abs(dq - dp) < 1e-12:
            if abs(dp) > half:
                continue
            lo, hi = 0.0, 1.0
        else:
            ends = sorted(((-half - dp) / (dq - dp), (half - dp) / (dq - dp)))
            lo, hi = max(0.0, ends[0]), min(1.0, ends[1])
            if lo > hi:
                continue
        a, b = p[:2] + lo * (q[:2] - p[:2]), p[:2] + hi * (q[:2] - p[:2])
        ab = b - a
        lam = 0.0 if ab @ ab < 1e-18 else float(np.clip((st - a) @ ab / (ab @ ab), 0, 1))
        best = min(best, float(np.hypot(*(a + lam * ab - st))))
    return best


def test_brachy_reference_points_are_labelled_markers_at_their_coordinates(corpus):
    plan = read_plan(corpus / "pytg43-brachy/oncentra/RP.oncentra.dcm")
    points = reference_points(plan, None)
    assert [p.label for p in points[:3]] == ["P1", "P2", "Dose ref 3"]
    assert points[0].xyz_mm == pytest.approx((-10.359126, -34.705711, -626.0))
    markers = markers_on_view(points, HFS, "axial", -626.0, 1.5)
    by_label = {m.label: m for m in markers}
    assert set(by_label) == {"P1", "P2"}  # the others lie 11 mm and more away
    assert by_label["P1"].st == pytest.approx((-10.359126, -34.705711))
    assert by_label["P2"].alpha == 1.0
    # 3 mm off the plane: faded to a half; 5 mm: gone
    assert markers_on_view(points[:1], HFS, "axial", -623.0, 1.5)[0].alpha == pytest.approx(0.5)
    assert markers_on_view(points[:1], HFS, "axial", -621.0, 1.5) == []


def _with_point_roi(corpus, tmp_path, xyz):
    """The Eclipse prostate set with a POINT contour added to its MARKER ROI 'XApprox'."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(corpus / PROSTATE_RS)
    number = next(r.ROINumber for r in ds.StructureSetROISequence if r.ROIName == "XApprox")
    item = next(c for c in ds.ROIContourSequence if c.ReferencedROINumber == number)
    contour = Dataset()
    contour.ContourGeometricType = "POINT"
    contour.NumberOfContourPoints = 1
    contour.ContourData = [f"{v:g}" for v in xyz]
    item.ContourSequence = [contour]
    path = tmp_path / "rs_point.dcm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.save_as(path, enforce_file_format=False)
    return read_structure_set(path)


def test_rtstruct_points_are_drawn_as_labelled_markers_on_the_views(qtbot, corpus, tmp_path):
    xyz = (12.5, -20.0, 7.5)
    structures = _with_point_roi(corpus, tmp_path, xyz)
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(Scene(structures=structures), position_mm=np.array(xyz))
    for name, view in viewer.views.items():
        overlay = viewer.rt_views.points[name]
        (marker,) = overlay.markers
        assert marker.label == "XApprox" and marker.alpha == 1.0
        assert marker.st == pytest.approx(tuple(view.patient_to_view(np.array(xyz))))
        spots = overlay.points_item.data
        assert (spots[0]["x"], spots[0]["y"]) == pytest.approx(marker.st)
        label = next(lb for lb in overlay._point_labels if lb.toPlainText())
        assert label.toPlainText() == "XApprox"
        assert (label.pos().x(), label.pos().y()) == pytest.approx(marker.st)
    # 10 mm off the axial plane: not drawn there, still in the two others
    viewer.state.set_crosshair_mm(np.array(xyz) + (0.0, 0.0, 10.0))
    assert viewer.rt_views.points["axial"].markers == []
    assert len(viewer.rt_views.points["sagittal"].markers) == 1


def test_without_an_image_the_slab_is_the_contour_spacing_else_the_dwell_step(corpus):
    folder = corpus / "pytg43-brachy/oncentra"
    plan = read_plan(folder / "RP.oncentra.dcm")
    structures = read_structure_set(folder / "RS.oncentra.dcm")
    with_contours = Scene(structures=structures, plan=plan)
    z = sorted({round(float(c.points_mm[0, 2]), 3) for roi in structures.rois
                for c in roi.contours if c.is_closed})
    spacing = float(np.median(np.diff(z)))
    assert with_contours.slab_mm("sagittal") == pytest.approx(spacing, abs=1e-3)
    # the plan alone: the median step between consecutive source positions
    steps = np.concatenate([np.linalg.norm(np.diff(c.dwell_positions_mm, axis=0), axis=1)
                            for c in plan.brachy.channels])
    assert Scene(plan=plan).slab_mm("coronal") == pytest.approx(
        float(np.median(steps[steps > 1e-6])))
