"""The comparison mode of the viewer on the phantom: B = A × 1.1 shifted, B − A, B dashed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pydicom
import pytest
from factories.phantom import make_phantom
from PySide6 import QtCore

from rtviewer.core.grid import Grid
from rtviewer.model.plan_compare import compare_structure_sets
from rtviewer.model.structure import Contour
from rtviewer.ui.views.overlays.compare_isodoses import B_PEN_STYLE
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.compare_colours import difference_rgba
from rtviewer.view.scene import Scene


@pytest.fixture
def viewer(qtbot):
    image, structures, dose = make_phantom()
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.dvh_panel.use_processes = False
    viewer.set_scene(Scene(image=image, structures=structures, dose=dose))
    viewer.compare_panel.gamma_edit.setText("")  # gamma has its own test
    return viewer


def _b_dose(dose, factor=1.1, shift_mm=(3.0, 0.0, 0.0)):
    """A × factor, moved by ``shift_mm`` (its grid's origin), saved nowhere."""
    affine = np.array(dose.grid.affine)
    affine[:3, 3] += shift_mm
    grid = Grid(affine=affine, shape=dose.grid.shape,
                frame_of_reference_uid=dose.grid.frame_of_reference_uid)
    return dataclasses.replace(dose, path=Path("B.dcm"), grid=grid,
                               dose_gy=dose.dose_gy * np.float32(factor))


def _compare(qtbot, viewer, b):
    panel = viewer.compare_panel
    panel.compare_with(b, "B.dcm")
    qtbot.waitUntil(lambda: panel.outcome is not None, timeout=120_000)
    viewer.dvh_panel.wait_all()
    return panel.outcome.comparison


def test_difference_map_is_b_minus_a_at_a_voxel(qtbot, viewer):
    a = viewer.scene.dose
    comparison = _compare(qtbot, viewer, _b_dose(a))
    viewer.compare_state.set_map("difference")
    # a voxel centre of A's grid, off-centre so that the shift matters
    k, j, i = 13, 20, 15
    xyz = a.grid.index_to_patient(np.array([i, j, k], float))
    viewer.state.set_crosshair_mm(xyz)
    view = viewer.views["axial"]
    overlay = viewer.compare_overlays["axial"]["difference_map"]
    rgba = overlay.image.image
    assert rgba is not None and rgba.shape[-1] == 4
    # B − A there, from the two doses themselves: B(x) = 1.1 A(x − 3 mm), trilinear
    b_there = 1.1 * np.interp(xyz[0] - 3.0, a.grid.index_to_patient(
        np.column_stack([np.arange(a.grid.shape[2]), np.full(a.grid.shape[2], j),
                         np.full(a.grid.shape[2], k)]).astype(float))[:, 0],
        a.dose_gy[k, j, :].astype(float))
    expected = b_there - float(a.dose_gy[k, j, i])
    assert comparison.difference_gy[k, j, i] == pytest.approx(expected, abs=1e-4)
    # the pixel of the axial plane at that voxel shows that value's colour
    st = view.patient_to_view(xyz)
    inverse, _ok = overlay.image.transform().inverted()
    pixel = inverse.map(QtCore.QPointF(float(st[0]), float(st[1])))
    col, row = int(pixel.x()), int(pixel.y())
    limit = viewer.compare_state.difference_limit()
    # the automatic scale: the 99th percentile of |B − A| where A >= 10 % of its maximum
    where = (a.dose_gy >= 0.1 * a.max_gy) & np.isfinite(comparison.difference_gy)
    top = np.percentile(np.abs(comparison.difference_gy[where]), 99)
    assert limit == float(f"{top:.2g}")  # two significant digits
    want = difference_rgba(np.array([[expected]]), limit=limit, floor=0.01 * limit)[0, 0]
    np.testing.assert_array_equal(rgba[row, col], want)
    assert overlay.bar.isVisible() and overlay.bar.title.text() == "B−A (Gy)"
    # in % of A's maximum the same voxel reads 100 (B − A) / max A
    viewer.compare_state.set_percent(True)
    assert viewer.compare_state.difference_volume()[k, j, i] == pytest.approx(
        100 * expected / a.max_gy, abs=1e-3)
    assert not viewer.state.colourwash[0]  # the map replaced the wash
    # the readout at the voxel: B − A there, through the overlay protocol's hit-test
    parts = [p for p in view.hit_test(xyz) if p and "B−A" in p]
    assert parts and f"B−A {expected:+.3f} Gy" in parts[0]


def test_b_isodoses_dashed_at_a_levels_and_dvh_b_dashed(qtbot, viewer):
    comparison = _compare(qtbot, viewer, _b_dose(viewer.scene.dose, shift_mm=(0, 0, 0)))
    view = viewer.views["axial"]
    overlay = viewer.compare_overlays["axial"]["compare_isodoses"]
    levels = viewer.state.isodose_levels_gy()
    drawn = [c for c in overlay.curves[:len(levels)] if len(c.getData()[0])]
    assert drawn, "B's isodoses are drawn"
    for curve, a_curve in zip(overlay.curves, view.overlays["isodoses"].curves, strict=False):
        assert curve.opts["pen"].style() == B_PEN_STYLE == QtCore.Qt.PenStyle.DashLine
        assert a_curve.opts["pen"].style() == QtCore.Qt.PenStyle.SolidLine
        assert curve.opts["pen"].color() == a_curve.opts["pen"].color()  # same colours
    rows = [entry.text for entry in overlay.legend_entries()]
    assert rows == ["solid: A x", "dashed: B B.dcm"]  # the phantom's A: file "x", no plan
    assert "dashed: B B.dcm" in view.legend.isodoses.toPlainText()
    # B = 1.1 A: B's isodose of level L lies where A's is L / 1.1 (same grid, same tracer)
    # the DVH panel: B's curve dashed, equal to the comparison's B DVH
    panel = viewer.dvh_panel
    ring = next(s for s in comparison.structures if s.name == "PTV ring")
    shown = [roi.roi_number for roi, _ in panel._shown()]
    computed, b_curve = panel._curves[shown.index(ring.roi_number)]
    assert b_curve.opts["pen"].style() == QtCore.Qt.PenStyle.DashLine
    x, y = b_curve.getData()
    ex, ey = panel._axes(ring.dvh_b)
    np.testing.assert_allclose(x, ex)
    np.testing.assert_allclose(y, ey)
    assert "dashed B" in panel.info.text()
    # clearing leaves comparison mode everywhere
    viewer.compare_panel.clear()
    assert not overlay.legend_entries() and not panel.compared
    assert all(len(c.getData()[0]) == 0 for c in overlay.curves)


def test_metric_table_equals_plan_compare(qtbot, viewer):
    comparison = _compare(qtbot, viewer, _b_dose(viewer.scene.dose))
    table = viewer.compare_panel.metrics
    heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    for s in comparison.structures:
        row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == s.name)
        for m in s.metrics:
            if f"{m.name} A ({m.unit})" not in heads:
                continue
            col = heads.index(f"{m.name} A ({m.unit})")
            digits = 3 if m.unit == "Gy" else 2
            for offset, value in enumerate((m.a, m.b, m.difference)):
                assert table.item(row, col + offset).text() == f"{value:.{digits}f}"
    assert "V20Gy A (%)" in heads and "D95% B−A (Gy)" in heads


