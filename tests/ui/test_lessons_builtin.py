"""Every step of every built-in lesson shows what it declares, on the generated demo.

Run it under a real X server as well as offscreen (``xvfb-run -s "-screen 0
1280x720x24" env QT_QPA_PLATFORM=xcb pytest tests/ui/test_lessons_builtin.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtWidgets

from rtviewer.ui.window.lesson_state import tab_pages
from rtviewer.view.lesson import Lesson, LessonStep
from rtviewer.view.lesson_file import builtin_lesson_paths, read_lesson
from tests.ui.window_fixture import demo_folder, demo_window, wait_for  # noqa: F401


def _shown(window, index: int) -> None:
    lessons = window.lessons
    lessons.go(index)
    controller = window.viewer_controller
    wait_for(lambda: lessons._waiting_for is None and not controller._workers)
    controller.viewer.dvh_panel.wait_all()


def _check_step(window, step: LessonStep, plan_uid: str, patient_id: str) -> None:
    viewer = window.viewer_controller.viewer
    state, scene = viewer.state, viewer.scene
    assert window.lessons.problems == []
    assert "Data missing" not in window.lessons.caption.toPlainText()
    assert scene.plan.sop_instance_uid == plan_uid
    assert window.viewer_controller.shown_patient.patient_id == patient_id
    if step.dose_uid is not None:
        assert scene.dose.sop_instance_uid == step.dose_uid
    if step.position_mm is not None:
        np.testing.assert_allclose(state.crosshair_mm, step.position_mm, atol=1e-6)
    if step.layout is not None:
        assert state.layout == step.layout
    if step.view is not None:
        assert state.single_view == step.view
    _check_slices(viewer, step)
    _check_panels(viewer, step)


def _check_slices(viewer, step: LessonStep) -> None:
    state, scene = viewer.state, viewer.scene
    if step.structures is not None:
        names = {roi.name for roi in scene.structures.rois if roi.roi_number in state.visible_rois}
        assert names == set(step.structures)
    if step.isodoses_percent is not None:
        assert set(state.isodose_levels) == set(step.isodoses_percent)
        assert not state.isodose_absolute
    if step.colourwash is not None:
        assert state.colourwash[0] == step.colourwash


def _check_panels(viewer, step: LessonStep) -> None:
    if step.tab is not None:
        page = tab_pages(viewer)[step.tab]
        assert viewer.tabs.currentWidget() is page
        assert viewer.tabs.isTabVisible(viewer.tabs.indexOf(page))
    if step.beam is not None:
        assert viewer.rt_views.bev.beam_number == step.beam
        assert viewer.rt_views.bev.index == (step.control_point or 0)
        assert viewer.rt_views.bev.content is not None
    if step.rt_image_uid is not None:
        assert viewer.rt_views.rt_image.view.image.sop_instance_uid == step.rt_image_uid
    if step.record_uid is not None:
        assert viewer.rt_views.records.sessions.rowCount() > 0
    if step.goals is not None:
        assert viewer.dvh_panel.goals.choice.currentText() == step.goals


@pytest.mark.parametrize("path", builtin_lesson_paths(), ids=lambda p: p.name.split(".")[0])
def test_every_step_shows_what_it_declares(demo_window, path):  # noqa: F811
    window, _controller = demo_window
    lesson = read_lesson(path)
    assert window.lessons.open_file(path)
    plan_uid = patient_id = None
    for index, step in enumerate(lesson.steps):
        plan_uid = step.plan_uid or plan_uid
        patient_id = step.patient_id or patient_id
        _shown(window, index)
        assert window.lessons.index == index
        _check_step(window, step, plan_uid, patient_id)
        caption = window.lessons.caption.toPlainText()
        assert f"{index + 1}/{len(lesson.steps)}" in caption
        if index and lesson.steps[index - 1].question:
            assert caption.splitlines()[1].lstrip().startswith("Answer:")


def test_missing_data_is_named_in_the_caption(demo_window):  # noqa: F811
    window, _controller = demo_window
    lesson = Lesson("Missing", (LessonStep(caption="Look.", patient_id="NOT-HERE",
                                           plan_uid="1.2.3"),))
    window.lessons.open_lesson(lesson)
    text = window.lessons.caption.toPlainText()
    assert "Data missing: patient ID NOT-HERE is not in any open folder" in text
    thorax = read_lesson(builtin_lesson_paths()[0]).steps[0]
    wrong_dose = LessonStep(caption="x", patient_id=thorax.patient_id,
                            plan_uid=thorax.plan_uid, dose_uid="1.2.999")
    window.lessons.open_lesson(Lesson("Missing dose", (wrong_dose,)))
    assert ("the dose with SOP Instance UID 1.2.999 of patient RTV-DEMO-THORAX is not in "
            "any open folder") in window.lessons.caption.toPlainText()


def test_add_this_view_records_the_window_and_never_writes_into_the_data(
        demo_window, tmp_path, monkeypatch):  # noqa: F811
    window, _controller = demo_window
    dock = window.lessons
    path = next(p for p in builtin_lesson_paths() if p.name.startswith("2-"))
    dock.open_file(path)
    _shown(window, 1)  # beam 3 in the beam's-eye view
    viewer = window.viewer_controller.viewer
    viewer.state.set_crosshair_mm((-60.0, -6.0, 31.0))
    warnings = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning",
                        lambda _parent, _title, text: warnings.append(text))
    inside = window.demo_folder / "mine.rtlesson.yaml"
    monkeypatch.setattr(dock, "_ask_target", lambda: inside)
    assert dock.add_current_view() is None
    assert not inside.exists() and "never writes into a folder" in warnings[0]
    target = tmp_path / "mine.rtlesson.yaml"
    monkeypatch.setattr(dock, "_ask_target", lambda: target)
    assert dock.add_current_view() == target
    saved = read_lesson(target)
    assert len(saved.steps) == 8 and dock.index == 2
    step = saved.steps[2]
    assert step.patient_id == "RTV-DEMO-THORAX" and step.plan_uid == saved.steps[0].plan_uid
    assert step.position_mm == (-60.0, -6.0, 31.0)
    assert (step.tab, step.beam, step.control_point) == ("beams_eye", 3, 0)
    assert set(step.structures) == set(saved.steps[0].structures)
    assert step.layout == 1 and step.view == "axial"
    assert step.zoom == pytest.approx(1.0, abs=0.01)


def test_a_lesson_without_goals_shows_none_from_an_earlier_lesson(demo_window):  # noqa: F811
    window, _controller = demo_window
    paths = builtin_lesson_paths()
    window.lessons.open_file(next(p for p in paths if p.name.startswith("2-")))
    _shown(window, 6)  # the demo_thorax goals
    goals = window.viewer_controller.viewer.dvh_panel.goals
    assert goals.goal_set is not None
    window.lessons.open_file(next(p for p in paths if p.name.startswith("4-")))
    _shown(window, 4)  # the HDR DVH: no goal set named
    assert goals.goal_set is None
