"""Brachytherapy panel: sources (strength), dwell table, total time, reference points.

Below them, in three tabs: the TG-43 check of the reference points, the GEC-ESTRO
parameters and the 3-D TG-43 dose of the dwells (both computed on request, in a worker).
Above them, the consensus dataset all three use: the one the plan names, or one the user
chooses (a plan that names no known source model, an anonymised one).
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from rtviewer.core.tg43 import source_names
from rtviewer.model.brachy_check import roi_points
from rtviewer.model.tg43_mark import is_tg43_dose
from rtviewer.printable import printable
from rtviewer.ui.panels.brachy_check_section import BrachyCheckSection
from rtviewer.ui.panels.brachy_dose_section import Tg43DoseSection
from rtviewer.ui.panels.brachy_gec_estro_section import GecEstroSection

__all__ = ["BrachyPanel", "dwell_rows", "brachy_summary"]

# the time beside its position's number: it was the last column, cut off at 420 px
DWELL_COLUMNS = ("Channel", "Index", "Time (s)", "x (mm)", "y (mm)", "z (mm)",
                 "Relative (mm)")


def dwell_rows(plan: Any) -> list[tuple[str, ...]]:
    """One row per dwell position of every channel: channel, index, time (s), position.

    Times are per pulse for PDR (as Channel Total Time); positions patient mm.
    """
    rows = []
    for channel in plan.brachy.channels if plan is not None and plan.brachy else ():
        times = channel.dwell_times_s
        if times is None:
            continue
        xyz = channel.dwell_positions_mm
        rel = channel.dwell_relative_positions_mm
        for k, time_s in enumerate(times):
            pos = (tuple(f"{v:.2f}" for v in xyz[k]) if xyz is not None
                   else ("—", "—", "—"))
            rows.append((str(channel.number), str(k), f"{time_s:.2f}", *pos,
                         f"{rel[k]:.1f}" if rel is not None else "—"))
    return rows


def brachy_summary(plan: Any, structures: Any = None) -> str:
    """Treatment type, total time, source strength and reference points, as rich text.

    With the plan's ``structures``, applicators are named by their ROI and the dose
    references that point at a POINT ROI (Point A in most exports) get its coordinates,
    as the TG-43 check below uses them.
    """
    if plan is None or plan.brachy is None:
        return "<i>No brachytherapy plan loaded.</i>"
    b = plan.brachy
    channels = b.channels
    total = sum(c.total_time_s or 0.0 for c in channels)
    pulses = {c.pulses for c in channels}
    pulse_note = ""
    if pulses != {1}:
        all_pulses = sum(c.total_time_all_pulses_s or 0.0 for c in channels)
        pulse_note = (f" per pulse; {all_pulses:.1f} s over {', '.join(map(str, sorted(pulses)))}"
                      " pulses")
    lines = [f"<b>{b.treatment_type.value if b.treatment_type else 'Brachy'}</b> "
             f"{b.technique or ''}, {len(channels)} channel(s), total time {total:.1f} s"
             f"{pulse_note}."]
    for s in b.sources:
        strength = (f"{s.reference_air_kerma_rate:g} µGy·h⁻¹ at 1 m"
                    if s.reference_air_kerma_rate is not None else "strength not stated")
        when = s.strength_reference.isoformat(sep=" ") if s.strength_reference else "?"
        lines.append(f"Source {s.number}: {s.isotope_name or '?'} ({s.source_type or '?'}), "
                     f"RAKR {strength} on {when}, half-life {s.half_life_days} d.")
    names = {r.roi_number: r.name for r in getattr(structures, "rois", ()) or ()}
    for c in channels:
        total_s = f"{c.total_time_s:.1f}" if c.total_time_s is not None else "?"
        roi = c.referenced_roi_number
        applicator = ("" if roi is None else f", applicator '{escape(names[roi])}' (ROI {roi})"
                      if roi in names else f", applicator ROI {roi}")
        lines.append(f"Channel {c.number}: {total_s} s, {c.number_of_control_points} "
                     f"control points{applicator}")
    on_rois = roi_points(structures)
    shown = 0
    for d in plan.dose_references:
        dose = (f", {d.target_prescription_dose_gy:g} Gy" if d.target_prescription_dose_gy
                else "")
        name = escape(d.description or "")
        if d.point_mm is not None:
            p = np.asarray(d.point_mm)
            where = f"({p[0]:.1f}, {p[1]:.1f}, {p[2]:.1f}) mm"
        elif d.referenced_roi_number in on_rois:
            roi_name, (x, y, z) = on_rois[d.referenced_roi_number]
            roi = (f"ROI {d.referenced_roi_number}" if roi_name == d.description else
                   f"point ROI '{escape(roi_name)}' (ROI {d.referenced_roi_number})")
            where = f"({x:.1f}, {y:.1f}, {z:.1f}) mm, {roi}"
        else:
            continue
        shown += 1
        lines.append(f"Reference point {d.number} {name}: {where}{dose}")
    if not shown:
        lines.append("No reference points with coordinates.")
    return "<br>".join(lines)


class BrachyPanel(QtWidgets.QWidget):
    """Summary above a dwell table."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QtWidgets.QLabel(brachy_summary(None))
        self.summary.setWordWrap(True)
        self.summary.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop
                                  | QtCore.Qt.AlignmentFlag.AlignLeft)
        self.table = QtWidgets.QTableWidget(0, len(DWELL_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(DWELL_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.summary)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self._plan: Any = None
        self._structures: Any = None
        self.source_choice = QtWidgets.QComboBox()
        self.source_choice.addItem("as the plan names it", None)
        for key in source_names():
            self.source_choice.addItem(key, key)
        self.source_choice.setToolTip("TG-43 consensus dataset of the check, the GEC-ESTRO "
                                      "parameters and the 3-D dose")
        self.source_choice.currentIndexChanged.connect(self._on_source)
        self.check = BrachyCheckSection()
        self.gec_estro = GecEstroSection()
        self.dose_section = Tg43DoseSection()
        self.sections = QtWidgets.QTabWidget()
        self.sections.addTab(self.check, "TG-43 check")
        self.sections.addTab(self.gec_estro, "GEC-ESTRO")
        self.sections.addTab(self.dose_section, "3-D dose")
        source_row = QtWidgets.QHBoxLayout()
        source_row.addWidget(QtWidgets.QLabel("Source data"))
        source_row.addWidget(self.source_choice, 1)
        layout.addWidget(scroll, 2)
        layout.addLayout(source_row)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.sections, 3)

    def set_plan(self, plan: Any, structures: Any = None, dose: Any = None) -> None:
        """Show ``plan``'s brachy part (or say there is none) and its TG-43 check.

        ``dose`` is the dose on screen: a planning system's RT Dose can be compared
        with rtviewer's TG-43 dose. The same plan and structures again (another dose
        shown) keep what was computed.
        """
        if plan is not None and plan is self._plan and structures is self._structures:
            if not is_tg43_dose(dose):
                self.dose_section.compare_button.setEnabled(dose is not None)
            return
        self._plan, self._structures = plan, structures
        self.summary.setText(brachy_summary(plan, structures))
        self.check.set_plan(plan, structures)
        self.gec_estro.set_plan(plan, structures)
        self.dose_section.set_plan(plan, structures,
                                   has_rt_dose=dose is not None and not is_tg43_dose(dose))
        rows = dwell_rows(plan) if plan is not None and plan.brachy else []
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(printable(text)))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()

    def _on_source(self, _index: int) -> None:
        """Another consensus dataset: check again; the 3-D dose and DVHs are recomputed."""
        key = self.source_choice.currentData()
        self.check.source_key = self.gec_estro.source_key = self.dose_section.source_key = key
        self.check.set_plan(self._plan, self._structures)
        self.gec_estro.set_plan(self._plan, self._structures)
