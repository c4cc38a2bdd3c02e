"""Screenshot… menu: one chosen view (or all) saved as PNG with the render's JSON sidecar."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from factories.phantom import make_phantom
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.dicom.patient_header import PatientHeader
from rtviewer.ui.render import view_export
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.dose_labels import loaded_dose_label
from rtviewer.view.scene import Scene


@pytest.fixture
def settings(tmp_path, monkeypatch):
    ini = QtCore.QSettings(str(tmp_path / "rtviewer.ini"), QtCore.QSettings.Format.IniFormat)
    monkeypatch.setattr(view_export, "_settings", lambda: ini)
    return ini


@pytest.fixture
def viewer(qtbot):
    image, structures, dose = make_phantom()
    widget = Viewer()
    qtbot.addWidget(widget)
    widget.set_scene(Scene(image=image, structures=structures, dose=dose))
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _action(viewer: Viewer, label: str) -> QtGui.QAction:
    menu = viewer.screenshot.menu()
    return next(a for a in menu.actions() if a.data() == label)


def _bypass_dialog(monkeypatch, path: Path, seen: list[str]) -> None:
    def fake(_parent, _title, start, _filter):
        seen.append(start)
        return str(path), "PNG (*.png)"

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", fake)


def test_menu_offers_every_view(viewer):
    labels = [a.data() for a in viewer.screenshot.menu().actions() if a.data()]
    assert labels == ["All slice views", "Axial view", "Sagittal view", "Coronal view",
                      "DVH plot", "Beam's-eye view", "RT Image"]


def test_sagittal_view_saved_at_its_size_with_sidecar(viewer, settings, tmp_path,
                                                      monkeypatch):
    out_dir = tmp_path / "pictures"
    out_dir.mkdir()
    seen: list[str] = []
    _bypass_dialog(monkeypatch, out_dir / "sag", seen)  # no suffix: .png is added
    burn_in = viewer.screenshot.menu().findChild(QtGui.QAction, "export-burn-in")
    burn_in.setChecked(False)  # teaching material: the picture alone
    _action(viewer, "Sagittal view").trigger()
    png = out_dir / "sag.png"
    image = QtGui.QImage(str(png))
    view = viewer.views["sagittal"]
    ratio = image.devicePixelRatio()
    assert (image.width() / ratio, image.height() / ratio) == (view.width(), view.height())
    assert not image.isNull()
    doc = json.loads(png.with_suffix(".json").read_text(encoding="utf-8"))
    assert list(doc["views"]) == ["sagittal"]
    assert doc["size_px"] == [view.width(), view.height()]
    # the sagittal plane is x = const: every pixel maps to the crosshair's x
    affine = np.array(doc["views"]["sagittal"]["pixel_to_patient_mm"])
    assert np.allclose(affine[0, :2], 0.0)
    assert affine[0, 2] == pytest.approx(viewer.state.crosshair_mm[0])
    # the dialog started in Pictures/home, and the next one starts where this one saved
    assert Path(seen[0]).parent == view_export.default_export_dir(
        QtCore.QSettings(str(tmp_path / "empty.ini"), QtCore.QSettings.Format.IniFormat))
    assert Path(seen[0]).name == "sagittal-view.png"
    assert view_export.default_export_dir() == out_dir


def test_dvh_plot_and_all_views(viewer, settings, tmp_path, monkeypatch):
    seen: list[str] = []
    viewer.tabs.setCurrentWidget(viewer.dvh_panel)
    _bypass_dialog(monkeypatch, tmp_path / "dvh.png", seen)
    _action(viewer, "DVH plot").trigger()
    plot = viewer.dvh_panel.plot_box  # the plot and its legend
    image = QtGui.QImage(str(tmp_path / "dvh.png"))
    assert image.width() / image.devicePixelRatio() == plot.width()
    assert not (tmp_path / "dvh.json").exists()  # no patient geometry in a DVH plot
    _bypass_dialog(monkeypatch, tmp_path / "all.png", seen)
    _action(viewer, "All slice views").trigger()
    doc = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert set(doc["views"]) == {"axial", "sagittal", "coronal"}
    assert doc["size_px"] == [viewer.view_area.width(), viewer.view_area.height()]


def test_hidden_view_is_not_saved(viewer, settings, tmp_path, monkeypatch):
    seen: list[str] = []
    _bypass_dialog(monkeypatch, tmp_path / "x.png", seen)
    shown: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "information",
                        lambda _p, _t, text: shown.append(text))
    viewer.state.set_layout(1)  # only the axial view stays on screen
    _action(viewer, "Coronal view").trigger()
    assert shown and not seen and not (tmp_path / "x.png").exists()


def test_render_all_status_bar_names_the_opened_chain(tmp_path, corpus, monkeypatch):
    from rtviewer.ui.render import offscreen as render_module

    seen: list[str] = []
    original = render_module._show

    def spy(request, log, chain, scene, window, viewer, size, **kwargs):
        widget = original(request, log, chain, scene, window, viewer, size, **kwargs)
        seen.append(window.statusBar().currentMessage())
        return widget

    monkeypatch.setattr(render_module, "_show", spy)
    render_module.render(render_module.RenderRequest(
        path=corpus / "dicompyler-core", out=tmp_path / "all.png", view="all"), print)
    assert len(seen) == 1
    # named as a physicist knows them (issue 17), not by file name
    assert seen[0].startswith("Showing plan 'B1'")
    assert "PLAN dose max " in seen[0] and "structure set 'CT_1'" in seen[0]
    assert "crosshair at the " in seen[0] and ".dcm" not in seen[0]
    assert "Open a folder" not in seen[0]


def test_beams_eye_view_saved_when_its_tab_is_shown(qtbot, corpus, settings, tmp_path,
                                                    monkeypatch):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.structure import read_structure_set

    folder = corpus / "dicompyler-core"
    widget = Viewer()
    qtbot.addWidget(widget)
    widget.set_scene(Scene(structures=read_structure_set(folder / "rtss.dcm"),
                           plan=read_plan(folder / "rtplan.dcm")))
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    bev = widget.rt_views.bev
    widget.tabs.setCurrentWidget(bev)
    seen: list[str] = []
    _bypass_dialog(monkeypatch, tmp_path / "bev.png", seen)
    _action(widget, "Beam's-eye view").trigger()
    image = QtGui.QImage(str(tmp_path / "bev.png"))
    ratio = image.devicePixelRatio()
    # the view as shown, a caption strip (patient, plan, reference, date) below it
    assert image.width() / ratio == bev.width()
    assert 10 < image.height() / ratio - bev.height() < 40
    assert Path(seen[0]).name == "beams-eye-view.png"


def test_screenshot_burns_in_patient_plan_reference_and_date(viewer, settings, tmp_path,
                                                             monkeypatch):
    viewer.banner.show_patient(
        PatientHeader("Doe, Jane", "P-0042", "1960-01-31", "F"), "Plan 'Lung'")
    caption = view_export.screenshot_caption(viewer)
    reference = viewer.state.reference_dose
    assert caption.startswith("Doe, Jane · ID P-0042 · Plan 'Lung' · ")
    # which dose the isodoses are of, then what 100 % is
    assert f" · {loaded_dose_label(viewer.scene.dose)} · 100 % = " in caption
    assert f"{reference.dose_gy:.2f} Gy" in caption
    assert caption.endswith(QtCore.QDate.currentDate().toString(QtCore.Qt.DateFormat.ISODate))
    # make.sh fixes the date (reproducible-builds' SOURCE_DATE_EPOCH): 2026-01-07 10:00 UTC
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767780000")
    assert view_export.screenshot_caption(viewer).endswith(" · 2026-01-07")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    _bypass_dialog(monkeypatch, tmp_path / "ax.png", [])
    _action(viewer, "Axial view").trigger()
    image = QtGui.QImage(str(tmp_path / "ax.png"))
    view = viewer.views["axial"]
    ratio = image.devicePixelRatio()
    assert image.width() / ratio == view.width()
    strip = image.height() / ratio - view.height()
    font = QtGui.QFont()
    font.setPointSize(9)
    metrics = QtGui.QFontMetrics(font)
    lines = view_export.caption_lines(view_export.screenshot_caption(viewer), metrics,
                                      view.width() - 12)
    # a caption strip below the view (as many lines as the view's width needs)
    assert strip == metrics.lineSpacing() * len(lines) + 8
    # the strip's background colour at its bottom-left corner
    corner = QtGui.QColor(image.pixel(1, image.height() - 2))
    assert (corner.red(), corner.green(), corner.blue()) == (20, 30, 45)


def test_a_narrow_picture_carries_the_whole_caption(qapp):
    """A single view or the DVH plot is narrower than the caption: it wraps, never cut."""
    caption = ("Demo, Thorax · ID RTV-DEMO-THORAX · Plan 'Lung 3DCRT' (6F conformal 60Gy/30)"
               " · Rx 60 Gy · 100 % = 60.00 Gy (plan prescription 60 Gy (PLAN)) · 2026-12-07")
    picture = QtGui.QPixmap(330, 200)
    picture.fill(QtGui.QColor("black"))
    font = QtGui.QFont()
    font.setPointSize(9)
    metrics = QtGui.QFontMetrics(font)
    lines = view_export.caption_lines(caption, metrics, 330 - 12)
    assert " · ".join(lines) == caption or " ".join(lines).replace(" · ", " ") == \
        caption.replace(" · ", " ")
    assert len(lines) >= 3
    assert all(metrics.horizontalAdvance(line) <= 318 for line in lines)
    assert lines[0] == "Demo, Thorax · ID RTV-DEMO-THORAX"  # broken between its parts
    out = view_export.with_caption(picture, caption).toImage()
    assert out.width() == 330
    strip = out.height() - 200
    assert strip >= len(lines) * metrics.lineSpacing()
    # text is drawn on every line of the strip (light pixels in each line's band)
    for row in range(len(lines)):
        top = 200 + 4 + row * metrics.lineSpacing()
        band = [QtGui.QColor(out.pixel(x, y)).lightness()
                for y in range(top, top + metrics.height()) for x in range(6, 320)]
        assert max(band) > 150, row
    # the view's pixels are unmoved
    assert QtGui.QColor(out.pixel(100, 100)).lightness() == 0


def test_the_rt_image_is_saved_without_its_controls(qtbot, corpus, settings, tmp_path,
                                                    monkeypatch):
    widget = Viewer()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    panel = widget.rt_views.rt_image
    widget.tabs.setCurrentWidget(panel)
    panel.show_path(str(corpus / "pylinac" / "EPID-PF-LR.dcm"))
    qtbot.waitUntil(lambda: panel.view.picture.isVisible())
    _bypass_dialog(monkeypatch, tmp_path / "rti.png", [])
    monkeypatch.setattr(view_export, "screenshot_caption", lambda _viewer: "")
    _action(widget, "RT Image").trigger()
    image = QtGui.QImage(str(tmp_path / "rti.png"))
    ratio = image.devicePixelRatio()
    picture = panel.view.picture
    assert (image.width() / ratio, image.height() / ratio) == (picture.width(),
                                                              picture.height())
    # neither the chooser nor the W/L boxes: the picture starts below them (once the
    # rows' layout pass has run)
    box = panel.view.width_box
    qtbot.waitUntil(lambda: picture.mapTo(panel, QtCore.QPoint(0, 0)).y()
                    >= box.mapTo(panel, QtCore.QPoint(0, 0)).y() + box.height())
