"""The Brachy tab in a side panel's width: every setting, button and verdict in sight.

Seen on the demo HDR patient at 1600x1000 (issue 17's tour): the GEC-ESTRO labels were cut
("α/β organs at ris"), the 3-D dose's "Compare the RT Dose with it" was cut, the check's
status and the dwell times were scrolled out of the 420 px panel, and the summary said
"No reference points with coordinates" for the Point A ROIs the check below uses.
"""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.panels.brachy_check_section import CHECK_COLUMNS
from rtviewer.ui.panels.brachy_panel import DWELL_COLUMNS, BrachyPanel
from rtviewer.ui.views.flow_row import FlowRow

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def demo_hdr(tmp_path_factory):
    from rtviewer.demo.generate import generate_demo

    out = tmp_path_factory.mktemp("demo") / "demo"
    generate_demo(out)
    return out / "RTV-DEMO-GYN-HDR"


def _plan_and_structures(folder):
    from rtviewer.dicom.scan import scan
    from rtviewer.model.kind import Kind

    result = scan(folder)
    paths = {i.kind: i.path for i in result.instances()}
    return read_plan(paths[Kind.PLAN]), read_structure_set(paths[Kind.STRUCTURE_SET])


@pytest.fixture
def panel(qtbot, demo_hdr):
    plan, structures = _plan_and_structures(demo_hdr)
    widget = BrachyPanel()
    qtbot.addWidget(widget)
    widget.resize(400, 900)
    widget.set_plan(plan, structures)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _inside(child: QtWidgets.QWidget, outer: QtWidgets.QWidget) -> bool:
    top_left = child.mapTo(outer, QtCore.QPoint(0, 0))
    rect = QtCore.QRect(top_left, child.size())
    return outer.rect().contains(rect)


def test_the_summary_gives_point_a_from_its_roi_and_names_the_applicators(panel):
    text = panel.summary.text()
    assert "No reference points with coordinates" not in text
    # the demo's Point A ROIs: 20 mm either side of the tandem, 5 mm anterior
    assert "Reference point 1 Point A right: (-20.0, 5.0, 0.0) mm, ROI 6, 28 Gy" in text
    assert "Reference point 2 Point A left: (20.0, 5.0, 0.0) mm, ROI 7, 28 Gy" in text
    assert "applicator 'Appl Tandem' (ROI 11)" in text


def test_every_gec_estro_setting_is_whole(panel, qtbot):
    panel.resize(340, 900)  # the side panel at 1280x800
    panel.sections.setCurrentWidget(panel.gec_estro)
    flow = panel.gec_estro.findChild(FlowRow)
    pairs = flow.shown_widgets()
    assert len(pairs) == 7
    qtbot.waitUntil(lambda: all(_inside(pair, flow) for pair in pairs))
    for pair in pairs:
        label = pair.findChild(QtWidgets.QLabel)
        assert label.width() >= label.sizeHint().width(), label.text()
        assert pair.isVisible() and _inside(pair, panel.gec_estro)


def test_the_3d_dose_buttons_are_whole(panel, qtbot):
    panel.sections.setCurrentWidget(panel.dose_section)
    section = panel.dose_section
    for button in (section.show_button, section.compare_button):
        qtbot.waitUntil(lambda b=button: _inside(b, section))
        assert button.width() >= button.sizeHint().width(), button.text()


def test_the_verdicts_and_the_dwell_times_are_in_sight(panel, qtbot):
    panel.resize(340, 900)  # the side panel at 1280x800
    table = panel.check.table
    qtbot.waitUntil(lambda: table.viewport().width() < 340)
    assert table.isColumnHidden(CHECK_COLUMNS.index("Pulse\n(Gy)"))  # HDR
    status = CHECK_COLUMNS.index("Status")
    assert table.columnViewportPosition(status) + table.columnWidth(status) <= \
        table.viewport().width()
    assert {table.item(r, status).text() for r in range(table.rowCount())} == {"PASS"}
    dwells = panel.table
    time_s = DWELL_COLUMNS.index("Time (s)")
    assert dwells.columnViewportPosition(time_s) + dwells.columnWidth(time_s) <= \
        dwells.viewport().width()
    assert float(dwells.item(0, time_s).text()) > 0
    # rows as tall as their text, not Qt's default 30 px
    assert dwells.rowHeight(0) <= dwells.fontMetrics().height() + 10


def test_corpus_reference_points_with_coordinates_are_listed(qtbot, corpus):
    folder = corpus / "pytg43-brachy" / "HDR"
    widget = BrachyPanel()
    qtbot.addWidget(widget)
    widget.set_plan(read_plan(folder / "RP.HDR.dcm"), read_structure_set(folder / "RS.HDR.dcm"))
    text = widget.summary.text()
    assert "Reference point" in text and "PtA_left: (19.1, -12.5, 22.8) mm" in text


def test_a_pdr_check_shows_its_verdict_at_1280x800(qtbot, corpus):
    """The per-pulse column comes in for PDR: still every number and the status in 340 px."""
    folder = corpus / "pytg43-brachy" / "PDR"
    widget = BrachyPanel()
    qtbot.addWidget(widget)
    widget.resize(340, 900)
    widget.set_plan(read_plan(folder / "RP.PDR.dcm"), read_structure_set(folder / "RS.PDR.dcm"))
    widget.show()
    qtbot.waitExposed(widget)
    table = widget.check.table
    assert not table.isColumnHidden(CHECK_COLUMNS.index("Pulse\n(Gy)"))
    status = CHECK_COLUMNS.index("Status")
    qtbot.waitUntil(lambda: table.columnViewportPosition(status) + table.columnWidth(status)
                    <= table.viewport().width())
