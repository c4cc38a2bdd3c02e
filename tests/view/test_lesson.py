"""Lesson model, YAML file and caption text (Qt-free)."""

from __future__ import annotations

import pytest

from rtviewer.view.lesson import Lesson, LessonError, LessonStep, effective_step, missing_data
from rtviewer.view.lesson_file import (
    builtin_lesson_paths,
    is_lesson_file,
    read_lesson,
    read_lesson_text,
    write_lesson,
)
from rtviewer.view.lesson_text import caption_markdown, maths_html, with_maths

_LESSON = """\
format: 1
title: Two steps
data: demo
steps:
  - title: First
    patient_id: RTV-DEMO-THORAX
    plan_uid: 1.2.3
    layout: 1
    view: sagittal
    position_mm: [1, -2.5, 30]
    zoom: 1.5
    structures: [PTV, Lungs]
    isodoses_percent: [95, 50]
    beam: 3
    control_point: 0
    tab: beams_eye
    caption: |
      The PTV gets $D_{95} \\geq 95\\,\\%$.
      Its second line.
    question: Which beam?
    answer: Beam 3.
  - caption: Next.
"""


def test_reads_every_field_of_a_step():
    lesson = read_lesson_text(_LESSON, "x.rtlesson.yaml")
    assert lesson.title == "Two steps" and lesson.data == "demo" and len(lesson.steps) == 2
    first = lesson.steps[0]
    assert first.position_mm == (1.0, -2.5, 30.0)
    assert first.structures == ("PTV", "Lungs")
    assert first.isodoses_percent == (95.0, 50.0)
    assert (first.layout, first.view, first.zoom, first.beam, first.tab) == (
        1, "sagittal", 1.5, 3, "beams_eye")
    assert lesson.steps[1].patient_id is None  # what a step leaves out stays as it was


def test_round_trip_through_a_file(tmp_path):
    lesson = read_lesson_text(_LESSON, "x")
    path = write_lesson(lesson, tmp_path / "mine")
    assert path.name == "mine.rtlesson.yaml" and is_lesson_file(path)
    assert read_lesson(path) == lesson
    assert "caption: |" in path.read_text(encoding="utf-8")  # captions stay editable


@pytest.mark.parametrize(("change", "words"), [
    ("layout: 1", "layout: 2"),
    ("view: sagittal", "view: oblique"),
    ("zoom: 1.5", "zoom: -1"),
    ("position_mm: [1, -2.5, 30]", "position_mm: [1, 2]"),
    ("beam: 3", "beam: three"),
    ("tab: beams_eye", "tab: bev"),
    ("structures: [PTV, Lungs]", "structurs: [PTV]"),
])
def test_bad_fields_name_the_file_and_step(change, words):
    with pytest.raises(LessonError) as info:
        read_lesson_text(_LESSON.replace(change, words), "bad.rtlesson.yaml")
    message = str(info.value)
    assert message.startswith("bad.rtlesson.yaml: step 1:")


def test_not_yaml_and_no_steps_are_refused(tmp_path):
    with pytest.raises(LessonError, match="not valid YAML"):
        read_lesson_text("steps: [", "a")
    with pytest.raises(LessonError, match="non-empty list"):
        read_lesson_text("title: x\nsteps: []\n", "a")
    with pytest.raises(LessonError, match="format 2"):
        read_lesson_text("format: 2\nsteps: [{caption: x}]\n", "a")
    with pytest.raises(LessonError, match="cannot read"):
        read_lesson(tmp_path / "absent.rtlesson.yaml")


def test_with_step_appends_or_inserts():
    lesson = Lesson("t", (LessonStep(caption="a"),))
    assert [s.caption for s in lesson.with_step(LessonStep(caption="b")).steps] == ["a", "b"]
    assert [s.caption for s in lesson.with_step(LessonStep(caption="b"), 0).steps] == ["b", "a"]


def test_effective_step_carries_settings_forward():
    first = LessonStep(caption="a", question="q", patient_id="P", layout=1, beam=2, zoom=2.0)
    second = LessonStep(caption="b", layout=3, structures=("PTV",))
    merged = effective_step((first, second))
    assert (merged.patient_id, merged.layout, merged.beam, merged.zoom) == ("P", 3, 2, 2.0)
    assert merged.structures == ("PTV",)
    assert (merged.caption, merged.question) == ("b", "")  # texts are the step's own


def test_missing_data_names_patient_and_uid():
    step = LessonStep(patient_id="P1", plan_uid="1.2", dose_uid="1.3")
    assert missing_data(step, {}) == ["patient ID P1 is not in any open folder"]
    said = missing_data(step, {"P1": frozenset({"1.2"})})
    assert said == ["the dose with SOP Instance UID 1.3 of patient P1 is not in any open folder"]
    assert missing_data(step, {"P1": frozenset({"1.2", "1.3"})}) == []


def test_maths_becomes_html():
    assert maths_html(r"D_{95} \geq 95\,\%") == "D<sub>95</sub> ≥ 95\u2009%"
    assert maths_html("cm^3") == "cm<sup>3</sup>"
    assert maths_html(r"\frac{a}{b}") == "(a)/(b)"
    assert maths_html(r"\unknown x") == r"\unknown x"  # shown, never dropped
    assert maths_html("a < b") == "a &lt; b"
    assert with_maths(r"costs \$5 and $V_{20}$") == "costs $5 and V<sub>20</sub>"


def test_caption_reveals_the_previous_answer_and_names_missing_data():
    before = LessonStep(caption="a", question="Why?", answer="Because $x^2$.")
    now = LessonStep(caption="Look.", title="Two", question="And now?")
    text = caption_markdown(now, 2, 5, before, ("patient ID P1 is not in any open folder",))
    lines = text.split("\n\n")
    assert lines[0] == "### 2/5 · Two"
    assert lines[1] == "> **Answer:** Because x<sup>2</sup>."
    assert lines[2].startswith("**Data missing:** patient ID P1")
    assert lines[3:] == ["Look.", "**Question:** And now?\n"]
    assert "Answer" not in caption_markdown(now, 1, 5)


def test_builtin_lessons_read_and_have_6_to_12_steps():
    paths = builtin_lesson_paths()
    assert len(paths) >= 6
    for path in paths:
        lesson = read_lesson(path)
        assert 6 <= len(lesson.steps) <= 12, path.name
        assert lesson.data == "demo"
        assert all(step.caption.strip() for step in lesson.steps), path.name
        assert lesson.steps[0].patient_id and lesson.steps[0].plan_uid  # data from step 1
