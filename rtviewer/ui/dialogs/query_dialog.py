"""Query / Retrieve dialog: find patients, studies or series on a node, C-GET them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtWidgets

from rtviewer.printable import printable
from rtviewer.ui.workers.network_job import NetworkJob

__all__ = ["QueryDialog", "COLUMNS"]

#: Columns shown per level (DICOM keywords, as the service returns them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "PATIENT": ("PatientID", "PatientName", "PatientBirthDate",
                "NumberOfPatientRelatedStudies"),
    "STUDY": ("PatientID", "PatientName", "StudyDate", "StudyDescription",
              "ModalitiesInStudy", "NumberOfStudyRelatedInstances", "StudyInstanceUID"),
    "SERIES": ("Modality", "SeriesNumber", "SeriesDescription",
               "NumberOfSeriesRelatedInstances", "SeriesInstanceUID", "StudyInstanceUID"),
}
_MODALITIES = ("", "RTPLAN", "RTDOSE", "RTSTRUCT", "RTIMAGE", "RTRECORD", "CT", "MR", "PT")
_KEY = {"PATIENT": "PatientID", "STUDY": "StudyInstanceUID", "SERIES": "SeriesInstanceUID"}


class QueryDialog(QtWidgets.QDialog):
    """Query a node (C-FIND) and retrieve the selected rows (C-GET) into the store."""

    def __init__(self, service: Any, parent: QtWidgets.QWidget | None = None,
                 on_retrieved: Callable[[str], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Query / Retrieve")
        self.resize(900, 520)
        self.service = service
        self._on_retrieved = on_retrieved
        self.rows: list[dict[str, str]] = []
        self.job: NetworkJob | None = None
        self._then: Callable[[Any], None] = lambda _result: None
        self._shown_level: str | None = None
        self._build()

    def _build(self) -> None:
        self.node = QtWidgets.QComboBox(editable=True)
        self.node.addItems(self.service.node_names())
        self.node.setToolTip("A configured node, or AET@host:port")
        self.level = QtWidgets.QComboBox()
        self.level.addItems(list(COLUMNS))
        self.level.setCurrentText("STUDY")
        self.patient_id, self.patient_name = QtWidgets.QLineEdit(), QtWidgets.QLineEdit()
        self.date_from, self.date_to = QtWidgets.QLineEdit(), QtWidgets.QLineEdit()
        for edit in (self.date_from, self.date_to):
            edit.setPlaceholderText("YYYYMMDD")
        self.modality = QtWidgets.QComboBox(editable=True)
        self.modality.addItems(list(_MODALITIES))
        self.study_uid = QtWidgets.QLineEdit()
        self.study_uid.setPlaceholderText("series of one study (double-click a study)")
        form = QtWidgets.QFormLayout()
        for label, widget in (("Node", self.node), ("Level", self.level),
                              ("Patient ID", self.patient_id),
                              ("Patient name", self.patient_name),
                              ("Study date from", self.date_from), ("to", self.date_to),
                              ("Modality", self.modality), ("Study UID", self.study_uid)):
            form.addRow(label, widget)
        self.table = QtWidgets.QTableWidget(0, 0)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.cellDoubleClicked.connect(self.drill_down)
        self.progress = QtWidgets.QProgressBar()
        self.status = QtWidgets.QLabel("")
        buttons = QtWidgets.QHBoxLayout()
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for name, slot in (("Echo", self.echo), ("Find", self.find),
                           ("Retrieve selected", self.retrieve), ("Cancel", self.cancel)):
            button = QtWidgets.QPushButton(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        for name, button in self.buttons.items():
            button.setEnabled(busy if name == "Cancel" else not busy)
        self.progress.setVisible(busy)

    def _run(self, work: Callable[..., Any], on_done: Callable[[Any], None]) -> NetworkJob:
        # Bound methods only: Qt disconnects them if the dialog is closed mid-job.
        job = NetworkJob(work)
        job.progress.connect(self._on_progress)
        job.succeeded.connect(self._on_succeeded)
        job.failed.connect(self._on_failed)
        job.finished.connect(self._on_finished)
        self.job, self._then = job, on_done
        self._set_busy(True)
        self.progress.setRange(0, 0)
        job.start_detached()
        return job

    def _on_succeeded(self, result: Any) -> None:
        self._then(result)

    def _on_failed(self, text: str) -> None:
        self.status.setText(f"Failed: {text}")

    def _on_finished(self) -> None:
        self.job = None
        self._set_busy(False)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def echo(self) -> NetworkJob:
        """C-ECHO the node."""
        node, service = self.node.currentText().strip(), self.service
        return self._run(lambda _p, _c: service.echo(node), self.status.setText)

    def find(self) -> NetworkJob:  # type: ignore[override]  # not QWidget.find(id)
        """C-FIND with the form's filters."""
        node, level = self.node.currentText().strip(), self.level.currentText()
        service = self.service
        filters = {"patient_id": self.patient_id.text().strip(),
                   "patient_name": self.patient_name.text().strip(),
                   "date_from": self.date_from.text().strip(),
                   "date_to": self.date_to.text().strip(),
                   "modality": self.modality.currentText().strip(),
                   "study_uid": self.study_uid.text().strip()}
        return self._run(lambda _p, cancel: service.find(node, level, cancel, **filters),
                         lambda rows: self._show_rows(level, rows))

    def _show_rows(self, level: str, rows: list[dict[str, str]]) -> None:
        self.rows = rows
        columns = COLUMNS[level]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(list(columns))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, key in enumerate(columns):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(printable(row.get(key, ""))))
        self.table.resizeColumnsToContents()
        self.status.setText(f"{len(rows)} {level.lower()} match(es)")
        self._shown_level = level

    def drill_down(self, row: int, _column: int = 0) -> NetworkJob | None:
        """Double-click: a patient's studies, or a study's series."""
        level, values = self._shown_level, self.rows[row] if row < len(self.rows) else {}
        if level == "PATIENT":
            self.patient_id.setText(values.get("PatientID", ""))
            self.level.setCurrentText("STUDY")
        elif level == "STUDY":
            self.study_uid.setText(values.get("StudyInstanceUID", ""))
            self.level.setCurrentText("SERIES")
        else:
            return None
        return self.find()

    def retrieve(self) -> NetworkJob | None:
        """C-GET the selected rows (one after the other) into the store."""
        level = self._shown_level
        picked = sorted({i.row() for i in self.table.selectedIndexes()})
        if level is None or not picked:
            self.status.setText("Find, then select the rows to retrieve.")
            return None
        node, service = self.node.currentText().strip(), self.service
        targets = [(self.rows[r][_KEY[level]], self.rows[r].get("StudyInstanceUID"))
                   for r in picked]

        def work(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> str:
            return "; ".join(service.retrieve(node, level, uid, study, progress, cancel)
                             for uid, study in targets if not cancel())

        return self._run(work, self._retrieved)

    def _retrieved(self, text: str) -> None:
        self.status.setText(text)
        if self._on_retrieved is not None:
            self._on_retrieved(text)

    def cancel(self) -> None:
        """Stop the running query or retrieve."""
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def done(self, result: int) -> None:  # noqa: D102 - Qt: closing cancels the work
        self.cancel()
        super().done(result)
