"""The Check panel: ``rtviewer check``'s findings in a dock, each linked to its file.

The check runs in a worker thread (a corpus-sized folder takes a minute); selecting
a finding selects its instance in the scan tree (:meth:`CheckDock.link_tree`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.errors import RtViewerError
from rtviewer.model.check import CheckReport, ReportedFinding
from rtviewer.model.findings import Severity
from rtviewer.model.index import ScanResult
from rtviewer.printable import printable, printable_row
from rtviewer.ui.window.scan_tree import PATH_ROLE, instance_item
from rtviewer.ui.workers.detached_thread import DetachedThread

__all__ = ["CheckDock", "CheckWorker", "select_instance"]

_COLOURS = {Severity.ERROR: QtGui.QColor(200, 30, 30), Severity.WARNING: QtGui.QColor(170, 110, 0),
            Severity.INFO: QtGui.QColor(90, 90, 90)}
#: Filter choices: label -> severities shown.
_FILTERS: tuple[tuple[str, frozenset[Severity]], ...] = (
    ("All findings", frozenset(Severity)),
    ("Errors and warnings", frozenset({Severity.ERROR, Severity.WARNING})),
    ("Errors only", frozenset({Severity.ERROR})),
)
_COLUMNS = ("Severity", "Code", "File", "Attribute", "Message")


class CheckWorker(DetachedThread):
    """Runs :func:`rtviewer.dicom.check.check_path` off the GUI thread.

    Signals
    -------
    stage(str)
        The stage that starts (scanning, reading RT objects, ...).
    checked(object)
        The :class:`~rtviewer.model.check.CheckReport`.
    failed(str)
        One sentence when the folder cannot be checked.
    """

    stage = QtCore.Signal(str)
    checked = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root


    def run(self) -> None:  # noqa: D102 - QThread entry point
        # imported here: the checks' modules (0.15 s) are not needed before the first image
        from rtviewer.dicom.check import CheckCancelled, check_path

        try:
            report = check_path(self.root, progress=self.stage.emit, cancel=self._cancel.is_set)
        except CheckCancelled:
            return
        except RtViewerError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the window must survive any failure
            self.failed.emit(f"{self.root}: the check failed ({type(exc).__name__}: {exc})")
            return
        self.checked.emit(report)


def select_instance(tree: QtWidgets.QTreeWidget, path: Path) -> bool:
    """Select and show the tree item of the file ``path`` (not a reference to it)."""
    item = instance_item(tree, path)
    if item is None:
        return False
    tree.setCurrentItem(item)
    tree.scrollToItem(item)
    return True


class CheckDock(QtWidgets.QDockWidget):
    """Findings of the last check of a scanned folder, errors first.

    Signals
    -------
    finding_selected(object)
        The absolute :class:`~pathlib.Path` of the selected finding's file.
    checked(object)
        A :class:`~rtviewer.model.check.CheckReport` is shown.
    """

    finding_selected = QtCore.Signal(object)
    checked = QtCore.Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Check", parent)
        self.setObjectName("check_dock")
        self.root: Path | None = None
        self.report: CheckReport | None = None
        self._worker: CheckWorker | None = None
        body = QtWidgets.QWidget(self)
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._build_bar())
        self.table = self._build_table()
        layout.addWidget(self.table)
        self.setWidget(body)
        app = QtCore.QCoreApplication.instance()
        if app is not None:  # a check still running at exit must end before Qt does
            app.aboutToQuit.connect(self.cancel_check)

    def _build_bar(self) -> QtWidgets.QHBoxLayout:
        bar = QtWidgets.QHBoxLayout()
        self.run_button = QtWidgets.QPushButton("Check folder", self)
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(lambda: self.run_check())
        self.filter = QtWidgets.QComboBox(self)
        self.filter.addItems([label for label, _ in _FILTERS])
        self.filter.currentIndexChanged.connect(self._refill)
        self.summary = QtWidgets.QLabel("Open a folder, then check it.", self)
        bar.addWidget(self.run_button)
        bar.addWidget(self.filter)
        bar.addWidget(self.summary, 1)
        return bar

    def _build_table(self) -> QtWidgets.QTreeWidget:
        table = QtWidgets.QTreeWidget(self)
        table.setColumnCount(len(_COLUMNS))
        table.setHeaderLabels(list(_COLUMNS))
        table.setRootIsDecorated(False)
        table.setUniformRowHeights(True)
        table.setAlternatingRowColors(True)
        table.setMinimumHeight(48)  # the dock may be made short: the header and a row
        table.itemSelectionChanged.connect(self._on_selection)
        return table

    def set_root(self, root: Path | ScanResult) -> None:
        """Make ``root`` (or a scan's root) the folder the button checks."""
        self.root = root.root if isinstance(root, ScanResult) else Path(root)
        self.run_button.setEnabled(self._worker is None)
        self.run_button.setToolTip(f"Check {self.root}")
        if self._worker is not None:
            return  # the running check says where it is
        if self.report is not None and self.report.root != self.root:
            self.report = None  # another folder's findings are not this one's
            self._refill()
            self.setWindowTitle("Check")
        if self.report is None:  # it said "Open a folder, then check it." with one open
            self.summary.setText(printable(
                f"{self.root.name}: not checked yet. Check folder checks its files against "
                "the DICOM standard (seconds)."))

    def forget_root(self, root: Path, instead: Path | None) -> None:
        """``root`` was closed: check ``instead`` (the last open folder) or nothing.

        Its button went on checking the closed folder, its findings stayed listed.
        """
        if self.root != root:
            return
        if instead is not None:
            self.set_root(instead)
            return
        self.cancel_check(wait_ms=0)
        self.root, self.report = None, None
        self._refill()
        self.setWindowTitle("Check")
        self.run_button.setEnabled(False)
        self.run_button.setToolTip("")
        self.summary.setText("Open a folder, then check it.")

    def run_check(self, root: Path | None = None) -> None:
        """Check ``root`` (default: the last scanned folder) in the background."""
        target = Path(root) if root is not None else self.root
        if target is None or self._worker is not None:
            return
        worker = CheckWorker(target)
        worker.stage.connect(lambda stage: self.summary.setText(f"Checking: {stage}…"))
        worker.checked.connect(self.show_report)
        worker.failed.connect(self.summary.setText)
        worker.finished.connect(self._on_worker_finished)
        self._worker = worker
        self.run_button.setEnabled(False)
        worker.start_detached()

    def cancel_check(self, *, wait_ms: int = 15_000) -> None:
        """Stop a running check and wait (at most ``wait_ms``) for its thread to end."""
        worker = self._worker
        if worker is not None:
            worker.cancel()
            worker.wait(wait_ms)

    def is_checking(self) -> bool:
        """Whether a check is running."""
        return self._worker is not None

    def _on_worker_finished(self) -> None:
        self._worker = None
        self.run_button.setEnabled(self.root is not None)

    def show_report(self, report: CheckReport) -> None:
        """List a report's findings (replacing the previous ones)."""
        self.report = report
        self._refill()
        counts = report.counts()
        self.summary.setText(f"{report.root}: {counts['error']} errors, {counts['warning']} "
                             f"warnings, {counts['info']} information")
        self.setWindowTitle(f"Check ({counts['error']} errors, {counts['warning']} warnings)")
        self.raise_()  # tabbed with the problems: show what the user asked for
        self.checked.emit(report)

    def _refill(self) -> None:
        self.table.clear()
        if self.report is None:
            return
        shown = _FILTERS[self.filter.currentIndex()][1]
        items = [self._item(f) for f in self.report.findings if f.severity in shown]
        self.table.addTopLevelItems(items)
        for column in range(len(_COLUMNS) - 1):
            self.table.resizeColumnToContents(column)

    def _item(self, finding: ReportedFinding) -> QtWidgets.QTreeWidgetItem:
        item = QtWidgets.QTreeWidgetItem(printable_row([
            finding.severity.value, finding.code, finding.path, finding.attribute or "",
            finding.message]))
        colour = _COLOURS[finding.severity]
        for column in (0, 1):
            item.setForeground(column, colour)
        tip = finding.message
        if finding.assumption:
            tip += f"\nrtviewer assumes: {finding.assumption}"
        if finding.sop_instance_uid:
            tip += f"\nSOP Instance UID {finding.sop_instance_uid}"
        for column in range(len(_COLUMNS)):
            item.setToolTip(column, tip)
        assert self.report is not None
        item.setData(0, PATH_ROLE, str(self.report.root / finding.path))
        return item

    def row_count(self) -> int:
        """The number of findings listed (after the filter)."""
        return int(self.table.topLevelItemCount())

    def _on_selection(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.finding_selected.emit(Path(items[0].data(0, PATH_ROLE)))

    def link_tree(self, tree: QtWidgets.QTreeWidget) -> None:
        """Select the instance of each finding the user selects in ``tree``."""
        self.finding_selected.connect(lambda path: select_instance(tree, path))

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        """Wide enough for the message column."""
        return QtCore.QSize(900, 120)
