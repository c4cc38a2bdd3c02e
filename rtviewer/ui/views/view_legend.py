"""What a slice view's picture must carry to be read alone: isodose legend, scale bar, W/L.

Drawn in ViewBox pixels (not patient mm), so they keep their size when zooming, and
part of the view, so a screenshot carries them. Bottom-left: the isodose levels in
their line colours with % and Gy; bottom-right: a scale bar of a round length and the
window width / level.
"""

from __future__ import annotations

from html import escape

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["ViewLegend", "scale_bar_mm"]

#: Round lengths a scale bar may take (mm).
_LENGTHS_MM = (1, 2, 5, 10, 20, 50, 100, 200, 500)


def scale_bar_mm(mm_per_px: float, view_width_px: float) -> float:
    """The longest round length whose bar stays under a fifth of the view's width.

    Examples
    --------
    >>> scale_bar_mm(0.5, 600)   # 120 px available = 60 mm
    50
    >>> scale_bar_mm(2.0, 600)   # 240 mm
    200
    """
    limit = view_width_px / 5 * mm_per_px
    fitting = [length for length in _LENGTHS_MM if length <= limit]
    return fitting[-1] if fitting else _LENGTHS_MM[0]


class ViewLegend:
    """The isodose legend, the scale bar and the W/L text of one slice view.

    Parameters
    ----------
    parent : QGraphicsItem
        The ViewBox (positions are its pixels).
    """

    def __init__(self, parent: QtWidgets.QGraphicsItem) -> None:
        self.isodoses = QtWidgets.QGraphicsTextItem(parent)
        self.isodoses.setZValue(21)
        self.window = QtWidgets.QGraphicsSimpleTextItem(parent)
        self.window.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.scale_text = QtWidgets.QGraphicsSimpleTextItem(parent)
        self.scale_text.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.scale = QtWidgets.QGraphicsRectItem(parent)
        self.scale.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.scale.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.backing = QtWidgets.QGraphicsRectItem(parent)
        self.backing.setBrush(QtGui.QBrush(QtGui.QColor(0, 0, 0, 160)))
        self.backing.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.backing.setZValue(20)
        for item in (self.window, self.scale_text, self.scale):
            item.setZValue(21)
        font = QtGui.QFont()
        font.setPointSize(8)
        self.isodoses.setFont(font)
        self.window.setFont(font)
        self.scale_text.setFont(font)
        self._mm_per_px = 0.0
        self._rows: list[tuple[tuple[int, int, int], str]] = []

    def set_isodoses(self, rows: list[tuple[tuple[int, int, int], str]]) -> bool:
        """One line per level: a swatch in the line's colour and ``"95 %  57.0 Gy"``.

        Returns whether the legend changed (a slice step usually leaves it as it is:
        the HTML layout is then skipped).
        """
        if rows == self._rows:
            return False
        self._rows = list(rows)
        html = "<br>".join(
            f"<span style='color: rgb{rgb}'>&#9644;</span>&nbsp;"
            f"<span style='color: #e6e6e6'>{escape(text)}</span>" for rgb, text in rows)
        self.isodoses.setHtml(html)
        self.isodoses.setVisible(bool(rows))
        return True

    def set_window(self, width: float, level: float, shown: bool) -> None:
        """``"W 400 / L 40"`` (image units), hidden without an image."""
        self.window.setText(f"W {width:.0f} / L {level:.0f}")
        self.window.setVisible(shown)

    def rects(self) -> list[QtCore.QRectF]:
        """The shown legend, scale bar and W/L rectangles in ViewBox pixels."""
        items = (self.backing, self.scale, self.scale_text, self.window)
        return [item.mapRectToParent(item.boundingRect()) for item in items
                if item.isVisible()]

    def place(self, rect: QtCore.QRectF, mm_per_px: float) -> None:
        """Legend bottom-left, scale bar and W/L bottom-right of a view of ``rect``."""
        legend = self.isodoses.boundingRect()
        x, y = 6.0, rect.height() - legend.height() - 6
        self.isodoses.setPos(x, y)
        self.backing.setRect(x, y, legend.width(), legend.height())
        self.backing.setVisible(self.isodoses.isVisible())
        self._mm_per_px = mm_per_px
        shown = mm_per_px > 0 and rect.width() > 0
        for item in (self.scale, self.scale_text):
            item.setVisible(shown)
        right = rect.width() - 10
        bottom = rect.height() - 8
        if shown:
            length_mm = scale_bar_mm(mm_per_px, rect.width())
            length_px = length_mm / mm_per_px
            self.scale.setRect(right - length_px, bottom - 3, length_px, 3)
            self.scale_text.setText(f"{length_mm:g} mm")
            text = self.scale_text.boundingRect()
            self.scale_text.setPos(right - length_px / 2 - text.width() / 2,
                                   bottom - 4 - text.height())
            bottom -= 6 + text.height()
        window = self.window.boundingRect()
        self.window.setPos(right - window.width(), bottom - window.height())
