"""Treatment record view: sessions of a plan and per-beam delivery, deviations highlighted."""

from __future__ import annotations

import re
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.printable import printable
from rtviewer.view.record_summary import MU_TOLERANCE, beam_rows, session_rows

__all__ = ["RecordView", "SESSION_COLUMNS", "BEAM_COLUMNS"]

SESSION_COLUMNS = ("Date / time", "Fraction", "Delivered", "Delivered MU (or s)",
                   "Planned MU (or s)", "Termination", "Deviations")
BEAM_COLUMNS = ("Beam", "Fractions delivered", "Fractions planned", "Interrupted",
                "Delivered MU (or s)", "Planned MU (or s), all fractions", "Deviations")
DEVIATION_BRUSH = QtGui.QBrush(QtGui.QColor(255, 200, 200))
#: Widest a column opens (px) before its text wraps.
MAX_COLUMN_PX = 260
_NUMERIC = re.compile(r"-?\d+(\.\d+)?|—")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


class RecordView(QtWidgets.QWidget):
    """Two tables: sessions (one per record) and beams (over all sessions)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.sessions = self._table(SESSION_COLUMNS)
        self.beams = self._table(BEAM_COLUMNS)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(QtWidgets.QLabel("<b>Sessions</b>"))
        layout.addWidget(self.sessions, 3)
        layout.addWidget(QtWidgets.QLabel("<b>Per beam</b>"))
        layout.addWidget(self.beams, 2)

    @staticmethod
    def _table(columns: tuple[str, ...]) -> QtWidgets.QTableWidget:
        table = QtWidgets.QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels(list(columns))
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        # left-aligned titles stay in sight over a wide column (centred ones scroll away)
        table.horizontalHeader().setDefaultAlignment(
            QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def set_records(self, plan: Any, records: list[Any]) -> None:
        """Show ``records`` (TreatmentRecord) of ``plan`` (may be None)."""
        label = getattr(plan, "label", None) or getattr(plan, "name", None) or "(no label)"
        head = (f"Plan '{label}'" if plan is not None
                else "Their plan is not on screen (planned values unknown)")
        sessions = session_rows(plan, records)
        flagged = sum(1 for s in sessions if s.deviations)
        self.title.setText(
            f"{head}: {len(records)} treatment record(s), {flagged} with deviations "
            f"(delivered MU more than {100 * MU_TOLERANCE:g} % from planned, or interrupted)."
            if records else f"Plan {label}: no treatment records found for this plan.")
        self._fill(self.sessions, [
            (s.date_time, s.fraction, s.delivered, _number(s.delivered_mu),
             _number(s.planned_mu), s.termination, "; ".join(s.deviations) or "none")
            for s in sessions], [bool(s.deviations) for s in sessions])
        beams = beam_rows(plan, records)
        self._fill(self.beams, [
            (b.beam, str(b.fractions_delivered), str(b.fractions_planned or "—"),
             str(b.interrupted), _number(b.delivered_mu), _number(b.planned_mu),
             "; ".join(b.deviations) or "none") for b in beams],
            [bool(b.deviations or b.interrupted) for b in beams])

    @staticmethod
    def _fill(table: QtWidgets.QTableWidget, rows: list[tuple[str, ...]],
              flagged: list[bool]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QtWidgets.QTableWidgetItem(printable(text))
                item.setToolTip(text)
                if _NUMERIC.fullmatch(text):  # numbers right-aligned, as in a planning system
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                          | QtCore.Qt.AlignmentFlag.AlignVCenter)
                if flagged[r]:
                    item.setBackground(DEVIATION_BRUSH)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        for c in range(table.columnCount() - 1):  # long texts wrap instead of hiding the rest
            table.setColumnWidth(c, min(table.columnWidth(c), MAX_COLUMN_PX))
        table.resizeRowsToContents()