def test_gamma_pass_rate_and_map(qtbot, viewer):
    panel = viewer.compare_panel
    panel.gamma_edit.setText("3%/3mm")
    comparison = _compare(qtbot, viewer, _b_dose(viewer.scene.dose, factor=1.02,
                                                 shift_mm=(1.0, 0, 0)))
    assert comparison.gamma is not None
    rate = comparison.gamma.pass_rate()
    assert f"{100 * rate:.1f} % of" in panel.gamma_line.text()
    assert rate > 0.95  # 2 % and 1 mm pass 3 %/3 mm nearly everywhere
    viewer.compare_state.set_map("gamma")
    overlay = viewer.compare_overlays["axial"]["gamma_map"]
    assert overlay.image.image is not None and overlay.bar.isVisible()
    table = panel.metrics
    assert table.horizontalHeaderItem(table.columnCount() - 1).text() == "γ pass (%)"


def test_gamma_has_its_own_progress_and_cancel_keeps_the_rest(qtbot, viewer, monkeypatch):
    import rtviewer.core.gamma as gamma_module
    from rtviewer.ui.workers.compare_worker import DoseCompareWorker

    monkeypatch.setattr(gamma_module, "_SLAB_VOXELS", 300)  # many slabs on the phantom
    original = DoseCompareWorker._gamma_progress

    def held(self, done, total):  # after the first slab, wait for the test's Cancel
        original(self, done, total)
        if done >= 1:
            self._gamma_cancel.wait(30)

    monkeypatch.setattr(DoseCompareWorker, "_gamma_progress", held)
    panel = viewer.compare_panel
    panel.gamma_edit.setText("3%/3mm")
    panel.compare_with(_b_dose(viewer.scene.dose, factor=1.2), "B.dcm")
    qtbot.waitUntil(lambda: panel.gamma_progress.isVisibleTo(panel)
                    and panel.gamma_progress.value() >= 1, timeout=60_000)
    assert panel.gamma_progress.maximum() > 2 and panel.cancel_button.isEnabled()
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.outcome is not None, timeout=120_000)
    comparison = panel.outcome.comparison
    assert comparison.gamma is None and comparison.gamma_note == "gamma cancelled"
    assert panel.status.text().startswith("Gamma cancelled: no gamma.")
    assert panel.gamma_line.text() == "Gamma cancelled: no gamma."
    assert comparison.max_abs_difference_gy > 0  # the rest of the comparison is there
    table = panel.metrics
    assert "γ pass (%)" not in [table.horizontalHeaderItem(c).text()
                                 for c in range(table.columnCount())]
    assert not panel.gamma_progress.isVisibleTo(panel) and not panel.cancel_button.isEnabled()
    viewer.compare_state.set_map("gamma")  # nothing to draw, nothing drawn
    assert not viewer.compare_overlays["axial"]["gamma_map"].bar.isVisible()


