"""The Plan tab fits the plan: beam table for external beams, channel table for brachy."""

from __future__ import annotations

import pytest

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.panels.plan_panel import BEAM_COLUMNS, CHANNEL_COLUMNS, PlanPanel

pytestmark = pytest.mark.corpus


def _cells(table, row):
    return [table.item(row, c).text() for c in range(table.columnCount())]


def _panel(qtbot, plan):
    panel = PlanPanel()
    panel.asynchronous = False
    qtbot.addWidget(panel)
    panel.show()
    panel.set_plan(plan)
    return panel


def test_external_plan_lists_mu_dose_rate_field_ssd_isocentre_tolerance(qtbot, corpus):
    folder = corpus / "dicompyler-core"
    plan = read_plan(folder / "rtplan.dcm")
    panel = _panel(qtbot, plan)
    assert panel.beams.isVisible() and not panel.channels.isVisible()
    row = dict(zip(BEAM_COLUMNS, _cells(panel.beams, 0), strict=True))
    # beam 1 "3 RAO": 10 MV, 97 MU at 400 MU/min
    assert row["Radiation"] == "PHOTON 10 MV" and row["MU"] == "97.0"
    assert row["Dose rate (MU/min)"] == "400"
    cp = plan.beams[0].control_points[0]
    x_cm, y_cm = (float(j[1] - j[0]) / 10 for j in (cp.jaw_x_mm, cp.jaw_y_mm))
    assert row["Field X × Y (jaws)"] == f"{x_cm:.1f} × {y_cm:.1f} cm"
    assert row["Isocentre (mm)"] == "ISO (72.5, -304.3, -9.3)"
    assert row["Tolerance table"] == "3 T1"
    assert row["SSD"] == "— (TPS 92.70 cm)"  # no body outline given yet: the stored SSD
    summary = panel.summary.text()
    assert "367.0 MU per fraction" in summary  # 97 + 87 + 89 + 94
    assert "ISO (72.5, -304.3, -9.3) mm, beams 1, 2, 3, 4" in summary
    # the plan sheet computes the SSD to the body outline; the table takes it, checks kept
    panel.set_visible_beams(frozenset({2}))
    panel.show_sheet(plan, read_structure_set(folder / "rtss.dcm"))
    ssd = panel.beams.item(0, BEAM_COLUMNS.index("SSD")).text()
    assert ssd.endswith("(TPS 92.70 cm)") and not ssd.startswith("—")
    assert float(ssd.split()[0]) == pytest.approx(92.7, abs=1.0)
    assert panel.beams.item(1, 0).checkState() == panel.beams.item(1, 0).checkState().Checked
    assert panel.beams.item(0, 0).checkState() == panel.beams.item(0, 0).checkState().Unchecked


def test_brachy_plan_shows_channels_and_reference_points_not_an_empty_beam_table(qtbot, corpus):
    folder = corpus / "pytg43-brachy" / "HDR"
    panel = _panel(qtbot, read_plan(folder / "RP.HDR.dcm"))
    assert not panel.beams.isVisible() and panel.channels.isVisible()
    assert panel.channels.rowCount() == 3
    row = dict(zip(CHANNEL_COLUMNS, _cells(panel.channels, 0), strict=True))
    assert row["Applicator"] == "tandem RIGID (ROI 18)" and row["Dwells"] == "15 of 15"
    assert row["Time (s)"] == "271.4" and row["Step (mm)"] == "5.0"
    total = sum(float(panel.channels.item(r, 4).text()) for r in range(3))
    summary = panel.summary.text()
    assert f"{total:.1f} s in 3 channel(s)" in summary  # 473.1 s
    assert "Afterloader" in summary and "GammaMed PlusHDR" in summary
    assert "1 PtA_left: (19.1, -12.5, 22.8) mm" in summary
    assert "2 PtA_right: (-20.9, -12.5, 21.1) mm" in summary
    # back to an external plan: the beam table returns
    panel.set_plan(read_plan(corpus / "dicompyler-core" / "rtplan.dcm"))
    assert panel.beams.isVisible() and not panel.channels.isVisible()
