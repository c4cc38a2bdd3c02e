"""The main window: scanned folders as a patient tree, problems in a dock, scans in a thread.

A plain window for now (issue 2); the viewer is composed onto it later. Folders and
files come from File → Open, drag and drop, or :meth:`MainWindow.open_path`.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.model.index import ScanResult
from rtviewer.ui.window.check_panel import CheckDock
from rtviewer.ui.window.export_menu import attach_export_menu
from rtviewer.ui.window.problems_dock import ProblemsDock
from rtviewer.ui.window.scan_tree import PATH_ROLE, ScanTree
from rtviewer.ui.window.status_bar import ElidingStatusBar
from rtviewer.ui.workers.prefetch import Prefetch
from rtviewer.ui.workers.scan_worker import ScanWorker

__all__ = ["MainWindow"]


class MainWindow(QtWidgets.QMainWindow):
    """Scanned folders (patient → study → series → instance) and what could not be used.

    Signals
    -------
    scan_finished(object)
        A :class:`~rtviewer.model.index.ScanResult` is shown.
    instance_activated(object)
        The user double-clicked a file (its :class:`~pathlib.Path`).

    root_closed(object)
        The folder (its :class:`~pathlib.Path`) was closed: it left the tree.
    tree_menu(object, object)
        The tree's context menu (a ``QMenu``) is about to show for an item (or None):
        other parts add their entries.
    """

    #: The size a layout's minimum pushed the window from (given back when it falls).
    _pushed_from: QtCore.QSize | None = None
    _giving_back = False

    scan_finished = QtCore.Signal(object)
    instance_activated = QtCore.Signal(object)
    root_closed = QtCore.Signal(object)
    tree_menu = QtCore.Signal(object, object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("rtviewer")
        self.setObjectName("main_window")
        self.resize(1100, 750)
        self.setAcceptDrops(True)
        self.tree = ScanTree(self)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        self.tree.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_menu)
        self.setCentralWidget(self.tree)
        self.problems = ProblemsDock(self)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, self.problems)
        self.check = CheckDock(self)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, self.check)
        self.tabifyDockWidget(self.problems, self.check)
        # empty docks start closed: the View menu opens them (Problems opens itself on news)
        self.problems.hide()
        self.check.hide()
        self.check.link_tree(self.tree)
        self.scan_finished.connect(self.check.set_root)
        self.results: dict[Path, ScanResult] = {}
        attach_export_menu(self.tree_menu, self.tree, self.results.get)
        self._queue: deque[str] = deque()
        self._worker: ScanWorker | None = None
        #: The folder the window starts on, read by a forked child (``rtviewer open``).
        self.prefetch: Prefetch | None = None
        self._build_status_bar()
        self._build_menu()

    def _build_status_bar(self) -> None:
        # a long message ends in "…" with the whole text on hover, not clipped mid-word
        bar = ElidingStatusBar(self)
        self.setStatusBar(bar)
        self.progress = QtWidgets.QProgressBar(bar)
        self.progress.setMaximumWidth(260)
        self.progress.setFormat("%v / %m files")
        self.cancel_button = QtWidgets.QPushButton("Cancel", bar)
        self.cancel_button.clicked.connect(self.cancel_scan)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self._set_busy(False)
        bar.showMessage("Open a folder (File → Open Folder, or drop it here).")

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        actions = [
            ("Open &Folder…", QtGui.QKeySequence.StandardKey.Open, self._ask_folder),
            ("Open F&ile…", None, self._ask_file),
            ("&Close Folder", QtGui.QKeySequence.StandardKey.Close, self.close_current_root),
            ("Compare &Doses…", None, self._ask_compare),
            ("Export &Review Report…", None, self._ask_report),
            ("&Quit", QtGui.QKeySequence.StandardKey.Quit, self.close),
        ]
        for text, shortcut, slot in actions:
            action = QtGui.QAction(text, self)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.view_menu = self.menuBar().addMenu("&View")
        for dock in (self.problems, self.check):
            self.view_menu.addAction(dock.toggleViewAction())

    def add_dock_toggle(self, dock: QtWidgets.QDockWidget) -> None:
        """Offer a dock in the View menu (docks start closed when empty)."""
        self.view_menu.addAction(dock.toggleViewAction())

    # -- closing folders ----------------------------------------------------------------
    def root_of(self, item: QtWidgets.QTreeWidgetItem | None) -> Path | None:
        """The scanned folder an item belongs to (its top-level item's path)."""
        while item is not None and item.parent() is not None:
            item = item.parent()
        path = item.data(0, PATH_ROLE) if item is not None else None
        return Path(path) if path else None

    def close_current_root(self) -> None:
        """File → Close Folder: the folder of the selected item, else the last opened."""
        root = self.root_of(self.tree.currentItem())
        if root is None and self.results:
            root = list(self.results)[-1]
        if root is not None:
            self.close_root(root)

    def close_root(self, root: Path) -> None:
        """Remove a scanned folder from the tree (nothing on disk changes)."""
        if self.results.pop(Path(root), None) is None:
            return
        self.tree.remove_root(Path(root))
        self.problems.forget_root(str(root))
        self.check.forget_root(Path(root), next(reversed(self.results), None))
        self.statusBar().showMessage(f"Closed {root}", 10_000)
        self.root_closed.emit(Path(root))

    def _on_tree_menu(self, pos: QtCore.QPoint) -> None:
        item = self.tree.itemAt(pos)
        menu = QtWidgets.QMenu(self.tree)
        root = self.root_of(item)
        if root is not None:
            menu.addAction(f"Close folder {root.name or root}",
                           lambda: self.close_root(root))
        self.tree_menu.emit(menu, item)
        if not menu.isEmpty():
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _ask_folder(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Open a DICOM folder")
        if folder:
            self.open_path(folder)

    def _ask_compare(self) -> None:
        from rtviewer.ui.dialogs.compare_dialog import CompareDialog

        # with a dose on screen the comparison happens in the viewer (its Compare tab)
        controller = getattr(self, "viewer_controller", None)
        if controller is not None and controller.viewer.scene.dose is not None:
            controller.viewer.show_compare_tab()
            return
        root = self.root_of(self.tree.currentItem())
        instances = [i for result in self.results.values() for i in result.instances()]
        CompareDialog(self, start_folder=str(root or ""), instances=instances).show()

    def _ask_report(self) -> None:
        from rtviewer.ui.dialogs.report_dialog import ReportDialog, report_file_stem
        from rtviewer.view.dose_labels import loaded_dose_label

        root = self.root_of(self.tree.currentItem())
        if root is None and self.results:
            root = list(self.results)[-1]
        if root is None:
            QtWidgets.QMessageBox.information(self, "Export review report",
                                              "Open a folder with a plan first.")
            return
        controller = getattr(self, "viewer_controller", None)
        chain = getattr(controller, "chain", None)
        viewer = getattr(controller, "viewer", None)
        crosshair = None
        if chain is not None and viewer is not None:  # the shown scene's crosshair
            x, y, z = (float(v) for v in viewer.state.crosshair_mm)
            crosshair = (x, y, z)
        scene = getattr(viewer, "scene", None)
        plan = getattr(scene, "plan", None)
        dose = getattr(scene, "dose", None)
        plan_label = (f"Plan '{plan.label or '(no label)'}'" if plan is not None else None)
        dose_label = (loaded_dose_label(dose) if dose is not None and getattr(chain, "dose", None)
                      else None)
        patient = getattr(controller, "shown_patient", None)
        stem = report_file_stem(getattr(patient, "patient_id", None),
                                getattr(plan, "label", None))
        ReportDialog(self, Path(root), getattr(chain, "plan", None),
                     getattr(chain, "dose", None), crosshair, plan_label=plan_label,
                     dose_label=dose_label, file_stem=stem).show()

    def _ask_file(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getOpenFileName(self, "Open a DICOM file")
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> None:
        """Scan a folder or file in the background and show it in the tree."""
        self._queue.append(str(path))
        if self._worker is None:
            self._start_next()

    def is_scanning(self) -> bool:
        """Whether a scan is running or queued."""
        return self._worker is not None or bool(self._queue)

    def cancel_scan(self) -> None:
        """Stop the running scan (what was read is shown) and drop queued ones."""
        self._queue.clear()
        if self.prefetch is not None:  # a scan waiting for the start-up loader ends at once
            self.prefetch.cancel()
        if self._worker is not None:
            self._worker.cancel()

    def _start_next(self) -> None:
        if not self._queue:
            self._set_busy(False)
            return
        path = self._queue.popleft()
        prefetch = self.prefetch
        worker = ScanWorker(path, None if prefetch is None else lambda: prefetch.scan_for(path))
        worker.progress.connect(self._on_progress)
        worker.scanned.connect(self._on_scanned)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_worker_finished)
        self._worker = worker
        self._set_busy(True)
        self.statusBar().showMessage(f"Scanning {path}…")
        worker.start_detached()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)  # indeterminate until the files are counted

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_scanned(self, result: ScanResult) -> None:
        self.results[result.root] = result
        self.tree.show_result(result)
        self.problems.show_result(result)
        n = len(result.instances())
        note = " (cancelled)" if result.cancelled else ""
        self.statusBar().showMessage(
            f"{result.root}: {n} DICOM files, {len(result.problems)} problems, "
            f"{len(result.skipped)} skipped{note}")
        self.scan_finished.emit(result)

    def _on_failed(self, message: str) -> None:
        self.statusBar().showMessage(message)
        QtWidgets.QMessageBox.warning(self, "Cannot open", message)

    def _on_worker_finished(self) -> None:
        self._worker = None  # the worker deletes itself (ScanWorker._release)
        self._start_next()

    def _on_double_click(self, item: QtWidgets.QTreeWidgetItem, _column: int) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.instance_activated.emit(Path(path))

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802 - Qt
        """Accept folders and files from the file manager."""
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802 - Qt
        """Scan every dropped folder or file."""
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_path(url.toLocalFile())
        event.acceptProposedAction()

    # Qt grows a top-level window whose layout asks for more than its size and never gives
    # the room back when that minimum falls again: the DVH tab's tools, wrapped for a moment
    # at a narrow width as a lesson dock opened at 1280x720, left the window 31 px taller
    # than the screen, its status bar and readout below the edge. The size the window had
    # before such a push is given back as soon as the minimum allows.
    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Remember the size a growing minimum pushed the window from."""
        super().resizeEvent(event)
        old, new = event.oldSize(), event.size()
        pushed = old.isValid() and (
            (new.height() > old.height() and new.height() == self.minimumHeight())
            or (new.width() > old.width() and new.width() == self.minimumWidth()))
        if pushed:
            if self._pushed_from is None:
                self._pushed_from = old
        elif not self._giving_back:
            self._pushed_from = None  # the user's or the program's own size

    def event(self, event: QtCore.QEvent) -> bool:
        """After each layout pass: give back what a passing minimum took."""
        handled = super().event(event)
        if event.type() == QtCore.QEvent.Type.LayoutRequest and self._pushed_from is not None:
            target = self._pushed_from.expandedTo(self.minimumSize())
            if target == self._pushed_from:
                self._pushed_from = None
            if target != self.size():
                self._giving_back = True
                try:
                    self.resize(target)
                finally:
                    self._giving_back = False
        return handled

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt
        """Stop a running scan before closing."""
        self.cancel_scan()
        if self._worker is not None:
            self._worker.wait(10_000)
        super().closeEvent(event)
