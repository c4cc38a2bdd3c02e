"""The Brachy tab's TG-43 check: each reference point's dose from the dwells vs the plan's.

The same check as ``rtviewer brachy-check`` (:mod:`rtviewer.model.brachy_check`): a few
points × a few dozen dwells, milliseconds, so it runs when the plan is shown; the 3-D
dose and GEC-ESTRO parameters are the tab beside it (:mod:`.brachy_gec_estro_section`).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtGui, QtWidgets

from rtviewer.model.brachy_check import (
    DEFAULT_TOLERANCE_PCT,
    BrachyCheck,
    check_plan,
    roi_points,
)
from rtviewer.printable import printable

__all__ = ["CHECK_COLUMNS", "CHECK_TIPS", "BrachyCheckSection", "check_rows", "check_summary"]

# the verdict first (the Brachy tab is 340-450 px wide): point, the doses compared (the
# per-pulse column only for a pulsed plan: a PDR plan's value is per pulse), difference
# and status, then how they were compared
CHECK_COLUMNS = ("Point", "TG-43\n(Gy)", "Pulse\n(Gy)", "Plan\n(Gy)", "Diff\n(%)",
                 "Status", "Compared", "Plan value from")  # headers on two lines: as narrow
#                                                            as the numbers (340 px at 1280)
#: What each column holds in full (its header's tooltip).
CHECK_TIPS = ("Dose reference point", "rtviewer's TG-43 dose per fraction (every pulse)",
              "rtviewer's TG-43 dose of one pulse (PDR): what a per-pulse plan value is "
              "compared with", "The plan's value",
              "TG-43 against the plan, per fraction or per pulse as 'Compared' says",
              "PASS within the tolerance, else WARN", "per fraction or per pulse",
              "Where the plan's value comes from")
_STATUS = CHECK_COLUMNS.index("Status")
_PER_PULSE = CHECK_COLUMNS.index("Pulse\n(Gy)")
_WARN = QtGui.QColor(255, 200, 160)


def check_rows(check: BrachyCheck) -> list[tuple[str, ...]]:
    """One row per reference point, as the table shows it."""
    return [(p.label, f"{p.dose_per_fraction_gy:.4f}",
             "" if p.dose_per_pulse_gy is None else f"{p.dose_per_pulse_gy:.4f}",
             "—" if p.planned_gy is None else f"{p.planned_gy:.4f}",
             "" if p.difference_pct is None else f"{p.difference_pct:+.2f}", p.status,
             p.compared_as, p.planned_source) for p in check.points]


def check_summary(check: BrachyCheck) -> str:
    """Source, strength (file and decayed), TRAK and notes, one line each."""
    s = check.strength
    lines = [f"TG-43U1 2-D, {check.source_note}",
             f"S_K {s.reference_u:.6g} U at {s.reference_time} (file) → {s.at_time_u:.6g} U "
             f"at {s.at_time} (decay {s.decay:.5f})",
             f"TRAK {check.trak_ugy:.6g} µGy at 1 m per fraction"
             + ("" if check.trak_file_ugy is None else
                f"; file {check.trak_file_ugy:.6g} ({check.trak_file_as})")]
    lines += [f"Channel {c.channel_number}: TRAK {c.trak_ugy:.6g} µGy" for c in check.channels]
    lines += [f"Note: {n}" for n in check.notes]
    return "\n".join(lines)


class BrachyCheckSection(QtWidgets.QGroupBox):
    """Tolerance, summary and the per-point table."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("TG-43 check of the reference points", parent)
        self._plan: Any = None
        self._structures: Any = None
        #: Consensus dataset chosen by the user (None: the one the plan names).
        self.source_key: str | None = None
        self.tolerance = QtWidgets.QDoubleSpinBox()
        self.tolerance.setRange(0.1, 50.0)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setValue(DEFAULT_TOLERANCE_PCT)
        self.tolerance.setSuffix(" %")
        self.tolerance.valueChanged.connect(lambda _v: self._run())
        self.summary = QtWidgets.QLabel("")
        self.summary.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(CHECK_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(CHECK_COLUMNS))
        for column, tip in enumerate(CHECK_TIPS):
            header = self.table.horizontalHeaderItem(column)
            if header is not None:  # set just above
                header.setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("Warn above"))
        row.addWidget(self.tolerance)
        row.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        # the summary (source, strength, TRAK per channel, notes: ten lines for a PDR plan)
        # scrolls rather than taking the height of the dwell table above (two rows were
        # left of it at 1280x800)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setWidget(self.summary)
        scroll.setMinimumHeight(4 * self.summary.fontMetrics().lineSpacing())
        layout.addWidget(scroll, 1)
        layout.addWidget(self.table, 1)

    def set_plan(self, plan: Any, structures: Any = None) -> None:
        """Check ``plan`` (ROI points from ``structures``) or say why there is no check."""
        self._plan, self._structures = plan, structures
        self._run()

    def _run(self) -> None:
        self.table.setRowCount(0)
        plan = self._plan
        if plan is None or getattr(plan, "brachy", None) is None:
            self.summary.setText("No brachytherapy plan loaded.")
            return
        try:
            check = check_plan(plan, roi_points=roi_points(self._structures),
                               source_key=self.source_key,
                               tolerance_pct=self.tolerance.value())
        except (ValueError, KeyError) as exc:
            self.summary.setText(printable(f"No TG-43 check: {exc}. Choose the source data "
                                           "above to check with another dataset."))
            return
        self.summary.setText("\n".join(printable(line)
                                        for line in check_summary(check).splitlines()))
        rows = check_rows(check)
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, text in enumerate(values):
                item = QtWidgets.QTableWidgetItem(printable(text))
                if values[_STATUS] == "WARN":
                    item.setBackground(_WARN)
                self.table.setItem(r, c, item)
        self.table.setColumnHidden(_PER_PULSE, not any(row[_PER_PULSE] for row in rows))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
