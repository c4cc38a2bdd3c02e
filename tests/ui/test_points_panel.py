"""The Points tab: the files' points with doses, user points kept per plan in the settings."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from rtviewer.core.interpolation import trilinear_sample
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.panels.points_panel import PointsPanel, UserPoints
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.scene import Scene

pytestmark = pytest.mark.corpus


@pytest.fixture
def store(tmp_path):
    return UserPoints(QtCore.QSettings(str(tmp_path / "rtviewer.ini"),
                                       QtCore.QSettings.Format.IniFormat))


@pytest.fixture(scope="module")
def breast(corpus):
    folder = corpus / "dicompyler-core"
    return Scene(structures=read_structure_set(folder / "rtss.dcm"),
                 dose=read_dose(folder / "rtdose.dcm"), plan=read_plan(folder / "rtplan.dcm"))


def test_calc_point_with_our_dose_beside_eclipses(qtbot, store, breast):
    panel = PointsPanel(store)
    qtbot.addWidget(panel)
    panel.set_scene(breast)
    calc = next(r for r in panel.rows if r["label"] == "CALC POINT")
    assert calc["planned_gy"] == pytest.approx(11.3113869239676)
    assert abs(calc["difference_gy"]) < 1e-4
    texts = [panel.table.item(0, c).text() for c in range(panel.table.columnCount())]
    assert texts[0] == "CALC POINT" and texts[6] == "11.311"


def test_user_points_are_kept_per_plan_in_the_settings_not_the_folder(qtbot, store, breast,
                                                                    corpus):
    panel = PointsPanel(store)
    qtbot.addWidget(panel)
    panel.set_scene(breast)
    panel.add_user_point(72.5, -304.3, -9.3)  # the isocentre
    user = panel.rows[-1]
    assert (user["label"], user["source"]) == ("P1", "user point")
    expected = trilinear_sample(breast.dose.dose_gy, breast.dose.grid, [72.5, -304.3, -9.3],
                                outside=np.nan)
    assert user["dose_gy"] == pytest.approx(float(expected))
    again = PointsPanel(store)
    qtbot.addWidget(again)
    again.set_scene(breast)  # the same plan: the point comes back from the settings
    assert again.rows[-1]["label"] == "P1" and again.rows[-1]["x_mm"] == pytest.approx(72.5)
    other = Scene(plan=read_plan(corpus / "slicerrt-eclipse-prostate" /
                                 "RP.1.2.246.352.71.5.2088656855.377401.20110920153647.dcm"))
    again.set_scene(other)
    assert all(r["source"] != "user point" for r in again.rows)
    again.set_scene(breast)
    again.table.setCurrentCell(len(again.rows) - 1, 0)
    again.remove_selected()
    assert all(r["source"] != "user point" for r in again.rows)


def test_shift_click_in_a_slice_view_adds_a_point(qtbot, store, breast):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.points_panel.store = store
    viewer.set_scene(breast)
    before = len(viewer.points_panel.rows)
    view = viewer.views["axial"]
    s, t = view.patient_to_view(breast.dose.grid.center_mm)[:2]
    view.vb.shiftClicked.emit(float(s), float(t))
    assert len(viewer.points_panel.rows) == before + 1
    assert viewer.points_panel.rows[-1]["dose_gy"] is not None


def test_a_user_point_is_drawn_as_a_labelled_marker(qtbot, store, breast):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.points_panel.store = store
    viewer.set_scene(breast)
    centre = breast.dose.grid.center_mm
    viewer.state.set_crosshair_mm(centre)
    viewer.points_panel.add_user_point(*(float(v) for v in centre))
    overlay = viewer.rt_views.points["axial"]
    user = [m for m in overlay.markers if m.source == "user point"]
    assert [m.label for m in user] == ["P1"]
    st = viewer.views["axial"].patient_to_view(centre)[:2]
    assert user[0].st == pytest.approx(tuple(st)) and user[0].alpha == pytest.approx(1.0)
