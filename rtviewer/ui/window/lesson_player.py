"""The Lesson dock: a lesson's caption, its step buttons, and recording steps.

Help → Lessons, ``rtviewer --lesson FILE`` and a double-clicked ``*.rtlesson.yaml``
open a lesson here (:mod:`rtviewer.view.lesson_file`). Each step first shows its
data (patient, plan, dose, found by Patient ID and UID in the open folders; the
demo patients opened on demand), then its view (:mod:`.lesson_state`), then its
caption. "Add this view as a step" records the window into the lesson and saves
it where the user chooses, never inside an open (patient) folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.errors import RtViewerError
from rtviewer.ui.window.lesson_state import (
    apply_view,
    find_chain,
    find_instance,
    open_uids,
    record_step,
    shown_uids,
)
from rtviewer.view.lesson import Lesson, LessonError, LessonStep, effective_step, missing_data
from rtviewer.view.lesson_name import LESSON_SUFFIX
from rtviewer.view.lesson_text import caption_markdown

__all__ = ["LessonDock", "add_lessons_menu", "attach_lessons"]

log = logging.getLogger(__name__)


class LessonDock(QtWidgets.QDockWidget):
    """Caption panel and step navigation of the open lesson.

    Signals
    -------
    stepShown(int)
        Step ``index`` (0-based) is on screen: data, view and caption.
    """

    stepShown = QtCore.Signal(int)

    def __init__(self, window: Any, controller: Any,
                 open_path: Callable[[str], object]) -> None:
        super().__init__("Lesson", window)
        self.setObjectName("lesson_dock")
        self.window_, self.controller, self.open_path = window, controller, open_path
        self.lesson: Lesson | None = None
        self.path: Path | None = None
        self.index = -1
        self.problems: list[str] = []
        self._waiting_for: int | None = None  # the step whose data is loading
        self._demo_asked = False
        self._build()
        controller.loaded.connect(self._on_loaded)
        window.scan_finished.connect(self._on_scan_finished)
        self.hide()

    def _build(self) -> None:
        body = QtWidgets.QWidget()
        self.caption = QtWidgets.QTextBrowser()
        self.caption.setObjectName("lesson_caption")
        self.caption.setOpenExternalLinks(True)
        self.previous_button = QtWidgets.QPushButton("◀ Previous")
        self.next_button = QtWidgets.QPushButton("Next ▶")
        self.counter = QtWidgets.QLabel()
        self.record_button = QtWidgets.QPushButton("Add this view as a step")
        self.record_button.setToolTip("Record the window's state after the current step "
                                      "and save the lesson to a file you choose")
        self.previous_button.clicked.connect(self.previous_step)
        self.next_button.clicked.connect(self.next_step)
        self.record_button.clicked.connect(self.add_current_view)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.previous_button)
        row.addWidget(self.counter, 1, QtCore.Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.next_button)
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption, 1)
        layout.addLayout(row)
        layout.addWidget(self.record_button)
        self.setWidget(body)

    # -- opening ------------------------------------------------------------------------
    def open_file(self, path: str | Path) -> bool:
        """Read a lesson file and show its first step; a dialog names what is wrong."""
        from rtviewer.view.lesson_file import read_lesson  # PyYAML: after the first image

        try:
            lesson = read_lesson(path)
        except LessonError as exc:
            log.warning("%s", exc)
            QtWidgets.QMessageBox.warning(self.window_, "Cannot open the lesson", str(exc))
            return False
        self.open_lesson(lesson, Path(path))
        return True

    def open_lesson(self, lesson: Lesson, path: Path | None = None) -> None:
        """Show ``lesson`` from its first step (``path``: where it was read from)."""
        self.lesson, self.path = lesson, path
        self._demo_asked = False
        self.setWindowTitle(f"Lesson: {lesson.title}")
        self.show()
        self.raise_()
        self.go(0)

    def new_lesson(self) -> None:
        """Start an empty lesson to record steps into."""
        self.lesson, self.path, self.index = None, None, -1
        self.setWindowTitle("Lesson (new)")
        self.caption.setMarkdown("Set up a view, then **Add this view as a step**.")
        self._update_buttons()
        self.show()

    # -- navigation ---------------------------------------------------------------------
    @property
    def step(self) -> LessonStep | None:
        """The step on screen (None without a lesson)."""
        if self.lesson is None or not 0 <= self.index < len(self.lesson.steps):
            return None
        return self.lesson.steps[self.index]

    @property
    def shown_step(self) -> LessonStep | None:
        """The step on screen with the settings it takes from the steps before it."""
        return None if self.step is None else self._with_patient(self.index)

    def next_step(self) -> bool:
        """Show the next step; False at the last one (or without a lesson)."""
        if self.lesson is None or self.index + 1 >= len(self.lesson.steps):
            return False
        self.go(self.index + 1)
        return True

    def previous_step(self) -> bool:
        """Show the previous step; False at the first one."""
        if self.lesson is None or self.index <= 0:
            return False
        self.go(self.index - 1)
        return True

    def go(self, index: int) -> None:
        """Show step ``index`` (0-based): its data, then its view and caption."""
        if self.lesson is None:
            return
        self.index = max(0, min(index, len(self.lesson.steps) - 1))
        self._update_buttons()
        step = self._with_patient(self.index)
        results = self.window_.results
        missing = missing_data(step, open_uids(results))
        if missing and self.lesson.data == "demo" and self._open_demo():
            self._waiting_for = self.index
            self._show_caption(("opening the demo patients…",))
            return
        if missing:
            self._waiting_for = None
            self._show_caption(tuple(missing))
            self.stepShown.emit(self.index)
            return
        chain = find_chain(results, step)
        wanted = (step.plan_uid or shown_uids(self.controller.viewer)[0],
                  step.dose_uid or shown_uids(self.controller.viewer)[1])
        if chain is not None and wanted != shown_uids(self.controller.viewer):
            self._waiting_for = self.index
            self._show_caption(("loading…",))
            self.controller.load(chain)
            return
        self._finish()

    def _with_patient(self, index: int) -> LessonStep:
        """Step ``index`` as it shows: what it leaves out, the steps before it set.

        The settings of every step since the last one that named data (patient,
        plan or dose) are merged, later ones winning, and that data is the step's;
        so any step shows the same when jumped to as when reached step by step, and
        a step never overtakes its predecessor's data while it loads.
        """
        assert self.lesson is not None
        steps = self.lesson.steps
        start = next((i for i in range(index, -1, -1) if _names_data(steps[i])), 0)
        merged = effective_step(steps[start:index + 1])
        if merged.patient_id is None:
            patient = next((s.patient_id for s in reversed(steps[:start]) if s.patient_id), None)
            merged = replace(merged, patient_id=patient)
        return merged

    def _open_demo(self) -> bool:
        """Open the demo patients once per lesson (generated on first use); True if asked."""
        if self._demo_asked:
            return False
        self._demo_asked = True
        from rtviewer.demo.generate import cached_demo_dir

        if cached_demo_dir().is_dir():
            self.open_path(str(cached_demo_dir()))
        else:
            from rtviewer.ui.window.demo_loader import open_demo_when_ready

            open_demo_when_ready(self.window_, self.open_path)
        return True

    def _on_scan_finished(self, _result: object) -> None:
        if self._waiting_for is not None and self._waiting_for == self.index:
            # after the controller's own slot: its default load is superseded by the step's
            QtCore.QTimer.singleShot(0, lambda: self.go(self.index))

    def _on_loaded(self, _result: object) -> None:
        if self._waiting_for is not None and self._waiting_for == self.index:
            self._finish()

    def _finish(self) -> None:
        self._waiting_for = None
        if self.step is None:
            return
        step = self._with_patient(self.index)
        results = self.window_.results
        patient = self.controller.shown_patient
        plan_uid = shown_uids(self.controller.viewer)[0]
        if patient is not None and plan_uid is not None:  # RT Images and records of the plan
            found = find_instance(results, patient.patient_id or "", plan_uid)
            if found is not None:
                self.controller.viewer.rt_views.set_related(found[0])
        self.problems = apply_view(self.controller.viewer, step, results,
                                   patient.patient_id if patient is not None else None)
        for problem in self.problems:
            log.warning("lesson step %d: %s", self.index + 1, problem)
        self._show_caption()
        self.stepShown.emit(self.index)

    def _show_caption(self, missing: tuple[str, ...] = ()) -> None:
        step = self.step
        if self.lesson is None or step is None:
            return
        previous = self.lesson.steps[self.index - 1] if self.index > 0 else None
        text = caption_markdown(step, self.index + 1, len(self.lesson.steps), previous,
                                missing)
        if self.problems and not missing:
            text += "\n\n*Not shown as the step asks:* " + "; ".join(self.problems) + "\n"
        self.caption.setMarkdown(text)

    def _update_buttons(self) -> None:
        total = len(self.lesson.steps) if self.lesson is not None else 0
        self.counter.setText(f"{self.index + 1} / {total}" if total else "")
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(0 <= self.index < total - 1)

    # -- recording ----------------------------------------------------------------------
    def add_current_view(self) -> Path | None:
        """Record the window as a step after the current one and save the lesson."""
        patient = self.controller.shown_patient
        step = record_step(self.controller.viewer,
                           patient.patient_id if patient is not None else None)
        lesson = self.lesson or Lesson(title="My lesson", steps=())
        index = self.index + 1 if self.lesson is not None else len(lesson.steps)
        target = self._ask_target()
        if target is None:
            return None
        return self.save(target, lesson.with_step(step, index), index)

    def save(self, target: Path, lesson: Lesson | None = None,
             index: int | None = None) -> Path | None:
        """Write ``lesson`` (default: the open one) to ``target``, then make it the open one.

        A path inside an open folder is refused: patient data folders are read-only.
        """
        lesson = lesson or self.lesson
        if lesson is None:
            return None
        inside = self._open_folder_holding(target)
        if inside is not None:
            QtWidgets.QMessageBox.warning(
                self.window_, "Lesson not saved",
                f"{target} is inside the open folder {inside}: rtviewer never writes into "
                "a folder it reads patient data from. Choose another folder.")
            return None
        from rtviewer.view.lesson_file import write_lesson

        try:
            saved = write_lesson(lesson, target)
        except (OSError, RtViewerError) as exc:
            QtWidgets.QMessageBox.warning(self.window_, "Lesson not saved",
                                          f"Could not write {target}: {exc}")
            return None
        self.lesson, self.path = lesson, saved
        self.window_.statusBar().showMessage(f"Lesson saved to {saved}", 10_000)
        self.setWindowTitle(f"Lesson: {lesson.title}")
        self.show()
        if index is not None:
            self.index = index
            self._update_buttons()
            self._show_caption()
        return saved

    def _open_folder_holding(self, target: Path) -> Path | None:
        resolved = Path(target).resolve()
        for root in self.window_.results:
            if resolved.is_relative_to(Path(root).resolve()):
                return Path(root)
        return None

    def _ask_target(self) -> Path | None:
        """Where to save: the lesson's own file if it is the user's, else a dialog."""
        if self.path is not None and self._is_users(self.path):
            return self.path
        start = str(Path(QtCore.QStandardPaths.writableLocation(
            QtCore.QStandardPaths.StandardLocation.DocumentsLocation)) / f"lesson{LESSON_SUFFIX}")
        name, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self.window_, "Save the lesson", start, f"Lessons (*{LESSON_SUFFIX})")
        return Path(name) if name else None

    @staticmethod
    def _is_users(path: Path) -> bool:
        """Not one of rtviewer's own lessons (package data is never written to)."""
        from rtviewer.view.lesson_file import builtin_lesson_paths

        return Path(path).resolve() not in {p.resolve() for p in builtin_lesson_paths()}


