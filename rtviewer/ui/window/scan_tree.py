"""The patient → study → series → instance tree of scanned folders, references marked."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance, Patient, Reference, ScanResult, Series
from rtviewer.model.kind import PLAN_KINDS, Kind
from rtviewer.printable import printable_row
from rtviewer.view.dose_labels import plan_name, study_label
from rtviewer.view.tree_labels import instance_labels, patient_label, reference_label

__all__ = ["ScanTree", "PATH_ROLE", "elide_after_name", "instance_item"]

#: Item data role holding the file path (instances) or the referenced file.
PATH_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
_MISSING = QtGui.QColor(200, 30, 30)
_WARNING = QtGui.QColor(170, 110, 0)
#: Narrowest Object column (px): the tree sits in a 240-360 px dock, and the column
#: carries what a physicist looks for (names, plan labels, beams, fractions). Until the
#: user drags its edge it takes the tree's whole width, so that a long label ends in
#: "…" (its tooltip has it whole) instead of being cut at the dock's edge.
OBJECT_COLUMN_PX = 220


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _tooltip(findings: tuple[Finding, ...]) -> str:
    return "\n".join(f"{f.severity.value.upper()} {f.code}: {f.message}" for f in findings)


def _set_tips(item: QtWidgets.QTreeWidgetItem, *more: str) -> None:
    """Both columns' tooltip: the whole name, the Details column's text, then ``more``.

    The dock elides a deep name and keeps Details beyond its edge: hovering gives both.
    """
    lines = [item.text(0), item.text(1), *more]
    tip = "\n".join(line for line in lines if line)
    item.setToolTip(0, tip)
    item.setToolTip(1, tip)


def elide_after_name(text: str, metrics: QtGui.QFontMetrics, width: int) -> str:
    """``text`` in ``width`` px: its name kept whole, the middle of the rest elided.

    The name is what tells the rows apart: the text up to the end of its first quoted
    part (``RT Image 'DRR G280'``, ``Plan 'Lung 3DCRT'``), else up to its first colon.
    After it as much of the end as fits (``… of 233 missing``, ``… 30 fractions``);
    a name too long for the width is cut at its end; a text without a name loses its
    middle (``Treatment record 2…, fraction 2``).
    """
    if metrics.horizontalAdvance(text) <= width:
        return text
    first = text.find("'")
    second = text.find("'", first + 1) if first >= 0 else -1
    end = second + 1 if second > 0 else text.find(":") + 1
    head, rest = (text[:end], text[end:]) if end > 0 else ("", text)
    if not head:  # "Treatment record 2026-01-20, fraction 1": both ends tell rows apart
        return metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideMiddle, width)
    room = width - metrics.horizontalAdvance(head)
    if room < metrics.horizontalAdvance("…") * 4:
        return metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, width)
    return head + metrics.elidedText(rest, QtCore.Qt.TextElideMode.ElideLeft, room)


class _NameFirstDelegate(QtWidgets.QStyledItemDelegate):
    """Draws the Object column with :func:`elide_after_name` (Qt elides one side only)."""

    def paint(self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem,
              index: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> None:
        """The item as Qt draws it, its text elided after its name."""
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QtWidgets.QApplication.style()
        text_rect = style.subElementRect(
            QtWidgets.QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QtWidgets.QStyle.PixelMetric.PM_FocusFrameHMargin,
                                   None, widget) + 1
        opt.text = elide_after_name(opt.text, opt.fontMetrics,
                                    text_rect.width() - 2 * margin)
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, opt, painter,
                          widget)


def instance_item(tree: QtWidgets.QTreeWidget,
                  path: Path) -> QtWidgets.QTreeWidgetItem | None:
    """The tree item of the file ``path`` itself (not a reference to it), or None."""
    iterator = QtWidgets.QTreeWidgetItemIterator(tree)
    while (item := iterator.value()) is not None:
        if not item.text(0).startswith("→") and item.data(0, PATH_ROLE) == str(path):
            return item
        iterator += 1
    return None


class ScanTree(QtWidgets.QTreeWidget):
    """Shows one top-level node per scanned root; re-scanning a root replaces its node."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels(["Object", "Details"])
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        # a deep label keeps its name and its end ("Plan 'Lung 3DCRT'… 30 fractions",
        # "→ images: …of 233 missing"): its middle goes (``elide_after_name``); the whole
        # text and the Details column are in its tooltip, the column is user-resizable
        # and Details one sideways scroll away
        self.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        self.setItemDelegateForColumn(0, _NameFirstDelegate(self))
        self.setHorizontalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(0, OBJECT_COLUMN_PX)
        self._fitting = False
        #: Whether the Object column follows the tree's width (until the user drags it).
        self.fit_object_column = True
        self.header().sectionResized.connect(self._on_section_resized)
        self.setIndentation(14)
        self._roots: dict[Path, QtWidgets.QTreeWidgetItem] = {}
        #: RT Plan Label by plan file, of the scan being shown (rows that read alike)
        self._plan_names: dict[Path, str] = {}

    def _on_section_resized(self, index: int, _old: int, _new: int) -> None:
        if index == 0 and not self._fitting:
            self.fit_object_column = False  # the user's own width stays

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """The Object column fills the tree's width (the Details column lies beyond)."""
        super().resizeEvent(event)
        if self.fit_object_column:
            self._fitting = True
            self.setColumnWidth(0, max(OBJECT_COLUMN_PX, self.viewport().width()))
            self._fitting = False

    def reveal(self, root: Path | None, patient: Patient | None = None,
               path: Path | None = None) -> None:
        """Select and scroll to what the views show, without a selection change.

        The file ``path``, else the ``patient``, else the folder ``root``. No
        signal: the views already show it, and a selection would load it again.
        """
        node = self._patient_item(root, patient)
        item = instance_item(self, path) if path is not None else None
        item = item or node
        if item is None:
            return
        if node is not None and patient is not None and (top := node.parent()) is not None:
            # the shown patient open, the folder's other patients closed: their files
            # would push the shown one's out of view
            for i in range(top.childCount()):
                if (child := top.child(i)) is not None:
                    child.setExpanded(child is node)
        while (parent := item.parent()) is not None and not parent.isExpanded():
            item = parent  # a long image series stays closed: its series stands for it
        with QtCore.QSignalBlocker(self):
            self.setCurrentItem(item)
        # the folder's row on top (its patients listed), else the patient's; the shown
        # file in view either way
        hint = QtWidgets.QAbstractItemView.ScrollHint
        for first in (self._roots.get(Path(root)) if root is not None else None, node):
            if first is not None:
                self.scrollToItem(first, hint.PositionAtTop)
                rect = self.visualItemRect(item)  # in view from top to bottom (not width)
                if rect.top() >= 0 and rect.bottom() <= self.viewport().height():
                    break
        self.scrollToItem(item, hint.EnsureVisible)
        self.horizontalScrollBar().setValue(0)  # labels start with what tells them apart

    def patient_index(self, item: QtWidgets.QTreeWidgetItem | None) -> int | None:
        """Which patient of its folder ``item`` belongs to, in the scan's order.

        None for the folder's own row.
        """
        while item is not None and (parent := item.parent()) is not None:
            if parent.parent() is None:
                return parent.indexOfChild(item)
            item = parent
        return None

    def holds(self, item: QtWidgets.QTreeWidgetItem | None, root: Path | None,
              patient: Patient | None) -> bool:
        """Whether ``item`` lies in ``root``'s node of ``patient`` (or is that node)."""
        node = self._patient_item(root, patient)
        while item is not None and node is not None:
            if item is node:
                return True
            item = item.parent()
        return False

    def _patient_item(self, root: Path | None,
                      patient: Patient | None) -> QtWidgets.QTreeWidgetItem | None:
        """The patient's node under ``root``'s node; the root's node without a patient."""
        top = self._roots.get(Path(root)) if root is not None else None
        if top is None or patient is None:
            return top
        wanted = printable_row([patient_label(patient)])[0]
        return next((child for i in range(top.childCount())
                     if (child := top.child(i)) is not None and child.text(0) == wanted), top)

    def remove_root(self, root: Path) -> None:
        """Take a scanned folder's node out of the tree."""
        old = self._roots.pop(root, None)
        if old is not None:
            self.takeTopLevelItem(self.indexOfTopLevelItem(old))

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
        _set_tips(top)
        self._roots[result.root] = top
        # plan labels by file: rows that read alike say which plan they belong to
        self._plan_names = {inst.path: name for inst in result.instances()
                            if inst.kind in PLAN_KINDS
                            and (name := plan_name(inst.summary)) is not None}
        for patient in result.patients:
            self._add_patient(top, patient, result.root)
        top.setExpanded(True)
        # one patient opens at once; of several, the one shown is opened by reveal()
        if top.childCount() == 1 and (child := top.child(0)) is not None:
            child.setExpanded(True)
        return top

    def _add_patient(self, parent: QtWidgets.QTreeWidgetItem, patient: Patient,
                     root: Path) -> None:
        item = QtWidgets.QTreeWidgetItem(
            parent, printable_row([patient_label(patient),
                                   f"Patient ID {patient.patient_id or '(none)'}"]))
        _set_tips(item)  # whole where the dock elides it
        for study in patient.studies:
            # the label a physicist recognises; the UID stays in the details and tooltip
            uid = f"Study Instance UID {study.study_instance_uid or '(none)'}"
            st = QtWidgets.QTreeWidgetItem(item, printable_row([study_label(study), uid]))
            _set_tips(st)
            st.setExpanded(True)
            for series in study.series:
                self._add_series(st, series, root)

    def _add_series(self, parent: QtWidgets.QTreeWidgetItem, series: Series,
                    root: Path) -> None:
        volume = f" (volume {series.volume_index + 1})" if series.findings else ""
        # the description is what a physicist recognises: first, where a narrow dock shows it
        description = (series.series_description or "").strip()
        label = f"{series.modality or '?'}{' ' + description if description else ' series'}"
        label += volume
        n = series.instance_count
        details = f"{n} file{'s' if n != 1 else ''}"
        item = QtWidgets.QTreeWidgetItem(parent, printable_row([label, details]))
        _set_tips(item, f"Series Instance UID {series.series_instance_uid}",
                  _tooltip(series.findings))
        if series.findings:
            item.setForeground(1, _WARNING)
        # rows that would read alike (five plans of one label) are told apart
        labels = instance_labels(series.instances, self._plan_names)
        for instance, text in zip(series.instances, labels, strict=True):
            self._add_instance(item, instance, root, text)
        # RT objects open with their references showing; long image series stay closed.
        item.setExpanded(any(i.kind != Kind.IMAGE for i in series.instances) or n <= 3)

    def _add_instance(self, parent: QtWidgets.QTreeWidgetItem, inst: Instance,
                      root: Path, label: str) -> None:
        # what the file holds first (plan label, beams, fractions); its file name beside it
        item = QtWidgets.QTreeWidgetItem(parent, printable_row([label, _rel(inst.path, root)]))
        item.setData(0, PATH_ROLE, str(inst.path))
        if any(f.severity is not Severity.INFO for f in inst.findings):
            item.setForeground(0, _WARNING)
        summary = inst.summary or inst.sop_class_name
        _set_tips(item, summary if summary != item.text(0) else "", str(inst.path),
                  f"SOP Instance UID {inst.sop_instance_uid}", _tooltip(inst.findings))
        for ref in inst.references:
            self._add_reference(item, ref, root)
        if inst.references:
            item.setExpanded(True)

    def _add_reference(self, parent: QtWidgets.QTreeWidgetItem, ref: Reference,
                       root: Path) -> None:
        target = _rel(ref.path, root) if ref.path is not None else "MISSING (not in this folder)"
        label = reference_label(ref.kind)
        # what is missing also in the label, which the narrow dock shows (Details is
        # beyond its edge)
        counted = ref.kind == "image_series" and ref.referenced_instance_count
        if counted:
            target += (f" — {ref.missing_instance_count} of {ref.referenced_instance_count} "
                       "referenced images missing")
        if counted and ref.missing_instance_count:
            label += f": {ref.missing_instance_count} of {ref.referenced_instance_count} missing"
        elif ref.path is None:
            label += ": missing"
        item = QtWidgets.QTreeWidgetItem(parent, printable_row([label, target]))
        _set_tips(item, f"UID {ref.uid}" if ref.uid else "")
        if ref.path is not None:
            item.setData(0, PATH_ROLE, str(ref.path))
        if not ref.resolved or ref.missing_instance_count:
            item.setForeground(0, _MISSING)
            item.setForeground(1, _MISSING)
