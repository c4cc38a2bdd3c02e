"""The text laid over a slice view: orientation letters on the edges and the title.

Moved out of ``slice_view`` (which only decides *what* the texts say): this module
owns the items and *where* they go in ViewBox pixels, so beam labels
(``overlays.beams``) can keep out of them.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["TITLE_POINT_SIZE", "ViewLabels"]

#: The view title's font size (pt); narrow views shrink it so the whole title shows.
TITLE_POINT_SIZE = 11
EDGES = ("left", "right", "top", "bottom")


class ViewLabels:
    """Orientation letters (``left``, ``right``, ``top``, ``bottom``) and the ``info`` title.

    Parameters
    ----------
    parent : QGraphicsItem
        The ViewBox the texts are children of (positions are its pixels).
    """

    def __init__(self, parent: QtWidgets.QGraphicsItem) -> None:
        self.items: dict[str, QtWidgets.QGraphicsSimpleTextItem] = {}
        font = QtGui.QFont()
        font.setPointSize(TITLE_POINT_SIZE)
        font.setBold(True)
        for edge in (*EDGES, "info"):
            item = QtWidgets.QGraphicsSimpleTextItem(parent)
            item.setBrush(QtGui.QBrush(QtGui.QColor(255, 220, 0 if edge != "info" else 255)))
            item.setFont(font)
            item.setZValue(20)
            self.items[edge] = item
        # the view title sits on a translucent bar so contours and beams never hide it
        self.title_bar = QtWidgets.QGraphicsRectItem(parent)
        self.title_bar.setBrush(QtGui.QBrush(QtGui.QColor(0, 0, 0, 160)))
        self.title_bar.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.title_bar.setZValue(19)

    def place(self, rect: QtCore.QRectF) -> None:
        """Letters centred on the edges of ``rect`` (ViewBox pixels), the title top-left."""
        for edge, item in self.items.items():
            br = item.boundingRect()
            x = {"left": 4, "right": rect.width() - br.width() - 4}.get(
                edge, (rect.width() - br.width()) / 2)
            y = {"top": 4, "bottom": rect.height() - br.height() - 4}.get(
                edge, (rect.height() - br.height()) / 2)
            item.setPos(x, y)
        self._place_title(rect)

    def _place_title(self, rect: QtCore.QRectF) -> None:
        """Title top-left on its bar, on the first line when it clears the top letter."""
        info, top = self.items["info"], self.items["top"]
        _fit_font(info, rect.width() - 16)
        br, top_rect = info.boundingRect(), top.boundingRect()
        top_left = top.pos().x()
        # a narrow view has no room beside the letter: the title goes one line lower
        y = 4.0 if 4 + br.width() + 12 < top_left or not top.text() else top_rect.height() + 8
        info.setPos(8, y)
        self.title_bar.setRect(4, y - 2, br.width() + 8, br.height() + 4)
        self.title_bar.setVisible(bool(info.text()))

    def letter_rects(self) -> list[QtCore.QRectF]:
        """The orientation letters' rectangles in ViewBox pixels."""
        return [item.mapRectToParent(item.boundingRect())
                for edge, item in self.items.items() if edge != "info" and item.text()]


def _fit_font(item: QtWidgets.QGraphicsSimpleTextItem, width_px: float) -> None:
    """Shrink ``item``'s font (11 pt down to 7 pt) until its text fits ``width_px``."""
    font = item.font()
    for size in range(TITLE_POINT_SIZE, 6, -1):
        if font.pointSize() != size:
            font.setPointSize(size)
            item.setFont(font)
        if item.boundingRect().width() <= width_px:
            return
