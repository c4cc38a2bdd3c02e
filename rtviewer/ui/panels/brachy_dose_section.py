"""The Brachy tab's 3-D dose: rtviewer's TG-43 dose of the dwells, shown as a dose.

Computed on request in a worker with progress (:mod:`rtviewer.model.brachy_tg43_dose`:
seconds to tens of seconds), then offered to the viewer, which shows it like any dose
(isodoses, colourwash, readout, DVH, points) under the name ``TG-43 (rtviewer)``, or
compares the plan's RT Dose with it in the Compare tab.  The result is kept for the plan,
source data and grid it was computed for, so switching back and forth costs nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.model.brachy_tg43_dose import APPLICATOR_MARGIN_MM, Tg43Dose, tg43_dose
from rtviewer.printable import printable
from rtviewer.ui.views.flow_row import FlowRow
from rtviewer.ui.workers.progress_worker import ProgressTask

__all__ = ["Tg43DoseSection"]


class Tg43DoseSection(QtWidgets.QGroupBox):
    """Grid spacing, Show / Compare buttons with progress, and what was computed.

    Signals
    -------
    showRequested(object)
        A :class:`~rtviewer.model.brachy_tg43_dose.Tg43Dose` to show in the views.
    compareRequested(object)
        One to compare the plan's RT Dose with.
    """

    showRequested = QtCore.Signal(object)
    compareRequested = QtCore.Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("3-D dose of the dwells (rtviewer's TG-43 calculation)", parent)
        self._plan: Any = None
        self._structures: Any = None
        self.source_key: str | None = None
        self._then = "show"
        #: The last computed dose and the (plan, structures, source, grid) it is for.
        self.result: Tg43Dose | None = None
        self._result_for: tuple[Any, ...] | None = None
        self.grid_mm = QtWidgets.QDoubleSpinBox()
        self.grid_mm.setRange(0.5, 10.0)
        self.grid_mm.setDecimals(1)
        self.grid_mm.setSingleStep(0.5)
        self.grid_mm.setValue(2.0)
        self.grid_mm.setSuffix(" mm")
        self.show_button = QtWidgets.QPushButton("Show in the views")
        self.show_button.setToolTip("Compute (once) and show rtviewer's TG-43 dose of the "
                                    "dwells like any dose: isodoses, colourwash, DVH, points")
        self.show_button.clicked.connect(lambda: self.request("show"))
        self.compare_button = QtWidgets.QPushButton("Compare the RT Dose with it")
        self.compare_button.setToolTip("The plan's RT Dose (A) against rtviewer's TG-43 dose "
                                       "(B) in the Compare tab")
        self.compare_button.clicked.connect(lambda: self.request("compare"))
        self.compare_button.setEnabled(False)
        self.progress = QtWidgets.QProgressBar()
        self.task = ProgressTask(self.progress)
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        grid = QtWidgets.QWidget()
        grid_row = QtWidgets.QHBoxLayout(grid)
        grid_row.setContentsMargins(0, 0, 0, 0)
        grid_row.addWidget(QtWidgets.QLabel("Grid"))
        grid_row.addWidget(self.grid_mm)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        # rows that wrap: one fixed row cut "Compare the RT Dose with it" at 370 px
        layout.addWidget(FlowRow([grid, self.show_button, self.compare_button]))
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.set_plan(None)

    def set_plan(self, plan: Any, structures: Any = None, *, has_rt_dose: bool = False) -> None:
        """A new plan (the computed dose is kept only for the same plan and structures)."""
        self.stop()
        self._plan, self._structures = plan, structures
        brachy = plan is not None and getattr(plan, "brachy", None) is not None
        self.show_button.setEnabled(brachy)
        self.compare_button.setEnabled(brachy and has_rt_dose)
        if not brachy:
            self.status.setText("No brachytherapy plan loaded.")
            return
        self.status.setText(printable(
            f"rtviewer's own TG-43U1 dose of one fraction (every pulse) on a grid around the "
            f"applicator (the dwells ± {APPLICATOR_MARGIN_MM:g} mm and the targets / organs "
            "at risk): computed on request, in the background (seconds). It is an "
            "independent calculation, never the planning system's RT Dose."
            + ("" if has_rt_dose else " The plan has no RT Dose loaded: compare unavailable.")))

    def _key(self) -> tuple[Any, ...]:
        return (id(self._plan), id(self._structures), self.source_key, self.grid_mm.value())

    def request(self, then: str = "show") -> None:
        """Show (``"show"``) or compare (``"compare"``) the dose, computing it first if need be."""
        if self._plan is None or getattr(self._plan, "brachy", None) is None:
            return
        if self.result is not None and self._result_for == self._key():
            self._emit(then, self.result)
            return
        self._then = then
        plan, structures, key = self._plan, self._structures, self.source_key
        grid_mm, key_now = self.grid_mm.value(), self._key()
        self.task.start(lambda progress, cancelled: tg43_dose(
            plan, structures, source_key=key, grid_mm=grid_mm, progress=progress,
            cancelled=cancelled), lambda result, error: self._on_done(key_now, result, error))
        self.status.setText("Computing the TG-43 dose of the dwells…")

    def stop(self) -> None:
        """Cancel a running computation (its result is ignored)."""
        self.task.stop()

    def wait(self, timeout_ms: int = 300000) -> None:
        """Block until the running computation has been handled (tests, render)."""
        self.task.wait(timeout_ms)

    def say(self, text: str) -> None:
        """Show a sentence under the buttons (why a comparison could not start)."""
        self.status.setText(printable(text))

    def _on_done(self, key: tuple[Any, ...], result: Tg43Dose | None, error: str) -> None:
        if result is None:
            self.status.setText(printable(f"Not computed: {error or 'cancelled'}"))
            return
        self.result, self._result_for = result, key
        self._emit(self._then, result)

    def _emit(self, then: str, result: Tg43Dose) -> None:
        finding = next(f.message for f in result.dose.findings)
        self.status.setText(printable(
            f"{finding}. Maximum {result.dose.max_gy:.2f} Gy (next to a dwell), "
            f"{result.dwell_count} dwells."))
        (self.compareRequested if then == "compare" else self.showRequested).emit(result)
