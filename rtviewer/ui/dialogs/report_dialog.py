"""File → Export review report…: choose the sections, name the reviewer, write the PDF.

The report is made by ``rtviewer report`` in a child process (:class:`QtCore.QProcess`):
the same code path as the command line, and the window stays live while the pictures are
drawn and the DVHs computed.  The plan and dose are the ones the viewer shows.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.model.review_report import SECTIONS
from rtviewer.printable import printable

__all__ = ["REPORT_DIR_KEY", "ReportDialog", "report_arguments", "report_file_stem",
           "report_folder"]


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


def report_file_stem(patient_id: str | None, plan_label: str | None) -> str:
    """``review-<patient ID>-<plan label>``, safe as a file name on every system.

    >>> report_file_stem("RTV-DEMO-THORAX", "Lung 3DCRT")
    'review-RTV-DEMO-THORAX-Lung_3DCRT'
    """
    parts = ["review", *(re.sub(r"[^\w.-]+", "_", p).strip("._") for p in
                         (patient_id or "", plan_label or ""))]
    return "-".join(p for p in parts if p)


#: QSettings key of the folder the last report went to.
REPORT_DIR_KEY = "export/report_dir"


def report_folder() -> Path:
    """Where the save dialog opens: the last report's folder, else Documents, else home."""
    remembered = QtCore.QSettings().value(REPORT_DIR_KEY)
    if isinstance(remembered, str) and Path(remembered).is_dir():
        return Path(remembered)
    documents = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class ReportDialog(QtWidgets.QDialog):
    """The sections to include (a checklist), reviewer, comment, paper, goal set."""

    def __init__(self, parent: QtWidgets.QWidget, folder: Path, plan: Path | None,
                 dose: Path | None, crosshair_mm: tuple[float, float, float] | None = None,
                 *, plan_label: str | None = None, dose_label: str | None = None,
                 file_stem: str = "review") -> None:
        """``crosshair_mm`` (patient mm): offered as the point the planes go through.

        ``plan_label`` and ``dose_label`` name the plan and dose on screen as a physicist
        knows them ("Plan 'PROS'", "PLAN dose, max 63.9 Gy"; the file names are UIDs);
        ``file_stem`` is the PDF's suggested name.
        """
        super().__init__(parent)
        self.setWindowTitle("Export review report")
        self.folder, self.plan, self.dose = folder, plan, dose
        self.file_stem = file_stem
        self.process: QtCore.QProcess | None = None
        layout = QtWidgets.QVBoxLayout(self)
        plan_text = (plan_label or plan.name) if plan else "the first plan with a dose"
        if dose is not None:
            dose_text = dose_label or dose.name
        else:
            dose_text = ("none on screen: the plan's RT Dose if the folder has one" if plan
                         else "the plan's RT Dose")
        intro = QtWidgets.QLabel(printable(f"Folder: {folder}\nPlan: {plan_text}\n"
                                           f"Dose: {dose_text}"))
        intro.setWordWrap(True)
        if plan is not None:
            intro.setToolTip(str(plan))  # the file, for whoever needs it
        layout.addWidget(intro)
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
            "isocentre".format(*(round(v, 1) + 0.0 for v in self.crosshair)))  # no '-0.0'
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
            self, "Save the review report", str(report_folder() / f"{self.file_stem}.pdf"),
            "PDF (*.pdf)")
        if out:
            QtCore.QSettings().setValue(REPORT_DIR_KEY, str(Path(out).parent))
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