def test_cancel_before_gamma_stops_the_comparison(qtbot, viewer):
    panel = viewer.compare_panel
    panel.compare_with(_b_dose(viewer.scene.dose), "B.dcm")
    panel.cancel()
    assert panel._worker is None and panel.outcome is None
    assert panel.status.text() == "Comparison cancelled."
    assert not panel.cancel_button.isEnabled()


def _other_frame(dose):
    grid = Grid(affine=dose.grid.affine, shape=dose.grid.shape,
                frame_of_reference_uid="1.2.3.20")
    return dataclasses.replace(dose, path=Path("B.dcm"), grid=grid)


def test_cross_frame_refused_with_the_reason(qtbot, viewer, tmp_path):
    a = viewer.scene.dose
    a = dataclasses.replace(a, grid=Grid(affine=a.grid.affine, shape=a.grid.shape,
                                         frame_of_reference_uid="1.2.3.10"))
    viewer.set_scene(Scene(image=viewer.scene.image, structures=viewer.scene.structures,
                           dose=a))
    panel = viewer.compare_panel
    panel.compare_with(_other_frame(a), "B.dcm")
    qtbot.waitUntil(lambda: panel._worker is None, timeout=60_000)
    assert panel.outcome is None
    assert "needs a Spatial Registration (REG)" in panel.status.text()
    # a Deformable Spatial Registration in the folder: named out of scope, still refused
    path = tmp_path / "DREG.dcm"
    _write_deformable(path)
    instance = _instance(path, "registration")
    panel.set_related([instance])
    assert "Deformable Spatial Registration found: out of scope" in panel.frames.text()
    panel.compare_with(_other_frame(a), "B.dcm")
    qtbot.waitUntil(lambda: panel._worker is None, timeout=60_000)
    assert "deformable registration is out of scope" in panel.status.text()
    assert "DREG.dcm" in panel.status.text()


