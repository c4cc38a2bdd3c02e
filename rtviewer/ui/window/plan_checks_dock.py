"""The *Plan checks* dock: the automated plan review of the plan on screen.

When the viewer shows a plan and the dock is open (or when it opens),
:func:`rtviewer.review.review_plan` runs on it (with its structure set and PLAN dose)
in a worker thread; each finding is a row. Selecting a
finding that has a place (the hot spot, the offending structure's slice, the colliding
beam's point) centres the views on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.model.dose import DoseSummationType
from rtviewer.model.findings import Severity
from rtviewer.model.plan_case import PlanCase
from rtviewer.printable import printable_row
from rtviewer.ui.window.finding_links import centre_views, show_objects
from rtviewer.ui.workers.detached_thread import DetachedThread

if TYPE_CHECKING:
    from rtviewer.review import PlanFinding

__all__ = ["PlanChecksDock", "attach_plan_checks", "case_of_scene"]

_COLOURS = {Severity.ERROR: QtGui.QColor(200, 30, 30),
            Severity.WARNING: QtGui.QColor(170, 110, 0), Severity.INFO: QtGui.QColor(90, 90, 90)}
_COLUMNS = ("Severity", "Code", "Objects", "Finding")
_LOCATION_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
_OBJECTS_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2


def case_of_scene(scene: Any) -> PlanCase | None:
    """The plan on screen with its structure set and (PLAN) dose; None without a plan."""
    plan = getattr(scene, "plan", None)
    if plan is None or getattr(plan, "brachy", None) is not None:
        return None
    dose = scene.dose
    if dose is not None and (dose.summation_type is not DoseSummationType.PLAN
                             or plan.sop_instance_uid not in (dose.referenced_plan_uids
                                                              or (dose.referenced_plan_uid,))):
        dose = None  # a BEAM or another plan's dose is not this plan's total
    return PlanCase(plan, scene.structures, dose)


class ReviewWorker(DetachedThread):
    """Runs the plan checks off the GUI thread; emits ``reviewed(tuple of PlanFinding)``."""

    reviewed = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, case: PlanCase) -> None:
        super().__init__()
        self.case = case

    def run(self) -> None:  # noqa: D102 - QThread entry point
        # imported here: the checks' modules and PyYAML (0.13 s) wait until a plan is reviewed
        from rtviewer.review import review_plan

        try:
            found = review_plan(self.case)
        except Exception as exc:  # noqa: BLE001 - the window must survive any failure
            self.failed.emit(f"the plan checks failed ({type(exc).__name__}: {exc})")
            return
        if not self._cancel.is_set():
            self.reviewed.emit(found)


class PlanChecksDock(QtWidgets.QDockWidget):
    """A table of plan-check findings; ``locate(tuple)`` asks to centre the views.

    Signals
    -------
    locate(object)
        A patient ``(x, y, z)`` mm tuple: the selected finding's place.
    objectsSelected(object)
        The selected finding's objects (``"ROI:PTV"``, ``"BEAM:Arc 1"``, ``"PLAN"``).
    """

    locate = QtCore.Signal(object)
    objectsSelected = QtCore.Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Plan checks", parent)
        self.setObjectName("plan_checks_dock")
        body = QtWidgets.QWidget(self)
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.status = QtWidgets.QLabel("No plan on screen.", body)
        self.table = QtWidgets.QTreeWidget(body)
        self.table.setColumnCount(len(_COLUMNS))
        self.table.setHeaderLabels(list(_COLUMNS))
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        self.setWidget(body)
        self._worker: ReviewWorker | None = None
        self._pending: PlanCase | None = None
        self._reviewed = True
        self.visibilityChanged.connect(lambda shown: self._review_pending() if shown else None)
        # a review still running when the window goes must end before Qt tears down
        # (a QThread destroyed while running aborts the process)
        running: list[ReviewWorker] = []
        self._running = running
        self.destroyed.connect(lambda *_: _wait_for(running))

    def shutdown(self) -> None:
        """Cancel the review and wait for its thread (Quit)."""
        _wait_for(self._running)

    def offer(self, case: PlanCase | None) -> None:
        """The plan on screen changed: review it now if the dock is open, else when it opens.

        The review costs seconds of CPU on a large structure set: nobody waits for
        what they do not look at.
        """
        self._pending = case
        self._reviewed = False
        if self.isVisible():
            self._review_pending()

    def _review_pending(self) -> None:
        if not self._reviewed:
            self._reviewed = True
            self.review(self._pending)

    def review(self, case: PlanCase | None) -> None:
        """Start reviewing ``case`` (None: clear); a running review is abandoned."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        self.table.clear()
        if case is None:
            self.status.setText("No external-beam plan on screen (brachytherapy plans: "
                                "rtviewer brachy-check).")
            return
        self.status.setText(f"Checking plan {case.plan.label or case.plan.name or ''}…")
        worker = ReviewWorker(case)
        worker.reviewed.connect(self.show_findings)
        worker.failed.connect(self.status.setText)
        worker.finished.connect(lambda: self._running.remove(worker)
                                if worker in self._running else None)
        self._worker = worker
        self._running.append(worker)
        worker.start_detached()

    def show_findings(self, findings: tuple[PlanFinding, ...]) -> None:
        """Fill the table, errors first."""
        self.table.clear()
        counts = {s: sum(f.severity is s for f in findings) for s in Severity}
        self.status.setText(f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} "
                            f"warning(s), {counts[Severity.INFO]} information(s). "
                            "Select a finding to centre the views on it.")
        for f in findings:
            row = printable_row([f.severity.value, f.code, ", ".join(f.objects), f.message])
            item = QtWidgets.QTreeWidgetItem(row)
            item.setForeground(0, _COLOURS[f.severity])
            item.setToolTip(3, f.message)
            item.setData(0, _LOCATION_ROLE, f.location_mm)
            item.setData(0, _OBJECTS_ROLE, f.objects)
            if f.location_mm is not None:
                where = ", ".join(f"{v:.1f}" for v in f.location_mm)
                item.setToolTip(0, f"Select to centre the views on ({where}) mm")
            self.table.addTopLevelItem(item)
        for column in range(3):
            self.table.resizeColumnToContents(column)

    def _on_selection(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        objects = items[0].data(0, _OBJECTS_ROLE)
        if objects:
            self.objectsSelected.emit(tuple(objects))
        location = items[0].data(0, _LOCATION_ROLE)
        if location is not None:
            self.locate.emit(tuple(location))


def _wait_for(workers: list[ReviewWorker]) -> None:
    for worker in list(workers):
        worker.cancel_and_wait()


def attach_plan_checks(window: Any, controller: Any) -> PlanChecksDock:
    """Add the dock to ``window`` (View menu) and review each plan the viewer shows."""
    dock = PlanChecksDock(window)
    window.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(window.check, dock)
    dock.hide()  # empty docks start closed: the View menu opens them
    window.add_dock_toggle(dock)
    controller.loaded.connect(lambda result: dock.offer(case_of_scene(result.scene)))
    dock.objectsSelected.connect(lambda objects: show_objects(controller.viewer, objects))
    dock.locate.connect(lambda xyz: centre_views(controller.viewer, xyz))
    app = QtWidgets.QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(dock.shutdown)
    return dock
