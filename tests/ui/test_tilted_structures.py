"""Structure sets on tilted planes (issue 14 point 1): the slab model cut by any view plane.

Corpus sets are rotated by 6° and 30° about x and about y (``factories.tilted``) and
read back through the reader; the drawn outline is checked in mm against the analytic
cut of the same solid (stacked discs of the Nelms sphere) and, for the Eclipse
prostate set, against an independent inside-test of the unrotated axial set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from factories.tilted import rotation, tilted_copy
from testsupport import corpus_root

from rtviewer.core.slab_model import build_slab_model, points_in_polygon
from rtviewer.dicom.structure import read_structure_set
from rtviewer.view.contour_geometry import roi_outline, section_outline
from rtviewer.view.view_geometry import VIEWS, DisplayFrame

CORPUS = corpus_root()
SPHERE = CORPUS / "nelms-dvh-analytical" / "STRUCTURES" / "Sphere_30_0.dcm"
PROSTATE = (CORPUS / "slicerrt-eclipse-prostate"
            / "RS.1.2.246.352.71.4.2088656855.2404649.20110920153449.dcm")
TILTS = [(6.0, 0.0), (0.0, 6.0), (30.0, 0.0), (0.0, 30.0), (30.0, 6.0)]
FRAME = DisplayFrame.hfs()

pytestmark = pytest.mark.skipif(not SPHERE.exists(), reason="corpus not available")


def _tilted_roi(tmp_path: Path, source: Path, tilt: tuple[float, float], name: str | None,
                centre: np.ndarray):
    r = rotation(*tilt)
    (path,) = tilted_copy([source], r, centre, tmp_path / f"tilt_{tilt[0]:g}_{tilt[1]:g}")
    structures = read_structure_set(path)
    roi = _contoured(structures) if name is None else structures.roi_by_name(name)
    return r, roi


def _contoured(structures):
    """The one ROI with closed contours (a Nelms file also holds the marker ``POI_1``)."""
    (roi,) = [r for r in structures.rois if r.closed_polygons_mm()]
    return roi


def _finite_points(outline) -> np.ndarray:
    keep = np.isfinite(outline.s)
    return np.column_stack([outline.s[keep], outline.t[keep]])


def _segments(outline) -> np.ndarray:
    """``(K, 2, 2)`` drawn segments (consecutive finite points of the polylines)."""
    st = np.column_stack([outline.s, outline.t])
    a, b = st[:-1], st[1:]
    keep = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    return np.stack([a[keep], b[keep]], axis=1)


def _even_odd(points: np.ndarray, polygons) -> np.ndarray:
    hits = np.zeros(len(points), dtype=int)
    for polygon in polygons:
        hits += points_in_polygon(points, np.asarray(polygon))
    return hits % 2 == 1


class _Discs:
    """The Nelms sphere's contours as exact discs: centre and radius per plane (mm)."""

    def __init__(self, roi) -> None:
        pts = [c.points_mm for c in roi.contours if len(c.points_mm) >= 3]
        self.z = np.array([p[0, 2] for p in pts])
        self.centre = np.array([p.mean(axis=0) for p in pts])
        self.radius = np.array([np.linalg.norm(p - p.mean(axis=0), axis=1).mean() for p in pts])
        self.sagitta = np.array([r * (1 - np.cos(np.pi / len(p)))
                                 for r, p in zip(self.radius, pts, strict=True)])
        order = np.argsort(self.z)
        self.z, self.centre, self.radius = self.z[order], self.centre[order], self.radius[order]
        self.sagitta = self.sagitta[order]
        spacing = float(np.median(np.diff(self.z)))
        self.faces = np.concatenate([[self.z[0] - spacing / 2], self.z + spacing / 2])

    def plane_of(self, z: np.ndarray) -> np.ndarray:
        """Index of the slab holding each height, -1 outside the stack."""
        index = np.searchsorted(self.faces, z, side="right") - 1
        return np.where((index >= 0) & (index < self.z.size), index, -1)

    def inside(self, p: np.ndarray) -> np.ndarray:
        index = self.plane_of(p[:, 2])
        safe = np.maximum(index, 0)
        distance = np.hypot(*(p[:, :2] - self.centre[safe, :2]).T)
        return (index >= 0) & (distance <= self.radius[safe])


