"""Ion beams in the beam's-eye view: two virtual sources, devices listed, spots placed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from factories.beam_devices import ion_device_plan

from rtviewer.core.iec61217 import BeamGeometry
from rtviewer.ui.render.offscreen import RenderRequest, render

PROTON = "aptg-proton/plan03_ramp_full"
PLAN = "ramped_2Gy_ver2_full.dcm"


def test_two_virtual_sources_project_each_axis_through_its_own():
    g = BeamGeometry(gantry_deg=0.0, sad_mm=2000.0, sad_y_mm=2560.0)
    # HFS, gantry 0: Xg = patient x, Yg = -patient z... take the point from gantry mm
    point = g.gantry_to_patient([10.0, 10.0, 500.0])
    xy = g.project_to_plane(point, frame="gantry")
    assert np.allclose(xy, [10.0 * 2000 / 1500, 10.0 * 2560 / 2060])
    # the ray through the point is one straight line from its origin to the plane point
    origin = g.ray_origins_mm(point)
    on_plane = g.plane_to_patient(xy, frame="gantry")
    cross = np.cross(point - origin, on_plane - origin)
    assert np.linalg.norm(cross) < 1e-6 * np.linalg.norm(point - origin) ** 2
    # BLD frame: the same plane point turned back by the collimator
    turned = BeamGeometry(gantry_deg=0.0, collimator_deg=90.0, sad_mm=2000.0, sad_y_mm=2560.0)
    bld = turned.project_to_plane(turned.gantry_to_patient([10.0, 10.0, 500.0]))
    assert np.allclose(bld, [xy[1], -xy[0]])
    # one source: sad_y equal to sad gives the point-source projection
    same = BeamGeometry(gantry_deg=0.0, sad_mm=2000.0, sad_y_mm=2000.0)
    assert np.allclose(same.project_to_plane(point, frame="gantry"), [10 * 2000 / 1500] * 2)


def test_corpus_proton_beam_uses_both_distances(corpus):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.view.beam_model import beam_at

    plan = read_plan(corpus / PROTON / PLAN)
    beam = plan.beams[0]
    geometry = beam_at(plan, beam, 0).geometry
    assert geometry.sad_xy_mm == (2000.0, 2560.0)  # the file's values, not their mean 2280


def test_devices_listed_and_spots_in_the_sidecar(tmp_path, corpus):
    ds = ion_device_plan(corpus, tmp_path / "ion")
    out = tmp_path / "ion.png"
    lines: list[str] = []
    render(RenderRequest(path=tmp_path / "ion", out=out, view="bev", size=(600, 700),
                         beam_number=1, control_point=0), lines.append)
    doc = json.loads(out.with_suffix(".json").read_text())
    text = "\n".join(lines)
    assert "Virtual source-axis distances X 2000 mm, Y 2560 mm." in text
    assert "Snout S1 at 421 mm." in text
    assert "Range shifter RS40 (BINARY): IN, 40 mm water-equivalent." in text
    assert "Range modulator RM1 (FIXED)." in text
    layer = doc["energy_layer"]
    cp = ds.IonBeamSequence[0].IonControlPointSequence[0]
    positions = np.array(cp.ScanSpotPositionMap, dtype=float).reshape(-1, 2)
    assert layer["control_point_indices"][0] == 0
    assert np.allclose(layer["spot_positions_mm"], positions)
    weights = sum(np.array(ds.IonBeamSequence[0].IonControlPointSequence[i]
                           .ScanSpotMetersetWeights, dtype=float)
                  for i in layer["control_point_indices"])
    assert np.allclose(layer["spot_meterset_weights"], weights)
    assert layer["nominal_energy_mev"] == float(cp.NominalBeamEnergy)


def test_drr_rays_come_from_both_virtual_sources():
    """A small water cube 500 mm upstream, off axis: its shadow lands where each axis's
    own source puts it (X through 2000 mm, Y through 2560 mm), not where their mean would."""
    from rtviewer.core.drr import drr
    from rtviewer.core.grid import Grid

    g = BeamGeometry(gantry_deg=0.0, sad_mm=2000.0, sad_y_mm=2560.0)
    centre = g.gantry_to_patient([50.0, 50.0, 500.0])
    grid = Grid(affine=np.c_[np.diag([1.0, 1.0, 1.0, 1.0])[:, :3],
                             [*(centre - 15.0), 1.0]], shape=(31, 31, 31))
    volume = np.full(grid.shape, -1000.0, dtype=np.float32)
    volume[10:21, 10:21, 10:21] = 0.0  # an 11 mm water cube centred on ``centre``
    xs, ys = np.arange(50.0, 85.0, 0.25), np.arange(45.0, 80.0, 0.25)
    image = drr(volume, grid, g, xs, ys, step_mm=0.25)
    total = image.sum()
    assert total > 0
    x_mean = float((image.sum(axis=0) * xs).sum() / total)
    y_mean = float((image.sum(axis=1) * ys).sum() / total)
    assert x_mean == pytest.approx(50.0 * 2000 / 1500, abs=0.3)  # 66.7 mm
    assert y_mean == pytest.approx(50.0 * 2560 / 2060, abs=0.3)  # 62.1 mm, mean SAD: 64.0


@pytest.mark.parametrize("width", [300, 340, 600])
def test_beam_and_layer_choices_are_whole_in_a_narrow_panel(qtbot, corpus, width):
    # at 1280x800 the side panel is about 340 px: beam and layer side by side cut the
    # layer to 'Layer 1/22: 149.40 Me'; the layer now wraps below the beam where needed
    from PySide6 import QtWidgets

    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.views.bev_view import BeamsEyeView

    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=read_plan(corpus / PROTON / PLAN))
    view.resize(width, 700)
    view.show()
    qtbot.waitExposed(view)
    QtWidgets.QApplication.processEvents()
    # the view takes the panel's width: its minimum does not push it wider (the two
    # combos side by side asked for 370 px, and the panel cut the view's right edge)
    assert view.width() == width and view.minimumSizeHint().width() <= 300
    for combo in (view.beam_combo, view.layer_combo):
        assert combo.isVisible()
        # inside the view, and the current item's text whole in the combo's text area
        where = _rect_in(combo, view)
        assert view.rect().contains(where), (combo.currentText(), where)
        option = QtWidgets.QStyleOptionComboBox()
        combo.initStyleOption(option)
        field = combo.style().subControlRect(
            QtWidgets.QStyle.ComplexControl.CC_ComboBox, option,
            QtWidgets.QStyle.SubControl.SC_ComboBoxEditField, combo)
        assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= field.width(), \
            combo.currentText()
    assert view.layer_combo.currentText() == "Layer 1/22: 149.40 MeV, 448 spots"
    beam, layer = (c.mapTo(view, c.rect().topLeft()) for c in (view.beam_combo,
                                                              view.layer_combo))
    # side by side when both fit, else the layer on the next row
    assert (layer.y() == beam.y()) == (width >= 600)


def _rect_in(widget, ancestor):
    """``widget``'s rectangle in ``ancestor``'s coordinates."""
    from PySide6 import QtCore

    return QtCore.QRect(widget.mapTo(ancestor, QtCore.QPoint(0, 0)), widget.size())
