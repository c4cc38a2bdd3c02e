"""Treatment record view: sessions of a plan and per-beam delivery, deviations highlighted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.printable import printable
from rtviewer.view.record_summary import MU_TOLERANCE, beam_rows, session_rows

__all__ = ["BEAM_COLUMNS", "BRACHY_CHANNEL_COLUMNS", "BRACHY_SESSION_COLUMNS", "RecordView",
           "SESSION_COLUMNS"]

# the numbers first: the side panel is 350-450 px wide, and the list of beams delivered
# ("1 G000, 2 G320, …") before them pushed the MU and the deviations out of sight
# the numbers first: the side panel is 340-450 px wide, and the list of beams delivered
# ("1 G000, 2 G320, …") before them pushed the MU and the deviations out of sight; the
# numbers' headers on two lines, as narrow as their values
SESSION_COLUMNS = ("Date / time", "Fraction", "Delivered\nMU", "Planned\nMU", "Deviations",
                   "Termination", "Beams delivered")
BEAM_COLUMNS = ("Beam", "Fractions", "Inter-\nrupted", "Delivered\nMU",
                "Planned MU,\nall fractions", "Deviations")
#: The same columns for brachytherapy records: channel times instead of MU.
BRACHY_SESSION_COLUMNS = ("Date / time", "Fraction", "Delivered\n(s)", "Specified\n(s)",
                          "Deviations", "Termination", "Channels delivered")
BRACHY_CHANNEL_COLUMNS = ("Channel", "Fractions", "Inter-\nrupted", "Delivered\n(s)",
                          "Planned (s),\nall fractions", "Deviations")
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
        self.session_paths: list[str] = []
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.sessions = self._table(SESSION_COLUMNS)
        self.beams = self._table(BEAM_COLUMNS)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        sessions_title = QtWidgets.QLabel("<b>Sessions</b>")
        layout.addWidget(sessions_title)
        layout.addWidget(self.sessions, 3)
        #: Each flagged session's deviations in full (the table's column is narrow).
        self.deviation_notes = QtWidgets.QLabel()
        self.deviation_notes.setWordWrap(True)
        self.deviation_notes.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.deviation_notes.setVisible(False)
        layout.addWidget(self.deviation_notes)
        self.beams_title = QtWidgets.QLabel("<b>Per beam</b>")
        layout.addWidget(self.beams_title)
        layout.addWidget(self.beams, 2)
        layout.addStretch(0)
        self._tables = (sessions_title, self.sessions, self.beams_title, self.beams)

    @staticmethod
    def _table(columns: tuple[str, ...]) -> QtWidgets.QTableWidget:
        table = QtWidgets.QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels(list(columns))
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
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
        brachy = getattr(plan, "brachy", None) is not None or any(r.channels for r in records)
        self.sessions.setHorizontalHeaderLabels(
            list(BRACHY_SESSION_COLUMNS if brachy else SESSION_COLUMNS))
        self.beams.setHorizontalHeaderLabels(
            list(BRACHY_CHANNEL_COLUMNS if brachy else BEAM_COLUMNS))
        self.beams_title.setText("<b>Per channel</b>" if brachy else "<b>Per beam</b>")
        sessions = session_rows(plan, records)
        flagged = sum(1 for s in sessions if s.deviations)
        what = ("delivered time more than {tol:g} % from the specified time, or interrupted. "
                "Specified times are the record's: the plan's times corrected for the "
                "source's decay since the plan" if brachy else
                "delivered MU more than {tol:g} % from planned, or interrupted")
        self.title.setText(
            f"{head}: {len(records)} treatment record(s), {flagged} with deviations "
            f"({what.format(tol=100 * MU_TOLERANCE)})."
            if records else f"Plan '{label}': no treatment record references this plan.")
        for part in self._tables:  # empty tables say nothing: the title does
            part.setVisible(bool(records))
        self._fill(self.sessions, [
            (s.date_time[:16], s.fraction, _number(s.delivered_mu), _number(s.planned_mu),
             "; ".join(s.deviations) or "none", s.termination, s.delivered)
            for s in sessions], [bool(s.deviations) for s in sessions])
        #: The record file of each sessions row, in the table's order.
        self.session_paths = [s.path for s in sessions]
        notes = [f"{s.date_time[:16]}, fraction {s.fraction}: {'; '.join(s.deviations)}"
                 for s in sessions if s.deviations]
        self.deviation_notes.setText(printable("\n".join(notes)))
        self.deviation_notes.setVisible(bool(notes))
        beams = beam_rows(plan, records)
        self._fill(self.beams, [
            (b.beam, f"{b.fractions_delivered} of {b.fractions_planned or '—'}",
             str(b.interrupted), _number(b.delivered_mu), _number(b.planned_mu),
             "; ".join(b.deviations) or "none") for b in beams],
            [bool(b.deviations or b.interrupted) for b in beams])

    def select_record(self, path: str | Path) -> bool:
        """Select and show the sessions row of the record file ``path`` (picked in the tree)."""
        wanted = str(Path(path))
        row = next((r for r, p in enumerate(self.session_paths) if str(Path(p)) == wanted), -1)
        if row < 0:
            return False
        self.sessions.selectRow(row)
        self.sessions.scrollTo(self.sessions.model().index(row, 0))
        return True

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
        # as tall as its rows (six sessions left two thirds of the table white): the room
        # below goes to the next part
        rows_px = sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setMaximumHeight(table.horizontalHeader().sizeHint().height() + rows_px
                               + table.horizontalScrollBar().sizeHint().height()
                               + 2 * table.frameWidth() + 2)
