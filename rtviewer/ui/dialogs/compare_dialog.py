"""File → Compare Doses…: B against a reference A, per structure, computed in a worker.

The dialog asks for two RT Dose files (and optionally an RT Structure Set and gamma
criteria), runs :func:`rtviewer.model.plan_compare.compare_doses` in a
:class:`~rtviewer.ui.workers.detached_thread.DetachedThread` with a progress bar, and shows the
metric differences per structure with the gamma pass rates.  The window stays live.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.core.gamma import GammaCriteria, parse_criteria
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.structure import read_structure_set
from rtviewer.model.plan_compare import DoseComparison, compare_doses
from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["CompareDialog", "SHOWN_METRICS"]

#: Metrics shown in the table, each as A, B and B − A columns.
SHOWN_METRICS = ("Dmean", "Dmax", "D95%", "D2%")
#: A difference larger than this fraction of A's maximum dose is highlighted.
HIGHLIGHT_FRACTION = 0.02


class _CompareWorker(DetachedThread):
    """Reads the files and compares; emits progress and the result (or the exception)."""

    progressed = QtCore.Signal(int, int, str)
    done = QtCore.Signal(object)

    def __init__(self, a: Path, b: Path, structures: Path | None,
                 criteria: GammaCriteria | None) -> None:
        super().__init__()
        self._args = (a, b, structures, criteria)

    def run(self) -> None:  # noqa: D102 - QThread.run
        a_path, b_path, rs_path, criteria = self._args
        try:
            a, b = read_dose(a_path), read_dose(b_path)
            rois = read_structure_set(rs_path).rois if rs_path is not None else ()
            result: Any = compare_doses(a, b, rois, criteria=criteria,
                                        progress=self.progressed.emit)
        except Exception as exc:  # noqa: BLE001 - the message names the file
            result = exc
        self.done.emit(result)


class CompareDialog(QtWidgets.QDialog):
    """Compare dose B against the reference dose A."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, *,
                 start_folder: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare doses")
        self._folder = start_folder
        self._worker: _CompareWorker | None = None
        self.comparison: DoseComparison | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self._build_form())
        self.compare_button = QtWidgets.QPushButton("Compare")
        self.compare_button.clicked.connect(self.start)
        self.progress = QtWidgets.QProgressBar()
        self.status = QtWidgets.QLabel("Choose the reference dose A and the compared dose B.")
        self.status.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 2 + 3 * len(SHOWN_METRICS))
        self.table.setHorizontalHeaderLabels(
            ["ROI", *[f"{m} {s}" for m in SHOWN_METRICS for s in ("A", "B", "B−A")],
             "γ pass %"])
        for widget in (self.compare_button, self.progress, self.status, self.table):
            layout.addWidget(widget)
        self.resize(1000, 520)

    def _build_form(self) -> QtWidgets.QFormLayout:
        form = QtWidgets.QFormLayout()
        self.a_edit, self.b_edit, self.rs_edit = (QtWidgets.QLineEdit() for _ in range(3))
        for label, edit in (("Reference A (RT Dose)", self.a_edit),
                            ("Compared B (RT Dose)", self.b_edit),
                            ("Structures (optional)", self.rs_edit)):
            row = QtWidgets.QHBoxLayout()
            row.addWidget(edit)
            browse = QtWidgets.QPushButton("…")
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row.addWidget(browse)
            form.addRow(label, row)
        self.gamma_edit = QtWidgets.QLineEdit("3%/3mm")
        self.gamma_edit.setToolTip("empty: no gamma")
        self.cutoff_spin = QtWidgets.QDoubleSpinBox()
        self.cutoff_spin.setRange(0.0, 99.0)
        self.cutoff_spin.setValue(10.0)
        self.cutoff_spin.setSuffix(" % of A's maximum")
        self.local_box = QtWidgets.QCheckBox("local dose difference")
        form.addRow("Gamma (TG-218)", self.gamma_edit)
        form.addRow("Low-dose cut-off", self.cutoff_spin)
        form.addRow("", self.local_box)
        return form

    def _browse(self, edit: QtWidgets.QLineEdit) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Choose a DICOM file",
                                                        edit.text() or self._folder)
        if path:
            edit.setText(path)

    def criteria(self) -> GammaCriteria | None:
        """The gamma criteria of the form (None when the field is empty)."""
        text = self.gamma_edit.text().strip()
        if not text:
            return None
        # The table shows pass rates only: a voxel's search stops once it passes.
        return parse_criteria(text, cutoff_percent=self.cutoff_spin.value(),
                              local=self.local_box.isChecked(), pass_rate_only=True)

    def start(self) -> None:
        """Compare in a worker; the table fills when it is done."""
        a, b, rs = (e.text().strip() for e in (self.a_edit, self.b_edit, self.rs_edit))
        if not a or not b:
            self.status.setText("Choose both doses.")
            return
        try:
            criteria = self.criteria()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        worker = _CompareWorker(Path(a), Path(b), Path(rs) if rs else None, criteria)
        worker.progressed.connect(self._progressed)
        worker.done.connect(self._finished)
        self.compare_button.setEnabled(False)
        self.status.setText("comparing…")
        self._worker = worker
        worker.start_detached()

    def _progressed(self, done: int, total: int, step: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"{done}/{total}: {step}")

    def _finished(self, result: object) -> None:
        self.compare_button.setEnabled(True)
        if not isinstance(result, DoseComparison):
            self.status.setText(f"Comparison failed: {result}")
            return
        self.comparison = result
        self.status.setText(_summary(result))
        self._fill(result)

    def _fill(self, result: DoseComparison) -> None:
        threshold = HIGHLIGHT_FRACTION * result.reference.max_gy
        self.table.setRowCount(len(result.structures))
        for row, s in enumerate(result.structures):
            self.table.setItem(row, 0, QtWidgets.QTableWidgetItem(s.name))
            by_name = {m.name: m for m in s.metrics}
            for n, name in enumerate(SHOWN_METRICS):
                m = by_name[name]
                for k, value in enumerate((m.a, m.b, m.difference)):
                    item = QtWidgets.QTableWidgetItem(_number(value, 3))
                    if k == 2 and math.isfinite(value) and abs(value) > threshold:
                        item.setBackground(QtGui.QColor(255, 205, 205))
                    self.table.setItem(row, 1 + 3 * n + k, item)
            rate = ("" if s.gamma_pass_rate is None
                    else _number(100 * s.gamma_pass_rate, 1) or "no voxel above cut-off")
            self.table.setItem(row, 1 + 3 * len(SHOWN_METRICS),
                               QtWidgets.QTableWidgetItem(rate))
        self.table.resizeColumnsToContents()

    def done(self, code: int) -> None:  # noqa: D102 - QDialog.done
        if self._worker is not None:
            self._worker.cancel()
        super().done(code)


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else ""


def _summary(result: DoseComparison) -> str:
    """One paragraph: the maxima, the largest difference and the gamma pass rate."""
    text = (f"A {result.reference.path.name}: max {result.reference.max_gy:.3f} Gy;  "
            f"B {result.evaluated.path.name}: max {result.evaluated.max_gy:.3f} Gy;  "
            f"max |B−A| {result.max_abs_difference_gy:.4f} Gy.  Differences above "
            f"{100 * HIGHLIGHT_FRACTION:g} % of A's maximum are highlighted.")
    if result.gamma is not None:
        text += (f"  Gamma {result.gamma.criteria.label}: "
                 f"{100 * result.gamma.pass_rate():.1f} % of "
                 f"{int(result.gamma.evaluated.sum())} voxels pass.")
    return text
