"""The Brachy tab's GEC-ESTRO parameters: D90/D98/V100-200 of targets, D2cc/D0.1cc of OARs.

rtviewer's TG-43 dose of the dwells (one fraction, every pulse) and the DVHs on it are
computed in a worker thread with progress (:mod:`rtviewer.model.gec_estro_plan`, the
same as ``rtviewer brachy-check --dvh``); the EQD2s follow the α/β, external-beam EQD2
and number of fractions as they are edited, without a new dose.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.model.brachy_check import check_plan, roi_points
from rtviewer.model.gec_estro import EqdSettings, RoiMetrics
from rtviewer.model.gec_estro_plan import (
    DwellDvhs,
    dwell_dvhs,
    metrics_of,
    plan_prescription_gy,
    prescription_note,
)
from rtviewer.printable import printable
from rtviewer.ui.views.flow_row import FlowRow
from rtviewer.ui.workers.progress_worker import ProgressTask

__all__ = ["GEC_COLUMNS", "GecEstroSection", "gec_rows"]

# what a GEC-ESTRO sheet is read for first (the parameter, its dose and the EQD2 total) in
# the 340-420 px Brachy tab; role and volume last; headers on two lines, as narrow as the
# numbers ('Per fraction' was cut and the EQD2 columns were out of sight)
GEC_COLUMNS = ("Structure", "Param-\neter", "Per fx\n(Gy)", "EQD2\ntotal (Gy)",
               "EQD2 per\nfx (Gy)", "V100\n(%)", "V150\n(%)", "V200\n(%)", "Role",
               "Volume\n(cc)")


def _gy(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.3f}"


def gec_rows(metrics: list[RoiMetrics]) -> list[tuple[str, ...]]:
    """One row per structure and parameter (D90, D98; D2cc, D0.1cc), as the table shows it."""
    rows = []
    for m in metrics:
        for k, (name, value) in enumerate(m.values_gy.items()):
            # V100-V200 are the targets' (a dash: no dose per fraction to refer to)
            volumes = tuple(_pct(m.volumes_pct.get(f"V{level}"))
                            if k == 0 and m.role == "target" else ""
                            for level in (100, 150, 200))
            rows.append((m.name, name, _gy(value), _gy(m.eqd2_gy.get(name)),
                         _gy(m.eqd2_per_fraction_gy.get(name)), *volumes,
                         "target" if m.role == "target" else "organ at risk",
                         f"{m.volume_cc:.2f}"))
    return rows


def _pct(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.1f}"


def _spin(value: float, low: float, high: float, suffix: str, step: float = 0.5
          ) -> QtWidgets.QDoubleSpinBox:
    box = QtWidgets.QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(2)
    box.setSingleStep(step)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


class GecEstroSection(QtWidgets.QGroupBox):
    """Settings, a Compute button with progress, and the per-structure table."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("rtviewer's TG-43 dose of the dwells", parent)
        self._plan: Any = None
        self._structures: Any = None
        #: Consensus dataset chosen by the user (None: the one the plan names).
        self.source_key: str | None = None
        self.dvhs: DwellDvhs | None = None
        defaults = EqdSettings()
        self.ab_target = _spin(defaults.alpha_beta_target_gy, 0.5, 30.0, " Gy")
        self.ab_oar = _spin(defaults.alpha_beta_oar_gy, 0.5, 30.0, " Gy")
        self.ebrt_target = _spin(0.0, 0.0, 200.0, " Gy", 1.0)
        self.ebrt_oar = _spin(0.0, 0.0, 200.0, " Gy", 1.0)
        self.fractions = QtWidgets.QSpinBox()
        self.fractions.setRange(1, 100)
        self.prescription = _spin(0.0, 0.0, 100.0, " Gy")
        self.prescription.setSpecialValueText("not stated")
        self.grid_mm = _spin(2.0, 0.5, 10.0, " mm")
        self.compute = QtWidgets.QPushButton("Compute")
        self.compute.clicked.connect(self.start)
        self.progress = QtWidgets.QProgressBar()
        self.task = ProgressTask(self.progress)
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(GEC_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(GEC_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        # each setting whole with its label, in rows that wrap: a two-column grid cut
        # "α/β organs at ris", "External-beam E" in the 370 px Brachy tab
        # (short labels: a pair wider than the 340 px tab at 1280x800 is cut; in full in
        # the tooltips)
        pairs = []
        for label, tip, box in (
                ("α/β targets", "α/β of the targets", self.ab_target),
                ("α/β OARs", "α/β of the organs at risk", self.ab_oar),
                ("EBRT EQD2, targets", "External-beam EQD2 added to the targets",
                 self.ebrt_target),
                ("EBRT EQD2, OARs", "External-beam EQD2 added to the organs at risk",
                 self.ebrt_oar),
                ("Fractions", "Brachytherapy fractions", self.fractions),
                ("Dose/fx (V100)", "Prescribed dose per fraction: the V100 level",
                 self.prescription),
                ("Grid", "Dose grid spacing", self.grid_mm)):
            pair = QtWidgets.QWidget()
            pair.setToolTip(tip)
            pair_row = QtWidgets.QHBoxLayout(pair)
            pair_row.setContentsMargins(0, 0, 6, 0)
            pair_row.addWidget(QtWidgets.QLabel(label))
            pair_row.addWidget(box)
            pairs.append(pair)
        form = FlowRow(pairs)
        for box in (self.ab_target, self.ab_oar, self.ebrt_target, self.ebrt_oar,
                    self.prescription):
            box.valueChanged.connect(self._fill)
        self.fractions.valueChanged.connect(self._fill)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.compute)
        row.addWidget(self.progress, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(form)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.set_plan(None)

    def set_plan(self, plan: Any, structures: Any = None) -> None:
        """A new plan: forget the previous dose (computed on request: it takes seconds)."""
        self.stop()
        self._plan, self._structures, self.dvhs = plan, structures, None
        self.table.setRowCount(0)
        brachy = plan is not None and getattr(plan, "brachy", None) is not None
        self.compute.setEnabled(brachy)
        if not brachy:
            self.status.setText("No brachytherapy plan loaded.")
            return
        with QtCore.QSignalBlocker(self.fractions), QtCore.QSignalBlocker(self.prescription):
            self.fractions.setValue(int(plan.fractions_planned or 1))
            self.prescription.setValue(plan_prescription_gy(plan) or 0.0)
        note = prescription_note(plan)
        self.status.setText(printable(
            "Compute: the TG-43 dose of the dwells on a grid around the targets and organs "
            "at risk, and their DVHs (a few seconds)."
            + (f" Note: {note} (above)." if note else "")))

    def start(self) -> None:
        """Compute the dwells' dose and the DVHs in a worker."""
        plan = self._plan
        if plan is None or getattr(plan, "brachy", None) is None:
            return
        try:
            check = check_plan(plan, roi_points=roi_points(self._structures),
                               source_key=self.source_key)
        except (ValueError, KeyError) as exc:
            self.status.setText(printable(f"Not computed: {exc}"))
            return
        structures, key = self._structures, check.source_key
        strength, grid_mm = check.strength.at_time_u, self.grid_mm.value()
        self.compute.setEnabled(False)
        self.task.start(lambda progress, cancelled: dwell_dvhs(
            plan, structures, source_key=key, strength_u=strength, grid_mm=grid_mm,
            progress=progress, cancelled=cancelled), self._on_done)
        self.status.setText(printable(f"Computing with {check.source_name} at "
                                      f"{check.strength.at_time_u:.5g} U…"))

    def stop(self) -> None:
        """Cancel a running computation (its result is ignored)."""
        self.task.stop()

    def wait(self, timeout_ms: int = 120000) -> None:
        """Block until the running computation has been shown (tests, headless use)."""
        self.task.wait(timeout_ms)

    def _on_done(self, result: DwellDvhs | None, error: str) -> None:
        self.compute.setEnabled(True)
        if result is None:
            self.status.setText(printable(f"Not computed: {error or 'cancelled'}"))
            return
        self.dvhs = result
        self._fill()

    def settings(self) -> EqdSettings:
        """The α/β and external-beam EQD2s as edited."""
        return EqdSettings(self.ab_target.value(), self.ab_oar.value(),
                           self.ebrt_target.value(), self.ebrt_oar.value())

    def metrics(self) -> list[RoiMetrics]:
        """The parameters of the computed DVHs with the current settings ([] before)."""
        if self.dvhs is None:
            return []
        return metrics_of(self.dvhs, prescription_gy=self.prescription.value() or None,
                          fractions=self.fractions.value(), settings=self.settings())

    def _fill(self, *_args: object) -> None:
        dvhs = self.dvhs
        if dvhs is None:
            return
        rows = gec_rows(self.metrics())
        shape = "×".join(str(n) for n in dvhs.grid.shape[::-1])
        lines = [f"rtviewer's TG-43 calculation (not the planning system's dose): one "
                 f"fraction, every pulse, on a {dvhs.grid_mm:g} mm grid {shape}, maximum "
                 f"{dvhs.dose_max_gy:.2f} Gy. EQD2 total: over {self.fractions.value()} "
                 "fraction(s), plus the external-beam EQD2."]
        lines += [f"Note: {n}" for n in dvhs.notes]
        if not self.prescription.value() and (note := prescription_note(self._plan)):
            lines.append(f"Note: {note} (above).")
        self.status.setText(printable("\n".join(lines)))
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, text in enumerate(values):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(printable(text)))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
