"""RT Image tab: the RT Images of the loaded plan (or picked in the tree), one at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.errors import RtViewerError
from rtviewer.ui.views.rtimage_view import RtImageView

__all__ = ["RtImagePanel"]


class RtImagePanel(QtWidgets.QWidget):
    """A file chooser above an :class:`RtImageView`; images are read when chosen."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: Any = None
        self.choice = QtWidgets.QComboBox()
        self.choice.activated.connect(lambda row: self.show_path(self.choice.itemData(row)))
        self.view = RtImageView()
        self.message = QtWidgets.QLabel("No RT Image.")
        self.message.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choice)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        self.view.setVisible(False)
        self.choice.setVisible(False)  # an empty chooser says nothing: the message does

    def set_images(self, paths: list[Path], plan: Any,
                   labels: list[str] | None = None) -> None:
        """Offer ``paths`` (RT Image files), overlaying beams of ``plan``; show the first.

        ``labels`` name them in the chooser ("RT Image 'Portal G280 Fx1': PORTAL"); the
        file names (UIDs, often) only without them.
        """
        self.plan = plan
        with QtCore.QSignalBlocker(self.choice):
            self.choice.clear()
            for index, path in enumerate(paths):
                self._add(path, labels[index] if labels else None)
        self.choice.setVisible(bool(paths))
        if paths:
            self.show_path(str(paths[0]))
        else:
            self.view.setVisible(False)
            self.message.setVisible(True)
            self.message.setText("No RT Image references this plan (select one in the tree).")

    def _add(self, path: str | Path, label: str | None) -> None:
        self.choice.addItem(label or Path(path).name, str(path))
        self.choice.setItemData(self.choice.count() - 1, str(path),
                                QtCore.Qt.ItemDataRole.ToolTipRole)

    def show_path(self, path: str | None, label: str | None = None) -> None:
        """Read and show one RT Image file (``label`` names it in the chooser)."""
        if not path:
            return
        index = self.choice.findData(str(path))
        if index < 0:
            self._add(path, label)
            index = self.choice.count() - 1
        self.choice.setVisible(True)
        with QtCore.QSignalBlocker(self.choice):
            self.choice.setCurrentIndex(index)
        from rtviewer.dicom.rtimage import read_rt_image  # the reader is loaded on first use

        try:
            image = read_rt_image(Path(path))
        except (RtViewerError, ValueError, OSError) as exc:
            self.view.setVisible(False)
            self.message.setVisible(True)
            self.message.setText(f"Could not read {Path(path).name}: {exc}")
            return
        self.message.setText("")
        self.message.setVisible(False)
        self.view.setVisible(True)
        self.view.set_image(image, self.plan)