@pytest.mark.parametrize("tilt", TILTS)
def test_tilted_sphere_outline_lies_on_the_analytic_cut_of_its_discs(tmp_path, tilt):
    original = _contoured(read_structure_set(SPHERE))
    discs = _Discs(original)
    centre = discs.centre.mean(axis=0)
    r, roi = _tilted_roi(tmp_path, SPHERE, tilt, None, centre)
    model = build_slab_model(roi.closed_polygons_mm())
    assert np.allclose(model.normal, r[:, 2], atol=1e-6)  # the planes really are tilted
    checked = 0
    # the three views, and an oblique plane no view offers (the cut takes any plane)
    oblique = rotation(20.0, -35.0)
    planes = [FRAME.axes(view) for view in VIEWS] + [tuple(oblique.T)]
    for u, v, n in planes:
        view = f"plane n={np.round(n, 3)}"
        for offset in (-9.0, -4.0, 0.0, 2.5, 8.0):
            depth = float(centre @ n) + offset
            outline = section_outline(model, u, v, n, depth)
            st = _finite_points(outline)
            assert st.size, (view, offset)
            # back into the unrotated sphere's frame: p0 = R^T (p - c) + c
            p = st[:, :1] * u + st[:, 1:] * v + depth * n
            p0 = (p - centre) @ r + centre
            on_face = np.min(np.abs(p0[:, 2:3] - discs.faces[None]), axis=1) < 1e-6
            index = np.maximum(discs.plane_of(p0[:, 2] - 1e-9), 0)
            radial = np.hypot(*(p0[:, :2] - discs.centre[index, :2]).T)
            # a vertex on a polygon edge: between the chord and the circle, in mm
            on_rim = ((radial <= discs.radius[index] + 1e-6)
                      & (radial >= discs.radius[index] - discs.sagitta[index] - 1e-6))
            assert np.all(on_face | on_rim), (view, offset)
            _check_fill_against(outline, lambda q, u=u, v=v, n=n, depth=depth: discs.inside(
                ((q[:, :1] * u + q[:, 1:] * v + depth * n) - centre) @ r + centre),
                max_sagitta=float(discs.sagitta.max()))
            checked += 1
    assert checked == 20


def _check_fill_against(outline, inside, *, max_sagitta: float) -> None:
    """The fill's even-odd region equals ``inside`` at grid points clear of the boundary."""
    st = _finite_points(outline)
    (s0, t0), (s1, t1) = st.min(axis=0) - 2, st.max(axis=0) + 2
    grid = np.stack(np.meshgrid(np.linspace(s0, s1, 55), np.linspace(t0, t1, 55)), -1)
    q = grid.reshape(-1, 2)
    drawn = _even_odd(q, outline.fill_polygons)
    expected = inside(q)
    segments = _segments(outline)
    a, b = segments[:, 0], segments[:, 1]
    ab = b - a
    lam = np.clip(np.einsum("qkd,kd->qk", q[:, None] - a[None], ab)
                  / np.maximum(np.einsum("kd,kd->k", ab, ab), 1e-12), 0, 1)
    nearest = np.linalg.norm(q[:, None] - (a[None] + lam[..., None] * ab[None]), axis=2).min(1)
    clear = nearest > max_sagitta * 4 + 0.05
    assert np.array_equal(drawn[clear], expected[clear])
    assert expected[clear].any()