def _instance(path, kind):
    from rtviewer.model.index import Instance

    return Instance(path=path, sop_class_uid="", sop_class_name="", kind=kind,
                    sop_instance_uid="9", modality="REG")


def _write_deformable(path):
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import DeformableSpatialRegistrationStorage, ExplicitVRLittleEndian

    ds = pydicom.Dataset()
    ds.SOPClassUID = DeformableSpatialRegistrationStorage
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.Modality = "REG"
    ds.FrameOfReferenceUID = "1.2.3.10"
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(path, enforce_file_format=True)


def test_structure_sets_compared_in_the_tab(qtbot, viewer):
    a = viewer.scene.structures

    def moved(roi):
        return dataclasses.replace(roi, contours=tuple(
            dataclasses.replace(c, points_mm=c.points_mm + [2.0, 0.0, 0.0])
            for c in roi.contours))

    b = dataclasses.replace(a, path=Path("RS-B.dcm"), rois=(moved(a.rois[0]), a.rois[1]))
    panel = viewer.compare_panel
    panel.compare_structures_with(b)
    qtbot.waitUntil(lambda: panel.structure_outcome is not None, timeout=120_000)
    rows, _only_a, _only_b = compare_structure_sets(a, b, model=panel.model)
    table = panel.structure_table
    assert table.rowCount() == len(rows) == 2
    for r, row in enumerate(rows):
        assert table.item(r, 0).text() == row.name
        assert table.item(r, 4).text() == f"{row.agreement.dice:.3f}"
        assert table.item(r, 6).text() == f"{row.agreement.hausdorff95_mm:.2f}"
    unmoved = next(r for r in range(2) if table.item(r, 0).text() == a.rois[1].name)
    assert table.item(unmoved, 4).text() == "1.000"
    assert isinstance(a.rois[0].contours[0], Contour)


def test_b_as_a_weighted_plan_sum(qtbot, viewer):
    a = viewer.scene.dose
    half = dataclasses.replace(a, path=Path("B1.dcm"), sop_instance_uid="b1",
                               dose_gy=a.dose_gy * np.float32(0.5))
    tenth = dataclasses.replace(a, path=Path("B2.dcm"), sop_instance_uid="b2",
                                dose_gy=a.dose_gy * np.float32(0.1))
    comparison = _compare(qtbot, viewer, [(half, 1.0), (tenth, 6.0)])  # 0.5 A + 0.6 A
    assert comparison.evaluated.comment.startswith("sum:")
    inside = a.dose_gy > 0.1 * a.max_gy
    np.testing.assert_allclose(comparison.difference_gy[inside], 0.1 * a.dose_gy[inside],
                               rtol=1e-4, atol=1e-4)


def test_compare_tab_only_for_a_patient_with_something_to_compare(qtbot, viewer):
    tabs, panel = viewer.tabs, viewer.compare_panel
    index = tabs.indexOf(panel)
    wide = tabs.minimumWidth()
    panel.set_related([])  # one dose, one structure set: nothing to offer as B
    assert panel.has_candidates is False
    viewer.offer_compare(panel.has_candidates)
    assert not tabs.isTabVisible(index)
    assert tabs.minimumWidth() <= wide  # the panel may narrow with one tab fewer
    viewer.show_compare_tab()  # File → Compare Doses… asks for it: B may come from a file
    assert tabs.isTabVisible(index) and tabs.currentWidget() is panel


def test_side_panel_narrows_with_its_tab_bar_until_the_user_drags(qtbot, viewer):
    from rtviewer.ui.views.viewer import PANEL_SHARE

    viewer.resize(1280, 700)
    viewer.show()
    qtbot.waitExposed(viewer)
    viewer.offer_compare(False)
    share = int(PANEL_SHARE * viewer.splitter.width())
    assert viewer.splitter.sizes()[1] == max(viewer.tabs.minimumWidth(), share)
    viewer.splitter.splitterMoved.emit(400, 1)  # the user drags: their width stays
    viewer.splitter.setSizes([400, viewer.splitter.width() - 400])
    dragged = viewer.splitter.sizes()
    viewer.offer_compare(True)
    assert viewer.splitter.sizes() == dragged
