"""The DVH tab's clinical goals: value, limit, status and margin per goal, as the CLI."""

from __future__ import annotations

import pytest

from rtviewer.dicom.goal_file import shipped_goal_sets
from rtviewer.dicom.plan_bundle import load_bundle, plan_bundles
from rtviewer.ui.panels.goals_panel import GoalsPanel
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.scene import Scene


@pytest.fixture(scope="module")
def thorax(demo_dir):
    plans, headers = plan_bundles(demo_dir / "RTV-DEMO-THORAX")
    bundles = [load_bundle(p, headers) for p in sorted(plans)]
    bundle = next(b for b in bundles if b.plan.label == "Lung 3DCRT")
    return Scene(structures=bundle.structure_set, dose=bundle.doses[0], plan=bundle.plan)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    from rtviewer.demo.generate import generate_demo

    out = tmp_path_factory.mktemp("demo") / "out"
    generate_demo(out)
    return out


def test_demo_goals_in_the_panel(qtbot, thorax):
    panel = GoalsPanel()
    qtbot.addWidget(panel)
    panel.asynchronous = False
    panel.set_scene(thorax, "slab")
    panel.load(shipped_goal_sets()["demo_thorax"])
    rows = [[panel.table.item(r, c).text() for c in range(panel.table.columnCount())]
            for r in range(panel.table.rowCount())]
    # The 3D plan's one taught failure (resources/goals/demo_thorax.yaml).
    failed = [r for r in rows if r[5] != "pass"]
    assert len(failed) == 1
    ptv = failed[0]
    assert ptv[:2] == ["mandatory", "PTV"] and ptv[3] == "D98 >= 95 % Rx"
    assert ptv[5] == "fail" and ptv[6].startswith("-")
    assert "1 mandatory goal(s) fail" in panel.summary.text()
    assert "structure model slab" in panel.summary.text()
    cord = next(r for r in rows if r[1] == "SpinalCord")
    assert cord[5] == "pass" and "outside the dose grid" not in cord[7]


def test_the_dvh_tab_carries_the_goals_and_follows_the_structure_model(qtbot, thorax):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    goals = viewer.dvh_panel.goals
    goals.load(shipped_goal_sets()["demo_thorax"])
    with qtbot.waitSignal(goals.evaluated, timeout=120000):
        viewer.set_scene(thorax)
    assert goals.results and all(r.structure_model == "slab" for r in goals.results)
    with qtbot.waitSignal(goals.evaluated, timeout=120000):
        viewer.dvh_panel.model_choice.setCurrentText("none")
    assert all(r.structure_model == "none" for r in goals.results)
