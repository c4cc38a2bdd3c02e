"""SliceView: user actions write the state; state changes redraw the view."""

from __future__ import annotations

import numpy as np
import pytest
from factories.phantom import make_phantom
from PySide6 import QtCore

from rtviewer.ui.views.slice_view import SliceView
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.scene import Scene


@pytest.fixture
def setup(qtbot):
    image, structures, dose = make_phantom()
    state = ViewState()
    scene = Scene(image=image, structures=structures, dose=dose)
    views = {}
    for name in ("axial", "sagittal", "coronal"):
        view = SliceView(state, name)
        qtbot.addWidget(view)
        view.resize(400, 400)
        view.set_scene(scene)
        views[name] = view
    return state, scene, views


def test_wheel_and_keys_step_one_slice_along_the_normal(setup, qtbot):
    state, _scene, views = setup
    state.set_crosshair_mm((0.0, 0.0, 0.0))
    views["axial"].vb.scrolled.emit(1)
    assert np.allclose(state.crosshair_mm, (0, 0, 2.5))
    qtbot.keyClick(views["axial"], QtCore.Qt.Key.Key_PageDown)
    assert np.allclose(state.crosshair_mm, (0, 0, -22.5))
    qtbot.keyClick(views["sagittal"], QtCore.Qt.Key.Key_Up)
    assert np.allclose(state.crosshair_mm, (2.0, 0, -22.5))  # snapped to centre 0.5, +1.5
    qtbot.keyClick(views["coronal"], QtCore.Qt.Key.Key_Down)
    assert np.allclose(state.crosshair_mm, (2.0, -1.0, -22.5))  # row spacing 1 mm


def test_click_moves_the_crosshair_in_the_plane(setup):
    state, _scene, views = setup
    state.set_crosshair_mm((0.0, 0.0, 5.0))
    views["coronal"].vb.clicked.emit(30.0, -10.0)  # s = x, t = -z
    assert np.allclose(state.crosshair_mm, (30.0, 0.0, 10.0))
    views["sagittal"].vb.clicked.emit(-20.0, 0.0)  # s = y
    assert np.allclose(state.crosshair_mm, (30.0, -20.0, 0.0))


def test_right_drag_changes_window_level(setup):
    state, _scene, views = setup
    state.set_window_level(400, 40)
    views["axial"].vb.windowDragged.emit(10.0, 5.0)
    assert state.window_level == (420.0, 30.0)
    assert views["axial"].overlays["image"].item.levels is not None
    assert np.allclose(views["axial"].overlays["image"].item.levels, (30 - 210, 30 + 210))


def test_crosshair_change_reslices_the_other_views(setup):
    state, scene, views = setup
    state.set_crosshair_mm((40.0, 0.0, 0.0))  # through the bone block on the patient's left
    sagittal = views["sagittal"].overlays["image"].item.image
    i = int(round(scene.image.grid.patient_to_index((40.0, 0, 0))[0]))
    assert np.array_equal(sagittal, scene.image.voxels[:, :, i])
    # copied into rows (the display reads it twice): the same values, not a strided view
    assert sagittal.flags.c_contiguous and not np.shares_memory(sagittal, scene.image.voxels)
    assert views["axial"].v_line.value() == pytest.approx(40.0)


def test_visible_rois_and_fill_drive_the_curves(setup):
    state, _scene, views = setup
    state.set_crosshair_mm((0.0, 0.0, 0.0))
    curve = views["axial"].overlays["structures"].curves[1]
    assert curve.getData()[0].size == 0
    state.set_visible_rois({1})
    s, t = curve.getData()
    radius = np.hypot(s, t)[np.isfinite(s)]
    assert np.isclose(radius.max(), 25.0) and np.isclose(radius.min(), 10.0, atol=0.2)
    state.set_fill(True)
    assert not views["axial"].overlays["structures"].fills[1].path().isEmpty()
    state.set_visible_rois(set())
    assert curve.getData()[0].size == 0


def test_isodose_levels_follow_reference_and_levels(setup):
    state, _scene, views = setup
    state.set_crosshair_mm((0.0, 0.0, 0.0))
    state.set_reference_dose(ReferenceDose(20.0, "test"))
    state.set_isodose_levels([50.0])
    s, t = views["axial"].overlays["isodoses"].curves[0].getData()
    radius = np.hypot(s, t)[np.isfinite(s)]
    assert radius.size > 20  # a drawn closed line, not an empty one (allclose([], r) holds)
    # dose 20 exp(-r²/2σ²), σ = 30 mm: 10 Gy at r = σ√(2 ln 2)
    assert np.allclose(radius, 30 * np.sqrt(2 * np.log(2)), atol=1.0)
    state.set_isodose_absolute(True)
    state.set_isodose_levels([15.0])
    s, t = views["axial"].overlays["isodoses"].curves[0].getData()
    radius = np.hypot(s, t)[np.isfinite(s)]
    assert radius.size > 20
    assert np.allclose(radius, 30 * np.sqrt(2 * np.log(20 / 15)), atol=1.0)


def test_colourwash_toggle(setup):
    state, _scene, views = setup
    state.set_reference_dose(ReferenceDose(20.0, "test"))
    state.set_colourwash(True, 50.0)
    rgba = views["axial"].overlays["dose wash"].item.image
    assert rgba is not None and rgba.shape[-1] == 4
    assert 0 < np.count_nonzero(rgba[..., 3]) < rgba[..., 3].size
    bar = views["axial"].colour_bar
    assert bar.isVisible() and bar.labels[2].text() == "10.0 Gy"  # 50 % of 20 Gy
    assert bar.labels[0].text() == "22.0 Gy"  # the scale tops out at 110 %
    state.set_colourwash(False)
    assert views["axial"].overlays["dose wash"].item.image is None
    assert not bar.isVisible()


