"""Panels and the composed viewer: user action -> state, state -> widgets."""

from __future__ import annotations

import csv
from dataclasses import replace

import numpy as np
import pytest
from factories.phantom import make_phantom
from PySide6 import QtCore

from rtviewer.core.structure_volume import structure_volume_cc
from rtviewer.ui.panels.dose_panel import DosePanel, parse_levels
from rtviewer.ui.panels.structure_panel import StructurePanel
from rtviewer.ui.views.view_state import CT_PRESETS, DEFAULT_ISODOSE_PERCENT, ViewState
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.scene import Scene


@pytest.fixture
def phantom_scene():
    image, structures, dose = make_phantom()
    return Scene(image=image, structures=structures, dose=dose)


def test_structure_checkbox_writes_state_and_state_updates_checkbox(qtbot, phantom_scene):
    state = ViewState()
    panel = StructurePanel(state)
    qtbot.addWidget(panel)
    panel.set_structures(phantom_scene.structures)
    item = panel.table.topLevelItem(1)
    assert item.text(0) == "Left thing"
    item.setCheckState(0, QtCore.Qt.CheckState.Checked)
    assert state.visible_rois == {2}
    state.set_visible_rois({1})
    assert item.checkState(0) == QtCore.Qt.CheckState.Unchecked
    assert panel.table.topLevelItem(0).checkState(0) == QtCore.Qt.CheckState.Checked
    qtbot.mouseClick(panel.show_all, QtCore.Qt.MouseButton.LeftButton)
    assert state.visible_rois == {1, 2}
    qtbot.mouseClick(panel.hide_all, QtCore.Qt.MouseButton.LeftButton)
    assert state.visible_rois == frozenset()
    panel.fill.setChecked(True)
    assert state.fill is True


def test_structure_volume_column_shows_the_roi_volume(qtbot, phantom_scene):
    structures = phantom_scene.structures
    ring, left = (replace(roi, volume_cc=structure_volume_cc(roi.closed_polygons_mm()))
                  for roi in structures.rois)
    tiny = replace(left, roi_number=3, name="Seed", volume_cc=0.0421)
    unknown = replace(left, roi_number=4, name="Points", volume_cc=None)
    panel = StructurePanel(ViewState())
    qtbot.addWidget(panel)
    panel.set_structures(replace(structures, rois=(ring, left, tiny, unknown)))
    header = panel.table.headerItem()
    assert (header.text(1), header.text(2)) == ("Type", "Volume (cc)")
    # 40-gons of area (n/2) r² sin(2π/n) in 2.5 mm slabs (half a slab beyond each end):
    # the ring is 17 planes of r = 25 less 13 planes of r = 10; the left one 5 planes of r = 12
    area_mm2 = {r: 20 * r**2 * np.sin(2 * np.pi / 40) for r in (25, 12, 10)}
    ring_cc = (17 * area_mm2[25] - 13 * area_mm2[10]) * 2.5 / 1000
    left_cc = 5 * area_mm2[12] * 2.5 / 1000
    assert (f"{ring_cc:.1f}", f"{left_cc:.1f}") == ("72.9", "5.6")
    rows = [panel.table.topLevelItem(i) for i in range(4)]
    assert [row.text(1) for row in rows] == ["PTV", "ORGAN", "ORGAN", "ORGAN"]
    assert [row.text(2) for row in rows] == ["72.9", "5.6", "0.042", "—"]


def test_dose_panel_reference_levels_and_wash(qtbot):
    state = ViewState()
    panel = DosePanel(state)
    qtbot.addWidget(panel)
    panel.set_plan_reference(ReferenceDose(14.0, "plan prescription (test)"))
    qtbot.mouseClick(panel.use_plan, QtCore.Qt.MouseButton.LeftButton)
    assert state.reference_dose == ReferenceDose(14.0, "plan prescription (test)")
    assert "plan prescription" in panel.source.text()
    panel.reference.setValue(20.0)
    panel.reference.editingFinished.emit()
    assert state.reference_dose == ReferenceDose(20.0, "user")
    panel.levels.setText("100, 50")
    panel.levels.editingFinished.emit()
    assert state.isodose_levels == (100.0, 50.0)
    assert panel.legend.count() == 2 and "10.00 Gy" in panel.legend.item(1).text()
    panel.absolute.setChecked(True)  # the same lines, now stated in Gy
    assert state.isodose_absolute and state.isodose_levels == (20.0, 10.0)
    panel.wash.setChecked(True)
    panel.threshold.setValue(25.0)
    assert state.colourwash == (True, 25.0)
    state.set_isodose_levels(DEFAULT_ISODOSE_PERCENT)
    assert parse_levels(panel.levels.text()) == DEFAULT_ISODOSE_PERCENT


