"""The Plan checks dock lists findings and centres the views on the selected one."""

from __future__ import annotations

import numpy as np

from rtviewer.model.findings import Severity
from rtviewer.review import PlanFinding
from rtviewer.ui.window.plan_checks_dock import PlanChecksDock


def test_findings_are_listed_and_a_place_is_offered(qtbot, tmp_path):
    dock = PlanChecksDock()
    qtbot.addWidget(dock)
    findings = (
        PlanFinding("ROI_LATERALITY", Severity.ERROR, "Structure 'Lung_L' is named left but…",
                    ("ROI:Lung_L",), {"offset_mm": -80.0}, (-80.0, 10.0, 25.0)),
        PlanFinding("PLAN_NOT_APPROVED", Severity.WARNING, "Approval Status is UNAPPROVED.",
                    ("PLAN",)),
    )
    dock.show_findings(findings)
    assert dock.table.topLevelItemCount() == 2
    assert dock.table.topLevelItem(0).text(1) == "ROI_LATERALITY"
    assert dock.status.text().startswith("1 error(s), 1 warning(s)")
    with qtbot.waitSignal(dock.locate) as blocker:
        dock.table.setCurrentItem(dock.table.topLevelItem(0))
    np.testing.assert_allclose(blocker.args[0], (-80.0, 10.0, 25.0))
    dock.resize(900, 200)
    dock.show()
    dock.grab().save(str(tmp_path / "plan_checks.png"))


def test_a_review_of_no_plan_clears_the_table(qtbot):
    dock = PlanChecksDock()
    qtbot.addWidget(dock)
    dock.show_findings((PlanFinding("BEAM_MU", Severity.WARNING, "x", ("BEAM:1",)),))
    dock.review(None)
    assert dock.table.topLevelItemCount() == 0
    assert dock.status.text().startswith("No external-beam plan on screen")


def test_a_plan_is_reviewed_when_the_dock_opens_not_before(qtbot, monkeypatch):
    started = []
    monkeypatch.setattr(PlanChecksDock, "review", lambda self, case: started.append(case))
    dock = PlanChecksDock()
    qtbot.addWidget(dock)
    dock.offer("a case")
    assert started == []
    dock.show()
    qtbot.waitUntil(lambda: started == ["a case"])
    dock.offer("another")  # open: at once
    assert started == ["a case", "another"]
