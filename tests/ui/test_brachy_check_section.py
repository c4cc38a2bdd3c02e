"""The Brachy tab's TG-43 check section on the corpus plans."""

import pytest

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.panels.brachy_check_section import CHECK_COLUMNS
from rtviewer.ui.panels.brachy_panel import BrachyPanel

TG43, PLAN, DIFF, STATUS, COMPARED, PER_PULSE = (
    CHECK_COLUMNS.index(c) for c in ("TG-43\n(Gy)", "Plan\n(Gy)", "Diff\n(%)", "Status",
                                     "Compared", "Pulse\n(Gy)"))

pytestmark = pytest.mark.corpus


def test_eclipse_point_a_rows(qtbot, corpus):
    panel = BrachyPanel()
    qtbot.addWidget(panel)
    folder = corpus / "pytg43-brachy" / "HDR"
    panel.set_plan(read_plan(folder / "RP.HDR.dcm"), read_structure_set(folder / "RS.HDR.dcm"))
    table = panel.check.table
    assert table.rowCount() == 3
    assert [table.item(r, 0).text() for r in range(3)] == ["PtA_left", "PtA_right",
                                                           "setup 1 dose point"]
    assert table.item(0, TG43).text() == "6.0013" and table.item(0, PLAN).text() == "6.0016"
    assert all(table.item(r, STATUS).text() == "PASS" for r in range(3))
    assert table.isColumnHidden(PER_PULSE)  # an HDR plan: nothing per pulse
    assert "GammaMed Plus HDR" in panel.check.summary.text()


def test_tolerance_turns_rows_to_warn(qtbot, corpus):
    panel = BrachyPanel()
    qtbot.addWidget(panel)
    panel.set_plan(read_plan(corpus / "pytg43-brachy" / "oncentra" / "RP.oncentra.dcm"))
    table = panel.check.table
    assert table.rowCount() == 14 and "ASSUMED" in panel.check.summary.text()
    panel.check.tolerance.setValue(0.5)
    statuses = [table.item(r, STATUS).text() for r in range(table.rowCount())]
    assert "WARN" in statuses and "PASS" in statuses
    warn = statuses.index("WARN")
    assert abs(float(table.item(warn, DIFF).text())) > 0.5
    assert table.item(warn, 0).background().color().red() == 255


def test_no_plan_says_so(qtbot):
    panel = BrachyPanel()
    qtbot.addWidget(panel)
    panel.set_plan(None)
    assert panel.check.table.rowCount() == 0
    assert "No brachytherapy plan" in panel.check.summary.text()


def test_pdr_rows_are_compared_per_pulse(qtbot, corpus):
    panel = BrachyPanel()
    qtbot.addWidget(panel)
    folder = corpus / "pytg43-brachy" / "PDR"
    panel.set_plan(read_plan(folder / "RP.PDR.dcm"), read_structure_set(folder / "RS.PDR.dcm"))
    table = panel.check.table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(7)]
            for r in range(table.rowCount())}
    # Eclipse PDR: Σ CDRC × Application Setup Dose per pulse 0.5241 / 0.5389 Gy
    assert [rows["PT A RIGHT"][c] for c in (PER_PULSE, PLAN, COMPARED)] == \
        ["0.5244", "0.5241", "per pulse"]
    assert [rows["PT A LEFT"][c] for c in (PER_PULSE, PLAN, COMPARED)] == \
        ["0.5393", "0.5389", "per pulse"]
    assert all(r[STATUS] == "PASS" for r in rows.values())
    assert not table.isColumnHidden(PER_PULSE)


def test_an_anonymised_source_is_named_and_checked_with_the_chosen_data(qtbot, corpus,
                                                                        tmp_path):
    import pydicom

    ds = pydicom.dcmread(corpus / "pytg43-brachy" / "HDR" / "RP.HDR.dcm")
    for source in ds.SourceSequence:  # as pyTG43's rotated example leaves it
        source.SourceIsotopeName = "isotope"
        source.SourceManufacturer = "manufacturer"
        for keyword in ("SourceModelID", "SourceDescription"):
            if keyword in source:
                delattr(source, keyword)
    path = tmp_path / "RP.anonymised.dcm"
    ds.save_as(path)
    panel = BrachyPanel()
    qtbot.addWidget(panel)
    panel.set_plan(read_plan(path))
    said = panel.check.summary.text()
    assert "No TG-43 check: no TG-43 consensus dataset for the plan's source" in said
    assert "Choose the source data above" in said and panel.check.table.rowCount() == 0
    panel.source_choice.setCurrentIndex(panel.source_choice.findData("GammaMed Plus HDR"))
    assert "GammaMed Plus HDR (chosen by the user)" in panel.check.summary.text()
    assert panel.check.table.item(0, TG43).text() == "6.0013"
    assert panel.dose_section.source_key == panel.gec_estro.source_key == "GammaMed Plus HDR"
