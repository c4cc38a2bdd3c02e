"""Clinical goals in the DVH tab: each goal with its structure, value, limit, status, margin.

The user picks a shipped goal set (QUANTEC, conventional lung / prostate / head and neck,
SBRT after TG-101, the demo's) or loads a file; the goals are evaluated on the scene's
dose with the DVH panel's structure model, in a daemon thread (DVHs of the matched
structures only), exactly as ``rtviewer goals`` evaluates them.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.printable import printable
from rtviewer.ui.panels.dvh_plot_box import CappedLabel

__all__ = ["GOAL_TABLE_COLUMNS", "GoalsPanel", "evaluate_scene"]

GOAL_TABLE_COLUMNS = ("Priority", "Structure", "ROI (match)", "Goal", "Value", "Status",
                      "Margin", "Note")
_STATUS_COLOURS = {"pass": QtGui.QColor(200, 240, 200), "fail": QtGui.QColor(250, 200, 200),
                   "not evaluable": QtGui.QColor(250, 230, 180)}
_NONE = "No goal set"
_LOAD = "Load goal file…"


def evaluate_scene(goal_set: Any, scene: Any, model: str,
                   synonyms: dict[str, str] | None = None) -> tuple[Any, ...]:
    """The goal results of ``goal_set`` on the scene's dose (worker thread)."""
    from rtviewer.model.goal_evaluation import evaluate_on_dose

    if scene.structures is None or scene.dose is None:
        return ()
    return evaluate_on_dose(goal_set, scene.structures, scene.dose, scene.plan, model,
                            synonyms)


def user_synonyms() -> tuple[dict[str, str], str]:
    """The user's synonym file (settings folder) and a sentence saying what was used."""
    from rtviewer.config import synonyms_path
    from rtviewer.dicom.goal_file import read_synonyms
    from rtviewer.errors import RtViewerError

    path = synonyms_path()
    if not path.is_file():
        return {}, f"Your synonyms: none ({path} does not exist)."
    try:
        table = read_synonyms(path)
    except RtViewerError as exc:
        return {}, f"Your synonyms are not used: {exc}"
    return table, f"Your synonyms: {len(table)} from {path}."


class GoalsPanel(QtWidgets.QWidget):
    """Goal set chooser and results table; ``evaluated`` when a result is on screen."""

    evaluated = QtCore.Signal()
    _computed = QtCore.Signal(int, object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        from rtviewer.dicom.goal_file import shipped_goal_sets

        self.shipped = shipped_goal_sets()
        self.choice = QtWidgets.QComboBox()
        self.choice.addItems([_NONE, *sorted(self.shipped), _LOAD])
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(GOAL_TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(GOAL_TABLE_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(QtWidgets.QLabel("Clinical goals"))
        bar.addWidget(self.choice)
        bar.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        # four lines at most, scrolling beyond: a goal set's long source note cut the
        # DVH tab's tables at 1280x720
        self.summary_area = CappedLabel(self.summary, 4)
        layout.addWidget(self.summary_area)
        layout.addWidget(self.table, 1)
        self.asynchronous = True
        self.goal_set: Any = None
        self.results: tuple[Any, ...] = ()
        self._scene: Any = None
        self._model = "slab"
        self._token = 0
        self.synonyms: dict[str, str] = {}
        self.synonyms_note = ""
        self.choice.activated.connect(self._on_choice)
        self._computed.connect(self._on_computed)
        self._show(())

    def _say(self, text: str) -> None:
        """The summary line(s), its area fitted to them."""
        self.summary.setText(text)
        self.summary_area.fit()

    def _on_choice(self, _index: int) -> None:
        text = self.choice.currentText()
        if text == _LOAD:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(
                self, "Load goal file", "", "Goal files (*.yaml *.yml *.json)")
            if not path:
                self.choice.setCurrentText(_NONE)
                return
            self.load(Path(path))
        else:
            self.load(self.shipped.get(text))

    def load(self, path: Path | None) -> None:
        """Use the goal set in ``path`` (None: no goals); an unreadable file is named."""
        from rtviewer.dicom.goal_file import read_goal_set
        from rtviewer.errors import RtViewerError

        shown = next((name for name, p in self.shipped.items() if p == path), None)
        with QtCore.QSignalBlocker(self.choice):
            if path is None:
                self.choice.setCurrentText(_NONE)
            elif shown is not None:
                self.choice.setCurrentText(shown)
        try:
            self.goal_set = read_goal_set(path) if path is not None else None
        except RtViewerError as exc:
            self.goal_set = None
            self._say(printable(f"Goal file not used: {exc}"))
            return
        self.evaluate()

    def set_scene(self, scene: Any, model: str) -> None:
        """Evaluate the chosen goals on ``scene`` with the structure model ``model``."""
        self._scene, self._model = scene, model
        self.evaluate()

    def evaluate(self) -> None:
        """Evaluate again (new scene, goal set or structure model)."""
        self._token += 1
        token, goal_set, scene, model = self._token, self.goal_set, self._scene, self._model
        if goal_set is None or scene is None:
            self._on_computed(token, ())
            return
        self.synonyms, self.synonyms_note = user_synonyms()
        synonyms = self.synonyms
        if not self.asynchronous:
            self._on_computed(token, evaluate_scene(goal_set, scene, model, synonyms))
            return
        self._say("Evaluating the goals…")

        def work() -> None:
            results = evaluate_scene(goal_set, scene, model, synonyms)
            with contextlib.suppress(RuntimeError):  # the panel was closed meanwhile
                self._computed.emit(token, results)

        threading.Thread(target=work, daemon=True, name="rtviewer-goals").start()

    def _on_computed(self, token: int, results: Any) -> None:
        if token != self._token:
            return
        self.results = tuple(results)
        self._show(self.results)
        self.evaluated.emit()

    def _show(self, results: tuple[Any, ...]) -> None:
        from rtviewer.model.goal_table import value_text

        if self.goal_set is None:
            self._say("Pick a goal set to check the plan against it.")
        elif self._scene is None or self._scene.dose is None or \
                self._scene.structures is None:
            self._say("Goals need a structure set and a dose.")
        else:
            failing = [r for r in results if r.failed_mandatory]
            verdict = ("every mandatory goal passes" if not failing else
                       f"{len(failing)} mandatory goal(s) fail or cannot be evaluated")
            self._say(printable(
                f"{self.goal_set.name}: {verdict}; structure model {self._model}. "
                f"Source: {self.goal_set.citation} {self.synonyms_note}"))
        self.table.setRowCount(len(results))
        for r, result in enumerate(results):
            goal = result.goal
            roi = f"{result.roi_name} ({result.match})" if result.roi_name else result.match
            margin = "" if result.margin is None else f"{result.margin:+.2f}"
            cells = (goal.priority.value, goal.structure, roi, goal.text, value_text(result),
                     result.status, margin, result.note or goal.source)
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(printable(text))
                if c == 5 and result.status in _STATUS_COLOURS:
                    item.setBackground(_STATUS_COLOURS[result.status])
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
