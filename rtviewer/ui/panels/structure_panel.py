"""The structure list: check boxes, colour swatches, type, volume; show/hide all; fill."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from rtviewer.model.structure import StructureSet
from rtviewer.printable import printable_row
from rtviewer.ui.panels.swatch import colour_swatch
from rtviewer.ui.views.view_state import ViewState

__all__ = ["NO_STRUCTURES", "StructurePanel"]

_ROLE_ROI = QtCore.Qt.ItemDataRole.UserRole


def _volume_text(volume_cc: float | None) -> str:
    if volume_cc is None:
        return "—"
    return f"{volume_cc:.3f}" if volume_cc < 1 else f"{volume_cc:.1f}"


#: What the empty Structures tab (and the DVH tab) says without a structure set.
NO_STRUCTURES = ("No structure set loaded (none in the folder for this plan or image, or "
                 "not yet read): no structures to list, no DVHs.")


class StructurePanel(QtWidgets.QWidget):
    """Lists the ROIs of a structure set; checking one makes it visible in the state."""

    def __init__(self, state: ViewState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.table = QtWidgets.QTreeWidget()
        self.table.setHeaderLabels(["Structure", "Type", "Volume (cc)"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        # Type and Volume always whole; a long name is elided (full in its tooltip)
        # rather than pushing the volumes out of a narrow panel
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.show_all = QtWidgets.QPushButton("Show all")
        self.hide_all = QtWidgets.QPushButton("Hide all")
        self.fill = QtWidgets.QCheckBox("Fill")
        buttons = QtWidgets.QHBoxLayout()
        for widget in (self.show_all, self.hide_all, self.fill):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(buttons)
        # an empty list says why (a plan whose structure set is not in the folder)
        self.empty_note = QtWidgets.QLabel(NO_STRUCTURES)
        self.empty_note.setWordWrap(True)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.table)
        self.table.itemChanged.connect(self._on_item_changed)
        self.show_all.clicked.connect(lambda: self.state.set_visible_rois(self._drawable()))
        self.hide_all.clicked.connect(lambda: self.state.set_visible_rois(set()))
        self.fill.toggled.connect(self.state.set_fill)
        state.visibleRoisChanged.connect(self._on_visible_changed)
        state.fillChanged.connect(self._on_fill_changed)

    def set_structures(self, structures: StructureSet | None) -> None:
        """List the ROIs of ``structures`` (in file order)."""
        with QtCore.QSignalBlocker(self.table):
            self.table.clear()
            for roi in structures.rois if structures is not None else ():
                item = QtWidgets.QTreeWidgetItem(printable_row([
                    roi.name, roi.interpreted_type or "", _volume_text(roi.volume_cc)]))
                item.setIcon(0, colour_swatch(roi.color_rgb))
                item.setToolTip(0, item.text(0))
                item.setData(0, _ROLE_ROI, roi.roi_number)
                item.setTextAlignment(2, QtCore.Qt.AlignmentFlag.AlignRight)
                if roi.has_contours:
                    item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(0, QtCore.Qt.CheckState.Unchecked)
                else:
                    item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEnabled)
                    item.setToolTip(0, "No contours")
                self.table.addTopLevelItem(item)
        self.empty_note.setVisible(structures is None or not structures.rois)
        self.empty_note.setText(NO_STRUCTURES if structures is None
                                else "The structure set holds no ROI.")
        self._on_visible_changed(self.state.visible_rois)

    def _items(self) -> list[QtWidgets.QTreeWidgetItem]:
        items = (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _drawable(self) -> set[int]:
        return {int(item.data(0, _ROLE_ROI)) for item in self._items()
                if item.flags() & QtCore.Qt.ItemFlag.ItemIsUserCheckable}

    # -- view -> state ----------------------------------------------------------------
    def _on_item_changed(self, item: QtWidgets.QTreeWidgetItem, column: int) -> None:
        if column == 0:
            checked = item.checkState(0) == QtCore.Qt.CheckState.Checked
            self.state.set_roi_visible(int(item.data(0, _ROLE_ROI)), checked)

    # -- state -> view ----------------------------------------------------------------
    def _on_visible_changed(self, visible: frozenset[int]) -> None:
        with QtCore.QSignalBlocker(self.table):
            for item in self._items():
                if item.flags() & QtCore.Qt.ItemFlag.ItemIsUserCheckable:
                    on = int(item.data(0, _ROLE_ROI)) in visible
                    item.setCheckState(0, QtCore.Qt.CheckState.Checked if on
                                       else QtCore.Qt.CheckState.Unchecked)

    def _on_fill_changed(self, on: bool) -> None:
        with QtCore.QSignalBlocker(self.fill):
            self.fill.setChecked(on)