def _names_data(step: LessonStep) -> bool:
    return any(v is not None for v in (step.patient_id, step.plan_uid, step.dose_uid))


def attach_lessons(window: Any, controller: Any, open_path: Callable[[str], object]
                   ) -> LessonDock:
    """Add the Lesson dock (hidden until a lesson opens) to ``window``."""
    dock = LessonDock(window, controller, open_path)
    window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    window.lessons = dock
    return dock


def add_lessons_menu(window: Any, help_menu: QtWidgets.QMenu) -> QtWidgets.QMenu:
    """Help → Lessons: the built-in lessons, Open lesson file…, New lesson.

    The built-in lessons' titles are read (their YAML files, PyYAML imported) when the
    menu is first shown: the menu is added on the GUI thread just after the first
    image, where 0.1 s of reading would delay the window's answer to the user.
    """
    menu = help_menu.addMenu("&Lessons")
    separator = menu.addSeparator()
    menu.addAction("Open lesson file…", lambda: _ask_lesson(window))
    menu.addAction("New lesson (record steps)", window.lessons.new_lesson)
    filled: list[bool] = []

    def fill_once() -> None:
        if not filled:
            filled.append(True)
            _add_builtin_lessons(window, menu, separator)

    menu.aboutToShow.connect(fill_once)
    return menu


def _add_builtin_lessons(window: Any, menu: QtWidgets.QMenu, before: QtGui.QAction) -> None:
    """One action per built-in lesson, titled from its file, above ``before``."""
    from rtviewer.view.lesson_file import builtin_lesson_paths, read_lesson

    for path in builtin_lesson_paths():
        try:
            title = read_lesson(path).title
        except LessonError as exc:  # a broken package: say so, do not hide it
            log.error("%s", exc)
            continue
        action = QtGui.QAction(title, menu)
        action.triggered.connect(_opener(window, path))
        menu.insertAction(before, action)


def _opener(window: Any, path: Path) -> Callable[[], object]:
    return lambda: window.lessons.open_file(path)


def _ask_lesson(window: Any) -> None:
    name, _filter = QtWidgets.QFileDialog.getOpenFileName(
        window, "Open a lesson", "", f"Lessons (*{LESSON_SUFFIX});;YAML (*.yaml *.yml)")
    if name:
        window.lessons.open_file(name)