def test_viewer_layout_presets_and_dvh(qtbot, phantom_scene, tmp_path):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.resize(1200, 800)
    viewer.show()
    viewer.set_scene(phantom_scene)
    assert viewer.state.visible_rois == {1, 2}
    qtbot.mouseClick(viewer.layout_button, QtCore.Qt.MouseButton.LeftButton)
    assert viewer.state.layout == 1 and not viewer.views["sagittal"].isVisible()
    viewer.single_choice.activated.emit(2)  # the user picks "Coronal"
    assert viewer.state.single_view == "coronal"
    assert viewer.views["coronal"].isVisible() and not viewer.views["axial"].isVisible()
    viewer.state.set_layout(3)
    assert viewer.views["axial"].isVisible() and viewer.views["coronal"].isVisible()
    assert not viewer.layout_button.isChecked()
    viewer.preset.activated.emit(viewer.preset.findText("Lung"))
    assert viewer.state.window_level == CT_PRESETS["Lung"]
    viewer.dvh_panel.wait_all()
    qtbot.waitUntil(lambda: set(viewer.dvh_panel.dvhs) == {1, 2}, timeout=20000)
    qtbot.waitUntil(lambda: viewer.dvh_panel.table.rowCount() == 2, timeout=5000)
    dvh = viewer.dvh_panel.dvhs[1]
    # ring: outer r 25 over 17 planes (2.5 mm), inner r 10 on 13 planes, flat caps
    expected_cc = (np.pi * 25**2 * 17 * 2.5 - np.pi * 10**2 * 13 * 2.5) / 1000
    assert dvh.volume_cc == pytest.approx(expected_cc, rel=0.01)
    assert viewer.dvh_panel.table.rowCount() == 2
    stats, curves = viewer.dvh_panel.export_csv(tmp_path / "dvh.csv")
    rows = list(csv.DictReader(stats.read_text().splitlines()))
    assert [r["roi_name"] for r in rows] == ["PTV ring", "Left thing"]
    assert float(rows[0]["volume_cc"]) == pytest.approx(dvh.volume_cc, rel=1e-6)
    header = next(csv.reader(curves.read_text().splitlines()))
    assert header == ["dose_gy", "1:PTV ring", "2:Left thing"]
    viewer.close()


def test_readout_follows_the_cursor(qtbot, phantom_scene):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(phantom_scene)
    viewer.state.set_reference_dose(ReferenceDose(20.0, "test"))
    viewer.state.set_cursor_mm(np.array([40.0, 0.0, -15.0]))  # bone block, inside "Left thing"
    text = viewer.readout.text()
    assert "800 HU" in text and "Left thing" in text and "Gy (" in text
    viewer.close()


def test_dvh_toggles_switch_the_axes(qtbot, phantom_scene):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(phantom_scene)
    viewer.state.set_reference_dose(ReferenceDose(10.0, "test"))
    panel = viewer.dvh_panel
    qtbot.waitUntil(lambda: set(panel.dvhs) == {1, 2}, timeout=20000)
    qtbot.waitUntil(lambda: len(panel._curves) >= 2, timeout=5000)  # one redraw per burst
    curve = panel._curves[0][0]
    x, y = curve.getData()
    assert panel.relative_volume.isChecked() and y[0] == pytest.approx(100.0)
    panel.relative_volume.setChecked(False)
    x, y = curve.getData()
    assert y[0] == pytest.approx(panel.dvhs[1].volume_cc)
    panel.relative_dose.setChecked(True)
    x_pct, _ = curve.getData()
    assert x_pct[-1] == pytest.approx(x[-1] * 10.0)  # % of a 10 Gy reference
    assert "%" in panel.table.horizontalHeaderItem(2).text()
    viewer.close()


@pytest.mark.corpus
def test_plan_summary_and_beam_table_of_the_dicompyler_plan(qtbot, corpus):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.panels.plan_panel import PlanPanel, beam_rows

    plan = read_plan(corpus / "dicompyler-core" / "rtplan.dcm")
    rows = beam_rows(plan)
    assert [r[7] for r in rows] == ["92", "94", "103", "95"]  # control points
    assert [r[8] for r in rows] == ["—"] * 4  # no wedges, blocks or other accessories
    assert rows[0][2] == "PHOTON 10 MV" and rows[0][3] == "327" and rows[0][4] == "0"
    panel = PlanPanel()
    qtbot.addWidget(panel)
    panel.set_plan(plan)
    assert "14.00 Gy (2.00 Gy × 7)" in panel.summary.text()
    assert panel.beams.rowCount() == 4


def test_switching_scene_during_dvh_computation_ignores_the_old_results(qtbot, phantom_scene):
    from rtviewer.model.dose import Dose

    old = phantom_scene.dose
    doubled = Dose(path=old.path, sop_instance_uid="double", grid=old.grid,
                   dose_gy=old.dose_gy * 2, units=old.units, dose_type=old.dose_type,
                   summation_type=old.summation_type)
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(phantom_scene)  # DVH workers start
    second = Scene(image=phantom_scene.image, structures=phantom_scene.structures, dose=doubled)
    viewer.set_scene(second)  # must not wait for them
    panel = viewer.dvh_panel
    qtbot.waitUntil(lambda: set(panel.dvhs) == {1, 2}, timeout=30000)
    panel.wait_all()
    reference = Scene(structures=phantom_scene.structures, dose=doubled)
    from rtviewer.core.dvh import compute_dvh

    expected = compute_dvh(reference.slab_model(1), doubled.dose_gy, doubled.grid)
    assert panel.dvhs[1].dmax_gy == pytest.approx(expected.dmax_gy)
    viewer.close()
