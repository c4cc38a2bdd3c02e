"""The Export… dialog: where to, anonymise how, and the kept free text to review and edit.

Reading the headers for the free-text table and writing the export run in
:class:`~rtviewer.ui.workers.detached_thread.DetachedThread` workers; the dialog stays live.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.dicom.export.free_text import collect_free_text
from rtviewer.dicom.export.writer import ExportOptions, ExportResult, export
from rtviewer.dicom.files import read_dataset
from rtviewer.model.index import Instance, ScanResult
from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["ExportDialog", "summary_text"]

_COLUMNS = ["Element", "Value kept", "Times", "Export as"]


class _TextWorker(DetachedThread):
    """Reads the selection's headers and lists the free text anonymisation keeps."""

    listed = QtCore.Signal(object)

    def __init__(self, instances: list[Instance]) -> None:
        super().__init__()
        self._instances = instances

    def run(self) -> None:  # noqa: D102 - QThread.run
        rows: list[tuple[str, str, int]] = []
        try:
            datasets = (read_dataset(i.path, stop_before_pixels=True)[0]
                        for i in self._instances if not self._cancel.is_set())
            rows = collect_free_text(datasets)
        except Exception as exc:  # noqa: BLE001 - shown in the dialog, never lost
            rows = [("(error)", f"{type(exc).__name__}: {exc}", 0)]
        self.listed.emit(rows)


class _ExportWorker(DetachedThread):
    """Writes the export and verifies it."""

    progressed = QtCore.Signal(int, int)
    done = QtCore.Signal(object)

    def __init__(self, scan: ScanResult, instances: list[Instance], out: Path,
                 options: ExportOptions) -> None:
        super().__init__()
        self._args = (scan, instances, out, options)

    def run(self) -> None:  # noqa: D102 - QThread.run
        try:
            result: Any = export(*self._args, progress=self.progressed.emit)
        except Exception as exc:  # noqa: BLE001 - the message names the file
            result = exc
        self.done.emit(result)


def summary_text(result: ExportResult) -> str:
    """What the export did, leaks and withheld images first."""
    lines = [leak.message() for leak in result.leaks]
    lines += [f"Burned In Annotation {status}: {path} "
              f"({'NOT exported' if path in result.withheld else 'exported'})"
              for path, status in result.burnt_in]
    verdict = ("verification FAILED: original identifiers remain (listed above)"
               if result.leaks else "verified: no original identifier found")
    lines.append(f"{len(result.files)} files written to {result.out_dir}; {verdict}")
    return "\n".join(lines)


class ExportDialog(QtWidgets.QDialog):
    """Export the chosen objects with their chains; review the free text first."""

    def __init__(self, scan: ScanResult, instances: list[Instance],
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {len(instances)} files")
        self.setObjectName("export_dialog")
        self._scan, self._instances = scan, instances
        self._worker: DetachedThread | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self._build_form())
        self.table = QtWidgets.QTableWidget(0, len(_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(QtWidgets.QLabel(
            "Free text kept (ROI names, plan and beam labels, descriptions): "
            "edit the last column to change what is exported."))
        layout.addWidget(self.table)
        self.status = QtWidgets.QPlainTextEdit(self)
        self.status.setReadOnly(True)
        self.status.setMaximumHeight(110)
        layout.addWidget(self.status)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Close, self)
        self.export_button = self.buttons.addButton(
            "Export", QtWidgets.QDialogButtonBox.ButtonRole.ApplyRole)
        self.export_button.clicked.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(760, 560)
        self._list_text()

    def _build_form(self) -> QtWidgets.QFormLayout:
        form = QtWidgets.QFormLayout()
        self.out_edit = QtWidgets.QLineEdit(self)
        browse = QtWidgets.QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.out_edit)
        row.addWidget(browse)
        form.addRow("New folder", row)
        self.anonymise = QtWidgets.QCheckBox("Anonymise (PS3.15 Annex E, dicognito)", self)
        self.anonymise.setChecked(True)
        form.addRow(self.anonymise)
        self.patient_id = QtWidgets.QLineEdit(self)
        self.patient_id.setPlaceholderText("random")
        form.addRow("Patient ID", self.patient_id)
        self.patient_name = QtWidgets.QLineEdit(self)
        self.patient_name.setPlaceholderText("random")
        form.addRow("Patient name", self.patient_name)
        self.shift = QtWidgets.QSpinBox(self)
        self.shift.setRange(-36500, 36500)
        self.shift.setSpecialValueText("auto (secret, 62–730 days back)")
        self.shift.setValue(self.shift.minimum())
        form.addRow("Date shift (days)", self.shift)
        self.keep_private = QtWidgets.QCheckBox("Keep private elements", self)
        self.burnt_in = QtWidgets.QCheckBox(
            "Include RT Images / secondary captures that may show burnt-in text", self)
        form.addRow(self.keep_private)
        form.addRow(self.burnt_in)
        # A plain export copies the files byte for byte: the other choices do not apply.
        for widget in (self.patient_id, self.patient_name, self.shift, self.keep_private,
                       self.burnt_in):
            self.anonymise.toggled.connect(widget.setEnabled)
        return form

    def _browse(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Export into a new folder")
        if folder:
            self.out_edit.setText(folder)

    def _list_text(self) -> None:
        worker = _TextWorker(self._instances)
        worker.listed.connect(self._fill_table)
        self._worker = worker
        worker.start_detached()

    def _fill_table(self, rows: list[tuple[str, str, int]]) -> None:
        self.table.setRowCount(len(rows))
        for r, (keyword, value, count) in enumerate(rows):
            for c, text in enumerate((keyword, value, str(count), value)):
                item = QtWidgets.QTableWidgetItem(text)
                if c < 3:
                    item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def text_edits(self) -> dict[tuple[str, str], str]:
        """(keyword, value) → new value for every row the user changed."""
        edits = {}
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in (0, 1, 3)]
            keyword, value, new = (c.text() if c is not None else "" for c in cells)
            if new != value:
                edits[(keyword, value)] = new
        return edits

    def options(self) -> ExportOptions:
        """The options the form shows."""
        auto = self.shift.value() == self.shift.minimum()
        return ExportOptions(
            anonymise=self.anonymise.isChecked(),
            patient_id=self.patient_id.text() or None,
            patient_name=self.patient_name.text() or None,
            date_shift_days=None if auto else self.shift.value(),
            keep_private=self.keep_private.isChecked(),
            include_burnt_in=self.burnt_in.isChecked(),
            text_edits=self.text_edits())

    def start_export(self) -> None:
        """Export in a worker; the result lands in the status box."""
        if not self.out_edit.text().strip():
            self.status.setPlainText("Choose a new folder to export into.")
            return
        options = self.options()
        if options.date_shift_days == 0:
            self.status.setPlainText("A date shift of 0 would keep the original dates.")
            return
        worker = _ExportWorker(self._scan, self._instances,
                               Path(self.out_edit.text().strip()), options)
        worker.progressed.connect(
            lambda done, total: self.status.setPlainText(f"exporting: {done}/{total} files"))
        worker.done.connect(self._finished)
        self.export_button.setEnabled(False)
        self._worker = worker
        worker.start_detached()

    def _finished(self, result: object) -> None:
        self.export_button.setEnabled(True)
        if isinstance(result, ExportResult):
            self.status.setPlainText(summary_text(result))
        else:
            self.status.setPlainText(f"Export failed: {result}")

    def done(self, code: int) -> None:  # noqa: D102 - QDialog.done
        if self._worker is not None:
            self._worker.cancel()
        super().done(code)