def test_prone_patient_shows_back_up_with_their_left_on_screen_left(qtbot):
    image, structures, dose = make_phantom(orientation=(-1, 0, 0, 0, -1, 0))
    state = ViewState()
    view = SliceView(state, "axial")
    qtbot.addWidget(view)
    view.set_scene(Scene(image=image, structures=structures))
    state.set_crosshair_mm((0.0, 0.0, -15.0))
    state.set_visible_rois({2})  # "Left thing" at x = +40 mm (patient left)
    s, t = view.overlays["structures"].curves[2].getData()
    assert np.nanmean(s) == pytest.approx(-40.0, abs=0.5)  # screen left of the centre
    labels = {k: v.text() for k, v in view.edge_labels.items() if k != "info"}
    assert labels == {"left": "L", "right": "R", "top": "P", "bottom": "A"}


def test_edge_labels_for_a_prone_feet_first_patient(qtbot):
    image, structures, dose = make_phantom(orientation=(1, 0, 0, 0, -1, 0), step=(0, 0, -2.5))
    view = SliceView(ViewState(), "axial")
    qtbot.addWidget(view)
    view.set_scene(Scene(image=image))
    labels = {k: v.text() for k, v in view.edge_labels.items() if k != "info"}
    assert labels == {"left": "R", "right": "L", "top": "P", "bottom": "A"}


def test_real_mouse_click_and_wheel_on_the_viewport(setup, qtbot):
    from PySide6 import QtGui

    state, _scene, views = setup
    view = views["axial"]
    view.show()
    qtbot.waitExposed(view)
    state.set_crosshair_mm((0.0, 0.0, 0.0))
    viewport = view.graphics.viewport()
    target = view.vb.mapViewToScene(QtCore.QPointF(20.0, -10.0))  # s = x, t = y
    pixel = view.graphics.mapFromScene(target)
    qtbot.mouseClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=pixel)
    assert np.allclose(state.crosshair_mm[:2], (20.0, -10.0), atol=1.0)
    event = QtGui.QWheelEvent(QtCore.QPointF(pixel), viewport.mapToGlobal(QtCore.QPointF(pixel)),
                              QtCore.QPoint(0, 0), QtCore.QPoint(0, 120),
                              QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
                              QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtCore.QCoreApplication.sendEvent(viewport, event)
    assert state.crosshair_mm[2] == pytest.approx(2.5)


def _legend_state(view):
    legend = view.legend
    items = (legend.isodoses, legend.isodoses_wide, legend.backing, legend.scale,
             legend.scale_text, legend.window)
    return [(item.isVisible(), item.pos().toTuple(),
             item.mapRectToParent(item.boundingRect()).getRect()) for item in items] + [
        legend.backing.brush().color().alpha()]


def test_legend_kept_between_slice_steps_is_where_a_fresh_placement_puts_it(setup):
    # the legend measures its places once and sets its items only when the choice
    # changes: at every step it must stand where a placement from scratch puts it
    state, _scene, views = setup
    state.set_reference_dose(ReferenceDose(20.0, "test"))
    state.set_visible_rois({1, 2, 3})
    view = views["sagittal"]
    view.resize(260, 400)  # narrow: the anatomy leaves few corners free
    state.set_crosshair_mm((-95.0, 0.0, 0.0))
    corners = set()
    for _ in range(50):  # across the patient, structures coming and going
        view.scroll(2)
        kept = _legend_state(view)
        legend = view.legend
        legend._places = legend._placed = legend._scale_for = None
        view.place_labels()
        assert kept == _legend_state(view)
        corners.add(kept[2][2][:2])  # the backing's top-left
    assert len(corners) > 1  # the legend did move with the anatomy
    # levels off: no legend; back on: shown where it was
    state.set_isodose_levels([])
    assert not view.legend.isodoses.isVisible() and not view.legend.backing.isVisible()
    state.set_isodose_levels([50.0, 95.0])
    assert view.legend.shown_isodoses().isVisible() and view.legend.backing.isVisible()


def test_structures_a_slice_misses_are_hidden_and_the_anatomy_box_holds_the_rest(setup):
    state, scene, views = setup
    state.set_visible_rois({roi.roi_number for roi in scene.structures.rois})
    state.set_fill(True)
    view = views["sagittal"]
    for x in (-95.0, 0.0):
        state.set_crosshair_mm((x, 0.0, 0.0))
        overlay = view.overlays["structures"]
        drawn = [curve for curve in overlay.curves.values() if curve.getData()[0].size]
        for number, curve in overlay.curves.items():
            has_data = curve.getData()[0].size > 0
            assert curve.isVisible() == has_data, (x, number)
            assert overlay.fills[number].isVisible() == (
                not overlay.fills[number].path().isEmpty()), (x, number)
        if not drawn:
            continue
        s = np.concatenate([curve.getData()[0] for curve in drawn])
        t = np.concatenate([curve.getData()[1] for curve in drawn])
        box = view.vb.mapFromView(QtCore.QRectF(QtCore.QPointF(np.nanmin(s), np.nanmin(t)),
                                                QtCore.QPointF(np.nanmax(s), np.nanmax(t))))
        assert view.content_rect().getRect() == pytest.approx(box.boundingRect().getRect())
