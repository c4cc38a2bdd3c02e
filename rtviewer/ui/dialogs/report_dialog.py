"""File → Export review report…: choose the sections, name the reviewer, write the PDF.

The report is made by ``rtviewer report`` in a child process (:class:`QtCore.QProcess`):
the same code path as the command line, and the window stays live while the pictures are
drawn and the DVHs computed.  The plan and dose are the ones the viewer shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.model.review_report import SECTIONS

__all__ = ["ReportDialog", "report_arguments"]


def report_arguments(folder: Path, out: Path, *, plan: Path | None, dose: Path | None,
                     sections: list[str], reviewer: str, comment: str, page: str,
                     goals: str, json_out: bool, point: str | None = None) -> list[str]:
    """The ``rtviewer report`` arguments of the dialog's choices."""
    args = ["-m", "rtviewer", "report", str(folder), "--out", str(out), "--page", page,
            "--sections", ",".join(sections)]
    for option, value in (("--plan", plan), ("--dose", dose), ("--reviewer", reviewer),
                          ("--comment", comment), ("--goals", goals), ("--point", point)):
        if value:
            args += [option, str(value)]
    if json_out:
        args += ["--json", str(out.with_suffix(".json"))]
    return args


class ReportDialog(QtWidgets.QDialog):
    """The sections to include (a checklist), reviewer, comment, paper, goal set."""

    def __init__(self, parent: QtWidgets.QWidget, folder: Path, plan: Path | None,
                 dose: Path | None, crosshair_mm: tuple[float, float, float] | None = None
                 ) -> None:
        """``crosshair_mm`` (patient mm): offered as the point the planes go through."""
        super().__init__(parent)
        self.setWindowTitle("Export review report")
        self.folder, self.plan, self.dose = folder, plan, dose
        self.process: QtCore.QProcess | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel(
            f"Folder: {folder}\nPlan: {plan.name if plan else 'the first plan with a dose'}"
            f"\nDose: {dose.name if dose else 'the plan’s dose'}"))
        self.sections = QtWidgets.QListWidget()
        for key, title in SECTIONS:
            item = QtWidgets.QListWidgetItem(title)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Checked)
            self.sections.addItem(item)
        layout.addWidget(QtWidgets.QLabel("Sections (each printed only when it has "
                                          "something to show):"))
        layout.addWidget(self.sections)
        form = QtWidgets.QFormLayout()
        self.reviewer = QtWidgets.QLineEdit()
        self.goals = QtWidgets.QLineEdit()
        self.goals.setPlaceholderText("goal file or shipped set (e.g. quantec); empty: none")
        self.page = QtWidgets.QComboBox()
        self.page.addItems(["a4", "letter"])
        self.json = QtWidgets.QCheckBox("also write the JSON twin beside the PDF")
        self.comment = QtWidgets.QPlainTextEdit()
        self.comment.setFixedHeight(70)
        self.crosshair = None if crosshair_mm is None else tuple(float(v) for v in crosshair_mm)
        self.at_crosshair = QtWidgets.QCheckBox(
            "planes through the isocentre" if self.crosshair is None else
            "planes through the crosshair ({:.1f}, {:.1f}, {:.1f}) mm, not the "
            "isocentre".format(*self.crosshair))
        self.at_crosshair.setEnabled(self.crosshair is not None)
        form.addRow("Reviewer", self.reviewer)
        form.addRow("Clinical goals", self.goals)
        form.addRow("Paper", self.page)
        form.addRow("", self.json)
        form.addRow("", self.at_crosshair)
        form.addRow("Comment", self.comment)
        layout.addLayout(form)
        self.status = QtWidgets.QLabel("")
        layout.addWidget(self.status)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save
            | QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self._ask_out)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)

    def chosen_sections(self) -> list[str]:
        """Keys of the ticked sections, in print order."""
        items = (self.sections.item(i) for i in range(self.sections.count()))
        return [item.data(QtCore.Qt.ItemDataRole.UserRole) for item in items
                if item.checkState() == QtCore.Qt.CheckState.Checked]

    def chosen_point(self) -> str | None:
        """``--point`` of the dialog: the crosshair when ticked, else None (the isocentre)."""
        if self.crosshair is None or not self.at_crosshair.isChecked():
            return None
        return ",".join(f"{v:.2f}" for v in self.crosshair)

    def _ask_out(self) -> None:
        out, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save the review report", str(Path.home() / "review.pdf"), "PDF (*.pdf)")
        if out:
            self.start(Path(out))

    def start(self, out: Path) -> None:
        """Run ``rtviewer report`` for ``out`` in a child process."""
        args = report_arguments(self.folder, out, plan=self.plan, dose=self.dose,
                                sections=self.chosen_sections(),
                                reviewer=self.reviewer.text().strip(),
                                comment=self.comment.toPlainText().strip(),
                                page=self.page.currentText(), goals=self.goals.text().strip(),
                                json_out=self.json.isChecked(), point=self.chosen_point())
        self.process = QtCore.QProcess(self)
        self.process.finished.connect(lambda code, _status: self._done(code, out))
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.status.setText(f"Writing {out.name}…")
        self.process.start(sys.executable, args)

    def _done(self, code: int, out: Path) -> None:
        assert self.process is not None
        errors = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace")
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).setEnabled(True)
        if code == 0:
            self.status.setText(f"Written: {out}")
            return
        lines = [ln for ln in errors.splitlines() if ln.startswith("rtviewer report:")]
        self.status.setText(f"Not written (exit {code}): "
                            + (lines[-1] if lines else errors.strip()[-300:]))
