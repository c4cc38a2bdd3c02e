"""Slice steps draw what a fresh view draws at each slice: what a view keeps between
steps (emptied curves left alone, cached cuts) never changes a drawn item."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from factories.phantom import make_phantom
from PySide6 import QtWidgets

from rtviewer.ui.views.slice_view import SliceView
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.scene import Scene


def _drawn(view: SliceView) -> list[tuple]:
    """Every visible item's drawing: curve data and pen, fill paths, image values."""
    out = []
    for item in view.vb.childGroup.childItems():  # what the view's ViewBox holds
        if not item.isVisible():
            continue
        if isinstance(item, pg.PlotCurveItem):
            pen = item.opts["pen"]
            out.append(("curve", item.zValue(), item.xData.tobytes(), item.yData.tobytes(),
                        pen.color().getRgb(), pen.widthF()))
        elif isinstance(item, QtWidgets.QGraphicsPathItem):
            path = item.path()
            out.append(("fill", item.zValue(), item.brush().color().getRgb(),
                        tuple((path.elementAt(i).x, path.elementAt(i).y)
                              for i in range(path.elementCount()))))
        elif isinstance(item, pg.ImageItem) and item.image is not None:
            out.append(("image", item.zValue(), item.image.tobytes()))
    return out


@pytest.mark.parametrize("name", ["axial", "sagittal", "coronal"])
def test_sixty_steps_draw_what_a_fresh_view_draws(qtbot, name):
    image, structures, dose = make_phantom()
    scene = Scene(image=image, structures=structures, dose=dose)
    numbers = [roi.roi_number for roi in structures.rois]

    def fresh_state(state: ViewState | None = None) -> ViewState:
        new = ViewState()
        new.set_reference_dose(ReferenceDose(20.0, "test"))
        if state is not None:
            new.set_visible_rois(state.visible_rois)
            new.set_fill(state.fill)
            new.set_crosshair_mm(state.crosshair_mm)
        return new

    state = fresh_state()
    state.set_visible_rois(numbers)
    # from outside the structures, across them (45 steps on, 15 back)
    state.set_crosshair_mm({"axial": (0.0, 0.0, -45.0), "sagittal": (-40.0, 0.0, 0.0),
                            "coronal": (0.0, -35.0, 0.0)}[name])
    stepping = SliceView(state, name)
    qtbot.addWidget(stepping)
    stepping.resize(300, 300)
    stepping.set_scene(scene)
    shown = []  # per step: how many structures are drawn
    for k in range(60):
        stepping.scroll(1 if k < 45 else -1)  # on, and back over slices drawn before
        if k == 20:  # a structure hidden and shown, the fill on, mid-way
            state.set_visible_rois(numbers[1:])
            state.set_fill(True)
        elif k == 30:
            state.set_visible_rois(numbers)
            state.set_fill(False)
        reference = SliceView(fresh_state(state), name)
        qtbot.addWidget(reference)
        reference.resize(300, 300)
        reference.set_scene(scene)
        assert _drawn(stepping) == _drawn(reference), f"step {k}"
        reference.deleteLater()
        shown.append(sum(c.isVisible() for c in stepping.overlays["structures"].curves.values()))
    # the steps crossed slices where structures were drawn and where some were not
    assert max(shown) >= 1 and min(shown) == 0, shown
    # and what was compared held the structures, isodoses and the image
    kinds = {entry[0] for entry in _drawn(stepping)}
    assert kinds >= {"curve", "image"}
