"""Pixel tests on real renders of the corpus (``rtviewer render``'s own code path)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtGui

from rtviewer.ui.render.offscreen import NothingToRender, RenderRequest, render

NELMS = "nelms-dvh-analytical"
SPHERE = "STRUCTURES/Sphere_20_0.dcm"  # centre (0, -6, 6) mm, radius 12 mm
AP_DOSE = "DOSE_GRIDS/Linear_AntPost_2mm_Aligned.dcm"
SI_DOSE = "DOSE_GRIDS/Linear_SupInf_2mm_Aligned.dcm"
YELLOW = (255, 255, 0)


def _render(tmp_path, corpus, folder, name="out", **kwargs):
    out = tmp_path / f"{name}.png"
    lines: list[str] = []
    render(RenderRequest(path=corpus / folder, out=out, **kwargs), lines.append)
    image = QtGui.QImage(str(out)).convertToFormat(QtGui.QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3)
    return pixels.copy(), json.loads(out.with_suffix(".json").read_text()), lines


def _patient(view: dict, px: np.ndarray) -> np.ndarray:
    """PNG pixel centres (N, 2) -> patient mm (N, 3) via the JSON affine."""
    affine = np.array(view["pixel_to_patient_mm"])
    return np.column_stack([px + 0.5, np.ones(len(px))]) @ affine.T


def _pixels_of(pixels, rgb, rect, exclude=()):
    x0, y0, w, h = (int(round(v)) for v in rect)
    mask = np.all(pixels == rgb, axis=-1)
    keep = np.zeros_like(mask)
    keep[y0:y0 + h, x0:x0 + w] = True
    for axis, index in exclude:  # crosshair lines
        if axis == 0:
            keep[max(0, index - 3):index + 4, :] = False
        else:
            keep[:, max(0, index - 3):index + 4] = False
    rows, cols = np.nonzero(mask & keep)
    return np.column_stack([cols, rows]).astype(float)


def _crosshair_px(view, xyz):
    affine = np.array(view["pixel_to_patient_mm"])
    # solve affine @ (px, py, 1) = xyz in the least-squares sense (exact on the plane)
    px = np.linalg.lstsq(affine[:, :2], np.asarray(xyz) - affine[:, 2], rcond=None)[0]
    return px


@pytest.mark.corpus
def test_contour_colour_lands_where_its_patient_coordinates_map(tmp_path, corpus):
    pixels, doc, _ = _render(tmp_path, corpus, NELMS, view="axial", size=(600, 500),
                             structures=SPHERE, position_mm=(0.0, 0.0, 0.0))
    view = doc["views"]["axial"]
    cross = _crosshair_px(view, (0.0, 0.0, 0.0))
    found = _pixels_of(pixels, YELLOW, view["rect_px"],
                       exclude=[(0, int(cross[1])), (1, int(cross[0]))])
    assert len(found) > 50
    xyz = _patient(view, found)
    radius = np.hypot(xyz[:, 0], xyz[:, 1] + 6.0)
    pixel_mm = np.hypot(*np.array(view["pixel_to_patient_mm"])[:2, 0])
    # the z = 0 contour has radius sqrt(12² - 6²); lines are 2 px wide
    assert np.all(np.abs(radius - np.sqrt(108.0)) < 2.0 * pixel_mm)
    # least-squares circle centre: no half-pixel shift of the drawing
    design = np.column_stack([xyz[:, 0], xyz[:, 1], np.ones(len(xyz))])
    d, e, _f = np.linalg.lstsq(design, -(xyz[:, 0] ** 2 + xyz[:, 1] ** 2), rcond=None)[0]
    assert np.allclose((-d / 2, -e / 2), (0.0, -6.0), atol=0.25 * pixel_mm)
    assert np.allclose(xyz[:, 2], 0.0)


@pytest.mark.corpus
@pytest.mark.parametrize(("dose", "truth"), [
    (AP_DOSE, lambda p: max(0.0, 10.0 - p[1])),
    (SI_DOSE, lambda p: max(0.0, 10.0 + p[2])),
])
def test_dose_readout_equals_the_nelms_analytic_dose(tmp_path, corpus, qtbot, dose, truth):
    from rtviewer.dicom.scan import scan
    from rtviewer.ui.views.readout import ReadoutLabel
    from rtviewer.ui.views.slice_view import SliceView
    from rtviewer.ui.views.view_state import ViewState
    from rtviewer.ui.workers.loader import load_scene
    from rtviewer.view.chain import chain_for

    _pixels, doc, _ = _render(tmp_path, corpus, NELMS, view="axial", size=(400, 400),
                              structures=SPHERE, dose=dose, position_mm=(0.0, 0.0, 4.0))
    view = doc["views"]["axial"]
    scene = load_scene(chain_for(scan(corpus / NELMS), corpus / NELMS / dose)).scene
    state = ViewState()
    axial = SliceView(state, "axial")
    qtbot.addWidget(axial)
    axial.set_scene(scene)
    label = ReadoutLabel(state, {"axial": axial})
    qtbot.addWidget(label)
    # PNG pixels near chosen points of the 48 mm dose cube; read at those pixels' centres
    for target in [(0.0, 0.0, 4.0), (-13.3, 7.9, 4.0), (17.0, -21.2, 4.0), (5.0, 15.0, 4.0)]:
        px = np.floor(_crosshair_px(view, target))
        xyz = _patient(view, np.array([px]))[0]
        assert np.allclose(xyz, target, atol=1.0)
        state.set_cursor_mm(xyz)
        expected = truth(xyz)
        readout = scene.readout(xyz)
        assert readout.dose_gy == pytest.approx(expected, abs=1e-3)
        assert f"{expected:.3f} Gy" in label.text()


@pytest.mark.corpus
def test_sagittal_and_coronal_cuts_agree_with_the_axial_view(tmp_path, corpus):
    pixels, doc, _ = _render(tmp_path, corpus, NELMS, view="all", structures=SPHERE,
                             position_mm=(0.0, -6.0, 2.0))
    views = doc["views"]
    extents = {}
    for name, axis in (("axial", 1), ("sagittal", 1), ("coronal", 0)):
        view = views[name]
        cross = _crosshair_px(view, (0.0, -6.0, 2.0))
        # walk the horizontal/vertical line through the crosshair that lies in the other view
        if name == "axial":  # along the vertical crosshair line (x = 0): y extent
            line = [(cross[0] + dx, y) for dx in (-1, 0, 1) for y in range(pixels.shape[0])]
        else:  # along the horizontal line (z = 2): y extent (sagittal) or x extent (coronal)
            line = [(x, cross[1] + dy) for dy in (-1, 0, 1) for x in range(pixels.shape[1])]
        line = np.array(line)
        x0, y0, w, h = view["rect_px"]
        inside = ((line[:, 0] >= x0) & (line[:, 0] < x0 + w) & (line[:, 1] >= y0)
                  & (line[:, 1] < y0 + h))
        line = line[inside].astype(int)
        hits = line[np.all(pixels[line[:, 1], line[:, 0]] == YELLOW, axis=-1)]
        coords = _patient(view, hits.astype(float))[:, axis]
        extents[name] = (coords.min(), coords.max())
    # the z = 2 plane of the sphere: |y + 6| <= sqrt(144 - 16), |x| the same
    half = np.sqrt(128.0)
    for name, centre in (("axial", -6.0), ("sagittal", -6.0), ("coronal", 0.0)):
        lo, hi = extents[name]
        assert lo == pytest.approx(centre - half, abs=1.5), name
        assert hi == pytest.approx(centre + half, abs=1.5), name


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("folder", ["dicompyler-core", "pps-vendor-plans/BrainSRSRaystationVMAT",
                                    "matrad-dicomexport", NELMS])
def test_opening_a_folder_and_computing_dvhs_leaves_it_byte_for_byte_unchanged(
        tmp_path, corpus, folder):
    before = _digest(corpus / folder)
    pixels, doc, lines = _render(tmp_path, corpus, folder, view="all")
    assert _digest(corpus / folder) == before
    assert set(doc["views"]) == {"axial", "sagittal", "coronal"}
    assert pixels.std() > 10  # something was drawn
    assert any("position" in line for line in lines)


ALL_FOLDERS = ["aptg-proton", "dicompyler-core", "matrad-dicomexport", NELMS, "orthanc-tests",
               "pps-vendor-plans", "pydicom-testfiles", "pylinac", "pymedphys", "pynetdicom",
               "pytg43-brachy", "rt-utils", "slicerrt-eclipse-prostate"]


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("folder", ALL_FOLDERS)
def test_every_corpus_folder_opens_without_error_and_stays_unchanged(tmp_path, corpus, folder):
    before = _digest(corpus / folder)
    _pixels, doc, _lines = _render(tmp_path, corpus, folder, view="all")
    # RT Images alone (pylinac, pynetdicom) give the RT Image view; anything else the window
    assert doc["size_px"] == ([900, 900] if folder in ("pylinac", "pynetdicom")
                              else [1600, 1000])
    assert _digest(corpus / folder) == before


@pytest.mark.corpus
def test_nothing_renderable_raises(tmp_path, corpus):
    with pytest.raises(NothingToRender, match="RT Images only"):
        # RT Images alone: nothing for an axial view (--view all shows the RT Image view)
        render(RenderRequest(path=corpus / "pylinac", out=tmp_path / "x.png", view="axial"),
               lambda _: None)


@pytest.mark.corpus
def test_a_folder_with_a_plan_alone_renders_the_window_with_its_beams_eye_view(tmp_path, corpus):
    folder = tmp_path / "plan_only"
    folder.mkdir()
    (folder / "plan.dcm").write_bytes((corpus / "pymedphys" / "06MV_plan.dcm").read_bytes())
    out = tmp_path / "plan.png"
    lines: list[str] = []
    render(RenderRequest(path=folder, out=out), lines.append)
    doc = json.loads(out.with_suffix(".json").read_text())
    assert doc["size_px"] == [1600, 1000]
    assert any("slice views: the plan alone" in line and "Beam's eye" in line
               for line in lines)
    # the crosshair starts at the plan's isocentre (0, -200, 0) mm of 06MV_plan.dcm
    assert np.allclose(doc["crosshair_mm"], [0.0, -200.0, 0.0], atol=1e-6)


@pytest.mark.corpus
def test_a_folder_with_an_rt_image_alone_renders_the_rt_image_view(tmp_path, corpus):
    folder = tmp_path / "rt_image_only"
    folder.mkdir()
    (folder / "open.dcm").write_bytes((corpus / "pylinac" / "DRGS_open.dcm").read_bytes())
    out = tmp_path / "image.png"
    lines: list[str] = []
    render(RenderRequest(path=folder, out=out), lines.append)
    doc = json.loads(out.with_suffix(".json").read_text())
    assert doc["view"] == "rtimage"
    assert "receptor" in doc["views"]["rtimage"]["coordinates"]
    assert any("the RT Image view alone" in line for line in lines)


@pytest.mark.corpus
def test_a_brachy_plan_alone_draws_its_channels_in_the_slice_views(tmp_path, corpus, qtbot):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.views.viewer import Viewer
    from rtviewer.view.scene import Scene

    plan = read_plan(corpus / "pytg43-brachy/HDR/RP.HDR.dcm")
    scene = Scene(plan=plan)
    assert scene.plan_only and not scene.empty
    viewer = Viewer()
    qtbot.addWidget(viewer)
    why = viewer.set_scene(scene)
    cps = np.concatenate([c.control_point_positions_mm for c in plan.brachy.channels])
    refs = np.array([r.point_mm for r in plan.reference_points])
    every = np.concatenate([cps, refs])
    # the crosshair starts in the middle of the channels and reference points, and every
    # view fits them with a 20 mm margin
    assert why == "centre of the plan's source positions and points"
    assert np.allclose(viewer.state.crosshair_mm, (every.min(0) + every.max(0)) / 2)
    for name, view in viewer.views.items():
        st = view.patient_to_view(every)
        (x0, x1), (y0, y1) = view.vb.viewRange()
        assert x0 <= st[:, 0].min() - 19 and st[:, 0].max() + 19 <= x1, name
        assert y0 <= st[:, 1].min() - 19 and st[:, 1].max() + 19 <= y1, name
        assert "plan only" in view.edge_labels["info"].text()
    # scrolling steps 1 mm through the plan's box (no image grid to step through)
    sagittal = viewer.views["sagittal"]
    before = sagittal.depth_mm()
    sagittal.scroll(3)
    assert sagittal.depth_mm() - before == pytest.approx(3.0, abs=0.5)
    assert sagittal.depth_mm() == round(sagittal.depth_mm())


@pytest.mark.corpus
def test_tg43_dose_renders_a_brachy_plan_without_rt_dose(tmp_path, corpus):
    out = tmp_path / "tg43.png"
    lines: list[str] = []
    render(RenderRequest(path=corpus / "pytg43-brachy" / "HDR", out=out, view="axial",
                         tg43_dose=True, tg43_grid_mm=2.5), lines.append)
    doc = json.loads(out.with_suffix(".json").read_text())
    # 100 % is Eclipse's Application Setup Dose per fraction, not the dose maximum
    assert doc["reference_dose_gy"] == pytest.approx(6.00156, abs=1e-5)
    said = next(line for line in lines if line.startswith("render: dose: "))
    assert "NOT the planning system's RT Dose" in said and "at 2.5 mm" in said
    with pytest.raises(NothingToRender, match="--tg43-dose: the plan shown is not a "
                                              "brachytherapy plan"):
        render(RenderRequest(path=corpus / "dicompyler-core", out=tmp_path / "x.png",
                             view="axial", tg43_dose=True), lambda _: None)
