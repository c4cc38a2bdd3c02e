"""File → Compare Doses… with no dose on screen: B against A, two files, in a worker.

With a dose on screen the menu opens the viewer's Compare tab instead
(:mod:`rtviewer.ui.panels.compare_panel`).  The dialog asks for two RT Dose files (and
optionally an RT Structure Set and gamma criteria), runs
:class:`~rtviewer.ui.workers.compare_worker.DoseCompareWorker` with a progress bar, and
shows the metric differences per structure with the gamma pass rates.  The window stays
live.  A and B are named in words, as the Compare tab names them: the plan's label (when
the window's scans hold the plan the dose references), the dose type and maximum.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6 import QtWidgets

from rtviewer.core.gamma import GammaCriteria, parse_criteria
from rtviewer.model.index import Instance
from rtviewer.model.plan_compare import DoseComparison
from rtviewer.printable import printable
from rtviewer.ui.panels.compare_panel import criteria_or_say, fill_table
from rtviewer.ui.workers.compare_worker import (
    DoseCompareJob,
    DoseCompareOutcome,
    DoseCompareWorker,
)
from rtviewer.view.compare_rows import SHOWN_METRICS, gamma_summary, metric_table
from rtviewer.view.dose_labels import distinct_labels, loaded_dose_label, plan_label_of

__all__ = ["CompareDialog", "SHOWN_METRICS"]


class CompareDialog(QtWidgets.QDialog):
    """Compare dose B against the reference dose A.

    ``instances``: the files of the window's scans, where A's and B's plans are looked
    up for their labels.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None, *,
                 start_folder: str = "", instances: Sequence[Instance] = ()) -> None:
        super().__init__(parent)
        self._instances = tuple(instances)
        self.setWindowTitle("Compare doses")
        self._folder = start_folder
        self._worker: DoseCompareWorker | None = None
        self.comparison: DoseComparison | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self._build_form())
        self.compare_button = QtWidgets.QPushButton("Compare")
        self.compare_button.clicked.connect(self.start)
        self.progress = QtWidgets.QProgressBar()
        self.status = QtWidgets.QLabel("Choose the reference dose A and the compared dose B.")
        self.status.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 0)
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
        ok, criteria = criteria_or_say(self.criteria, self.status)
        if not ok:
            return
        worker = DoseCompareWorker(DoseCompareJob(a=Path(a), b=Path(b), criteria=criteria,
                                                  structures=Path(rs) if rs else None))
        worker.progressed.connect(self._progressed)
        worker.gamma_progressed.connect(self._gamma_progressed)
        worker.done.connect(self._finished)
        self.compare_button.setEnabled(False)
        self.status.setText("comparing…")
        self._worker = worker
        worker.start_detached()

    def _progressed(self, done: int, total: int, step: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"{done}/{total}: {step}")

    def _gamma_progressed(self, done: int, total: int) -> None:
        """The bar follows gamma's slabs while it runs (the one long step)."""
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"gamma: {done}/{total} slabs of slices searched")

    def _finished(self, result: object) -> None:
        self.compare_button.setEnabled(True)
        if not isinstance(result, DoseCompareOutcome):
            self.status.setText(f"Comparison failed: {result}")
            return
        self.comparison = result.comparison
        self.status.setText(_summary(result.comparison, self._instances))
        fill_table(self.table, *metric_table(result.comparison))

    def done(self, code: int) -> None:  # noqa: D102 - QDialog.done
        if self._worker is not None:
            self._worker.cancel()
        super().done(code)


def dose_names(result: DoseComparison, instances: Sequence[Instance] = ()) -> list[str]:
    """A's and B's labels: ``"Lung 3DCRT · PLAN dose, max 63.9 Gy"`` (file tail if equal)."""
    doses = (result.reference, result.evaluated)
    labels = [loaded_dose_label(d, plan_label_of(d, instances)) for d in doses]
    return distinct_labels([d.path for d in doses], labels)


def _summary(result: DoseComparison, instances: Sequence[Instance] = ()) -> str:
    """One paragraph: the doses by name, the largest difference and the gamma pass rate."""
    a, b = (printable(label) for label in dose_names(result, instances))
    text = (f"A (reference): {a};  B: {b};  "
            f"max |B−A| {result.max_abs_difference_gy:.4f} Gy.  Highlighted: dose "
            "differences above 2 % of A's maximum, volumes above 2 points.")
    if result.gamma is not None:
        text += "  " + gamma_summary(result)
    return text
