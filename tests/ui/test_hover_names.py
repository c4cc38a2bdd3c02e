"""Structure names beside the pointer on a slice view (issue 17 point 4)."""

from __future__ import annotations

import numpy as np
from factories.phantom import make_phantom
from PySide6 import QtCore

from rtviewer.ui.views.slice_view import SliceView
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.scene import Scene


def _hover(view: SliceView, xyz: np.ndarray) -> QtCore.QPointF:
    """Move the pointer (as the scene's mouse-move signal does) to patient ``xyz``."""
    st = view.patient_to_view(np.asarray(xyz, dtype=float))
    scene_pos = view.vb.mapViewToScene(QtCore.QPointF(float(st[0]), float(st[1])))
    view._on_mouse_moved(scene_pos)
    return scene_pos


def test_the_structure_under_the_pointer_is_named_beside_it_in_its_colour(qtbot):
    image, structures, dose = make_phantom()
    state = ViewState()
    view = SliceView(state, "axial")
    qtbot.addWidget(view)
    view.resize(600, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_scene(Scene(image=image, structures=structures, dose=dose))
    state.set_visible_rois({1, 2})
    left = structures.roi_by_number(2)  # "Left thing": a cylinder of r 12 mm around x = 40
    inside = np.array([40.0, 0.0, -15.0])
    assert left.name in view.scene.readout(inside).roi_names
    state.set_crosshair_mm(inside)  # the axial view shows z = -15 mm
    view.reset_zoom()
    scene_pos = _hover(view, inside)
    label = view.hover.item
    assert label.isVisible()
    colour = "#{:02x}{:02x}{:02x}".format(*left.color_rgb)
    assert left.name in view.hover.text and colour in view.hover.text
    # beside the pointer (right and below it), within the view
    corner = label.mapToScene(label.boundingRect().topLeft())
    assert 0 < corner.x() - scene_pos.x() < 40 and 0 < corner.y() - scene_pos.y() < 40
    assert view.vb.sceneBoundingRect().contains(corner)
    # a hidden structure is not named; outside every structure there is no label
    state.set_visible_rois({1})
    _hover(view, inside + np.array([0.5, 0.0, 0.0]))
    assert not label.isVisible()
    state.set_visible_rois({1, 2})
    _hover(view, np.array([-200.0, -200.0, -15.0]))
    assert not label.isVisible()
    _hover(view, inside)
    assert label.isVisible()
    view.leaveEvent(QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert not label.isVisible()
