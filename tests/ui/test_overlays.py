"""Slice-view overlays: one protocol, the standard ones built on it, a new one plugged in."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from factories.phantom import make_phantom
from PySide6 import QtCore

from rtviewer.ui.views.overlays.protocol import SliceOverlay
from rtviewer.ui.views.readout import ReadoutLabel
from rtviewer.ui.views.slice_view import SliceView
from rtviewer.ui.views.view_state import ViewState
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.isodose_lines import isodose_polylines
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.scene import Scene
from rtviewer.view.slice_plane import LegendEntry, SlicePlane

SIGMA_MM = 30.0  # the phantom's dose: 20 Gy exp(-r²/2σ²) about the origin


class ScaledIsodose:
    """A comparison overlay as the next issues will add: a plan B dose (here A × scale),
    one dashed isodose line, a legend row and its own readout part."""

    name = "B isodose"

    def __init__(self, scale: float, level_gy: float) -> None:
        self.scale, self.level_gy = scale, level_gy
        self.planes: list[SlicePlane] = []
        self.attached_to = None

    def attach(self, view) -> None:
        self.attached_to = view
        self.curve = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255), width=1,
                                                   style=QtCore.Qt.PenStyle.DashLine))
        view.vb.addItem(self.curve, ignoreBounds=True)

    def redraw(self, plane: SlicePlane) -> None:
        self.planes.append(plane)
        cut = plane.dose()
        if cut is None:
            self.curve.setData([], [])
            return
        scaled = type(cut)(cut.values * self.scale, cut.affine)
        self.curve.setData(*isodose_polylines(scaled, self.level_gy), connect="finite")

    def legend_entries(self) -> list[LegendEntry]:
        return [LegendEntry((255, 255, 255), f"B {self.level_gy:.1f} Gy (dashed)")]

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:
        dose = self.attached_to.scene.dose_at(xyz_mm)
        return None if dose is None else f"B {self.scale * dose:.3f} Gy"


@pytest.fixture
def axial(qtbot):
    image, structures, dose = make_phantom()
    state = ViewState()
    view = SliceView(state, "axial")
    qtbot.addWidget(view)
    view.resize(400, 400)
    state.set_crosshair_mm((0.0, 0.0, 0.0))
    view.set_scene(Scene(image=image, structures=structures, dose=dose))
    state.set_reference_dose(ReferenceDose(20.0, "test"))
    return view


def test_every_drawn_layer_of_the_viewer_is_an_overlay_in_order(qtbot):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    for view in viewer.views.values():
        assert list(view.overlays) == ["image", "dose wash", "isodoses", "structures", "beams",
                                       "brachy sources", "reference points", "difference_map",
                                       "gamma_map", "compare_isodoses"]
        assert all(isinstance(o, SliceOverlay) for o in view.overlays.values())


def test_a_new_overlay_is_attached_and_redrawn_for_each_plane(axial):
    b = ScaledIsodose(0.9, 10.0)
    axial.add_overlay(b)
    assert b.attached_to is axial
    assert len(b.planes) == 1 and b.planes[0].depth_mm == 0.0  # drawn at once
    # 18 exp(-r²/2σ²) = 10 Gy at r = σ √(2 ln 1.8)
    s, t = b.curve.getData()
    radius = np.hypot(s, t)[np.isfinite(s)]
    assert radius.size > 20
    assert np.allclose(radius, SIGMA_MM * np.sqrt(2 * np.log(1.8)), atol=1.0)
    axial.state.set_crosshair_mm((0.0, 0.0, 25.0))  # a new plane along the normal
    plane = b.planes[-1]
    assert plane.view == "axial" and plane.depth_mm == pytest.approx(25.0)
    # one cut per plane, shared with the standard overlays
    assert plane is axial.plane() and plane.dose() is plane.dose()
    s, t = b.curve.getData()
    radius = np.hypot(s, t)[np.isfinite(s)]
    # at z = 25 mm: 18 exp(-(r² + 25²)/2σ²) = 10 Gy
    assert np.allclose(radius, np.sqrt(2 * SIGMA_MM**2 * np.log(1.8) - 25.0**2), atol=1.0)
    count = len(b.planes)
    axial.state.set_crosshair_mm((5.0, 0.0, 25.0))  # in the plane: the view is not redrawn
    assert len(b.planes) == count


def test_a_new_overlay_adds_legend_rows_and_a_readout_part(axial, qtbot):
    axial.state.set_isodose_levels([50.0])
    axial.add_overlay(ScaledIsodose(0.9, 10.0))
    legend = axial.legend.isodoses.toPlainText()  # HTML: one space between words
    assert "50 % 10.0 Gy" in legend and "B 10.0 Gy (dashed)" in legend
    label = ReadoutLabel(axial.state, {"axial": axial})
    qtbot.addWidget(label)
    axial.state.set_cursor_mm(np.array([0.0, 0.0, 0.0]), view="axial")
    # the standard parts (the peak of 20 Gy, trilinear between voxels), then the new one
    assert label.text() == "(0.0, 0.0, 0.0) mm   0 HU   19.978 Gy (99.9 %)   B 17.980 Gy"
    axial.state.set_cursor_mm(np.array([500.0, 0.0, 0.0]), view="axial")  # off every grid
    assert label.text() == "(500.0, 0.0, 0.0) mm"


def test_an_overlay_name_is_taken_once(axial):
    with pytest.raises(ValueError, match="isodoses"):
        axial.add_overlay(type("Again", (ScaledIsodose,), {"name": "isodoses"})(1.0, 5.0))
