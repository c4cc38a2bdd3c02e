"""The patient → study → series → instance tree of scanned folders, references marked."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance, Patient, Reference, ScanResult, Series
from rtviewer.printable import printable_row
from rtviewer.ui.dose_labels import study_label

__all__ = ["ScanTree", "PATH_ROLE"]

#: Item data role holding the file path (instances) or the referenced file.
PATH_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
_MISSING = QtGui.QColor(200, 30, 30)
_WARNING = QtGui.QColor(170, 110, 0)
#: Initial width of the Object column (px): the tree sits in a ~300 px dock.
OBJECT_COLUMN_PX = 230


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _tooltip(findings: tuple[Finding, ...]) -> str:
    return "\n".join(f"{f.severity.value.upper()} {f.code}: {f.message}" for f in findings)


class ScanTree(QtWidgets.QTreeWidget):
    """Shows one top-level node per scanned root; re-scanning a root replaces its node."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels(["Object", "Details"])
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        # UID-named files would push the Details column out of a narrow dock: the names are
        # elided in the middle (full path in the tooltip) and the column is user-resizable
        self.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        self.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(0, OBJECT_COLUMN_PX)
        self.setIndentation(14)
        self._roots: dict[Path, QtWidgets.QTreeWidgetItem] = {}

    def show_result(self, result: ScanResult) -> QtWidgets.QTreeWidgetItem:
        """Add (or replace) the tree of one scan; return its top-level item."""
        old = self._roots.pop(result.root, None)
        if old is not None:
            self.takeTopLevelItem(self.indexOfTopLevelItem(old))
        n_files = len(result.instances())
        n_patients = len(result.patients)
        details = f"{n_patients} patient{'s' if n_patients != 1 else ''}, {n_files} DICOM files"
        if result.skipped or result.problems:
            details += f", {len(result.skipped)} skipped, {len(result.problems)} problems"
        if result.cancelled:
            details += " (scan cancelled: incomplete)"
        top = QtWidgets.QTreeWidgetItem(self, printable_row([result.root, details]))
        top.setData(0, PATH_ROLE, str(result.root))
        self._roots[result.root] = top
        for patient in result.patients:
            self._add_patient(top, patient, result.root)
        top.setExpanded(True)
        for i in range(top.childCount()):
            child = top.child(i)
            if child is not None:
                child.setExpanded(True)
        return top

    def _add_patient(self, parent: QtWidgets.QTreeWidgetItem, patient: Patient,
                     root: Path) -> None:
        label = f"Patient {patient.patient_id or '(no ID)'}"
        item = QtWidgets.QTreeWidgetItem(
            parent, printable_row([label, patient.patient_name or "(no name)"]))
        for study in patient.studies:
            # the label a physicist recognises; the UID stays in the details and tooltip
            uid = f"Study Instance UID {study.study_instance_uid or '(none)'}"
            st = QtWidgets.QTreeWidgetItem(item, printable_row([study_label(study), uid]))
            st.setToolTip(0, uid)
            st.setExpanded(True)
            for series in study.series:
                self._add_series(st, series, root)

    def _add_series(self, parent: QtWidgets.QTreeWidgetItem, series: Series,
                    root: Path) -> None:
        volume = f" (volume {series.volume_index + 1})" if series.findings else ""
        label = f"{series.modality or '?'} series{volume}"
        n = series.instance_count
        details = f"{n} file{'s' if n != 1 else ''}"
        if series.series_description:
            details = f"{series.series_description} — {details}"
        item = QtWidgets.QTreeWidgetItem(parent, printable_row([label, details]))
        item.setToolTip(0, f"Series Instance UID {series.series_instance_uid}\n"
                        + _tooltip(series.findings))
        if series.findings:
            item.setForeground(1, _WARNING)
        for instance in series.instances:
            self._add_instance(item, instance, root)
        # RT objects open with their references showing; long image series stay closed.
        item.setExpanded(any(i.kind != "image" for i in series.instances) or n <= 3)

    def _add_instance(self, parent: QtWidgets.QTreeWidgetItem, inst: Instance,
                      root: Path) -> None:
        item = QtWidgets.QTreeWidgetItem(parent, printable_row([
            _rel(inst.path, root), inst.summary or inst.sop_class_name]))
        item.setData(0, PATH_ROLE, str(inst.path))
        tip = f"{inst.path}\n{inst.sop_class_name}\nSOP Instance UID {inst.sop_instance_uid}"
        if inst.findings:
            tip += "\n" + _tooltip(inst.findings)
            if any(f.severity is not Severity.INFO for f in inst.findings):
                item.setForeground(0, _WARNING)
        item.setToolTip(0, tip)
        item.setToolTip(1, tip)
        for ref in inst.references:
            self._add_reference(item, ref, root)
        if inst.references:
            item.setExpanded(True)

    def _add_reference(self, parent: QtWidgets.QTreeWidgetItem, ref: Reference,
                       root: Path) -> None:
        target = _rel(ref.path, root) if ref.path is not None else "MISSING (not in this folder)"
        if ref.kind == "image_series" and ref.referenced_instance_count:
            target += (f" — {ref.missing_instance_count} of {ref.referenced_instance_count} "
                       "referenced images missing")
        item = QtWidgets.QTreeWidgetItem(parent, printable_row([f"→ {ref.kind}", target]))
        item.setToolTip(0, ref.uid)
        item.setToolTip(1, ref.uid)
        if ref.path is not None:
            item.setData(0, PATH_ROLE, str(ref.path))
        if not ref.resolved or ref.missing_instance_count:
            item.setForeground(1, _MISSING)
