"""The colourwash's colour bar, drawn at the right edge of a slice view."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.view.dose_colours import wash_lut

__all__ = ["ColourBar"]

_WIDTH = 14


class ColourBar(QtWidgets.QGraphicsRectItem):
    """A vertical gradient from the low-dose threshold to 110 % of the reference.

    It is a child of the view's ViewBox (pixel coordinates, unaffected by zoom);
    :meth:`place` puts it against the right edge, :meth:`set_range` labels it.
    """

    def __init__(self, parent: QtWidgets.QGraphicsItem) -> None:
        super().__init__(parent)
        self.setZValue(25)
        self.setPen(QtGui.QPen(QtGui.QColor(200, 200, 200)))
        self.labels = [QtWidgets.QGraphicsSimpleTextItem(self) for _ in range(3)]
        for label in self.labels:
            label.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self._low_fraction = 0.0
        self._painted: tuple[object, ...] | None = None  # what the gradient was made for
        self.setVisible(False)

    def set_range(self, low_gy: float, reference_gy: float) -> None:
        """Label the bar from ``low_gy`` (threshold) to 110 % of ``reference_gy``."""
        self._low_fraction = min(max(low_gy / (1.1 * reference_gy), 0.0), 1.0)
        for label, gy in zip(self.labels, (1.1 * reference_gy, reference_gy, low_gy),
                             strict=True):
            label.setText(f"{gy:.1f} Gy")
        self._paint_gradient()

    def place(self, view_rect: QtCore.QRectF) -> None:
        """Put the bar against the right edge of a view of size ``view_rect``."""
        height = max(40.0, 0.5 * view_rect.height())
        top = 0.25 * view_rect.height()
        x = view_rect.width() - _WIDTH - 62  # room for "110.0 Gy" beside it
        self.setRect(QtCore.QRectF(x, top, _WIDTH, height))
        self._paint_gradient()

    def _paint_gradient(self) -> None:
        rect = self.rect()
        # every slice step places the bar again; the gradient (64 colour stops) is
        # only rebuilt when its rectangle, threshold or labels changed
        key = (rect.getRect(), self._low_fraction, *(label.text() for label in self.labels))
        if key == self._painted:
            return
        self._painted = key
        gradient = QtGui.QLinearGradient(rect.bottomLeft(), rect.topLeft())
        lut = wash_lut(64)
        low = self._low_fraction
        for index, rgb in enumerate(lut):
            fraction = index / (len(lut) - 1)
            if fraction >= low:
                position = (fraction - low) / (1 - low) if low < 1 else 0.0
                gradient.setColorAt(position, QtGui.QColor(*(int(c) for c in rgb)))
        self.setBrush(QtGui.QBrush(gradient))
        # labels: top = 110 %, 100 % where it falls, bottom = threshold
        span = 1 - low if low < 1 else 1.0
        y_ref = rect.bottom() - (1 / 1.1 - low) / span * rect.height()
        for label, y in zip(self.labels, (rect.top(), y_ref, rect.bottom()), strict=True):
            label.setPos(rect.right() + 2, y - label.boundingRect().height() / 2)
