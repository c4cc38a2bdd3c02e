"""The Points tab: doses at every point the files define, and the user's own points.

Rows come from :func:`rtviewer.model.plan_points.collect_points` (dose reference,
beam and brachy dose points, RT Dose points, POINT ROIs) and the user's points, each
with our trilinear dose, the planning system's value and the difference.  A user point
is added with Shift+click in a slice view and kept in the user's settings (QSettings)
under the plan's SOP Instance UID: never written into the folder that was opened.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.model.plan_points import PlanPoint, collect_points, doses_at_points, point_row
from rtviewer.printable import printable
from rtviewer.view.reference_points import ReferencePoint

__all__ = ["COLUMNS", "PointsPanel", "UserPoints"]

#: Column title and :func:`point_row` key of the table.
COLUMNS = (("Point", "label"), ("Source", "source"), ("x (mm)", "x_mm"), ("y (mm)", "y_mm"),
           ("z (mm)", "z_mm"), ("Dose (Gy)", "dose_gy"), ("Planning system (Gy)", "planned_gy"),
           ("Δ (Gy)", "difference_gy"), ("Δ (%)", "difference_percent"),
           ("Stated", "stated"), ("Note", "note"))
USER_SOURCE = "user point"


class UserPoints:
    """The user's points of each plan, kept in QSettings under ``points/<plan UID>``."""

    def __init__(self, settings: QtCore.QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QtCore.QSettings()

    @staticmethod
    def _key(plan_uid: str) -> str:
        return f"points/{plan_uid}"

    def load(self, plan_uid: str | None) -> list[PlanPoint]:
        """The plan's user points (none for a plan without UID or unreadable settings)."""
        if not plan_uid:
            return []
        try:
            raw = json.loads(str(self._settings.value(self._key(plan_uid)) or "[]"))
            return [PlanPoint(str(label), USER_SOURCE, (float(x), float(y), float(z)))
                    for label, x, y, z in raw]
        except (ValueError, TypeError):
            return []

    def save(self, plan_uid: str, points: list[PlanPoint]) -> None:
        """Replace the plan's user points."""
        self._settings.setValue(self._key(plan_uid), json.dumps(
            [[p.label, *p.xyz_mm] for p in points]))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


class PointsPanel(QtWidgets.QWidget):
    """Table of the scene's points with doses; user points added and removed here.

    ``userPointsChanged`` carries the user's points as
    :class:`~rtviewer.view.reference_points.ReferencePoint` items for the slice views.
    """

    userPointsChanged = QtCore.Signal(object)

    def __init__(self, store: UserPoints | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store or UserPoints()
        self.info = QtWidgets.QLabel("Shift+click in a slice view adds a point.")
        self.info.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([title for title, _ in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.remove = QtWidgets.QPushButton("Remove user point")
        self.remove.clicked.connect(self.remove_selected)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.remove)
        self._scene: Any = None
        self._user: list[PlanPoint] = []
        self.rows: list[dict[str, object]] = []

    def _plan_uid(self) -> str | None:
        plan = getattr(self._scene, "plan", None)
        return getattr(plan, "sop_instance_uid", None)

    def set_scene(self, scene: Any) -> None:
        """Show the points of ``scene``'s plan, structure set and dose."""
        self._scene = scene
        self._user = self.store.load(self._plan_uid())
        self.refresh()

    def add_user_point(self, x_mm: float, y_mm: float, z_mm: float) -> None:
        """Add a point at patient ``(x, y, z)`` mm and keep it for this plan."""
        uid = self._plan_uid()
        label = f"P{len(self._user) + 1}"
        self._user.append(PlanPoint(label, USER_SOURCE, (x_mm, y_mm, z_mm)))
        if uid:
            self.store.save(uid, self._user)
        self.refresh()

    def remove_selected(self) -> None:
        """Remove the selected user point (points from the files stay)."""
        row = self.table.currentRow()
        if 0 <= row < len(self.rows) and self.rows[row]["source"] == USER_SOURCE:
            label = self.rows[row]["label"]
            self._user = [p for p in self._user if p.label != label]
            uid = self._plan_uid()
            if uid:
                self.store.save(uid, self._user)
            self.refresh()

    def refresh(self) -> None:
        """Recompute the doses, refill the table and tell the views the user's points."""
        self.userPointsChanged.emit(tuple(ReferencePoint(p.label, p.xyz_mm, USER_SOURCE)
                                          for p in self._user))
        scene = self._scene
        plan = getattr(scene, "plan", None)
        dose = getattr(scene, "dose", None)
        points = collect_points(plan, getattr(scene, "structures", None), dose,
                                tuple(self._user))
        self.rows = [point_row(r) for r in doses_at_points(points, dose, plan)]
        where = "kept for this plan in your settings" if self._plan_uid() else \
            "not kept: no plan loaded"
        self.info.setText(printable(f"{len(self.rows)} points. Shift+click in a slice view "
                                    f"adds a point ({where})."))
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, (_, key) in enumerate(COLUMNS):
                item = QtWidgets.QTableWidgetItem(printable(_cell(row[key])))
                if isinstance(row[key], float):
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                          | QtCore.Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
