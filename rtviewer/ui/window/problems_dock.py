"""A dockable list of the files a scan skipped or could not use, with the reason.

Also the files that share a SOP Instance UID (``rtviewer check``'s and the index's
DUPLICATE_SOP_INSTANCE_UID): both are kept, but a reference to the UID reaches only one.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.model.index import ScanResult
from rtviewer.printable import printable

__all__ = ["ProblemsDock", "duplicate_uid_rows"]


def duplicate_uid_rows(result: ScanResult) -> list[tuple[str, str, str]]:
    """One ``("problem", file, reason)`` row per SOP Instance UID that several files share.

    The file is the one the viewer uses where the UID is referenced (the first by path,
    as :class:`rtviewer.dicom.resolve.Resolver` resolves it); the reason names the others.
    """
    by_uid: dict[str, list[Path]] = {}
    for inst in result.instances():
        if any(f.code == "DUPLICATE_SOP_INSTANCE_UID" for f in inst.findings):
            by_uid.setdefault(inst.sop_instance_uid, []).append(inst.path)
    rows = []
    for uid, paths in by_uid.items():
        used, *others = sorted(paths, key=str)
        names = [os.path.relpath(p, result.root) for p in (used, *others)]
        rows.append(("problem", str(used),
                     f"SOP Instance UID {uid} is shared by {' and '.join(names)}: both are "
                     f"listed, but a reference to this UID uses {names[0]} (the first by "
                     "path)"))
    return rows


class ProblemsDock(QtWidgets.QDockWidget):
    """Problems (unusable DICOM) first, then skipped files, for every scanned root."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Problems and skipped files", parent)
        self.setObjectName("problems_dock")
        self.table = QtWidgets.QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["", "File", "Reason"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        # one line per file: rows as tall as a line of text (Qt's default 30 px showed three
        # files in the dock's 120 px; a folder may skip hundreds)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWidget(self.table)
        self._rows: dict[str, list[tuple[str, str, str]]] = {}

    def show_result(self, result: ScanResult) -> None:
        """Replace the rows of ``result.root`` with this scan's problems and skipped files."""
        rows = [("problem", str(p.path), p.reason) for p in result.problems]
        duplicates = duplicate_uid_rows(result)
        rows += duplicates
        rows += [("skipped", str(s.path), s.reason) for s in result.skipped]
        self._rows[str(result.root)] = rows
        self._fill()
        if result.problems or duplicates:  # news; skipped non-DICOM files are not
            self.show()

    def forget_root(self, root: str) -> None:
        """Drop the rows of a closed folder."""
        self._rows.pop(str(root), None)
        self._fill()

    def _fill(self) -> None:
        all_rows = [r for root in sorted(self._rows) for r in self._rows[root]]
        self.table.setRowCount(len(all_rows))
        for i, (kind, path, reason) in enumerate(all_rows):
            for j, text in enumerate((kind, path, reason)):
                cell = QtWidgets.QTableWidgetItem(printable(text))
                cell.setToolTip(text)
                self.table.setItem(i, j, cell)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        n_problems = sum(1 for r in all_rows if r[0] == "problem")
        self.setWindowTitle(f"Problems ({n_problems}) and skipped files "
                            f"({len(all_rows) - n_problems})")

    def row_count(self) -> int:
        """The number of listed files."""
        return int(self.table.rowCount())

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        """Leave the tree most of the height."""
        return QtCore.QSize(800, 120)