@pytest.mark.parametrize("tilt", [(6.0, 0.0), (0.0, 30.0), (30.0, 6.0)])
def test_tilted_prostate_outlines_bound_the_unrotated_axial_set(tmp_path, tilt):
    original = read_structure_set(PROSTATE)
    r = rotation(*tilt)  # about the origin
    (path,) = tilted_copy([PROSTATE], r, np.zeros(3), tmp_path)
    tilted = read_structure_set(path)
    for name in ("PTV", "Bladder", "Rectum", "BODY"):
        axial = build_slab_model(original.roi_by_name(name).closed_polygons_mm())
        model = build_slab_model(tilted.roi_by_name(name).closed_polygons_mm())
        assert abs(model.volume_mm3 - axial.volume_mm3) < 1e-6 * axial.volume_mm3

        def inside(p: np.ndarray, axial=axial) -> np.ndarray:
            """Even-odd slab membership of the *unrotated* axial model (no cut code)."""
            result = np.zeros(len(p), dtype=bool)
            for plane in axial.planes:
                rows = (p[:, 2] >= plane.lower_mm) & (p[:, 2] < plane.upper_mm)
                if rows.any():
                    result[rows] = _even_odd(p[rows, :2], plane.polygons_uv)
            return result

        box = np.array([[p.bounds_uv[0], p.bounds_uv[1], p.offset_mm] for p in axial.planes])
        middle = (box.min(axis=0) + box.max(axis=0)) / 2 @ r.T  # rotated about the origin
        for view in VIEWS:
            u, v, n = FRAME.axes(view)
            depth = float(middle @ n)
            outline = roi_outline(model, FRAME, view, depth)
            segments = _segments(outline)
            assert len(segments) > 8, (name, view)
            mid = segments.mean(axis=1)
            direction = segments[:, 1] - segments[:, 0]
            length = np.linalg.norm(direction, axis=1)
            keep = length > 0.2
            normal = np.column_stack([-direction[:, 1], direction[:, 0]])[keep] / \
                length[keep, None]
            sides = []
            for sign in (1.0, -1.0):
                q = mid[keep] + sign * 0.05 * normal
                p = q[:, :1] * u + q[:, 1:] * v + depth * n
                sides.append(inside(p @ r))  # R^T p: back to the axial set
            # every drawn segment separates inside from outside, 0.05 mm either side
            assert np.mean(sides[0] != sides[1]) > 0.99, (name, view)
            _check_fill_against(outline, lambda q, u=u, v=v, n=n, depth=depth: inside(
                (q[:, :1] * u + q[:, 1:] * v + depth * n) @ r), max_sagitta=0.05)


def test_a_view_parallel_to_tilted_planes_draws_the_contour_itself(tmp_path):
    original = read_structure_set(PROSTATE).roi_by_name("Bladder")
    r, roi = _tilted_roi(tmp_path, PROSTATE, (30.0, 6.0), "Bladder", np.zeros(3))
    model = build_slab_model(roi.closed_polygons_mm())
    contour = original.closed_polygons_mm()[7]
    u, v, n = r[:, 0], r[:, 1], r[:, 2]  # an oblique view lying in the contour planes
    outline = section_outline(model, u, v, n, float(contour[0, 2]) + 0.4)
    drawn = _finite_points(outline)
    same_plane = np.concatenate([c for c in original.closed_polygons_mm()
                                 if abs(c[0, 2] - contour[0, 2]) < 1e-6])
    # the view's (s, t) are the unrotated contour's (x, y): every vertex drawn, in mm
    assert len(drawn) == len(same_plane) + len(drawn) - len(np.unique(drawn, axis=0))
    distance = np.linalg.norm(same_plane[:, None, :2] - drawn[None], axis=2)
    assert distance.min(axis=1).max() < 1e-6
    assert distance.min(axis=0).max() < 1e-6


def test_render_of_a_tilted_ct_and_sphere_draws_the_outline_on_the_analytic_cut(tmp_path):
    """``rtviewer render`` of the CT and sphere turned 30° about x and 6° about y: every
    pixel of the sphere's colour lies within 2 pixels of the analytic section's boundary
    (found through the PNG → patient affine of the JSON, as an independent check would)."""
    import json
    import re

    from PySide6 import QtGui

    from rtviewer.ui.render.offscreen import RenderRequest, render

    discs = _Discs(_contoured(read_structure_set(SPHERE)))
    centre = discs.centre.mean(axis=0)
    r = rotation(30.0, 6.0)
    sources = sorted((CORPUS / "nelms-dvh-analytical" / "CT" / "3_mm_CT").glob("*")) + [SPHERE]
    folder = tmp_path / "tilted"
    tilted_copy(sources, r, centre, folder)
    colour = next(roi.color_rgb for roi in read_structure_set(folder / SPHERE.name).rois
                  if roi.closed_polygons_mm())
    for view in ("sagittal", "coronal", "axial"):
        out = tmp_path / f"{view}.png"
        lines: list[str] = []
        position = centre + (1.0, -2.0, 1.5)
        render(RenderRequest(path=folder, out=out, view=view, size=(700, 700),
                             structures=SPHERE.name, position_mm=tuple(position)),
               lines.append)
        assert any(re.search(r"images=20 files", line) for line in lines)
        image = QtGui.QImage(str(out)).convertToFormat(QtGui.QImage.Format.Format_RGB888)
        pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
            image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
            image.height(), image.width(), 3)
        rows, cols = np.nonzero(np.all(pixels == colour, axis=-1))
        assert rows.size > 100, view
        doc = json.loads(out.with_suffix(".json").read_text())
        affine = np.array(doc["views"][view]["pixel_to_patient_mm"])
        px_mm = float(np.linalg.norm(affine[:, 0]))
        assert px_mm < 0.6  # the 300 mm CT in 700 px
        angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        ring = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])  # 2 px around
        near_boundary = []
        for col, row in zip(cols, rows, strict=True):
            around = np.column_stack([col + 0.5 + ring[:, 0], row + 0.5 + ring[:, 1],
                                      np.ones(len(ring))]) @ affine.T
            inside = discs.inside((around - centre) @ r + centre)  # back to the file's frame
            near_boundary.append(inside.any() and not inside.all())
        assert np.mean(near_boundary) > 0.98, view


