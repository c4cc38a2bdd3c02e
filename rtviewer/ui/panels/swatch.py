"""A structure's colour swatch for tables: its colour, framed so that white still shows."""

from __future__ import annotations

from PySide6 import QtGui

from rtviewer.view.light_colours import OUTLINE_RGB, needs_outline

__all__ = ["colour_swatch"]


def colour_swatch(rgb: tuple[int, int, int], size_px: int = 14) -> QtGui.QIcon:
    """A square of ``rgb``; a light colour (white "Borders") gets a dark frame.

    The file's colour is drawn as it is; only the frame is added, so a white
    structure reads as a white square on the white table rather than a gap.
    """
    pixmap = QtGui.QPixmap(size_px, size_px)
    pixmap.fill(QtGui.QColor(*(int(c) for c in rgb)))
    if needs_outline(rgb):
        painter = QtGui.QPainter(pixmap)
        painter.setPen(QtGui.QPen(QtGui.QColor(*OUTLINE_RGB), 1))
        painter.drawRect(0, 0, size_px - 1, size_px - 1)
        painter.end()
    return QtGui.QIcon(pixmap)
