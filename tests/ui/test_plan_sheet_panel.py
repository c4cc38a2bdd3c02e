"""The Plan tab shows the plan sheet (the same content as ``rtviewer plan``)."""

from __future__ import annotations

import pytest

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.scene import Scene

pytestmark = pytest.mark.corpus


def test_plan_tab_shows_the_sheet_with_ssds_computed_in_a_worker(qtbot, corpus):
    folder = corpus / "dicompyler-core"
    scene = Scene(structures=read_structure_set(folder / "rtss.dcm"),
                  plan=read_plan(folder / "rtplan.dcm"))
    viewer = Viewer()
    qtbot.addWidget(viewer)
    panel = viewer.plan_panel
    with qtbot.waitSignal(panel.sheetShown, timeout=60000):
        viewer.set_scene(scene)
    sheet = panel.sheet_model
    assert [round(b.ssd_mm / 10, 1) for b in sheet.beams] == [92.7, 94.4, 93.7, 89.5]
    text = panel.sheet.toPlainText()
    assert "sliding window (dynamic MLC)" in text
    assert "92.67 cm (TPS 92.70 cm)" in text and "CALC POINT" in text
    assert "14.00 Gy (2.00 Gy × 7)" in text


def test_no_plan_hides_the_sheet(qtbot):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.plan_panel.show_sheet(None, None)
    assert viewer.plan_panel.sheet.isHidden() and viewer.plan_panel.sheet_model is None