def test_the_views_draw_the_structure_model_the_dvhs_use(qtbot):
    """'none' ends the solid at the end contours (drawn so); 'smooth' is named, not drawn."""
    from rtviewer.ui.views.viewer import Viewer
    from rtviewer.view.scene import Scene

    structures = read_structure_set(SPHERE)
    roi = _contoured(structures)
    z = np.array(sorted({float(c.points_mm[0, 2]) for c in roi.contours}))
    spacing = float(np.median(np.diff(z)))
    viewer = Viewer()
    qtbot.addWidget(viewer)
    centre = np.concatenate(roi.closed_polygons_mm()).mean(axis=0)
    viewer.set_scene(Scene(structures=structures), position_mm=centre)
    coronal = viewer.views["coronal"]

    def extent_along_z() -> tuple[float, float]:
        t = coronal.overlays["structures"].curves[roi.roi_number].getData()[1]
        t = t[np.isfinite(t)]
        return float(-t.max()), float(-t.min())  # coronal t runs along -z (head up)

    assert extent_along_z() == pytest.approx((z[0] - spacing / 2, z[-1] + spacing / 2))
    viewer.dvh_panel.model_choice.setCurrentText("none")
    assert viewer.scene.structure_model == "none"
    assert extent_along_z() == pytest.approx((z[0], z[-1]))
    assert not coronal.undrawn.isVisibleTo(viewer)
    viewer.dvh_panel.model_choice.setCurrentText("smooth")
    assert extent_along_z() == pytest.approx((z[0] - spacing / 2, z[-1] + spacing / 2))
    assert "smooth model's surface" in coronal.undrawn.text()
    viewer.dvh_panel.stop_workers()


@pytest.mark.parametrize("tilt_deg", [0.05, 0.5, 89.9, 89.99])
def test_nearly_perpendicular_and_nearly_parallel_stacks_are_cut_exactly(tilt_deg):
    """A 60-gon cylinder (radius 100 mm, planes every 3 mm) tilted a little from
    perpendicular or parallel to the coronal view: every vertex on a rim or a face, in mm
    (0.05° over 200 mm is 0.17 mm, more than a cut assuming exact alignment would allow)."""
    angles = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    r = rotation(tilt_deg, 0.0)
    polygons = [np.column_stack([100 * np.cos(angles), 100 * np.sin(angles),
                                 np.full(60, z)]) @ r.T for z in np.arange(-30, 31, 3.0)]
    model = build_slab_model(polygons)
    u, v, n = FRAME.axes("coronal")
    outline = section_outline(model, u, v, n, 20.0)
    st = _finite_points(outline)
    assert len(st) > 20
    q = (st[:, :1] * u + st[:, 1:] * v + 20.0 * n) @ r  # back to the axial stack
    faces = np.arange(-31.5, 31.6, 3.0)
    on_face = np.min(np.abs(q[:, 2:3] - faces[None]), axis=1) < 1e-6
    radial = np.hypot(q[:, 0], q[:, 1])
    on_rim = (radial <= 100 + 1e-6) & (radial >= 100 * np.cos(np.pi / 60) - 1e-6)
    assert np.all(on_face | on_rim)
