"""Export… in the scan tree's context menu: a patient, a study, a series or an object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.model.index import ScanResult
from rtviewer.ui.window.scan_tree import PATH_ROLE

__all__ = ["attach_export_menu", "seeds_under"]


def _top(item: QtWidgets.QTreeWidgetItem) -> QtWidgets.QTreeWidgetItem:
    while item.parent() is not None:
        item = item.parent()  # type: ignore[assignment]
    return item


def seeds_under(item: QtWidgets.QTreeWidgetItem) -> list[Path]:
    """The files the item and its descendants name (a patient: all of its files)."""
    found: list[Path] = []
    todo = [item]
    while todo:
        node = todo.pop()
        path = node.data(0, PATH_ROLE)
        if path and node.parent() is not None:
            found.append(Path(path))
        todo.extend(c for i in range(node.childCount()) if (c := node.child(i)) is not None)
    return found


def attach_export_menu(tree_menu: QtCore.SignalInstance, tree: QtWidgets.QTreeWidget,
                       results: Callable[[Path], ScanResult | None]) -> None:
    """Add *Export…*, which opens :class:`ExportDialog`, to the tree's context menu.

    One menu per right click: the entry joins the window's own (``tree_menu``, which
    also offers *Close folder*); a second context-menu handler popped a second menu
    after the first closed.

    Parameters
    ----------
    tree_menu : Signal(QMenu, QTreeWidgetItem or None)
        Emitted by the window as its tree's context menu is about to show.
    tree : QTreeWidget
        The scan tree (top-level items hold their scanned root in ``PATH_ROLE``).
    results : callable(root) -> ScanResult or None
        The scan shown under a root.
    """

    def add_entry(menu: QtWidgets.QMenu, item: QtWidgets.QTreeWidgetItem | None) -> None:
        if item is None:
            return
        scan = results(Path(str(_top(item).data(0, PATH_ROLE))))
        seeds = seeds_under(item)
        if scan is None or not seeds:
            return
        action = menu.addAction("Export… (with its chain, optionally anonymised)")
        action.triggered.connect(lambda: _open_dialog(tree, scan, seeds))

    tree_menu.connect(add_entry)


def _open_dialog(tree: QtWidgets.QTreeWidget, scan: ScanResult, seeds: list[Path]) -> None:
    # imported when asked for: the writer, the de-identification profile and the
    # conformance tables are not needed before the first image
    from rtviewer.dicom.export.selection import select_chain
    from rtviewer.ui.dialogs.export_dialog import ExportDialog

    ExportDialog(scan, select_chain(scan, seeds), tree.window()).open()
