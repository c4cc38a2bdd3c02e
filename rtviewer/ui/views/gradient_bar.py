"""A vertical colour bar with labels at the right edge of a slice view (ViewBox pixels).

The comparison maps' bars (B − A centred on zero, gamma with its pass edge); the dose
colourwash has its own (:mod:`rtviewer.ui.views.colour_bar`).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["GradientBar", "bar_rect"]

_BAR_WIDTH = 14


class GradientBar(QtWidgets.QGraphicsRectItem):
    """A vertical colour bar with labels, at the right edge of a view (ViewBox pixels).

    Parameters
    ----------
    parent : QGraphicsItem
        The view's ViewBox.
    """

    def __init__(self, parent: QtWidgets.QGraphicsItem) -> None:
        super().__init__(parent)
        self.setZValue(25)
        self.setPen(QtGui.QPen(QtGui.QColor(200, 200, 200)))
        self.title = QtWidgets.QGraphicsSimpleTextItem(self)
        self.title.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.labels: list[tuple[float, QtWidgets.QGraphicsSimpleTextItem]] = []
        self._lut = np.zeros((2, 3), np.uint8)
        self.setVisible(False)

    def set_scale(self, lut: np.ndarray, title: str,
                  labels: list[tuple[float, str]]) -> None:
        """Colours bottom to top, a title above, ``(fraction from bottom, text)`` labels."""
        self._lut = np.asarray(lut, np.uint8)
        self.title.setText(title)
        while len(self.labels) < len(labels):
            item = QtWidgets.QGraphicsSimpleTextItem(self)
            item.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
            self.labels.append((0.0, item))
        for index, (_f, item) in enumerate(self.labels):
            if index < len(labels):
                item.setText(labels[index][1])
                self.labels[index] = (labels[index][0], item)
            else:
                item.setText("")
        self._paint()

    def place(self, view_rect: QtCore.QRectF) -> None:
        """Against the right edge, the middle half of the height."""
        height = max(40.0, 0.5 * view_rect.height())
        x = view_rect.width() - _BAR_WIDTH - 62
        self.setRect(QtCore.QRectF(x, 0.25 * view_rect.height(), _BAR_WIDTH, height))
        self._paint()

    def _paint(self) -> None:
        rect = self.rect()
        gradient = QtGui.QLinearGradient(rect.bottomLeft(), rect.topLeft())
        for index, rgb in enumerate(self._lut):
            gradient.setColorAt(index / max(len(self._lut) - 1, 1),
                                QtGui.QColor(*(int(c) for c in rgb)))
        self.setBrush(QtGui.QBrush(gradient))
        for fraction, item in self.labels:
            y = rect.bottom() - fraction * rect.height()
            item.setPos(rect.right() + 2, y - item.boundingRect().height() / 2)
        self.title.setPos(rect.left() - 20, rect.top() - self.title.boundingRect().height() - 2)


def bar_rect(bar: QtWidgets.QGraphicsItem) -> QtCore.QRectF:
    """A colour bar with its labels (its children), in its parent's (ViewBox) pixels."""
    return bar.mapRectToParent(bar.boundingRect().united(bar.childrenBoundingRect()))
