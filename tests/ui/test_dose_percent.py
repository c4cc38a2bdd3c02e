"""Percentages in the readout, isodose levels and DVH panel follow the Dose Summation Type."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from factories.phantom import make_phantom

from rtviewer.model.dose import DoseSummationType
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.scene import Scene


@pytest.fixture(scope="module")
def corpus_plan(corpus):
    """The dicompyler-core plan: 14 Gy in 7 fractions (a real Plan for every panel)."""
    from rtviewer.dicom.plan import read_plan

    return read_plan(corpus / "dicompyler-core" / "rtplan.dcm")


def _plan(plan, rx_gy=40.0, fractions=2, uid="1.2.3"):
    group = replace(plan.fraction_groups[0], fractions_planned=fractions)
    return replace(plan, sop_instance_uid=uid, fraction_groups=(group,),
                   prescription=replace(plan.prescription, dose_gy=rx_gy))


def _viewer(qtbot, summation, plan):
    image, structures, dose = make_phantom()  # peak 20 Gy
    dose = replace(dose, summation_type=summation, referenced_plan_uid="1.2.3",
                   referenced_plan_uids=("1.2.3",))
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(Scene(image=image, structures=structures, dose=dose, plan=plan))
    return viewer


def test_fraction_dose_percentages_are_of_the_prescription_per_fraction(qtbot, corpus_plan):
    viewer = _viewer(qtbot, DoseSummationType.FRACTION,
                     _plan(corpus_plan, rx_gy=40.0, fractions=2))
    reference = viewer.state.reference_dose
    assert reference.dose_gy == pytest.approx(20.0) and reference.is_prescription
    assert "÷ 2 fractions (FRACTION dose)" in viewer.dose_panel.source.text()
    # 100 % isodose line at 20 Gy per fraction, not at 40 Gy
    assert viewer.state.isodose_levels_gy()[viewer.state.isodose_levels.index(100.0)] == \
        pytest.approx(20.0)
    viewer.state.set_cursor_mm(np.zeros(3))  # the dose peak: 20 Gy
    assert "19.978 Gy (99.9 %)" in viewer.readout.text()  # trilinear between voxels
    panel = viewer.dvh_panel
    panel.wait_all()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=20000)
    assert "100 % = 20 Gy: prescription 40 Gy ÷ 2 fractions" in panel.info.text()
    v_rx = [panel.table.horizontalHeaderItem(c).text()
            for c in range(panel.table.columnCount())].index("V Rx (%)")
    assert panel.table.item(0, v_rx).text() != ""
    assert not viewer.dose_panel.warnings.isVisibleTo(viewer)  # 20 Gy peak fits 20 Gy
    viewer.close()


def test_beam_dose_has_no_percentage_of_the_prescription(qtbot, corpus_plan):
    viewer = _viewer(qtbot, DoseSummationType.BEAM, _plan(corpus_plan))
    reference = viewer.state.reference_dose
    assert not reference.is_prescription and "BEAM dose" in reference.source
    viewer.state.set_cursor_mm(np.zeros(3))
    assert "(99.9 % of max)" in viewer.readout.text()
    panel = viewer.dvh_panel
    panel.wait_all()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=20000)
    assert "No % of prescription" in panel.info.text() and "BEAM dose" in panel.info.text()
    v_rx = [panel.table.horizontalHeaderItem(c).text()
            for c in range(panel.table.columnCount())].index("V Rx (%)")
    assert panel.table.item(0, v_rx).text() == ""  # no V(Rx) without a prescription
    viewer.close()


def test_a_dose_of_another_plan_or_an_implausible_peak_is_flagged(qtbot, corpus_plan):
    viewer = _viewer(qtbot, DoseSummationType.PLAN, _plan(corpus_plan, rx_gy=60.0, uid="7.7.7"))
    warnings = viewer.dose_panel.warnings.text()
    assert "references RT Plan 1.2.3, not the plan shown (7.7.7)" in warnings
    assert "33 % of the prescription" in warnings  # 20 Gy peak for 60 Gy
    index = viewer.tabs.indexOf(viewer.dose_panel)
    assert viewer.tabs.tabText(index) == "Dose ⚠"
    viewer.close()
