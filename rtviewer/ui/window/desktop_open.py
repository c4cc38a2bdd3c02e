"""Paths handed over by the desktop: a file opens its whole folder and selects itself.

Used for command-line paths, a second launch's paths and macOS file-open events
(``rtviewer/app.py``). A DICOM-RT file alone is never the whole story -- its plan,
structures and dose lie beside it -- so the folder is scanned, and when that scan
is shown the opened file's item is selected in the tree, under its patient.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from PySide6 import QtCore, QtWidgets

from rtviewer.dicom.open_target import OpenTarget, open_target
from rtviewer.model.index import ScanResult
from rtviewer.ui.window.scan_tree import PATH_ROLE


class ScanWindow(Protocol):
    """What this module needs of the main window."""

    tree: QtWidgets.QTreeWidget
    scan_finished: QtCore.SignalInstance

    def open_path(self, path: str | Path) -> None:
        """Scan ``path`` in the background and show it."""


def open_from_desktop(window: ScanWindow, path: str | os.PathLike[str]) -> OpenTarget:
    """Scan the folder of ``path``; once shown, select ``path``'s item if it is a file."""
    target = open_target(path)
    if target.selected_file is not None:
        selected = target.selected_file

        def on_scanned(result: ScanResult) -> None:
            if Path(result.root).resolve() != target.folder:
                return
            window.scan_finished.disconnect(on_scanned)
            select_path(window.tree, selected)

        window.scan_finished.connect(on_scanned)
    window.open_path(str(target.folder))
    return target


def select_path(tree: QtWidgets.QTreeWidget, file: Path) -> QtWidgets.QTreeWidgetItem | None:
    """Select and reveal the tree item of ``file`` (the instance, not a reference to it).

    Returns the item, or None when the file is not in the tree (not DICOM, skipped).
    """
    wanted = Path(file).resolve()
    best: tuple[int, QtWidgets.QTreeWidgetItem] | None = None
    iterator = QtWidgets.QTreeWidgetItemIterator(tree)
    while (item := iterator.value()) is not None:
        value = item.data(0, PATH_ROLE)
        if value and Path(value).resolve() == wanted:
            depth = _depth(item)
            if best is None or depth < best[0]:  # references sit below instances
                best = (depth, item)
        iterator += 1
    if best is None:
        return None
    item = best[1]
    tree.setCurrentItem(item)
    tree.scrollToItem(item)
    return item


def _depth(item: QtWidgets.QTreeWidgetItem) -> int:
    depth = 0
    parent = item.parent()
    while parent is not None:
        depth += 1
        parent = parent.parent()
    return depth
