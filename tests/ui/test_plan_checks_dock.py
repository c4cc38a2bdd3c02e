"""The Plan checks dock lists findings and centres the views on the selected one."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.model.findings import Severity
from rtviewer.review import PlanFinding, review_plan
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


@pytest.fixture(scope="module")
def thorax_scene(tmp_path_factory):
    from rtviewer.demo.generate import generate_demo
    from rtviewer.dicom.scan import scan
    from rtviewer.ui.workers.loader import load_scene
    from rtviewer.view.chain import chain_for

    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    result = scan(out / "RTV-DEMO-THORAX", use_cache=False)
    plans = sorted(i.path for i in result.instances() if i.kind == "rtplan")
    return load_scene(chain_for(result, plans[0])).scene


def test_a_finding_centres_the_views_and_shows_its_objects(qtbot, tmp_path, thorax_scene):
    from rtviewer.model.plan_case import PlanCase
    from rtviewer.review.seeded_faults import swap_laterality
    from rtviewer.ui.views.viewer import Viewer
    from rtviewer.ui.window.finding_links import centre_views, show_objects

    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.resize(1200, 800)
    viewer.set_scene(thorax_scene)
    viewer.show()
    case = PlanCase(thorax_scene.plan, thorax_scene.structures, thorax_scene.dose)
    fault = swap_laterality(case)
    finding = next(f for f in review_plan(fault.case) if f.code == "ROI_LATERALITY")
    for view in viewer.views.values():  # zoomed in: the place would be off screen
        view.vb.scaleBy((0.3, 0.3))
    centre_views(viewer, finding.location_mm)
    show_objects(viewer, finding.objects)
    np.testing.assert_allclose(viewer.state.crosshair_mm, finding.location_mm)
    for view in viewer.views.values():
        (s0, s1), (t0, t1) = view.vb.viewRange()
        np.testing.assert_allclose(((s0 + s1) / 2, (t0 + t1) / 2),
                                   view.patient_to_view(np.array(finding.location_mm)),
                                   atol=1e-6)
    roi = next(r for r in thorax_scene.structures.rois
               if f"ROI:{r.name}" == finding.objects[0])
    assert roi.roi_number in viewer.state.visible_rois
    assert viewer.structure_panel.table.currentItem().text(0) == roi.name
    beam = thorax_scene.plan.beams[2]
    show_objects(viewer, (f"BEAM:{beam.name or beam.number}",))
    assert viewer.plan_panel.beams.currentRow() == 2
    assert beam.number in viewer.rt_views.beam_state.visible_beams
    viewer.grab().save(str(tmp_path / "finding_centred.png"))
