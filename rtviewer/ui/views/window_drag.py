"""A pyqtgraph ViewBox whose right-drag reports window/level changes instead of zooming."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore

__all__ = ["WindowDragViewBox"]


class WindowDragViewBox(pg.ViewBox):
    """ViewBox emitting ``windowDragged(dx, dy)`` (screen pixels) on right-drag."""

    windowDragged = QtCore.Signal(float, float)

    def mouseDragEvent(self, ev, axis=None):  # noqa: D102 - Qt override
        if ev.button() == QtCore.Qt.MouseButton.RightButton:
            delta = ev.pos() - ev.lastPos()
            self.windowDragged.emit(delta.x(), delta.y())
            ev.accept()
            return
        super().mouseDragEvent(ev, axis)
